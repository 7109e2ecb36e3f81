// The personal-access-token API (PROTOCOL.md §3), organisation and region editions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from '../../emulator/server.mjs';
import { ORG_B, PAT_OUTSIDER, REQUEST_ID_RE, ERROR_PIPELINES, callToken, request } from './helpers.mjs';

let emu;
before(async () => {
  emu = await startEmulator();
});
after(() => emu.close());

function assertTokenError(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json.errorCode, code, r.text);
  assert.equal(typeof r.json.errorMessage, 'string');
  assert.match(r.headers['x-request-id'], REQUEST_ID_RE);
}

for (const region of [false, true]) {
  const edition = region ? 'region edition' : 'organization edition';

  test(`${edition}: success is a bare array of {identifier, jobName, lastJobId, lastJobParams}`, async () => {
    const r = await callToken(emu.url, { region });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers['x-request-id'], REQUEST_ID_RE);
    assert.ok(Array.isArray(r.json));
    assert.deepEqual(r.json.map((j) => j.jobName), ['构建镜像', '部署到测试环境', '部署到生产环境', '回滚']);
    assert.deepEqual(Object.keys(r.json[0]), ['identifier', 'jobName', 'lastJobId', 'lastJobParams']);
    assert.ok(r.text.includes('"lastJobId":9007199254740991'));
    assert.equal(r.json[3].lastJobId, null);
  });

  test(`${edition}: empty and edge pipelines`, async () => {
    assert.deepEqual((await callToken(emu.url, { region, pipeline: '2345678' })).json, []);
    const edge = await callToken(emu.url, { region, pipeline: '3456789' });
    assert.ok(edge.text.includes('"lastJobId":9223372036854775807'));
    assert.ok(edge.text.includes('"lastJobId":"42"'));
  });

  test(`${edition}: missing or unknown token → 401 Unauthorized`, async () => {
    assertTokenError(await callToken(emu.url, { region, token: null }), 401, 'Unauthorized');
    assertTokenError(await callToken(emu.url, { region, token: 'pt-nope' }), 401, 'Unauthorized');
  });

  test(`${edition}: outsider token → 403 Forbidden.UserNotInCurrentOrganization`, async () => {
    assertTokenError(await callToken(emu.url, { region, token: PAT_OUTSIDER }), 403, 'Forbidden.UserNotInCurrentOrganization');
  });

  test(`${edition}: unknown pipeline, wrong category, error pipelines`, async () => {
    assertTokenError(await callToken(emu.url, { region, pipeline: '999' }), 404, 'InvalidPipeline.NotFound');
    assertTokenError(await callToken(emu.url, { region, category: 'BUILD' }), 400, 'InvalidParam.ParamNotPresent');
    for (const [pipeline, status, code] of ERROR_PIPELINES) {
      assertTokenError(await callToken(emu.url, { region, pipeline }), status, code);
    }
  });
}

test('organization edition: org B → 403, unknown org → 404', async () => {
  assertTokenError(await callToken(emu.url, { org: ORG_B }), 403, 'Forbidden.UserNotInCurrentOrganization');
  assertTokenError(await callToken(emu.url, { org: 'nope' }), 404, 'InvalidOrganization.NotFound');
});

test('token API needs no signature; an unknown /oapi route is a JSON 404', async () => {
  const r = await request(emu.url, { path: '/oapi/v1/flow/whatever' });
  assert.equal(r.status, 404);
  assert.equal(typeof r.json.errorCode, 'string');
  const post = await request(emu.url, { method: 'POST', path: '/oapi/v1/flow/pipelines/1234567/listTasksByCategory/DEPLOY', headers: { 'x-yunxiao-token': 'pt-EmuDemoToken0001-not-a-real-token' } });
  assert.equal(post.status, 404);
});
