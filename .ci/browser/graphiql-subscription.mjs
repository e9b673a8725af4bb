// GraphiQL runs a subscription over the WebSocket endpoint, offline: the `events` subscription
// started from the query editor (signed in with the prefilled ADMIN header) shows the timeline
// entry an EDITOR then adds over HTTP.
//   DEBRIEF_URL  e.g. http://127.0.0.1:8080
//   DEBRIEF_EDITOR_TOKEN  an EDITOR's bearer token, to add the timeline entry
//   (DEBRIEF_TOKEN, given to every browser check, is not needed here.)
import { launch, loopbackOnlyPage, fail } from './common.mjs';

const base = process.env.DEBRIEF_URL;
const editor = process.env.DEBRIEF_EDITOR_TOKEN;
if (!base || !editor) fail('DEBRIEF_URL and DEBRIEF_EDITOR_TOKEN are required');

const subscription = 'subscription { events(filter: { types: [TIMELINE_EVENT_CREATED] }) { type subjectId } }';

async function graphql(query, variables) {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${editor}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (!response.ok || body.errors) fail(`HTTP ${response.status}: ${JSON.stringify(body).slice(0, 400)}`);
  return body.data;
}

const browser = await launch();
try {
  const { page, outside } = await loopbackOnlyPage(browser);
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  // Request interception does not see WebSockets: record those the page opens through CDP.
  const sockets = [];
  const cdp = await page.createCDPSession();
  await cdp.send('Network.enable');
  cdp.on('Network.webSocketCreated', ({ url }) => sockets.push(url));
  await page.goto(`${base}/graphql`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('.graphiql-execute-button', { timeout: 20000 });
  await page.waitForSelector('.graphiql-doc-explorer-search, .graphiql-sidebar', { timeout: 20000 });
  // The query editor is the CodeMirror inside `.graphiql-query-editor`.
  const set = await page.evaluate((query) => {
    const element = document.querySelector('.graphiql-query-editor .CodeMirror');
    if (!element || !element.CodeMirror) return false;
    element.CodeMirror.setValue(query);
    return true;
  }, subscription);
  if (!set) fail('no query editor');
  // GraphiQL takes in an edit (its document and operation name) 100 ms later, storing the query.
  await page.waitForFunction(
    (query) => window.localStorage.getItem('graphiql:query') === query,
    { timeout: 10000 },
    subscription,
  );
  await page.click('.graphiql-execute-button');
  await new Promise((resolve) => setTimeout(resolve, 1000));

  const { incidents } = await graphql('{ incidents(first: 1) { nodes { id startedAt } } }');
  const incident = incidents.nodes[0];
  if (!incident) fail('the demo tenant has no incident');
  const created = await graphql(
    `mutation ($input: TimelineEventCreateInput!) {
       timelineEventCreate(input: $input) { timelineEvent { id } userErrors { field message } }
     }`,
    {
      input: {
        incidentId: incident.id,
        occurredAt: new Date().toISOString(),
        kind: 'NOTE',
        body: 'Added by the GraphiQL subscription check.',
        visibility: 'INTERNAL',
      },
    },
  );
  const entry = created.timelineEventCreate.timelineEvent;
  if (!entry) fail(`the timeline entry was not added: ${JSON.stringify(created.timelineEventCreate.userErrors)}`);

  const shown = await page
    .waitForFunction(
      (id) => {
        const text = document.querySelector('.result-window')?.textContent || '';
        return text.includes('TIMELINE_EVENT_CREATED') && text.includes(id);
      },
      { timeout: 10000 },
      entry.id,
    )
    .then(() => true, () => false);
  if (!shown) {
    const result = await page.$eval('.result-window', (element) => element.textContent).catch(() => '');
    fail(`GraphiQL did not show the subscription's event for ${entry.id}: ${result.slice(0, 400)}`);
  }
  const offLoopback = sockets.filter((url) => !['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname));
  if (outside.length || offLoopback.length) {
    fail(`GraphiQL reached beyond loopback: ${[...outside, ...offLoopback].join(', ')}`);
  }
  if (!sockets.some((url) => new URL(url).pathname === '/graphql/ws')) {
    fail(`GraphiQL did not open a WebSocket to /graphql/ws: ${sockets.join(', ') || 'none'}`);
  }
  if (errors.length) fail(`the page raised errors: ${errors.join('; ')}`);
  console.log('ok     GraphiQL ran the events subscription over the WebSocket endpoint offline and showed the timeline entry an EDITOR added');
} finally {
  await browser.close();
}
