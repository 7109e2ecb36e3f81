// Seeded organisations, pipelines, jobs and the error-code pipelines (classic API).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { startEmulator } from '../../emulator/server.mjs';
import { ORG_A, ORG_B, REQUEST_ID_RE, ERROR_PIPELINES, callClassic, classicPath, sign, queryString } from './helpers.mjs';

let emu;
before(async () => {
  emu = await startEmulator();
});
after(() => emu.close());

function assertError(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json.success, false);
  assert.equal(r.json.errorCode, code);
  assert.equal(typeof r.json.errorMessage, 'string');
  assert.ok(r.json.errorMessage.length > 0);
  assert.match(r.json.requestId, REQUEST_ID_RE);
  assert.equal(r.headers['x-acs-request-id'], r.json.requestId);
}

test('pipeline 1234567: four jobs with Chinese names, JSON params, 2^53-1 and null lastJobId', async () => {
  const r = await callClassic(emu.url);
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^application\/json/);
  const names = r.json.jobs.map((j) => j.jobName);
  assert.deepEqual(names, ['构建镜像', '部署到测试环境', '部署到生产环境', '回滚']);
  for (const job of r.json.jobs) assert.equal(typeof job.identifier, 'string');
  const prod = r.json.jobs[2];
  assert.deepEqual(JSON.parse(prod.lastJobParams), { branch: 'master', env: 'prod' });
  assert.ok(r.text.includes('"lastJobId":9007199254740991'));
  const rollback = r.json.jobs[3];
  assert.equal(rollback.lastJobId, null);
  assert.equal('lastJobParams' in rollback, false);
});

test('pipeline 2345678: jobs: []', async () => {
  const r = await callClassic(emu.url, { pipeline: '2345678' });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.jobs, []);
  assert.equal(r.json.success, true);
});

test('pipeline 3456789: edge data arrives byte-exact', async () => {
  const r = await callClassic(emu.url, { pipeline: '3456789' });
  assert.equal(r.status, 200);
  const byId = Object.fromEntries(r.json.jobs.map((j) => [j.identifier, j]));
  assert.equal(byId.edge_digit_string.lastJobId, '42');
  assert.equal(byId.edge_digit_string.lastJobParams, '');
  assert.equal(byId.edge_not_json.lastJobParams, 'not json');
  assert.ok(byId.edge_proto.lastJobParams.includes('"__proto__"'));
  assert.match(byId['edge_unicode_名字'].jobName, /🚀/);
  // Beyond 2^53: the digits must be on the wire exactly (JSON.parse would round them).
  assert.ok(r.text.includes('"lastJobId":9223372036854775807'), r.text);
  assert.equal(byId.edge_zero.lastJobId, 0);
});

test('every error pipeline answers its code and HTTP status', async () => {
  for (const [pipeline, status, code] of ERROR_PIPELINES) {
    assertError(await callClassic(emu.url, { pipeline }), status, code);
  }
});

test('each error\'s message is the reference page\'s, word for word (what the demo shows a user)', async () => {
  // The table's rows: status, code and English message run together, the Chinese description after.
  const reference = readFileSync(new URL('../fixtures/api-reference-ListPipelineJobs.zh.txt', import.meta.url), 'utf8');
  for (const [pipeline, status, code] of ERROR_PIPELINES) {
    const { errorMessage } = (await callClassic(emu.url, { pipeline })).json;
    const escape = (text) => text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
    assert.match(reference, new RegExp(`^${status}${escape(code)}${escape(errorMessage)}\\p{Script=Han}`, 'mu'), `${code}: ${errorMessage}`);
  }
});

test('org B exists but u-demo is not a member → 403 Forbidden.UserNotInCurrentOrganization', async () => {
  assertError(await callClassic(emu.url, { org: ORG_B }), 403, 'Forbidden.UserNotInCurrentOrganization');
});

test('unknown org → 404 InvalidOrganization.NotFound; unknown pipeline → 404 InvalidPipeline.NotFound', async () => {
  assertError(await callClassic(emu.url, { org: '000000000000000000000000' }), 404, 'InvalidOrganization.NotFound');
  assertError(await callClassic(emu.url, { org: '__proto__' }), 404, 'InvalidOrganization.NotFound');
  assertError(await callClassic(emu.url, { pipeline: '999' }), 404, 'InvalidPipeline.NotFound');
  assertError(await callClassic(emu.url, { pipeline: 'constructor' }), 404, 'InvalidPipeline.NotFound');
});

test('category other than DEPLOY (or missing) → 400 InvalidParam.ParamNotPresent', async () => {
  assertError(await callClassic(emu.url, { query: { category: 'BUILD' } }), 400, 'InvalidParam.ParamNotPresent');
  assertError(await callClassic(emu.url, { query: {} }), 400, 'InvalidParam.ParamNotPresent');
});

test('a GET on the classic path is not an API → 404 InvalidAction.NotFound', async () => {
  const r = await callClassic(emu.url, { method: 'GET' });
  assert.equal(r.status, 404);
  assert.equal(r.json.Code, 'InvalidAction.NotFound');
});

test('slow pipeline 7654321 answers after ~3 s without blocking other requests', async () => {
  const started = Date.now();
  const slow = callClassic(emu.url, { pipeline: '7654321' });
  const fast = await callClassic(emu.url);
  assert.equal(fast.status, 200);
  assert.ok(Date.now() - started < 1500, 'a fast request waited for the slow one');
  const r = await slow;
  assert.equal(r.status, 200);
  assert.equal(r.json.jobs[0].identifier, 'slow_job_01');
  assert.ok(Date.now() - started >= 2900, `answered too soon: ${Date.now() - started} ms`);
});

test('a client aborting the slow pipeline does not crash the server', async () => {
  const url = new URL(emu.url);
  const path = classicPath(ORG_A, '7654321');
  const { headers } = sign({ path, host: url.host });
  await new Promise((resolve) => {
    const req = http.request({ host: url.hostname, port: url.port, method: 'POST', path: path + queryString({ category: 'DEPLOY' }), headers, agent: false });
    req.on('error', () => resolve());
    req.end();
    setTimeout(() => req.destroy(), 100);
  });
  // Give the server's (cancelled) timer a moment, then it must still serve.
  await new Promise((r) => setTimeout(r, 50));
  const r = await callClassic(emu.url);
  assert.equal(r.status, 200);
  const entry = emu.state.requests.find((e) => e.path.startsWith(path));
  assert.ok(entry);
});
