// The personal-access-token API under faults (issue 4: "everything the classic API has —
// retries, timeouts, abort, redaction — holds here as well"). Same emulator scenarios as the
// matrix, reached through the token API's GET paths, both editions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as y from '../../pkg/node/index.mjs';
import { ORG, PIPELINE, TOKEN, UUID, assertError, assertStillWorks, fileEmulator, guardProcess, outcome } from './helpers.mjs';

const guard = guardProcess();
const emu = await fileEmulator();

let counter = 0;
async function run(steps, { options = {}, extra = {}, edition = 'center', pipeline = PIPELINE } = {}) {
  const id = `t${++counter}`;
  const endpoint = await emu.scenario(id, steps, extra);
  const org = edition === 'region' ? '' : ORG;
  const got = await outcome(y.listPipelineJobs(org, pipeline, { endpoint, token: TOKEN, edition, maxRetries: 0, timeoutMs: 800, ...options }));
  return { ...got, requests: await emu.requests(id) };
}

const stillWorks = () => assertStillWorks(y, emu.url);

for (const edition of ['center', 'region']) {
  test(`token (${edition}): 503 then success, retried with the token, never a signature`, async () => {
    const got = await run([{ action: 'respond', status: 503, headers: { 'x-acs-retry-after': '20' }, json: { errorCode: 'ServiceUnavailable' } }, { action: 'normal' }], { edition, options: { maxRetries: 2 } });
    assert.ok(!got.error, String(got.error));
    assert.equal(got.value.jobs.length, 4);
    assert.equal(got.value.jobs[2].lastJobId, 9007199254740991);
    assert.equal(got.requests.length, 2);
    for (const request of got.requests) {
      assert.equal(request.method, 'GET');
      assert.equal(request.headers['x-yunxiao-token'], '[REDACTED]');
      assert.equal(request.headers.authorization, undefined);
    }
    await stillWorks();
  });

  test(`token (${edition}): 500 forever ends after maxRetries + 1 attempts`, async () => {
    const got = await run([{ action: 'respond', status: 500, json: { errorCode: 'SystemError', errorMessage: 'boom' } }], { edition, options: { maxRetries: 1 }, extra: { after: 'repeat-last' } });
    assertError(y, got, { name: 'ServerError', code: 'SystemError', status: 500, requestId: null, attempts: 2 });
    await stillWorks();
  });
}

test('token: 429 with Retry-After is a ThrottlingError with retryAfterMs', async () => {
  const got = await run([{ action: 'respond', status: 429, headers: { 'retry-after': '7', 'x-request-id': 'T-429' }, json: { errorCode: 'Throttling', errorMessage: 'slow down' } }]);
  assertError(y, got, { name: 'ThrottlingError', code: 'Throttling', status: 429, requestId: 'T-429', attempts: 1, retryAfterMs: 7000 });
});

test('token: an answer that never finishes is a TimeoutError, not a hang', async () => {
  const got = await run([{ action: 'hang-body' }], { options: { timeoutMs: 300 } });
  assertError(y, got, { name: 'TimeoutError', code: 'Timeout', status: 200, requestId: UUID, attempts: 1 });
  await stillWorks();
});

test('token: abort during the slow pipeline rejects with the reason, as is', async () => {
  const endpoint = emu.url;
  for (const reason of ['a string', 42, new Error('stop')]) {
    const controller = new AbortController();
    const promise = y.listPipelineJobs(ORG, '7654321', { endpoint, token: TOKEN, edition: 'center', signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    const got = await outcome(promise);
    assert.equal(got.error, reason);
  }
  await stillWorks();
});

test('token: an invalid token is an AuthenticationError, not retried, and never echoed', async () => {
  const wrong = 'pt-WrongToken-0123456789';
  const got = await outcome(y.listPipelineJobs(ORG, PIPELINE, { endpoint: emu.url, token: wrong, edition: 'center', maxRetries: 2 }));
  assertError(y, got, { name: 'AuthenticationError', code: 'Unauthorized', status: 401, requestId: /.+/, attempts: 1 });
  const echo = await run([{ action: 'respond', status: 401, json: { errorCode: 'Unauthorized', errorMessage: `token ${TOKEN} is invalid` } }]);
  assert.ok(!echo.error.message.includes(TOKEN), echo.error.message);
  assert.ok(!JSON.stringify(echo.error).includes(TOKEN));
});

test('token: not found and forbidden map like the classic API', async () => {
  const missing = await outcome(y.listPipelineJobs(ORG, '999999', { endpoint: emu.url, token: TOKEN, edition: 'center' }));
  assert.deepEqual([missing.error.name, missing.error.code, missing.error.status], ['NotFoundError', 'InvalidPipeline.NotFound', 404]);
  const outsider = await outcome(y.listPipelineJobs(ORG, PIPELINE, { endpoint: emu.url, token: 'pt-EmuOutsiderToken0005', edition: 'center' }));
  assert.deepEqual([outsider.error.name, outsider.error.status], ['ForbiddenError', 403]);
});

test('token: a redirect is not followed, so the token never travels', async () => {
  const got = await run([{ action: 'redirect', status: 302, location: 'http://127.0.0.1:9/elsewhere' }]);
  assertError(y, got, { name: 'InvalidResponseError', code: 'UnexpectedRedirect', status: 302, requestId: /^[0-9A-F-]{36}$/, attempts: 1 });
});

guard.finalTest();
