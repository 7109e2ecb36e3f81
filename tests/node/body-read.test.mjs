// How the core reads an answer's body (bench/DESIGN.md, "Peak memory"): a declared size up to
// 1 MiB in one arrayBuffer() (fewest boundary crossings), a bigger one or one of no declared
// size chunk by chunk (straight into wasm memory). The answers offer both ways; the test
// counts which one the core took, and that the jobs come out the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as y from '../../pkg/node/index.mjs';
import { AK, ORG, PIPELINE } from './helpers.mjs';

const MiB = 1 << 20;

function answer(padTo, { declare = true } = {}) {
  const json = JSON.stringify({ requestId: 'READ-1', success: true, jobs: [{ identifier: 'r_job', jobName: '读取', lastJobId: 3 }] });
  const text = new TextEncoder().encode(json);
  const bytes = new Uint8Array(Math.max(padTo, text.length)).fill(0x20); // trailing spaces: valid JSON
  bytes.set(text);
  const used = { arrayBuffer: 0, getReader: 0 };
  const fetch = async () => ({
    status: 200,
    headers: new Headers(declare ? { 'content-length': String(bytes.length) } : {}),
    async arrayBuffer() {
      used.arrayBuffer++;
      return bytes.slice().buffer;
    },
    body: {
      getReader() {
        used.getReader++;
        let at = 0;
        const read = async () => {
          if (at >= bytes.length) return { done: true, value: undefined };
          const chunk = bytes.slice(at, at + 64 * 1024);
          at += chunk.length;
          return { done: false, value: chunk };
        };
        return { read };
      },
    },
  });
  return { fetch, used };
}

const EXPECTED = { requestId: 'READ-1', jobs: [{ jobName: '读取', identifier: 'r_job', lastJobId: 3, lastJobParams: {}, lastJobParamsRaw: '' }] };

for (const [name, size, declare, way] of [
  ['a small declared body: one arrayBuffer()', 2_000, true, 'arrayBuffer'],
  ['a declared body of exactly 1 MiB: one arrayBuffer()', MiB, true, 'arrayBuffer'],
  ['a declared body over 1 MiB: chunk by chunk', MiB + 1, true, 'getReader'],
  ['a body of no declared size: chunk by chunk', 2_000, false, 'getReader'],
]) {
  test(name, async () => {
    const { fetch, used } = answer(size, { declare });
    const result = await y.listPipelineJobs(ORG, PIPELINE, { endpoint: 'http://127.0.0.1:9', ...AK, fetch, maxRetries: 0 });
    assert.deepEqual(result, EXPECTED);
    assert.deepEqual(used, { arrayBuffer: way === 'arrayBuffer' ? 1 : 0, getReader: way === 'getReader' ? 1 : 0 });
  });
}

test('a declared body over maxResponseBytes is refused before either way of reading', async () => {
  const { fetch, used } = answer(2 * MiB);
  const error = await y.listPipelineJobs(ORG, PIPELINE, { endpoint: 'http://127.0.0.1:9', ...AK, fetch, maxRetries: 0, maxResponseBytes: MiB }).then(
    () => assert.fail('resolved'),
    (e) => e,
  );
  assert.ok(error instanceof y.InvalidResponseError, String(error));
  assert.deepEqual(used, { arrayBuffer: 0, getReader: 0 });
});

test('maxResponseBytes is at most 100 MiB: the biggest result must fit in one JavaScript string', async () => {
  const { fetch } = answer(2_000);
  const options = { endpoint: 'http://127.0.0.1:9', ...AK, fetch, maxRetries: 0 };
  const over = await y.listPipelineJobs(ORG, PIPELINE, { ...options, maxResponseBytes: 100 * MiB + 1 }).catch((e) => e);
  assert.ok(over instanceof y.InvalidArgumentError, String(over));
  assert.match(over.message, /maxResponseBytes must be an integer from 1 to 104857600/);
  assert.deepEqual(await y.listPipelineJobs(ORG, PIPELINE, { ...options, maxResponseBytes: 100 * MiB }), EXPECTED);
});

test('an arrayBuffer() that gives a number or an array-like is no body (not a buffer of that many zeros)', async () => {
  for (const size of [2 ** 32, 16, { length: 64 * MiB }, { length: 16 }, [1, 2]]) {
    const fetch = async () => ({ status: 200, headers: new Headers({ 'content-length': '16' }), arrayBuffer: async () => size });
    const error = await y.listPipelineJobs(ORG, PIPELINE, { endpoint: 'http://127.0.0.1:9', ...AK, fetch, maxRetries: 0 }).catch((e) => e);
    assert.ok(error instanceof y.NetworkError, String(error));
    assert.match(error.message, /the body is not bytes/);
  }
});

test('an error status whose body is over maxResponseBytes is judged by its status (a 503 is retried as one)', async () => {
  for (const [status, declare, expected] of [[503, true, y.ServerError], [429, false, y.ThrottlingError]]) {
    const { fetch: answering } = answer(2 * MiB, { declare });
    let calls = 0;
    const fetch = async (...args) => {
      calls++;
      return { ...(await answering(...args)), status, headers: new Headers({ 'x-acs-request-id': 'BIG-1', ...(declare ? { 'content-length': String(2 * MiB) } : {}) }) };
    };
    const options = { endpoint: 'http://127.0.0.1:9', ...AK, fetch, maxRetries: 1, maxResponseBytes: MiB };
    const error = await y.listPipelineJobs(ORG, PIPELINE, options).catch((e) => e);
    assert.ok(error instanceof expected, String(error));
    assert.equal(calls, 2, 'retried');
    assert.equal(error.status, status);
    assert.equal(error.requestId, 'BIG-1');
    assert.match(error.message, /its body was not read: the answer is larger than maxResponseBytes \(1048576 bytes\); reading stopped/);
  }
});

test("a body read that fails is a NetworkError quoting the platform's text, trimmed (Firefox's ends with a space)", async () => {
  const fetch = async () => new Response(new ReadableStream({
    pull(controller) {
      controller.error(new TypeError('The operation was aborted. '));
    },
  }), { status: 200 });
  const e = await y.listPipelineJobs(ORG, PIPELINE, { ...AK, fetch, maxRetries: 0 }).catch((error) => error);
  assert.equal(e.name, 'NetworkError');
  assert.match(e.message, /^NetworkError: reading the body failed: The operation was aborted\. \(HTTP 200\)$/);
});
