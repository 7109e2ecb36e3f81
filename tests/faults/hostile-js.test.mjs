// Hostile JavaScript values handed to the package (issue 5: "nothing from outside may make the
// wasm module panic"): a `fetch` option whose Response-like answer lies or throws, a signal
// whose getters throw, options behind getters and Proxies. Each ends as one typed error (or a
// correct result) — never an uncaught exception, a call that never settles or a wedged module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as y from '../../pkg/node/index.mjs';
import { AK, ORG, PIPELINE, assertError, assertStillWorks, fileEmulator, guardProcess, outcome, rawServer } from './helpers.mjs';

const guard = guardProcess();
const emu = await fileEmulator();
const raw = await rawServer();

const BODY = JSON.stringify({ requestId: 'HOSTILE-1', success: true, jobs: [{ identifier: 'h_job', jobName: 'h', lastJobId: 5 }] });
const BYTES = new TextEncoder().encode(BODY);
const RESULT = { requestId: 'HOSTILE-1', jobs: [{ jobName: 'h', identifier: 'h_job', lastJobId: 5, lastJobParams: {}, lastJobParamsRaw: '' }] };
const NOT_BYTES = { name: 'NetworkError', code: 'NetworkError', status: 200, attempts: 1 };

/** A Response-like answer whose body is read through `getReader()`, yielding `chunks`. */
function streamed(chunks, headers = new Headers()) {
  return async () => ({
    status: 200,
    headers,
    body: {
      getReader() {
        let i = 0;
        return { read: async () => (i < chunks.length ? { done: false, value: chunks[i++] } : { done: true, value: undefined }) };
      },
    },
  });
}

// A regression here tends to strand the call: fail the test instead of hanging the run.
const LIMIT = { timeout: 15_000 };

const call = (fetch, options = {}) =>
  outcome(y.listPipelineJobs(ORG, PIPELINE, { endpoint: 'http://127.0.0.1:9', ...AK, maxRetries: 0, timeoutMs: 2000, fetch, ...options }));

// [name, fetch, expected error (or 'success')]
const ANSWERS = [
  ['arrayBuffer() resolving to -1', async () => ({ status: 200, headers: new Headers({ 'content-length': '5' }), arrayBuffer: async () => -1 }), NOT_BYTES],
  ['arrayBuffer() resolving to 2^40', async () => ({ status: 200, headers: new Headers({ 'content-length': '5' }), arrayBuffer: async () => 2 ** 40 }), NOT_BYTES],
  ['arrayBuffer() resolving to a revoked Proxy', async () => {
    const { proxy, revoke } = Proxy.revocable(new ArrayBuffer(4), {});
    revoke();
    return { status: 200, headers: new Headers({ 'content-length': '4' }), arrayBuffer: async () => proxy };
  }, NOT_BYTES],
  ['a chunk whose `length` lies (a Uint8Array subclass)', streamed([new (class extends Uint8Array {
    get length() {
      this.reads = (this.reads ?? 0) + 1;
      return super.length + this.reads; // never the same twice, never the truth
    }
  })(BYTES)]), 'success'],
  // Chunks are read through a view of their bytes, not a copy: made from the internal slots.
  ['a chunk whose `buffer`, `byteOffset` and `byteLength` lie (a Uint8Array subclass)', streamed([new (class extends Uint8Array {
    get buffer() { return new ArrayBuffer(BYTES.length); } // zeros, of a plausible size
    get byteOffset() { return 0; }
    get byteLength() { return BYTES.length; }
  })(BYTES)]), 'success'],
  ['a chunk that is a window on a larger buffer (as a pooled Node Buffer is)', (() => {
    const larger = new Uint8Array(BYTES.length + 20).fill(0x5b); // `[`: no JSON around the window
    larger.set(BYTES, 10);
    return streamed([larger.subarray(10, 10 + BYTES.length)]);
  })(), 'success'],
  ['a chunk that is a DataView of the bytes', streamed([new DataView(BYTES.buffer, BYTES.byteOffset, BYTES.length)]), 'success'],
  ['a chunk that is a DataView whose `length` and indices lie (read as an array-like, it took seconds)', streamed([new (class extends DataView {
    get length() { return 3e8; }
  })(BYTES.buffer, BYTES.byteOffset, BYTES.length)]), 'success'],
  ['a chunk that is a Proxy of a Uint8Array', streamed([new Proxy(BYTES, {})]), NOT_BYTES],
  ['a chunk that is a string of digits', streamed(['12345']), NOT_BYTES],
  ['a declared length and a stream but no arrayBuffer()', streamed([BYTES], new Headers({ 'content-length': String(BYTES.length) })), 'success'],
  ['fetch returning a promise whose `constructor` getter throws', () => {
    const promise = Promise.resolve(new Response(BODY));
    Object.defineProperty(promise, 'constructor', { get() { throw new Error('constructor getter'); } });
    return promise;
  }, { name: 'NetworkError', code: 'NetworkError', status: 0, attempts: 1 }],
];

