// Checks Debrief's GraphQL subscriptions over the graphql-transport-ws protocol: the official
// graphql-ws client for what a real client does, raw `ws` sockets for what only a broken or
// hostile client sends. Prints one line per check, then a summary; exits 1 if a check failed,
// 2 if the checks could not start.
//   DEBRIEF_URL  e.g. http://127.0.0.1:8080
//   DEBRIEF_BIN  the debrief binary, which mints the tokens (it needs DATABASE_URL and
//                DEBRIEF_JWT_SECRET, as the server has them)
// The server must run with `--ws-ping-interval 1s`.
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { promisify } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const BASE = (process.env.DEBRIEF_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const BIN = process.env.DEBRIEF_BIN || 'debrief';
const WS_URL = `${BASE.replace(/^http/, 'ws')}/graphql/ws`;
const PROTOCOL = 'graphql-transport-ws';
const CLIENT_EVENT_TYPES = ['POST_MORTEM_PUBLISHED', 'POST_MORTEM_REVIEWED', 'MEASURE_COMPLETED', 'FEEDBACK_REPLIED'];

const EVENTS = `subscription Events($filter: EventsFilter, $after: String) {
  events(filter: $filter, after: $after) {
    id type position occurredAt subjectId subject { id } incident { id } changedFields
  }
}`;
const LIVE = 'subscription { events { id } }';

// ---------------------------------------------------------------------------------------
// Helpers

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something truthy; a probe that throws fails at once. */
async function waitFor(what, ms, probe) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms`);
    await sleep(20);
  }
}

function describe(error) {
  if (Array.isArray(error)) return `GraphQL errors ${JSON.stringify(error.map((e) => e.message))}`;
  if (error && typeof error === 'object' && 'code' in error && 'reason' in error) {
    return `socket closed with ${error.code} ${JSON.stringify(error.reason)}`;
  }
  return String(error?.message ?? error);
}

let passed = 0;
let failed = 0;
// Each check has its own timeout; the budget bounds a run against a server that times out
// every check.
const budgetEnds = Date.now() + 60_000;

/**
 * Runs one check under its own timeout, then undoes what it deferred (closes its sockets).
 * Answers whether it passed.
 */
async function check(name, fn, { timeout = 15_000 } = {}) {
  if (Date.now() > budgetEnds) {
    failed += 1;
    console.log(`not ok - ${name}: not run, the run is past its 60 s budget`);
    return false;
  }
  const cleanups = [];
  const t = { defer: (cleanup) => cleanups.push(cleanup) };
  let timer;
  try {
    await Promise.race([
      fn(t),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeout / 1000} s`)), timeout);
      }),
    ]);
    passed += 1;
    console.log(`ok - ${name}`);
    return true;
  } catch (error) {
    failed += 1;
    console.log(`not ok - ${name}: ${describe(error)}`);
    return false;
  } finally {
    clearTimeout(timer);
    // A cleanup must not hang the run: graphql-ws's dispose waits for a pending connection.
    for (const cleanup of cleanups.reverse()) await Promise.race([Promise.resolve().then(cleanup).catch(() => {}), sleep(1000)]);
  }
}

const run = promisify(execFile);

/** A token from the CLI, as an operator would mint it. */
async function mint(email, ttl = '10m') {
  const { stdout } = await run(BIN, ['token', '--tenant', 'acme', '--email', email, '--ttl', ttl], { timeout: 15_000 });
  const token = stdout.trim();
  if (token.split('.').length !== 3) throw new Error(`debrief token printed no JWT for ${email}: ${JSON.stringify(stdout)}`);
  return token;
}

function claims(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
}

/** `token` with some claims replaced, signed HS256 with `secret`. */
function resign(token, changes, secret) {
  const [header] = token.split('.');
  const body = Buffer.from(JSON.stringify({ ...claims(token), ...changes })).toString('base64url');
  const signature = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
  return `${header}.${body}.${signature}`;
}

