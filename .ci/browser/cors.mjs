// A page served on one loopback port calls Debrief on another with a bearer token: the
// preflight and the query must succeed in a real browser.
//   DEBRIEF_URL  e.g. http://127.0.0.1:8080   DEBRIEF_TOKEN  a bearer token
import http from 'node:http';
import { launch, loopbackOnlyPage, fail } from './common.mjs';

const api = `${process.env.DEBRIEF_URL}/graphql`;
const token = process.env.DEBRIEF_TOKEN;
const html = `<!doctype html><title>cors</title><pre id="out">waiting</pre><script>
fetch(${JSON.stringify(api)}, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: 'Bearer ' + ${JSON.stringify(token)} },
  body: JSON.stringify({ query: '{ viewer { role tenant { slug } } }' }),
}).then((r) => r.json()).then((body) => { document.getElementById('out').textContent = 'OK ' + JSON.stringify(body); })
  .catch((error) => { document.getElementById('out').textContent = 'ERROR ' + error; });
</script>`;

const server = http.createServer((_, response) => {
  response.writeHead(200, { 'content-type': 'text/html' });
  response.end(html);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await launch();
try {
  const { page, outside } = await loopbackOnlyPage(browser);
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => document.getElementById('out').textContent !== 'waiting', { timeout: 15000 });
  const text = await page.$eval('#out', (element) => element.textContent);
  if (!text.startsWith('OK ')) fail(`the cross-origin query failed: ${text}`);
  const body = JSON.parse(text.slice(3));
  if (!body.data || !body.data.viewer || !body.data.viewer.role) fail(`no viewer: ${text}`);
  if (outside.length) fail(`requests left loopback: ${outside.join(', ')}`);
  console.log(`ok     a page on ${origin} queried ${api}: ${text.slice(3)}`);
} finally {
  await browser.close();
  server.close();
}
