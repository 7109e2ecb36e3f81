// The signature nonce (x-acs-signature-nonce): 16 CSPRNG bytes per request, drawn from a pool
// that one getRandomValues call fills for 64 requests (bench/DESIGN.md, "Per call"). Every
// nonce must still be fresh, across refills, and a platform without getRandomValues must give
// a clear error rather than a reused or empty nonce.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as y from '../../pkg/node/index.mjs';
import { AK, ORG, PIPELINE } from './helpers.mjs';

const ANSWER = JSON.stringify({ requestId: 'NONCE-1', success: true, jobs: [] });

function recordingFetch() {
  const nonces = [];
  const fetch = async (url, init) => {
    nonces.push(init.headers['x-acs-signature-nonce']);
    return new Response(ANSWER, { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return { fetch, nonces };
}

test('200 calls: 200 distinct 32-hex nonces from 4 getRandomValues calls (one per 64)', async (t) => {
  const original = crypto.getRandomValues;
  let draws = 0;
  crypto.getRandomValues = function (array) {
    draws++;
    return original.call(crypto, array);
  };
  t.after(() => {
    crypto.getRandomValues = original;
  });
  const { fetch, nonces } = recordingFetch();
  // The first calls of this process (node --test runs each file in its own): the pool starts empty.
  for (let i = 0; i < 200; i++) await y.listPipelineJobs(ORG, PIPELINE, { endpoint: 'http://127.0.0.1:9', ...AK, fetch });
  assert.equal(nonces.length, 200);
  for (const nonce of nonces) assert.match(nonce, /^[0-9a-f]{32}$/);
  assert.equal(new Set(nonces).size, 200, 'a nonce was reused');
  assert.equal(draws, 4, `getRandomValues was called ${draws} times for 200 nonces`);
});

test('no getRandomValues: an InvalidArgumentError that says so, and no request', () => {
  const pkg = fileURLToPath(new URL('../../pkg/node/index.mjs', import.meta.url));
  const script = `
    const y = await import(${JSON.stringify(pkg)});
    crypto.getRandomValues = () => { throw new Error('no entropy here'); };
    let requests = 0;
    const fetch = async () => { requests++; throw new Error('must not be called'); };
    const error = await y.listPipelineJobs('${ORG}', '${PIPELINE}', { endpoint: 'http://127.0.0.1:9', ...${JSON.stringify(AK)}, fetch }).catch((e) => e);
    console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message, requests }));
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const got = JSON.parse(run.stdout);
  assert.equal(got.name, 'InvalidArgumentError');
  assert.match(got.message, /getRandomValues is not available/);
  assert.equal(got.requests, 0);
});
