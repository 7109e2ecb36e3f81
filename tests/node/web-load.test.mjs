// The browser build's wasm loading, in Node: each test imports a fresh copy of pkg/web/index.js
// (a query string makes a new module instance). In Node the default load fails — fetch cannot
// read the file: URL next to the module — which stands in for a wasm that is missing or
// blocked; a promise that never settles stands in for one that hangs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { getEventListeners } from 'node:events';
import { AK, ORG, PIPELINE, emulator } from './helpers.mjs';

const WASM = new URL('../../pkg/web/glue_bg.wasm', import.meta.url);
let copies = 0;
const freshCopy = () => import(`../../pkg/web/index.js?copy=${++copies}`);
const rejection = (promise) => promise.then((value) => assert.fail(`resolved: ${JSON.stringify(value)}`), (error) => error);
const LIMIT = { timeout: 15_000 };

test('a wasm that cannot be loaded is a NetworkError (WasmUnavailable), and initialize(bytes) recovers', LIMIT, async (t) => {
  const { url } = await emulator(t);
  const y = await freshCopy();
  for (const call of [() => y.listPipelineJobs(ORG, PIPELINE, { endpoint: url, ...AK }), () => y.listPipelineJobs('', ''), () => y.errorCodeInfo('X')]) {
    const error = await rejection(call());
    assert.ok(error instanceof y.NetworkError && error instanceof y.YunxiaoError, String(error));
    assert.equal(error.code, 'WasmUnavailable');
    assert.equal(error.retryable, true);
    assert.ok(error.cause, 'the loader\'s own error is kept as the cause');
    // The browser build in Node (a `browser` export condition, as Jest's jsdom sets): say so.
    assert.match(error.message, /; in Node, use the package's Node build \(its `node` export condition\), or pass the wasm's bytes to initialize\(\)$/);
  }
  await y.initialize(await readFile(WASM));
  assert.equal((await y.listPipelineJobs(ORG, PIPELINE, { endpoint: url, ...AK })).jobs.length, 4);
});

test('after initialize(url) failed, the next call loads from that url again, not from beside index.js', LIMIT, async (t) => {
  const { url } = await emulator(t);
  const bytes = await readFile(WASM);
  let up = false;
  const served = [];
  const server = http.createServer((req, res) => {
    served.push(`${req.url} ${up ? 200 : 503}`);
    if (up) res.writeHead(200, { 'content-type': 'application/wasm' }).end(bytes);
    else res.writeHead(503).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const wasmUrl = `http://127.0.0.1:${server.address().port}/assets/glue_bg.wasm`;
  const y = await freshCopy();
  const failed = await rejection(y.initialize(wasmUrl));
  assert.equal(failed.code, 'WasmUnavailable');
  // The URL was given: the hint does not ask for it.
  assert.match(failed.message, /; check that what initialize\(\) was given is glue_bg.wasm/);
  up = true; // the server is back
  assert.equal((await y.listPipelineJobs(ORG, PIPELINE, { endpoint: url, ...AK })).jobs.length, 4);
  assert.deepEqual(served, ['/assets/glue_bg.wasm 503', '/assets/glue_bg.wasm 200']);
});

test('initialize() not awaited ("start early") whose load fails: no unhandled rejection, the next call reports it', LIMIT, async () => {
  const y = await freshCopy();
  const unhandled = [];
  const record = (reason) => unhandled.push(reason);
  process.on('unhandledRejection', record);
  try {
    y.initialize(); // fire and forget, as a page starting the load early would
    await new Promise((resolve) => setTimeout(resolve, 200)); // the load fails (no file: fetch in Node)
    const error = await rejection(y.errorCodeInfo('X'));
    assert.equal(error.code, 'WasmUnavailable');
    // Awaited, initialize() still rejects.
    assert.equal((await rejection(y.initialize())).code, 'WasmUnavailable');
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off('unhandledRejection', record);
  }
  assert.deepEqual(unhandled, []);
});

test('initialize(input) while the default load is in flight: tried when that load fails, and the call waits for it', LIMIT, async (t) => {
  const { url } = await emulator(t);
  const [y, bytes] = await Promise.all([freshCopy(), readFile(WASM)]);
  // In the same tick, as a page would: a call starts the default load, then the page names the wasm.
  const first = y.listPipelineJobs(ORG, PIPELINE, { endpoint: url, ...AK });
  const named = y.initialize(bytes);
  assert.equal((await first).jobs.length, 4);
  await named;
  assert.equal((await y.listPipelineJobs(ORG, PIPELINE, { endpoint: url, ...AK })).jobs.length, 4);
});

/**
 * Serves the wasm through the global fetch, as a browser would: `mode.hang` makes it never
 * answer, `mode.delayMs` answer late.
 */
// The fetch each stub falls back on and is replaced by again: a test that stubs twice must not
// leave the first stub behind for the tests after it.
const realFetch = globalThis.fetch;
async function stubWasmFetch(t, { delayMs = 0 } = {}) {
  const bytes = await readFile(WASM);
  const mode = { hang: delayMs === 0, wasmFetches: 0 };
  globalThis.fetch = (input, init) => {
    if (!String(input).endsWith('.wasm')) return realFetch(input, init);
    mode.wasmFetches++;
    const answer = () => new Response(bytes, { headers: { 'content-type': 'application/wasm' } });
    if (delayMs > 0) return new Promise((resolve) => setTimeout(() => resolve(answer()), delayMs));
    if (!mode.hang) return Promise.resolve(answer());
    // Never answers; only an abort ends it, as in a browser.
    return new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal.reason)));
  };
  t.after(() => {
    globalThis.fetch = realFetch;
  });
  return mode;
}

