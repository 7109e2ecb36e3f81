// Boundaries and edge cases a mutation audit found no test pinned down (each of these failed
// with its guard broken): option ranges at their limits, array options, a body of exactly
// maxResponseBytes, the most content codings decoded, parameter texts at the edge of what the
// wrapper must refuse as inexact, a polluted Object.prototype, a call signal that is no signal,
// and an incomplete AccessKey in the environment. Against the Node ES module entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import zlib from 'node:zlib';
import * as y from '../../pkg/node/index.mjs';
import { AK, ORG, PIPELINE, emulator, rejection } from './helpers.mjs';

const EMPTY = '{"requestId":"R","success":true,"jobs":[]}';
const stub = { endpoint: 'http://127.0.0.1:9', ...AK, maxRetries: 0 };
const answers = (body) => async () => new Response(body); // no content-length: read as a stream

/** Each text as one job's lastJobParams, and what the package makes of it. */
async function paramsOf(texts) {
  const jobs = texts.map((text, i) => ({ identifier: `job_${i}`, jobName: 'j', lastJobId: i, lastJobParams: text }));
  const body = JSON.stringify({ requestId: 'PARAMS-1', success: true, jobs });
  return (await y.listPipelineJobs(ORG, PIPELINE, { ...stub, fetch: answers(body) })).jobs.map((job) => job.lastJobParams);
}

test('a timeoutMs of 2^31 ms or more is a long wait, not the 1 ms Node makes of it', async () => {
  const slow = () => new Promise((resolve) => setTimeout(() => resolve(new Response(EMPTY)), 50));
  for (const timeoutMs of [2 ** 31, Number.MAX_SAFE_INTEGER]) {
    assert.deepEqual((await y.listPipelineJobs(ORG, PIPELINE, { ...stub, fetch: slow, timeoutMs })).jobs, [], String(timeoutMs));
  }
});

test('options at the edge of their ranges: maxRetries 11, and a timeoutMs, deadlineMs or maxResponseBytes of 0, are refused; maxRetries 10 is taken', async () => {
  for (const options of [{ maxRetries: 11 }, { timeoutMs: 0 }, { deadlineMs: 0 }, { maxResponseBytes: 0 }]) {
    const error = await rejection(y.listPipelineJobs(ORG, PIPELINE, { ...stub, fetch: answers(EMPTY), ...options }));
    assert.ok(error instanceof y.InvalidArgumentError, `${JSON.stringify(options)}: ${error}`);
  }
  assert.deepEqual((await y.listPipelineJobs(ORG, PIPELINE, { ...stub, fetch: answers(EMPTY), maxRetries: 10, timeoutMs: 1000 })).jobs, []);
});

test('options that are an array are refused, not ignored (the call would go to the default endpoint)', async (t) => {
  const { url, requests } = await emulator(t);
  for (const options of [[], [{ endpoint: url, ...AK }]]) {
    const error = await rejection(y.listPipelineJobs(ORG, PIPELINE, 'DEPLOY', options));
    assert.ok(error instanceof y.InvalidArgumentError && /options must be an object/.test(error.message), String(error));
  }
  assert.throws(() => new y.YunxiaoClient([{ endpoint: url, ...AK }]), /client options must be an object/);
  assert.equal((await requests()).length, 0);
});

test('a body of exactly maxResponseBytes is read; one byte over, refused', async () => {
  const size = new TextEncoder().encode(EMPTY).length;
  assert.deepEqual((await y.listPipelineJobs(ORG, PIPELINE, { ...stub, fetch: answers(EMPTY), maxResponseBytes: size })).jobs, []);
  const error = await rejection(y.listPipelineJobs(ORG, PIPELINE, { ...stub, fetch: answers(EMPTY), maxResponseBytes: size - 1 }));
  assert.equal(error.name, 'InvalidResponseError');
});

test('five stacked content codings (the most decoded) are decoded by the Node transport', async (t) => {
  const body = [1, 2, 3, 4, 5].reduce((data) => zlib.gzipSync(data), Buffer.from(EMPTY));
  const head = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n` +
    'content-encoding: gzip, gzip, gzip, gzip, gzip\r\n\r\n';
  const server = net.createServer((socket) => socket.on('error', () => {}).end(Buffer.concat([Buffer.from(head), body])));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const result = await y.listPipelineJobs(ORG, PIPELINE, { ...AK, endpoint: `http://127.0.0.1:${server.address().port}`, maxRetries: 0 });
  assert.deepEqual(result.jobs, []);
});

test('parameters: an inexact number first in an array, or just past the underflow, is refused; an escaped quote does not confuse the scan', async () => {
  const [first, huge, tiny, quoted] = await paramsOf([
    '{"ids":[9007199254740993]}', '{"a":[1e400]}', `{"x":0.${'0'.repeat(325)}1}`, '{"s":"\\",1e-400"}',
  ]);
  assert.equal(first, null);
  assert.equal(huge, null);
  assert.equal(tiny, null);
  assert.deepEqual(quoted, { s: '",1e-400' });
});

