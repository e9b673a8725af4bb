// Checks Debrief's automatic persisted queries with the real Apollo Client: its
// PersistedQueryLink first sends the hash alone, must recognise the server's
// PERSISTED_QUERY_NOT_FOUND and retry with the text, and get the result; a second client then
// runs the same query by its hash alone. Exits 1 if a check failed.
//   DEBRIEF_URL    e.g. http://127.0.0.1:8080
//   DEBRIEF_TOKEN  a token of a role not bound to trusted documents
import { createHash } from 'node:crypto';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';

const BASE = (process.env.DEBRIEF_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const TOKEN = process.env.DEBRIEF_TOKEN;
// A new text each run, so a server that ran the check before has not registered it.
const QUERY = gql`query PersistedCheck${Date.now()} { viewer { role } }`;

/** An Apollo Client whose every exchange is recorded in `log`. */
function client(log) {
  const recordingFetch = async (url, init) => {
    const response = await fetch(url, init);
    log.push({ sent: JSON.parse(init.body), status: response.status, body: await response.clone().json() });
    return response;
  };
  const sha256 = (text) => createHash('sha256').update(text).digest('hex');
  const http = new HttpLink({ uri: `${BASE}/graphql`, headers: { authorization: `Bearer ${TOKEN}` }, fetch: recordingFetch });
  return new ApolloClient({ link: new PersistedQueryLink({ sha256 }).concat(http), cache: new InMemoryCache() });
}

function check(what, ok, detail) {
  if (!ok) {
    console.error(`FAIL ${what}: ${JSON.stringify(detail)}`);
    process.exit(1);
  }
  console.log(`ok   ${what}`);
}

const first = [];
const result = await client(first).query({ query: QUERY, fetchPolicy: 'network-only' });
check('the first request sends the hash alone', first[0] && !('query' in first[0].sent) && first[0].sent.extensions?.persistedQuery, first[0]);
check(`the server answers PERSISTED_QUERY_NOT_FOUND (HTTP ${first[0]?.status})`, first[0].body.errors?.[0]?.extensions?.code === 'PERSISTED_QUERY_NOT_FOUND', first[0]);
check('the client retries with the text and the hash', first.length === 2 && typeof first[1].sent.query === 'string' && first[1].sent.extensions?.persistedQuery, first);
check('the retry completes with the result', result.data?.viewer?.role && !result.error, result);

const second = [];
const again = await client(second).query({ query: QUERY, fetchPolicy: 'network-only' });
check('another client runs it by the hash alone', second.length === 1 && !('query' in second[0].sent) && again.data?.viewer?.role === result.data.viewer.role, second);