for (const [name, fetch, expected] of ANSWERS) {
  test(`hostile answer: ${name}`, LIMIT, async () => {
    const got = await call(fetch);
    if (expected === 'success') {
      assert.ok(!got.error, String(got.error));
      assert.deepEqual(got.value, RESULT);
    } else {
      assertError(y, got, expected);
    }
    await assertStillWorks(y, emu.url);
  });
}

test('a chunk that is a view of the module\'s own wasm memory, which reading it grows: an error, not a trap', LIMIT, async () => {
  // The module fills its nonces with crypto.getRandomValues on a view of its own memory: a
  // patched one hands that memory back as an answer's chunk, big enough that copying it in
  // must grow the memory, which detaches the chunk's buffer.
  let wasmMemory = null;
  const original = crypto.getRandomValues;
  crypto.getRandomValues = function (view) {
    wasmMemory ??= view.buffer;
    return original.call(this, view);
  };
  try {
    // Nonces come from a pool of 64 requests' worth: calls until it is filled again.
    for (let i = 0; i < 70 && !wasmMemory; i++) await call(async () => new Response(BODY));
    assert.ok(wasmMemory instanceof ArrayBuffer, 'the memory was caught');
    const chunk = new Uint8Array(wasmMemory, 0, wasmMemory.byteLength);
    const got = await call(streamed([chunk]), { maxResponseBytes: 100 * 1024 * 1024 });
    assertError(y, got, { name: 'NetworkError', code: 'NetworkError', status: 200, attempts: 1 });
    assert.match(got.error.message, /the body's bytes changed size while they were read/);
  } finally {
    crypto.getRandomValues = original;
  }
  await assertStillWorks(y, emu.url);
});

test('hostile answers in flight together leave the module serving the next call', LIMIT, async () => {
  const fetches = ANSWERS.map(([, fetch]) => fetch);
  const outcomes = await Promise.all([...fetches, ...fetches, ...fetches].map((fetch) => call(fetch)));
  for (const got of outcomes) assert.ok(got.value || got.error instanceof y.YunxiaoError, String(got.error));
  await assertStillWorks(y, emu.url);
});

test('a signal whose getters throw: read defensively, the call still ends', LIMIT, async () => {
  let reads = 0;
  const signal = {
    get aborted() {
      if (reads++ > 0) throw new Error('aborted getter');
      return false;
    },
    addEventListener() {},
    removeEventListener() {},
  };
  const got = await call(async () => new Response(BODY), { signal });
  assert.deepEqual(got.value, RESULT, String(got.error));
  await assertStillWorks(y, emu.url);
});

test('a timeout while the body arrives keeps the answer\'s status and request id', LIMIT, async () => {
  raw.set((socket) => {
    socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-acs-request-id: RID-SLOW-BODY\r\ncontent-length: 1000\r\n\r\n{"jobs":[');
  });
  const got = await outcome(y.listPipelineJobs(ORG, PIPELINE, { endpoint: raw.url, ...AK, maxRetries: 0, timeoutMs: 300 }));
  assertError(y, got, { name: 'TimeoutError', code: 'Timeout', status: 200, requestId: 'RID-SLOW-BODY', attempts: 1 });
  await assertStillWorks(y, emu.url);
});

// -- options ----------------------------------------------------------------------------------

test('an option getter or Proxy trap that throws is an InvalidArgumentError naming the option', LIMIT, async () => {
  const getter = await outcome(y.listPipelineJobs(ORG, PIPELINE, { ...AK, get timeoutMs() { throw new Error('getter'); } }));
  assertError(y, getter, { name: 'InvalidArgumentError', code: 'InvalidArgument', status: 0, attempts: 0 });
  assert.match(getter.error.message, /reading option timeoutMs threw/);
  const trap = new Proxy({ ...AK }, { getOwnPropertyDescriptor() { throw new Error('trap'); } });
  assertError(y, await outcome(y.listPipelineJobs(ORG, PIPELINE, trap)), { name: 'InvalidArgumentError', code: 'InvalidArgument', status: 0, attempts: 0 });
  assert.throws(() => new y.YunxiaoClient({ get endpoint() { throw new Error('getter'); } }), y.InvalidArgumentError);
  await assertStillWorks(y, emu.url);
});

test('options from a class (getters on its prototype) are read, not dropped', LIMIT, async () => {
  let seen = 0;
  class Settings {
    get endpoint() { return emu.url; }
    get accessKeyId() { return AK.accessKeyId; }
    get accessKeySecret() { return AK.accessKeySecret; }
    get fetch() { return (url, init) => { seen++; return globalThis.fetch(url, init); }; }
  }
  const result = await y.listPipelineJobs(ORG, PIPELINE, new Settings());
  assert.equal(result.jobs.length, 4);
  assert.equal(seen, 1, 'the fetch getter was honoured');
});

test('null call options leave the client\'s options in force (as undefined does)', LIMIT, async () => {
  let seen = 0;
  const fetch = (url, init) => { seen++; return globalThis.fetch(url, init); };
  const client = new y.YunxiaoClient({ endpoint: emu.url, ...AK, fetch, maxRetries: 0 });
  const result = await client.listPipelineJobs(ORG, PIPELINE, 'DEPLOY', { endpoint: null, accessKeyId: null, accessKeySecret: null, fetch: null });
  assert.equal(result.jobs.length, 4, 'signed with the client\'s key, at the client\'s endpoint');
  assert.equal(seen, 1);
});

test('errorCodeInfo of something that is not a string: null, not a TypeError', LIMIT, async () => {
  for (const value of [Object.create(null), Symbol('x'), 404, undefined]) assert.equal(await y.errorCodeInfo(value), null);
});

test('a signal whose reason getter throws, aborted mid-call: the call rejects at once, nothing uncaught', LIMIT, async () => {
  for (const preAborted of [false, true]) {
    const controller = new AbortController();
    Object.defineProperty(controller.signal, 'reason', { get() { throw new Error('reason getter threw'); } });
    if (preAborted) controller.abort('gone');
    else setTimeout(() => controller.abort('gone'), 100);
    const hanging = () => new Promise(() => {});
    const got = await outcome(y.listPipelineJobs(ORG, PIPELINE, { endpoint: emu.url, ...AK, signal: controller.signal, fetch: hanging, timeoutMs: 5000 }));
    assert.ok('error' in got, 'resolved');
    assert.ok(got.ms < 2500, `the abort waited ${Math.round(got.ms)} ms (the attempt's timeout is 5000)`);
    assert.ok(!(got.error instanceof Error && got.error.message === 'reason getter threw'), 'the getter\'s own error escaped');
  }
  // A real AbortSignal whose `aborted` getter throws is no usable signal: refused, typed.
  const broken = new AbortController().signal;
  Object.defineProperty(broken, 'aborted', { get() { throw new Error('aborted getter threw'); } });
  const refused = await outcome(y.listPipelineJobs(ORG, PIPELINE, { endpoint: emu.url, ...AK, signal: broken }));
  assert.ok(refused.error instanceof y.InvalidArgumentError, String(refused.error));
  await assertStillWorks(y, emu.url);
});

test('options behind a Proxy with an endless prototype chain, the client method on a non-client: InvalidArgumentError', LIMIT, async () => {
  const endless = new Proxy({}, { getPrototypeOf: () => endless });
  for (const attempt of [() => y.listPipelineJobs(ORG, PIPELINE, endless), async () => new y.YunxiaoClient(endless)]) {
    const got = await outcome(attempt());
    assert.ok(got.error instanceof y.InvalidArgumentError, String(got.error));
    assert.match(got.error.message, /prototype chain is longer than 100/);
  }
  const client = new y.YunxiaoClient({ endpoint: emu.url, ...AK });
  const unbound = y.YunxiaoClient.prototype.listPipelineJobs;
  for (const target of [undefined, {}, Object.create(y.YunxiaoClient.prototype)]) {
    const got = await outcome(unbound.call(target, ORG, PIPELINE));
    assert.ok(got.error instanceof y.InvalidArgumentError, String(got.error));
    assert.match(got.error.message, /called on something that is not a YunxiaoClient/);
  }
  assert.equal((await unbound.call(client, ORG, PIPELINE)).jobs.length, 4);
  // The client's own method is bound to it: detached, it still works.
  assert.equal((await client.listPipelineJobs.call(undefined, ORG, PIPELINE)).jobs.length, 4);
  await assertStillWorks(y, emu.url);
});

guard.finalTest();
