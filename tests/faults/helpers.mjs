// Shared helpers for the fault, secret and hostile-data suites. Everything goes through the
// public API of the built package (pkg/) and a real emulator or a raw TCP server.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AK, ORG, PIPELINE, emulator } from '../node/helpers.mjs';

export * from '../node/helpers.mjs';

export const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
export const SEEDED_IDENTIFIERS = ['build_image_01', 'deploy_test_02', 'deploy_prod_03', 'rollback_04'];
const RETRYABLE = new Set(['ThrottlingError', 'ServerError', 'NetworkError', 'TimeoutError']);

/**
 * Process-level guard: an unhandled rejection or uncaught exception anywhere in this file fails
 * the suite — the last test of the file asserts none happened, and the exit code is forced to 1
 * even if it happens after that test.
 */
export function guardProcess() {
  const events = [];
  const record = (kind) => (value) => {
    let text;
    try {
      text = value instanceof Error ? value.stack : String(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
    events.push(`${kind}: ${text}`);
    process.exitCode = 1;
  };
  process.on('unhandledRejection', record('unhandledRejection'));
  process.on('uncaughtException', record('uncaughtException'));
  return {
    events,
    /** Registers the final test of the file. */
    finalTest() {
      test('no unhandled rejection or uncaught exception in this file', async () => {
        await sleep(100); // let late rejections (timers, sockets) surface
        assert.deepEqual(events, []);
      });
    },
  };
}

/** One emulator for the whole file (closed after the file's tests). */
export function fileEmulator(options) {
  return emulator({ after }, options);
}

/** Settles a promise into { value } or { error }, with the time it took. */
export async function outcome(promise) {
  const t0 = performance.now();
  try {
    const value = await promise;
    return { value, ms: performance.now() - t0 };
  } catch (error) {
    return { error, ms: performance.now() - t0 };
  }
}

export function describeValue(value) {
  try {
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    return `${typeof value} ${String(value)}`;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * Asserts the exact outcome of a failed call: class (by name and instanceof), code, status,
 * requestId (null when not given), attempts, retryable (implied by the class), and `path` /
 * `retryAfterMs` (absent when not given). A value may also be a RegExp or a predicate, for the
 * few fields a known bug makes wrong today (see the `todo` tests).
 */
export function assertError(y, got, expected) {
  assert.ok('error' in got, `expected ${expected.name}, but the call resolved: ${JSON.stringify(got.value)?.slice(0, 200)}`);
  const e = got.error;
  assert.ok(e instanceof y.YunxiaoError, `expected a YunxiaoError, got ${describeValue(e)}`);
  assert.ok(e instanceof y[expected.name] && e instanceof Error, `${e.name} is not an instance of ${expected.name}`);
  const want = { ...expected, retryable: RETRYABLE.has(expected.name) };
  for (const key of ['name', 'code', 'status', 'attempts', 'retryable', 'requestId', 'path', 'retryAfterMs']) {
    const wanted = want[key];
    if (typeof wanted === 'function') assert.ok(wanted(e[key]), `${key}: ${e[key]} (${e.message})`);
    else if (wanted instanceof RegExp) assert.match(String(e[key]), wanted, key);
    else if (key in want || key === 'requestId') assert.equal(e[key], wanted ?? null, `${key} (${e.message})`);
    else assert.ok(!(key in e), `unexpected ${key}: ${e[key]}`);
  }
  assert.equal(typeof e.message, 'string');
  assert.ok(e.message.includes(e.code), `message names the code: ${e.message}`);
  return e;
}

/** A normal call through the same module instance: the module still works. */
export async function assertStillWorks(y, url, options = {}) {
  const result = await y.listPipelineJobs(ORG, PIPELINE, { endpoint: url, ...AK, maxRetries: 0, timeoutMs: 10_000, ...options });
  assert.match(result.requestId, UUID);
  assert.deepEqual(result.jobs.map((j) => j.identifier), SEEDED_IDENTIFIERS);
  assert.equal(result.jobs[2].lastJobId, 9007199254740991);
}

/**
 * A `fetch` option that records what the package really sends (the Authorization header is
 * redacted in the emulator's log) and forwards to the global fetch.
 */
export function recordingFetch(forward = globalThis.fetch) {
  const sent = [];
  return {
    sent,
    /** Every signature sent so far (V3 `Signature=…` or V1 `acs id:sig`). */
    signatures: () => sent.map((s) => signatureOf(s.authorization)).filter(Boolean),
    fetch: async (url, init) => {
      const headers = new Headers(init?.headers);
      sent.push({
        url: String(url),
        method: init?.method,
        authorization: headers.get('authorization'),
        nonce: headers.get('x-acs-signature-nonce'),
        securityToken: headers.get('x-acs-security-token'),
        token: headers.get('x-yunxiao-token'),
        date: headers.get('x-acs-date') ?? headers.get('date'),
      });
      return forward(url, init);
    },
  };
}

export function signatureOf(authorization) {
  if (!authorization) return null;
  const v3 = /Signature=([^,\s]+)/.exec(authorization);
  if (v3) return v3[1];
  const colon = authorization.lastIndexOf(':');
  return colon >= 0 ? authorization.slice(colon + 1) : null;
}

/** A loopback port nobody listens on (bound, then released). */
export async function unusedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A raw TCP server for what an HTTP server cannot express. `respond(socket, request)` is called
 * once the request head (and its declared body) has arrived; it writes whatever bytes it likes.
 */
export async function rawServer() {
  const sockets = new Set();
  let behaviour = (socket) => socket.destroy();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    let started = false;
    socket.on('data', (chunk) => {
      if (started) return;
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      started = true;
      behaviour(socket, head);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    set(fn) {
      behaviour = fn;
    },
    get connections() {
      return connections;
    },
    /** Periodic writes that stop when the socket closes. */
    every(socket, ms, fn) {
      const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : fn()), ms);
      socket.on('close', () => clearInterval(timer));
    },
  };
}
