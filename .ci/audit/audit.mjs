#!/usr/bin/env node
// GraphQL-over-HTTP compliance audit for the Debrief server.
//
// Runs graphql-http's `auditServer` against a running server and prints one
// line per audit, then a summary line `N passed, M failed`.
//
//   AUDIT_URL    server endpoint (default http://127.0.0.1:8080/graphql)
//   AUDIT_TOKEN  optional bearer token; sent as `Authorization: Bearer <token>`
//                on every request the audit makes
//   AUDIT_TIMEOUT_MS  per-request timeout in ms (default 30000), so a hung
//                server fails the audit instead of blocking CI
//
// Result statuses (from graphql-http):
//   ok      audit passed
//   error   a MUST audit failed            -> counted as failed
//   warn    a SHOULD audit failed          -> counted as failed
//   notice  a MAY audit failed (optional)  -> printed, not counted as failed
//
// Exit codes: 0 all MUST/SHOULD audits passed, 1 at least one failed,
//             2 the audit could not run (server unreachable, bad URL, ...).

import { auditServer } from 'graphql-http';

const url = process.env.AUDIT_URL || 'http://127.0.0.1:8080/graphql';
const token = process.env.AUDIT_TOKEN || '';
const timeoutMs = Number(process.env.AUDIT_TIMEOUT_MS) || 30000;

/** fetch wrapper: bearer token (if any) on every request, per-request timeout. */
function fetchFn(input, init = {}) {
  const opts = { ...init, signal: init.signal ?? AbortSignal.timeout(timeoutMs) };
  if (token) {
    const headers = new Headers(init.headers);
    if (!headers.has('authorization')) {
      headers.set('authorization', `Bearer ${token}`);
    }
    opts.headers = headers;
  }
  return fetch(input, opts);
}

/** Single-line, length-limited description of a failing response. */
async function describeResponse(res) {
  if (!res) return 'no response';
  let body;
  try {
    body = res.bodyUsed ? '<body already consumed>' : await res.text();
  } catch (err) {
    body = `<unreadable body: ${err?.message ?? err}>`;
  }
  body = body.replace(/\s+/g, ' ').trim();
  if (body.length > 300) body = body.slice(0, 300) + '...';
  const ct = res.headers.get('content-type') ?? '<none>';
  return `status=${res.status} content-type=${ct} body=${body || '<empty>'}`;
}

function describeFatal(err) {
  const one = (e) => (typeof e?.code === 'string' ? `${e.message} (${e.code})` : String(e?.message ?? e));
  const parts = [];
  for (let e = err, depth = 0; e && depth < 5; e = e.cause, depth++) {
    parts.push(one(e));
    if (Array.isArray(e.errors)) {
      // AggregateError (e.g. both ::1 and 127.0.0.1 refused)
      for (const sub of e.errors) parts.push(one(sub));
    }
  }
  return parts.join(': ');
}

async function main() {
  try {
    new URL(url);
  } catch {
    console.error(`audit: invalid AUDIT_URL ${JSON.stringify(url)}`);
    return 2;
  }

  console.log(`audit: graphql-http auditServer against ${url}${token ? ' (with bearer token)' : ''}`);

  let results;
  try {
    results = await auditServer({ url, fetchFn });
  } catch (err) {
    // auditServer throws only on fatal (non-assertion) errors, e.g. connection refused.
    console.error(`audit: could not audit ${url}: ${describeFatal(err)}`);
    return 2;
  }

  let passed = 0;
  let failed = 0;
  let notices = 0;
  for (const result of results) {
    if (result.status === 'ok') {
      passed++;
      console.log(`ok     ${result.id} ${result.name}`);
      continue;
    }
    if (result.status === 'error' || result.status === 'warn') failed++;
    else notices++;
    const detail = await describeResponse(result.response);
    console.log(`${result.status.padEnd(6)} ${result.id} ${result.name} -- ${result.reason}; ${detail}`);
  }

  if (notices) console.log(`audit: ${notices} optional (MAY) audit(s) not met, not counted as failures`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`audit: unexpected failure: ${describeFatal(err)}`);
    process.exitCode = 2;
  },
);