test('a polluted Object.prototype is ignored: the call goes through, and never through the inherited fetch', async (t) => {
  const { url } = await emulator(t);
  let stolen = 0;
  Object.prototype.fetch = (target, init) => { // eslint-disable-line no-extend-native
    stolen++;
    return globalThis.fetch(target, init);
  };
  try {
    assert.equal((await y.listPipelineJobs(ORG, PIPELINE, { endpoint: url, ...AK, maxRetries: 0 })).jobs.length, 4);
  } finally {
    delete Object.prototype.fetch;
  }
  assert.equal(stolen, 0);
});

// One that cannot take the call's listener off: the listener outlived the call, and an abort
// afterwards threw "closure invoked recursively or after being dropped" at the aborter.
test('a signal-like object without removeEventListener is refused; with one, the call takes its listener off', async () => {
  const listeners = [];
  const half = { aborted: false, addEventListener: (type, fn) => listeners.push(fn) };
  const refused = await rejection(y.listPipelineJobs(ORG, PIPELINE, { ...stub, fetch: answers(EMPTY), signal: half }));
  assert.ok(refused instanceof y.InvalidArgumentError && /signal must be an AbortSignal/.test(refused.message), String(refused));
  const whole = { ...half, removeEventListener: (type, fn) => listeners.splice(listeners.indexOf(fn), 1) };
  assert.equal((await y.listPipelineJobs(ORG, PIPELINE, { ...stub, fetch: answers(EMPTY), signal: whole })).jobs.length, 0);
  assert.deepEqual(listeners, [], 'the call took its listener off');
});

test('a call signal that is no AbortSignal is refused when the client has a signal too', async () => {
  const client = new y.YunxiaoClient({ ...stub, fetch: answers(EMPTY), signal: new AbortController().signal });
  const error = await rejection(client.listPipelineJobs(ORG, PIPELINE, { signal: { addEventListener() {}, removeEventListener() {} } }));
  assert.ok(error instanceof y.InvalidArgumentError && /signal must be an AbortSignal/.test(error.message), String(error));
});

const CREDENTIAL_VARIABLES = ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN', 'YUNXIAO_ACCESS_TOKEN'];
/** Runs `body` with exactly `variables` of the credential variables set, then restores them. */
async function withEnvironment(variables, body) {
  const saved = Object.fromEntries(CREDENTIAL_VARIABLES.map((name) => [name, process.env[name]]));
  try {
    for (const name of CREDENTIAL_VARIABLES) delete process.env[name];
    Object.assign(process.env, variables);
    await body();
  } finally {
    for (const name of CREDENTIAL_VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
}

test('an AccessKey id in the environment without its secret is named as an incomplete environment AccessKey', () =>
  withEnvironment({ ALIBABA_CLOUD_ACCESS_KEY_ID: AK.accessKeyId }, async () => {
    const error = await rejection(y.listPipelineJobs(ORG, PIPELINE, { endpoint: 'http://127.0.0.1:9', fetch: answers(EMPTY) }));
    assert.ok(error instanceof y.InvalidArgumentError && /environment holds an incomplete AccessKey/.test(error.message), String(error));
  }));

// The caller passed no option of that name: the message names the variable too.
test('a credential from the environment that is refused is named by its variable', async () => {
  for (const [variables, expected] of [
    [{ ALIBABA_CLOUD_ACCESS_KEY_ID: AK.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: `${AK.accessKeySecret} ` },
      /^InvalidArgument: accessKeySecret \(from ALIBABA_CLOUD_ACCESS_KEY_SECRET\) starts or ends with white space/],
    [{ ALIBABA_CLOUD_ACCESS_KEY_ID: 'AK\u00e9', ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK.accessKeySecret },
      /^InvalidArgument: accessKeyId \(from ALIBABA_CLOUD_ACCESS_KEY_ID\) must be printable ASCII/],
    [{ YUNXIAO_ACCESS_TOKEN: 't'.repeat(20_000) }, /^InvalidArgument: token \(from YUNXIAO_ACCESS_TOKEN\) is longer than/],
  ]) {
    await withEnvironment(variables, async () => {
      const error = await rejection(y.listPipelineJobs(ORG, PIPELINE, { endpoint: 'http://127.0.0.1:9', fetch: answers(EMPTY) }));
      assert.ok(error instanceof y.InvalidArgumentError, String(error));
      assert.match(error.message, expected);
      assert.equal(error.code, 'InvalidArgument');
      // Given as an option, the same value is named by the option alone.
      const option = Object.keys(variables).includes('YUNXIAO_ACCESS_TOKEN') ? { token: variables.YUNXIAO_ACCESS_TOKEN }
        : { accessKeyId: variables.ALIBABA_CLOUD_ACCESS_KEY_ID, accessKeySecret: variables.ALIBABA_CLOUD_ACCESS_KEY_SECRET };
      const explicit = await rejection(y.listPipelineJobs(ORG, PIPELINE, { endpoint: 'http://127.0.0.1:9', fetch: answers(EMPTY), ...option }));
      assert.doesNotMatch(explicit.message, /\(from /);
    });
  }
});
