// CORS: preflights and the headers every response carries (browsers read the
// request id, Date and retry hints only if they are exposed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from '../../emulator/server.mjs';
import { ORG_A, callClassic, callToken, classicPath, request, scenario } from './helpers.mjs';

const EXPOSED = ['x-acs-request-id', 'x-request-id', 'date', 'retry-after', 'x-acs-retry-after'];

let emu;
before(async () => {
  emu = await startEmulator();
});
after(() => emu.close());

function assertCors(r) {
  assert.equal(r.headers['access-control-allow-origin'], '*');
  const exposed = r.headers['access-control-expose-headers'].split(',').map((s) => s.trim().toLowerCase());
  for (const h of EXPOSED) assert.ok(exposed.includes(h), `${h} not exposed`);
}

test('OPTIONS preflight: 204, any origin, GET/POST, the requested headers allowed', async () => {
  const requested = 'authorization, x-acs-date, x-acs-signature-nonce, x-acs-content-sha256, x-acs-security-token, x-yunxiao-token';
  for (const path of [classicPath(ORG_A, '1234567') + '?category=DEPLOY', '/oapi/v1/flow/pipelines/1/listTasksByCategory/DEPLOY']) {
    const r = await request(emu.url, {
      method: 'OPTIONS',
      path,
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': requested },
    });
    assert.equal(r.status, 204);
    assertCors(r);
    const methods = r.headers['access-control-allow-methods'].split(',').map((s) => s.trim());
    assert.ok(methods.includes('GET') && methods.includes('POST'));
    assert.equal(r.headers['access-control-allow-headers'], requested);
  }
});

test('every kind of response carries Allow-Origin and Expose-Headers', async () => {
  assertCors(await callClassic(emu.url)); // success
  assertCors(await callClassic(emu.url, { pipeline: '999' })); // business error
  assertCors(await request(emu.url, { method: 'POST', path: classicPath(ORG_A, '1') })); // gateway error
  assertCors(await callToken(emu.url)); // token API
  assertCors(await callToken(emu.url, { token: null })); // token API 401
  assertCors(await request(emu.url, { path: '/_emulator/health' })); // control API
});

test('the control API refuses requests from browsers (any Origin): no page can reset or read it', async () => {
  for (const [method, path] of [['POST', '/_emulator/reset'], ['GET', '/_emulator/requests'], ['GET', '/_emulator/health']]) {
    const r = await request(emu.url, { method, path, headers: { origin: 'http://evil.example' } });
    assert.equal(r.status, 403, `${method} ${path}`);
  }
  assert.equal((await request(emu.url, { path: '/_emulator/health' })).status, 200);
});

test('the control API answers to localhost or an IP address only: a rebound DNS name (no Origin) gets 421', async () => {
  const { port } = new URL(emu.url);
  for (const host of [`attacker.example:${port}`, 'attacker.example', `127.0.0.1.nip.io:${port}`]) {
    const r = await request(emu.url, { path: '/_emulator/requests', headers: { host } });
    assert.equal(r.status, 421, host);
    assert.ok(!r.text.includes('['), 'no request log in the answer');
  }
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `10.1.2.3:${port}`]) {
    assert.equal((await request(emu.url, { path: '/_emulator/health', headers: { host } })).status, 200, host);
  }
});

test('a preflight under /_s/{id} does not consume a scenario step', async () => {
  const prefix = await scenario(emu.url, { id: 'cors-step', steps: [{ action: 'respond', status: 418, json: {} }] });
  const pre = await request(emu.url, { method: 'OPTIONS', path: prefix + classicPath(ORG_A, '1234567'), headers: { origin: 'https://x', 'access-control-request-method': 'POST' } });
  assert.equal(pre.status, 204);
  assert.equal((await callClassic(emu.url, { prefix })).status, 418);
});

test('cors: false sends no CORS headers and does not answer preflights', async () => {
  const plain = await startEmulator({ cors: false });
  try {
    const r = await callClassic(plain.url);
    assert.equal(r.status, 200);
    assert.equal(r.headers['access-control-allow-origin'], undefined);
    const pre = await request(plain.url, { method: 'OPTIONS', path: classicPath(ORG_A, '1234567') });
    assert.notEqual(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], undefined);
  } finally {
    await plain.close();
  }
});
