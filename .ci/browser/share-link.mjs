// A client contact without an account opens a share link in a real browser: the page shows
// the post-mortem's headings with its own style sheet allowed by the page's CSP; once the
// link is revoked, the same URL shows the "not available" page with status 404.
//   DEBRIEF_URL  e.g. http://127.0.0.1:8080   DEBRIEF_EDITOR_TOKEN  an EDITOR's bearer token
import { launch, loopbackOnlyPage, fail } from './common.mjs';

const api = `${process.env.DEBRIEF_URL}/graphql`;
const token = process.env.DEBRIEF_EDITOR_TOKEN;

async function graphql(query, variables = {}) {
  const response = await fetch(api, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) fail(`${query}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

const listed = await graphql('{ incidents(first: 100) { nodes { reference postMortem { id status } impacts { client { id name } } } } }');
const shared = listed.incidents.nodes.find((i) => i.postMortem && i.postMortem.status !== 'DRAFT' && i.impacts.length);
if (!shared) fail('the demo has no published post-mortem with an impacted client');
const client = shared.impacts[0].client;
const made = await graphql(
  'mutation($input: PostMortemShareLinkCreateInput!) { postMortemShareLinkCreate(input: $input) { url shareLink { id } userErrors { message } } }',
  { input: { postMortemId: shared.postMortem.id, clientId: client.id } },
);
const { url, shareLink, userErrors } = made.postMortemShareLinkCreate;
if (userErrors.length) fail(`postMortemShareLinkCreate: ${JSON.stringify(userErrors)}`);

const browser = await launch();
try {
  const { page, outside } = await loopbackOnlyPage(browser);
  const blocked = [];
  page.on('console', (message) => { if (/Content Security Policy/i.test(message.text())) blocked.push(message.text()); });
  const opened = await page.goto(url);
  if (opened.status() !== 200) fail(`the share page answered ${opened.status()}`);
  const headings = await page.$$eval('h1, h2', (nodes) => nodes.map((n) => n.textContent.trim()));
  for (const expected of ['1. What happened', '2. Root cause', '6. Prevention measures', '8. Your questions']) {
    if (!headings.includes(expected)) fail(`heading "${expected}" missing: ${JSON.stringify(headings)}`);
  }
  if (!headings[0].startsWith(shared.reference)) fail(`the page does not start with ${shared.reference}: ${headings[0]}`);
  const width = await page.$eval('main', (main) => getComputedStyle(main).maxWidth);
  if (width === 'none') fail('the page style sheet did not apply (blocked by its CSP?)');
  if (blocked.length) fail(`CSP violations: ${blocked.join(' | ')}`);
  console.log(`ok     ${client.name}'s copy of ${shared.reference} shows ${headings.length} headings, styled`);

  await graphql('mutation($id: ID!) { postMortemShareLinkRevoke(input: { id: $id }) { userErrors { message } } }', { id: shareLink.id });
  const revoked = await page.goto(url);
  if (revoked.status() !== 404) fail(`a revoked link answered ${revoked.status()}`);
  const title = await page.$eval('h1', (h1) => h1.textContent.trim());
  if (title !== 'This link is not available') fail(`a revoked link showed "${title}"`);
  const text = await page.$eval('body', (body) => body.textContent);
  if (text.includes(client.name) || text.includes(shared.reference)) fail('the 404 page tells what the link was for');
  if (outside.length) fail(`requests left loopback: ${outside.join(', ')}`);
  console.log('ok     once revoked, the same URL shows the 404 page');
} finally {
  await browser.close();
}