test('a load that hangs is given up once it has taken three times a wait\'s limit: the next call loads afresh', LIMIT, async (t) => {
  const { url } = await emulator(t);
  const mode = await stubWasmFetch(t);
  const y = await freshCopy();
  const options = { endpoint: url, ...AK, timeoutMs: 200 };
  for (let i = 0; i < 3; i++) {
    const timedOut = await rejection(y.listPipelineJobs(ORG, PIPELINE, options));
    assert.ok(timedOut instanceof y.TimeoutError, String(timedOut));
  }
  assert.equal(mode.wasmFetches, 1, 'three waits on one load');
  // Before, the hung load was kept for ever: every later call timed out on it and initialize()
  // never settled.
  mode.hang = false;
  assert.equal((await y.listPipelineJobs(ORG, PIPELINE, options)).jobs.length, 4);
  assert.equal(mode.wasmFetches, 2);
  await y.initialize();
});

test('initialize() on a load that never ends: a TimeoutError after 10 s, and the next load works', LIMIT, async (t) => {
  const { url } = await emulator(t);
  const y = await freshCopy();
  const started = performance.now();
  const stuck = await rejection(y.initialize(new Promise(() => {})));
  assert.ok(stuck instanceof y.TimeoutError && stuck.code === 'Timeout', String(stuck));
  assert.ok(performance.now() - started >= 9_900, `after ${performance.now() - started} ms`);
  await y.initialize(await readFile(WASM));
  assert.equal((await y.listPipelineJobs(ORG, PIPELINE, { endpoint: url, ...AK })).jobs.length, 4);
});

test('a slow load is not given up: a later call gets it', LIMIT, async (t) => {
  const { url } = await emulator(t);
  const mode = await stubWasmFetch(t, { delayMs: 500 });
  const y = await freshCopy();
  const options = { endpoint: url, ...AK, timeoutMs: 300 };
  const first = await rejection(y.listPipelineJobs(ORG, PIPELINE, options));
  assert.ok(first instanceof y.TimeoutError, String(first));
  assert.equal((await y.listPipelineJobs(ORG, PIPELINE, options)).jobs.length, 4);
  assert.equal(mode.wasmFetches, 1);
});

