// GraphiQL with no network beyond loopback: the page loads, the prefilled query runs with the
// prefilled ADMIN header, and the result shows `viewer`.
//   DEBRIEF_URL  e.g. http://127.0.0.1:8080   DEBRIEF_TOKEN  a VIEWER's bearer token
import { launch, loopbackOnlyPage, fail } from './common.mjs';

const browser = await launch();
try {
  const { page, outside } = await loopbackOnlyPage(browser);
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  const introspections = [];
  page.on('request', (request) => {
    if ((request.postData() || '').includes('IntrospectionQuery')) {
      introspections.push(request.headers().authorization || '');
    }
  });
  await page.goto(`${process.env.DEBRIEF_URL}/graphql`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('.graphiql-execute-button', { timeout: 20000 });
  // The schema arrives through the prefilled header; then run the prefilled query.
  await page.waitForSelector('.graphiql-doc-explorer-search, .graphiql-sidebar', { timeout: 20000 });
  await page.click('.graphiql-execute-button');
  await page.waitForFunction(
    () => {
      const result = document.querySelector('.result-window');
      return result && result.textContent.includes('"viewer"');
    },
    { timeout: 20000 },
  );
  const result = await page.$eval('.result-window', (element) => element.textContent);
  if (!result.includes('"ADMIN"')) fail(`the query did not run as the ADMIN: ${result.slice(0, 400)}`);
  // Headers edited in the Headers tab survive a reload: store another role's and run again.
  const viewer = JSON.stringify({ Authorization: `Bearer ${process.env.DEBRIEF_TOKEN}` });
  const kept = await page.evaluate((headers) => {
    const state = JSON.parse(window.localStorage.getItem('graphiql:tabState') || 'null');
    if (!state || !state.tabs || !state.tabs[state.activeTabIndex].headers) return false;
    state.tabs[state.activeTabIndex].headers = headers;
    window.localStorage.setItem('graphiql:tabState', JSON.stringify(state));
    return true;
  }, viewer);
  if (!kept) fail('GraphiQL did not keep the tab\'s headers');
  await page.reload({ waitUntil: 'networkidle0' });
  await page.waitForSelector('.graphiql-execute-button', { timeout: 20000 });
  await page.click('.graphiql-execute-button');
  await page.waitForFunction(
    () => document.querySelector('.result-window')?.textContent.includes('"VIEWER"'),
    { timeout: 20000 },
  );
  const tabs = await page.evaluate(() => JSON.parse(window.localStorage.getItem('graphiql:tabState')).tabs.length);
  if (tabs !== 1) fail(`a reload opened a new tab instead of reopening the user's: ${tabs} tabs`);
  // Editing the Headers tab fetches the schema again with the new headers.
  const before = introspections.length;
  const [headersTab] = await page.$$('xpath/.//button[normalize-space()="Headers"]');
  if (headersTab) await headersTab.click();
  await page.waitForFunction(
    () => [...document.querySelectorAll('.CodeMirror')].some((e) => e.CodeMirror.getValue().includes('Authorization')),
    { timeout: 10000 },
  );
  const edited = await page.evaluate(() => {
    const editors = [...document.querySelectorAll('.CodeMirror')];
    const headers = editors.find((element) => element.CodeMirror.getValue().includes('Authorization'));
    if (!headers) return false;
    headers.CodeMirror.setValue(JSON.stringify({ Authorization: 'Bearer edited-in-the-headers-tab' }));
    return true;
  });
  if (!edited) fail('no Headers editor holding the Authorization header');
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline && !introspections.slice(before).includes('Bearer edited-in-the-headers-tab')) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!introspections.slice(before).includes('Bearer edited-in-the-headers-tab')) {
    fail(`the schema was not fetched again with the edited headers: ${introspections.length - before} new fetches`);
  }
  if (outside.length) fail(`GraphiQL reached beyond loopback: ${outside.join(', ')}`);
  if (errors.length) fail(`the page raised errors: ${errors.join('; ')}`);
  console.log('ok     GraphiQL loaded offline, ran the prefilled query as the ADMIN, kept edited headers across a reload, and fetched the schema again when they changed');
} finally {
  await browser.close();
}