/** One GraphQL request over HTTP; GraphQL errors and user errors throw. */
async function http(query, variables, token) {
  const response = await fetch(`${BASE}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`);
  }
  if (body.errors?.length || !body.data) throw new Error(`HTTP ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
  for (const [field, payload] of Object.entries(body.data)) {
    if (payload?.userErrors?.length) throw new Error(`${field} refused: ${JSON.stringify(payload.userErrors)}`);
  }
  return body.data;
}

/**
 * A raw socket that records every message and the close. It answers the server's pings, as
 * graphql-ws does, since the server ends a socket silent for two ping intervals.
 */
async function rawSocket(t) {
  const ws = new WebSocket(WS_URL, PROTOCOL);
  const sock = { ws, messages: [], closed: null, invalid: null, error: null, openedAt: 0 };
  sock.send = (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  ws.on('open', () => {
    sock.openedAt = Date.now();
  });
  ws.on('message', (data, isBinary) => {
    // The graphql-ws client can only read text frames of JSON objects.
    if (isBinary) return void (sock.invalid ??= 'a binary frame');
    let message;
    try {
      message = JSON.parse(data.toString());
    } catch {
      return void (sock.invalid ??= `a frame that is not JSON: ${data.toString().slice(0, 80)}`);
    }
    sock.messages.push(message);
    if (message.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
  });
  ws.on('close', (code, reason) => {
    sock.closed = { code, reason: reason.toString(), at: Date.now() };
  });
  ws.on('error', (error) => {
    sock.error = error;
  });
  t.defer(() => ws.terminate());
  await waitFor('open socket', 5000, () => {
    if (sock.error) throw sock.error;
    return ws.readyState === WebSocket.OPEN;
  });
  if (ws.protocol !== PROTOCOL) throw new Error(`the server chose the subprotocol ${JSON.stringify(ws.protocol)}`);
  return sock;
}

/** Waits for a message matching `predicate` from index `from` on. */
function expectMessage(sock, what, predicate, { from = 0, ms = 5000 } = {}) {
  return waitFor(what, ms, () => {
    if (sock.invalid) throw new Error(`the server sent ${sock.invalid}`);
    const found = sock.messages.slice(from).find(predicate);
    if (found) return found;
    if (sock.closed) throw new Error(`closed with ${sock.closed.code} ${JSON.stringify(sock.closed.reason)} before ${what}`);
    return null;
  });
}

async function init(sock, token) {
  sock.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
  return expectMessage(sock, 'connection_ack', (m) => m.type === 'connection_ack');
}

async function expectClose(sock, code, ms) {
  const closed = await waitFor(`close ${code}`, ms, () => {
    if (sock.invalid) throw new Error(`the server sent ${sock.invalid}`);
    return sock.closed;
  }).catch((error) => {
    const seen = sock.messages.map((m) => m.type).join(', ') || 'nothing';
    throw new Error(`${error.message} (received: ${seen})`);
  });
  if (closed.code !== code) throw new Error(`closed with ${closed.code} ${JSON.stringify(closed.reason)}, expected ${code}`);
  return closed;
}

/**
 * A graphql-ws client that never retries, so a close reaches the check instead of being
 * papered over by a reconnect. Operation ids are `op-1`, `op-2`, … in subscription order.
 */
function wsClient(t, token, options = {}) {
  const seen = { connected: 0, pings: 0, closed: null, messages: [], errors: [] };
  let n = 0;
  const client = createClient({
    url: WS_URL,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    shouldRetry: () => false,
    generateID: () => `op-${++n}`,
    onNonLazyError: (error) => seen.errors.push(error),
    on: {
      connected: () => void (seen.connected += 1),
      ping: (received) => void (received && (seen.pings += 1)),
      message: (message) => void seen.messages.push(message),
      closed: (event) => void (seen.closed = { code: event.code, reason: event.reason, at: Date.now() }),
      error: (error) => void seen.errors.push(error),
    },
    ...options,
  });
  t.defer(() => client.dispose());
  return { client, seen };
}

function subscribe(client, query, variables = {}) {
  const sub = { results: [], error: null, completed: false };
  sub.dispose = client.subscribe(
    { query, variables },
    {
      next: (result) => sub.results.push(result),
      error: (error) => void (sub.error = error),
      complete: () => void (sub.completed = true),
    },
  );
  return sub;
}

/** The `field` of every result so far; an error, or a result with errors, throws. */
function got(sub, field) {
  if (sub.error) throw new Error(`the subscription failed: ${describe(sub.error)}`);
  for (const result of sub.results) {
    if (result.errors?.length) throw new Error(`a result carried ${describe(result.errors)}`);
  }
  return sub.results.map((result) => result.data[field]);
}

async function connected(seen) {
  await waitFor('connection_ack', 5000, () => {
    if (seen.closed) {
      const why = seen.errors.map(describe).join('; ');
      throw new Error(`closed with ${seen.closed.code} ${JSON.stringify(seen.closed.reason)} before connection_ack${why ? ` (${why})` : ''}`);
    }
    return seen.connected;
  });
}

/**
 * The protocol does not acknowledge a subscription, and a live one only sees what happens
 * after it started. A query answered on the same socket shows that the server has read
 * everything sent before it; the pause lets it finish starting the subscriptions.
 */
async function settle(client) {
  const probe = subscribe(client, '{ __typename }');
  await waitFor('answer to a query sent after the subscription', 5000, () => got(probe, '__typename') && probe.completed);
  await sleep(300);
}

/** `settle` on a raw socket. */
async function rawSettle(sock, id = 'settle') {
  sock.send({ id, type: 'subscribe', payload: { query: '{ __typename }' } });
  await expectMessage(sock, 'answer to a query sent after the subscription', (m) => m.type === 'complete' && m.id === id);
  await sleep(300);
}

// ---------------------------------------------------------------------------------------
// Demo data and writes

let tokens;
let staffIncident;
let publishedIncident;

async function setup() {
  const emails = {
    admin: 'admin@acme.example',
    editor: 'editor@acme.example',
    viewer: 'viewer@acme.example',
    client: 'client@globex.example',
  };
  const minted = await Promise.all(Object.entries(emails).map(async ([role, email]) => [role, await mint(email)]));
  tokens = Object.fromEntries(minted);
  const { viewer } = await http('{ viewer { role client { id } } }', {}, tokens.client);
  if (viewer.role !== 'CLIENT' || !viewer.client) throw new Error(`${emails.client} is not a CLIENT user: ${JSON.stringify(viewer)}`);
  const { incidents } = await http(
    '{ incidents(first: 50) { nodes { id title postMortem { id status } impacts { client { id } } } } }',
    {},
    tokens.editor,
  );
  publishedIncident = incidents.nodes.find(
    (i) => i.postMortem.status === 'PUBLISHED' && i.impacts.some((impact) => impact.client?.id === viewer.client.id),
  );
  // Staff-only changes go to another incident, so the client's own record stays as seeded.
  staffIncident = incidents.nodes.find((i) => i !== publishedIncident);
  if (!publishedIncident || !staffIncident) throw new Error('the demo lacks a published post-mortem that impacted Globex, or a second incident');
}

let entryCount = 0;

/** As EDITOR, adds a timeline entry (TIMELINE_EVENT_CREATED) and answers its id. */
async function addEntry(incident = staffIncident, visibility = 'INTERNAL') {
  entryCount += 1;
  const { timelineEventCreate } = await http(
    `mutation($input: TimelineEventCreateInput!) { timelineEventCreate(input: $input) { timelineEvent { id } userErrors { code message } } }`,
    {
      input: {
        incidentId: incident.id,
        kind: 'NOTE',
        occurredAt: new Date().toISOString(),
        body: `Subscription conformance check, entry ${entryCount}.`,
        visibility,
      },
    },
    tokens.editor,
  );
  return timelineEventCreate.timelineEvent.id;
}

/** As ADMIN, creates a fresh VIEWER and answers its id and a token for it. */
async function freshUser() {
  const email = `ws-ci-${process.pid}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@acme.example`;
  const { userCreate } = await http(
    `mutation($input: UserCreateInput!) { userCreate(input: $input) { user { id } userErrors { code message } } }`,
    { input: { email, displayName: 'Subscription check', role: 'VIEWER' } },
    tokens.admin,
  );
  return { id: userCreate.user.id, token: await mint(email) };
}

/** The cursor of the last event in the feed, paging the whole feed as a reader would. */
async function endCursor() {
  let cursor = null;
  for (;;) {
    const { events } = await http(
      'query($after: String) { events(first: 100, after: $after) { pageInfo { endCursor hasNextPage } } }',
      { after: cursor },
      tokens.viewer,
    );
    cursor = events.pageInfo.endCursor ?? cursor;
    if (!events.pageInfo.hasNextPage) return cursor;
  }
}

// ---------------------------------------------------------------------------------------
// Checks

async function main() {
  console.log(`# graphql-transport-ws conformance of ${WS_URL}`);
  try {
    await setup();
  } catch (error) {
    console.log(`not ok - setup: ${describe(error)}`);
    return 2;
  }

  const acked = await check('connection_ack for a valid token (graphql-ws client)', async (t) => {
    const { seen } = wsClient(t, tokens.viewer, { lazy: false });
    await connected(seen);
    const ack = seen.messages.find((m) => m.type === 'connection_ack');
    if (!ack) throw new Error('the client connected without a connection_ack message');
  });
  if (!acked) {
    console.log('Bail out! no connection_ack, which every other check needs');
    console.log(`${passed} passed, ${failed} failed`);
    return 1;
  }

  // Runs beside the others: it only waits, for ten seconds.
  const initTimeout = check(
    '4408 when no connection_init comes within 10 s',
    async (t) => {
      const sock = await rawSocket(t);
      const closed = await expectClose(sock, 4408, 12_000);
      const after = (closed.at - sock.openedAt) / 1000;
      if (after < 9 || after > 11.5) throw new Error(`closed after ${after.toFixed(1)} s, expected about 10 s`);
    },
    { timeout: 14_000 },
  );

  await check('a subscription receives a change made over HTTP', async (t) => {
    const { client, seen } = wsClient(t, tokens.viewer);
    const sub = subscribe(client, EVENTS, { filter: { types: ['TIMELINE_EVENT_CREATED'] } });
    await connected(seen);
    await settle(client);
    const entry = await addEntry();
    const event = await waitFor('event for the new timeline entry', 5000, () => got(sub, 'events').find((e) => e.subjectId === entry));
    if (event.type !== 'TIMELINE_EVENT_CREATED') throw new Error(`type ${event.type}`);
    if (event.subject?.id !== entry) throw new Error(`subject ${JSON.stringify(event.subject)}, expected ${entry}`);
    if (event.incident?.id !== staffIncident.id) throw new Error(`incident ${JSON.stringify(event.incident)}, expected ${staffIncident.id}`);
    const others = got(sub, 'events').filter((e) => e.type !== 'TIMELINE_EVENT_CREATED');
    if (others.length) throw new Error(`the types filter let through ${others.map((e) => e.type).join(', ')}`);
  });

  await check('complete from the client stops the stream and the socket stays usable', async (t) => {
    const { client, seen } = wsClient(t, tokens.viewer, { lazy: false });
    await connected(seen);
    const filter = { types: ['TIMELINE_EVENT_CREATED'], incidentId: staffIncident.id };
    const first = subscribe(client, EVENTS, { filter }); // op-1
    await settle(client);
    const a = await addEntry();
    await waitFor('event on the first subscription', 5000, () => got(first, 'events').some((e) => e.subjectId === a));
    first.dispose(); // sends complete for op-1
    const second = subscribe(client, EVENTS, { filter });
    await settle(client); // the server has read op-1's complete by now
    const mark = seen.messages.length;
    const b = await addEntry();
    await waitFor('event on the second subscription', 5000, () => got(second, 'events').some((e) => e.subjectId === b));
    await sleep(500);
    const stray = seen.messages.slice(mark).filter((m) => m.id === 'op-1' && m.type === 'next');
    if (stray.length) throw new Error(`${stray.length} next message(s) for op-1 after the client completed it`);
    if (seen.closed || seen.connected !== 1) throw new Error(`the socket did not stay open (closed: ${JSON.stringify(seen.closed)}, connections: ${seen.connected})`);
  });

  await check('complete from the server after a query’s single result', async (t) => {
    const { client, seen } = wsClient(t, tokens.viewer);
    const sub = subscribe(client, 'query { viewer { role user { email } } }'); // op-1
    await waitFor('complete', 5000, () => got(sub, 'viewer') && sub.completed);
    const own = seen.messages.filter((m) => m.id === 'op-1');
    const types = own.map((m) => m.type).join(', ');
    if (types !== 'next, complete') throw new Error(`the server sent ${types}, expected next, complete`);
    const [viewer] = got(sub, 'viewer');
    if (viewer.role !== 'VIEWER' || viewer.user.email !== 'viewer@acme.example') throw new Error(`viewer ${JSON.stringify(viewer)}`);
  });

  await check('an invalid operation is refused with GraphQL errors and the socket stays open', async (t) => {
    const { client, seen } = wsClient(t, tokens.viewer, { lazy: false });
    await connected(seen);
    const bad = subscribe(client, 'subscription { noSuchField }'); // op-1
    await waitFor('error or complete for op-1', 5000, () => bad.error || bad.completed);
    // The protocol allows an `error` message, or a `next` carrying the errors and `complete`.
    const errors = Array.isArray(bad.error) ? bad.error : bad.results.flatMap((result) => result.errors ?? []);
    if (!errors.length || !errors.every((e) => typeof e.message === 'string')) {
      const outcome = bad.error ? describe(bad.error) : 'completed';
      throw new Error(`no GraphQL errors (${outcome}); the server sent ${JSON.stringify(seen.messages.filter((m) => m.id === 'op-1'))}`);
    }
    const after = subscribe(client, '{ __typename }');
    await waitFor('answer to a later query', 5000, () => got(after, '__typename') && after.completed);
    if (seen.closed) throw new Error(`the socket closed: ${seen.closed.code}`);
  });

  await check('incident(id:) emits the incident after each change', async (t) => {
    const { client, seen } = wsClient(t, tokens.viewer);
    const sub = subscribe(client, 'subscription($id: ID!) { incident(id: $id) { id version summary } }', { id: staffIncident.id });
    await connected(seen);
    await settle(client);
    const { incident } = await http('query($id: ID!) { incident(id: $id) { version summary } }', { id: staffIncident.id }, tokens.editor);
    let version = incident.version;
    for (const summary of [`${incident.summary} (subscription check)`, incident.summary]) {
      const { incidentUpdate } = await http(
        `mutation($input: IncidentUpdateInput!) { incidentUpdate(input: $input) { incident { version } userErrors { code message } } }`,
        { input: { id: staffIncident.id, version, summary } },
        tokens.editor,
      );
      version = incidentUpdate.incident.version;
      const emitted = await waitFor(`incident at version ${version}`, 5000, () => got(sub, 'incident').find((i) => i.version === version));
      if (emitted.id !== staffIncident.id || emitted.summary !== summary) throw new Error(`emitted ${JSON.stringify(emitted)}`);
    }
  });

  await check('after: replays what was missed, then goes on live, with no gap and no duplicate', async (t) => {
    const cursor = await endCursor();
    if (!cursor) throw new Error('the feed is empty');
    const missed = [];
    for (let i = 0; i < 3; i += 1) missed.push(await addEntry());
    const { client, seen } = wsClient(t, tokens.viewer);
    const filter = { types: ['TIMELINE_EVENT_CREATED'], incidentId: staffIncident.id };
    const sub = subscribe(client, EVENTS, { filter, after: cursor });
    // Written while the server replays, so they test the hand-over from replay to live.
    const during = [];
    for (let i = 0; i < 3; i += 1) during.push(await addEntry());
    await connected(seen);
    await waitFor('the replayed and hand-over events', 8000, () => got(sub, 'events').length >= 6);
    await settle(client);
    const live = await addEntry();
    await waitFor('the live event', 5000, () => got(sub, 'events').some((e) => e.subjectId === live));
    await sleep(500);
    const events = got(sub, 'events');
    const expected = [...missed, ...during, live];
    const subjects = events.map((e) => e.subjectId);
    if (JSON.stringify(subjects) !== JSON.stringify(expected)) {
      throw new Error(`received subjects ${JSON.stringify(subjects)}, expected ${JSON.stringify(expected)}`);
    }
    for (let i = 1; i < events.length; i += 1) {
      if (!(events[i].position > events[i - 1].position)) throw new Error(`positions ${events.map((e) => e.position).join(', ')} do not increase`);
    }
  });

  await check('ping from the client gets a pong', async (t) => {
    const sock = await rawSocket(t);
    await init(sock, tokens.viewer);
    const from = sock.messages.length;
    sock.send({ type: 'ping' });
    const pong = await expectMessage(sock, 'pong', (m) => m.type === 'pong', { from });
    if (pong.payload != null && (typeof pong.payload !== 'object' || Array.isArray(pong.payload))) {
      throw new Error(`pong payload ${JSON.stringify(pong.payload)} is neither absent nor an object`);
    }
  });

  await check('the server pings every --ws-ping-interval (1 s) and accepts the pongs', async (t) => {
    const { client, seen } = wsClient(t, tokens.viewer, { lazy: false });
    await connected(seen);
    await waitFor('second ping from the server', 3500, () => seen.pings >= 2);
    // graphql-ws answered each ping with a pong; the socket must still serve.
    const after = subscribe(client, '{ __typename }');
    await waitFor('answer after the pings', 5000, () => got(after, '__typename') && after.completed);
    if (seen.closed) throw new Error(`the socket closed: ${seen.closed.code}`);
  });

  for (const [what, message] of [
    ['an unknown message type', { type: 'nonsense' }],
    ['a frame that is not JSON', 'not json'],
    ['a subscribe without a payload', { type: 'subscribe', id: '1' }],
  ]) {
    await check(`4400 for ${what}`, async (t) => {
      const sock = await rawSocket(t);
      await init(sock, tokens.viewer);
      sock.send(message);
      await expectClose(sock, 4400, 3000);
    });
  }

  await check('4401 for a subscribe before connection_ack', async (t) => {
    const sock = await rawSocket(t);
    sock.send({ id: '1', type: 'subscribe', payload: { query: LIVE } });
    await expectClose(sock, 4401, 3000);
  });

  const valid = tokens.viewer;
  const now = Math.floor(Date.now() / 1000);
  const refusals = [
    ['a garbage token', { authorization: 'Bearer not-a-jwt' }],
    ['a token signed with another secret', { authorization: `Bearer ${resign(valid, {}, 'another-secret-0123456789abcdef-0123456789')}` }],
    ['no authorization', {}],
  ];
  if (process.env.DEBRIEF_JWT_SECRET) {
    // Expired 30 s ago: inside the 60 s leeway the HTTP verifier allows, yet expired.
    const expired = resign(valid, { iat: now - 90, nbf: now - 90, exp: now - 30 }, process.env.DEBRIEF_JWT_SECRET);
    refusals.push(['a token that expired 30 s ago', { authorization: `Bearer ${expired}` }]);
  }
  for (const [what, payload] of refusals) {
    await check(`4403 for ${what}`, async (t) => {
      const sock = await rawSocket(t);
      sock.send({ type: 'connection_init', payload });
      // An expired token may be acknowledged and then closed at once (within 1 s).
      await expectClose(sock, 4403, 2500);
    });
  }

  await check('4409 for a second subscribe with an id in use', async (t) => {
    const sock = await rawSocket(t);
    await init(sock, tokens.viewer);
    sock.send({ id: '1', type: 'subscribe', payload: { query: LIVE } });
    sock.send({ id: '1', type: 'subscribe', payload: { query: LIVE } });
    const closed = await expectClose(sock, 4409, 3000);
    if (closed.reason !== 'Subscriber for 1 already exists') throw new Error(`reason ${JSON.stringify(closed.reason)}`);
  });

  await check('4429 for a second connection_init', async (t) => {
    const sock = await rawSocket(t);
    await init(sock, tokens.viewer);
    sock.send({ type: 'connection_init', payload: { authorization: `Bearer ${tokens.viewer}` } });
    await expectClose(sock, 4429, 3000);
  });

  await check('4403 when the token expires on an open socket (graphql-ws client)', async (t) => {
    const token = await mint('viewer@acme.example', '3s');
    const expiresAt = claims(token).exp * 1000;
    const { client, seen } = wsClient(t, token);
    const sub = subscribe(client, LIVE);
    await connected(seen);
    await waitFor('close', Math.max(expiresAt + 3000 - Date.now(), 0), () => seen.closed).catch(() => {
      throw new Error(`still open ${Date.now() - expiresAt} ms after the token's exp`);
    });
    if (seen.closed.code !== 4403) throw new Error(`closed with ${seen.closed.code} ${JSON.stringify(seen.closed.reason)}`);
    const late = seen.closed.at - expiresAt;
    // exp is in whole seconds, so a server that rounds may close up to a second early.
    if (late > 1500 || late < -1000) throw new Error(`closed ${late} ms after the token's exp, expected within 1 s`);
    await waitFor('the subscription to fail', 1000, () => sub.error);
    if (sub.error.code !== 4403) throw new Error(`the client reported ${describe(sub.error)}`);
  });

  await check('4403 when the user is deactivated; other sockets stay open', async (t) => {
    const user = await freshUser();
    const bystander = await rawSocket(t);
    await init(bystander, tokens.viewer);
    const sock = await rawSocket(t);
    await init(sock, user.token);
    sock.send({ id: '1', type: 'subscribe', payload: { query: LIVE } });
    await rawSettle(sock);
    await http('mutation($id: ID!) { userDeactivate(input: { id: $id }) { user { active } userErrors { code message } } }', { id: user.id }, tokens.admin);
    await expectClose(sock, 4403, 5000);
    const from = bystander.messages.length;
    bystander.send({ type: 'ping' });
    await expectMessage(bystander, 'pong on the other socket', (m) => m.type === 'pong', { from, ms: 2000 });
  });

  await check('4403 when the user’s role changes', async (t) => {
    const user = await freshUser();
    const sock = await rawSocket(t);
    await init(sock, user.token);
    sock.send({ id: '1', type: 'subscribe', payload: { query: LIVE } });
    await rawSettle(sock);
    await http(
      'mutation($id: ID!) { userUpdate(input: { id: $id, role: EDITOR }) { user { role } userErrors { code message } } }',
      { id: user.id },
      tokens.admin,
    );
    await expectClose(sock, 4403, 5000);
  });

  await check('a CLIENT receives none of the staff events a VIEWER receives', async (t) => {
    const staff = wsClient(t, tokens.viewer);
    const outside = wsClient(t, tokens.client);
    const seenByStaff = subscribe(staff.client, EVENTS);
    const seenByClient = subscribe(outside.client, EVENTS);
    await Promise.all([connected(staff.seen), connected(outside.seen)]);
    await Promise.all([settle(staff.client), settle(outside.client)]);
    // On the client's own published incident, and one entry even visible to it.
    const ours = [await addEntry(publishedIncident, 'INTERNAL'), await addEntry(publishedIncident, 'CLIENT'), await addEntry()];
    await waitFor('the staff events on the VIEWER socket', 5000, () => ours.every((id) => got(seenByStaff, 'events').some((e) => e.subjectId === id)));
    await sleep(2000);
    const leaked = got(seenByClient, 'events').filter((e) => ours.includes(e.subjectId) || !CLIENT_EVENT_TYPES.includes(e.type));
    if (leaked.length) throw new Error(`the CLIENT received ${leaked.map((e) => `${e.type} ${e.subjectId}`).join(', ')}`);
  });

  await check('a CLIENT receives the publication of its post-mortem, and nothing of the unpublishing', async (t) => {
    const { client, seen } = wsClient(t, tokens.client);
    const sub = subscribe(client, EVENTS);
    await connected(seen);
    await settle(client);
    const postMortemId = publishedIncident.postMortem.id;
    await http(
      'mutation($id: ID!) { postMortemUnpublish(input: { postMortemId: $id, reason: "Subscription conformance check" }) { postMortem { status } userErrors { code message } } }',
      { id: postMortemId },
      tokens.admin,
    );
    // The override only guards against a readiness rule that changed since the seed.
    await http(
      'mutation($id: ID!) { postMortemPublish(input: { postMortemId: $id, override: { reason: "Subscription conformance check" } }) { postMortem { status } userErrors { code message } } }',
      { id: postMortemId },
      tokens.admin,
    );
    const event = await waitFor('POST_MORTEM_PUBLISHED on the CLIENT socket', 5000, () =>
      got(sub, 'events').find((e) => e.type === 'POST_MORTEM_PUBLISHED' && e.subjectId === postMortemId),
    );
    if (event.incident?.id !== publishedIncident.id) throw new Error(`incident ${JSON.stringify(event.incident)}, expected ${publishedIncident.id}`);
    await sleep(500);
    const leaked = got(sub, 'events').filter((e) => !CLIENT_EVENT_TYPES.includes(e.type));
    if (leaked.length) throw new Error(`the CLIENT also received ${leaked.map((e) => e.type).join(', ')}`);
  });

  await initTimeout;
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

process.on('unhandledRejection', (error) => {
  console.log(`# unhandled rejection: ${describe(error)}`);
});

// Open sockets of a timed-out check must not keep the process alive.
process.exit(await main());