test('initialize(response) whose body never ends is given up too: a named wasm replaces it, and both initialize() calls resolve', LIMIT, async (t) => {
  const { url } = await emulator(t);
  const y = await freshCopy();
  const stalled = new Response(new ReadableStream({ start() {} }), { headers: { 'content-type': 'application/wasm' } });
  const first = y.initialize(stalled).then(() => 'ready', (e) => e);
  await y.initialize(await readFile(WASM));
  // The package is ready: the first call's load was replaced, not failed.
  assert.equal(await first, 'ready');
  assert.equal((await y.listPipelineJobs(ORG, PIPELINE, { endpoint: url, ...AK })).jobs.length, 4);
});

test('initialize(bytes) while a load hangs: that load is given up, the bytes are used', LIMIT, async (t) => {
  const { url } = await emulator(t);
  await stubWasmFetch(t);
  const y = await freshCopy();
  const waiting = y.listPipelineJobs(ORG, PIPELINE, { endpoint: url, ...AK, timeoutMs: 10_000 });
  await new Promise((resolve) => setTimeout(resolve, 50)); // the default load is now in flight, hung
  await y.initialize(await readFile(WASM));
  assert.equal((await waiting).jobs.length, 4);
});

test('a load that never ends: the call is bounded by its signal, deadlineMs or timeoutMs', LIMIT, async (t) => {
  const { url } = await emulator(t);
  await stubWasmFetch(t); // every load of the wasm hangs
  const y = await freshCopy();
  const options = { endpoint: url, ...AK };

  const timedOut = await rejection(y.listPipelineJobs(ORG, PIPELINE, { ...options, timeoutMs: 200 }));
  assert.ok(timedOut instanceof y.TimeoutError, String(timedOut));
  assert.equal(timedOut.code, 'Timeout');
  const deadline = await rejection(y.listPipelineJobs(ORG, PIPELINE, { ...options, deadlineMs: 150, timeoutMs: 5000 }));
  assert.ok(deadline instanceof y.TimeoutError, String(deadline));
  assert.equal(deadline.code, 'DeadlineExceeded');
  assert.match(deadline.message, /the deadline of 150 ms passed while the package's wasm loaded/);

  for (const reason of ['a string', undefined, new Error('stop')]) {
    const controller = new AbortController();
    const pending = rejection(y.listPipelineJobs(ORG, PIPELINE, { ...options, signal: controller.signal }));
    setTimeout(() => controller.abort(reason), 50);
    const got = await pending;
    if (reason === undefined) assert.equal(got, controller.signal.reason);
    else assert.equal(got, reason);
  }
  // A signal that is no AbortSignal of this realm (an iframe's, a polyfill's) is a signal to
  // the core too: it bounds the wait as well.
  const polyfill = new (class extends EventTarget {
    aborted = false;
    abort(reason) {
      Object.assign(this, { aborted: true, reason });
      this.dispatchEvent(new Event('abort'));
    }
  })();
  const pendingPolyfill = rejection(y.listPipelineJobs(ORG, PIPELINE, { ...options, signal: polyfill }));
  setTimeout(() => polyfill.abort('from a polyfill'), 50);
  assert.equal(await pendingPolyfill, 'from a polyfill');
  // Aborted, with a reason that cannot be read: the wait ends all the same, with `undefined`.
  const unreadable = new AbortController();
  unreadable.abort('hidden');
  Object.defineProperty(unreadable.signal, 'reason', { get() { throw new Error('reason getter threw'); } });
  assert.equal(await rejection(y.listPipelineJobs(ORG, PIPELINE, { ...options, signal: unreadable.signal })), undefined);
  const already = AbortSignal.abort('before');
  assert.equal(await rejection(y.listPipelineJobs(ORG, PIPELINE, { ...options, signal: already })), 'before');
});

test('the deadline counts the wait for the wasm: the core gets what is left, and its error names the deadline given', LIMIT, async (t) => {
  const { url } = await emulator(t);
  const mode = await stubWasmFetch(t, { delayMs: 600 });
  const DEADLINE_MS = 3000;
  const y = await freshCopy();
  const attempts = [];
  // Every request hangs until its signal fires: only the deadline ends the call.
  const fetch = (_target, init) => {
    const attempt = { sentAt: performance.now(), lastedMs: null };
    attempts.push(attempt);
    return new Promise((_, reject) => init.signal.addEventListener('abort', () => {
      attempt.lastedMs = performance.now() - attempt.sentAt;
      reject(init.signal.reason);
    }));
  };
  const error = await rejection(y.listPipelineJobs(ORG, PIPELINE, { endpoint: url, ...AK, fetch, deadlineMs: DEADLINE_MS }));
  assert.ok(error instanceof y.TimeoutError, String(error));
  assert.equal(error.code, 'DeadlineExceeded');
  assert.match(error.message, new RegExp(`the deadline of ${DEADLINE_MS} ms passed`));
  assert.equal(mode.wasmFetches, 1);
  assert.equal(attempts.length, 1);
  // The wasm took 600 ms (and more on a busy machine) of the 3000: the attempt is cut at about
  // 2400 ms. Before, the core started a fresh 3000 ms; timers only fire late, not early.
  assert.ok(attempts[0].lastedMs < DEADLINE_MS - 200, `the attempt lasted ${Math.round(attempts[0].lastedMs)} ms`);
});

test('the first calls, while the wasm loads, refuse what the core refuses: a fake signal, a fractional timeout', LIMIT, async (t) => {
  const { url } = await emulator(t);
  for (const [option, message] of [
    [{ signal: { aborted: true, reason: 'x' } }, /signal must be an AbortSignal/],
    [{ signal: { get aborted() { throw new Error('getter'); } } }, /signal must be an AbortSignal/],
    [{ timeoutMs: 0.5 }, /timeoutMs must be an integer/],
    [{ deadlineMs: 0.5 }, /deadlineMs must be an integer/],
  ]) {
    await stubWasmFetch(t, { delayMs: 100 });
    const y = await freshCopy();
    const error = await rejection(y.listPipelineJobs(ORG, PIPELINE, { endpoint: url, ...AK, ...option }));
    assert.ok(error instanceof y.InvalidArgumentError, `${Object.keys(option)}: ${error}`);
    assert.match(error.message, message);
  }
});

// a Response is read once: after initialize(response) failed, the next load is from beside index.js.
test('after initialize(response) failed, the next call loads from beside index.js, not from the spent Response', LIMIT, async (t) => {
  const { url } = await emulator(t);
  const mode = await stubWasmFetch(t);
  mode.hang = false; // the wasm beside index.js is served
  const y = await freshCopy();
  const bad = new Response('not wasm', { headers: { 'content-type': 'application/wasm' } });
  assert.equal((await rejection(y.initialize(bad))).code, 'WasmUnavailable');
  assert.equal((await y.listPipelineJobs(ORG, PIPELINE, { endpoint: url, ...AK })).jobs.length, 4);
  assert.equal(mode.wasmFetches, 1);
});

test('initialize(response) with an error status: WasmUnavailable naming the status, its page not compiled as wasm', LIMIT, async (t) => {
  const { url } = await emulator(t);
  const mode = await stubWasmFetch(t);
  mode.hang = false;
  const y = await freshCopy();
  for (const [status, statusText] of [[404, 'Not Found'], [500, 'Internal Server Error'], [403, '']]) {
    const failed = new Response('nope', { status, statusText, headers: { 'content-type': 'application/wasm' } });
    const error = await rejection(y.initialize(failed));
    assert.equal(error.code, 'WasmUnavailable');
    assert.match(error.message, new RegExp(`the Response given is HTTP ${status}${statusText ? ` ${statusText}` : ''}\\)`));
    assert.doesNotMatch(error.message, /magic word/);
  }
  assert.equal((await y.listPipelineJobs(ORG, PIPELINE, { endpoint: url, ...AK })).jobs.length, 4);
});

// a replaced load that fails late must not forget the load that replaced it.
test('initialize(url) while the default load hangs: the wasm is fetched from the url once, the waiting call gets it', LIMIT, async (t) => {
  const { url } = await emulator(t);
  await stubWasmFetch(t); // the default load (beside index.js) hangs
  const bytes = await readFile(WASM);
  const served = [];
  const server = http.createServer((req, res) => {
    served.push(req.url);
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/wasm' }).end(bytes), 100);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const y = await freshCopy();
  const waiting = y.listPipelineJobs(ORG, PIPELINE, { endpoint: url, ...AK, timeoutMs: 10_000 });
  await new Promise((resolve) => setTimeout(resolve, 50));
  await y.initialize(`http://127.0.0.1:${server.address().port}/named/glue.wasm.bin`);
  assert.equal((await waiting).jobs.length, 4);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.deepEqual(served, ['/named/glue.wasm.bin']);
});

// A slow link, not a hung one: a load taking 900 ms, callers polling with a 200 ms limit. Each
// load given up doubles the age at which the next is: before, every load was given up at about
// 600 ms, and the patient call (10 s) waited on restarts until it timed out.
test('a slow link with impatient callers: a load still gets through, for them and for a patient call', LIMIT, async (t) => {
  const { url } = await emulator(t);
  const mode = await stubWasmFetch(t, { delayMs: 900 });
  const y = await freshCopy();
  const patient = y.listPipelineJobs(ORG, PIPELINE, { endpoint: url, ...AK, timeoutMs: 10_000 });
  let polled = null;
  for (let poll = 0; poll < 40 && polled === null; poll++) {
    polled = await y.listPipelineJobs(ORG, PIPELINE, { endpoint: url, ...AK, timeoutMs: 200 }).catch((error) => {
      assert.ok(error instanceof y.TimeoutError, String(error));
      return null;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(polled?.jobs.length, 4, 'an impatient caller got the package loaded');
  assert.equal((await patient).jobs.length, 4);
  assert.ok(mode.wasmFetches <= 2, `${mode.wasmFetches} loads started`);
});

// Two initialize() calls in one tick: the first load is given up before it starts, and must
// still end (a load waiting on a signal that aborted before it listened never did).
test('initialize(a promise that never settles), then initialize(bytes) in the same tick: both resolve', LIMIT, async (t) => {
  const { url } = await emulator(t);
  const [y, bytes] = await Promise.all([freshCopy(), readFile(WASM)]);
  const first = y.initialize(new Promise(() => {}));
  const second = y.initialize(bytes);
  await Promise.all([first, second]);
  assert.equal((await y.listPipelineJobs(ORG, PIPELINE, { endpoint: url, ...AK })).jobs.length, 4);
});

test('initialize(bytes), then initialize(url) in the same tick: the url is the one loaded', LIMIT, async (t) => {
  const bytes = await readFile(WASM);
  const served = [];
  const server = http.createServer((req, res) => {
    served.push(req.url);
    res.writeHead(200, { 'content-type': 'application/wasm' }).end(bytes);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const y = await freshCopy();
  const first = y.initialize(bytes);
  await y.initialize(`http://127.0.0.1:${server.address().port}/named.wasm`);
  await first;
  assert.deepEqual(served, ['/named.wasm']);
});

// A module with no usable URL (esbuild's default IIFE bundle leaves import.meta empty; blob: and
// data: URLs resolve nothing): initialize() threw a TypeError at once, and calls rejected with it.
test('loaded from a data: URL: initialize() rejects (never throws) with a WasmUnavailable that says what to do; initialize(bytes) recovers', LIMIT, async (t) => {
  const { url } = await emulator(t);
  const source = await readFile(new URL('../../pkg/web/index.js', import.meta.url));
  const y = await import(`data:text/javascript;base64,${source.toString('base64')}`);
  let started;
  assert.doesNotThrow(() => {
    started = y.initialize();
  });
  const failed = await rejection(started);
  assert.ok(failed instanceof y.NetworkError && failed.code === 'WasmUnavailable', String(failed));
  assert.match(failed.message, /cannot be found beside this module, which has no URL a file can be resolved against \(a script bundle, or a module from a blob: or data: URL\)\); bundle the package as an ES module \(esbuild: --format=esm\), or pass the wasm's URL to initialize\(url\)$/);
  const call = await rejection(y.listPipelineJobs(ORG, PIPELINE, { endpoint: url, ...AK }));
  assert.ok(call instanceof y.YunxiaoError && call.code === 'WasmUnavailable', String(call));
  await y.initialize(await readFile(WASM));
  assert.equal((await y.listPipelineJobs(ORG, PIPELINE, { endpoint: url, ...AK })).jobs.length, 4);
});

// What a browser says when a page's CSP refuses WebAssembly (Chromium's words; Firefox says
// "blocked by CSP"): the hint names the policy, not where the file is.
test('a wasm refused by the page\'s Content-Security-Policy: the WasmUnavailable names \'wasm-unsafe-eval\'', LIMIT, async (t) => {
  const y = await freshCopy();
  const { instantiate } = WebAssembly;
  t.after(() => {
    WebAssembly.instantiate = instantiate;
  });
  for (const words of [
    'WebAssembly.instantiate(): Refused to compile or instantiate WebAssembly module because \'unsafe-eval\' is not an allowed source of script in the following Content Security Policy directive: "script-src \'self\'"',
    'call to WebAssembly.instantiate() blocked by CSP',
  ]) {
    WebAssembly.instantiate = async () => {
      throw new WebAssembly.CompileError(words);
    };
    const error = await rejection(y.initialize(await readFile(WASM)));
    assert.equal(error.code, 'WasmUnavailable');
    assert.match(error.message, /; the page's Content-Security-Policy must allow WebAssembly: add 'wasm-unsafe-eval' to its script-src \(or default-src\)$/);
  }
  WebAssembly.instantiate = instantiate;
  // Bytes that are no wasm: the hint is about what was given, not where the file is.
  const error = await rejection(y.initialize(new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9])));
  assert.match(error.message, /; check that what initialize\(\) was given is glue_bg.wasm \(its URL, bytes or Response\)$/);
});

// a load given up by one wait is started afresh by the other waits, not failed.
test('a hung load given up by a short wait: a longer wait on it starts a fresh load and succeeds', LIMIT, async (t) => {
  const { url } = await emulator(t);
  const mode = await stubWasmFetch(t);
  const y = await freshCopy();
  const long = y.listPipelineJobs(ORG, PIPELINE, { endpoint: url, ...AK, timeoutMs: 10_000 });
  await new Promise((resolve) => setTimeout(resolve, 300)); // the load is now 300 ms old, hung
  mode.hang = false;
  // 100 ms limit: the load is over 3 × 100 ms old when this wait runs out, so it is given up.
  const short = await rejection(y.listPipelineJobs(ORG, PIPELINE, { endpoint: url, ...AK, timeoutMs: 100 }));
  assert.ok(short instanceof y.TimeoutError, String(short));
  assert.equal((await long).jobs.length, 4);
  assert.equal(mode.wasmFetches, 2);
});

// the wait for the wasm takes its listener off the caller's signal.
test('a call made while the wasm loads leaves no listener on its signal once it settles', LIMIT, async (t) => {
  const { url } = await emulator(t);
  await stubWasmFetch(t, { delayMs: 100 });
  const y = await freshCopy();
  const controller = new AbortController();
  assert.equal((await y.listPipelineJobs(ORG, PIPELINE, { endpoint: url, ...AK, signal: controller.signal })).jobs.length, 4);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
});

// what a browser's fetch says when it gets no answer (CORS looks the same) gets the hint.
test('a fetch failing as a browser\'s does ("Failed to fetch"): the NetworkError names a CORS refusal as a cause', LIMIT, async () => {
  const y = await freshCopy();
  await y.initialize(await readFile(WASM));
  const fetch = async () => {
    throw new TypeError('Failed to fetch');
  };
  const error = await rejection(y.listPipelineJobs(ORG, PIPELINE, { endpoint: 'https://devops.example.com', ...AK, fetch, maxRetries: 0 }));
  assert.ok(error instanceof y.NetworkError && error.status === 0, String(error));
  assert.match(error.message, /Failed to fetch — in a browser this is also how a CORS refusal looks \(or a Content-Security-Policy whose connect-src leaves the endpoint out\)/);
  const other = await rejection(y.listPipelineJobs(ORG, PIPELINE, {
    endpoint: 'https://devops.example.com', ...AK, maxRetries: 0, fetch: async () => { throw new TypeError('something else'); },
  }));
  assert.doesNotMatch(other.message, /CORS/);
});
