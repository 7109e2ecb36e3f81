// Classic API authentication: every accepted credential form and every gateway
// failure code, in the order PROTOCOL.md / the brief define.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from '../../emulator/server.mjs';
import {
  AK, STS, STS_EXPIRED, NO_USER, OUTSIDER, ORG_A, REQUEST_ID_RE, callClassic, request, classicPath, sign, queryString,
} from './helpers.mjs';

let emu;
before(async () => {
  emu = await startEmulator();
});
after(() => emu.close());

function assertPop(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json.Code, code, r.text);
  assert.match(r.json.RequestId, REQUEST_ID_RE);
  assert.equal(r.headers['x-acs-request-id'], r.json.RequestId);
  assert.equal(typeof r.json.Message, 'string');
  assert.equal(typeof r.json.HostId, 'string');
}

function assertSuccess(r) {
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.success, true);
  assert.equal(r.json.errorCode, '');
  assert.equal(r.json.errorMessage, '');
  assert.match(r.json.requestId, REQUEST_ID_RE);
  assert.equal(r.headers['x-acs-request-id'], r.json.requestId);
  assert.equal(r.json.jobs.length, 4);
}

for (const algorithm of ['v3', 'v1']) {
  test(`${algorithm} AccessKey request is accepted`, async () => {
    assertSuccess(await callClassic(emu.url, { algorithm }));
  });
  test(`${algorithm} STS request is accepted`, async () => {
    assertSuccess(await callClassic(emu.url, { algorithm, cred: STS }));
  });
}

test('V3 signing only host + x-acs-* (TypeScript SDK style) is accepted', async () => {
  assertSuccess(await callClassic(emu.url, { signOnly: 'acs' }));
  assertSuccess(await callClassic(emu.url, { signOnly: 'acs', cred: STS }));
});

test('percent-encoded path segments are signed as sent and decoded for lookup', async () => {
  // "org x/y" → /organization/org%20x%2Fy/... : verified, then looked up decoded (and not found).
  for (const algorithm of ['v3', 'v1']) {
    const r = await callClassic(emu.url, { algorithm, org: 'org x/y' });
    assert.equal(r.status, 404, r.text);
    assert.equal(r.json.errorCode, 'InvalidOrganization.NotFound');
  }
});

test('awkward query values are canonicalized like the SDKs do', async () => {
  for (const algorithm of ['v3', 'v1']) {
    const r = await callClassic(emu.url, { algorithm, query: { category: 'DEPLOY', q: "a b+c/~*!'()", empty: '' } });
    assertSuccess(r);
  }
});

test('request ids are unique per request', async () => {
  const ids = new Set();
  for (let i = 0; i < 5; i++) ids.add((await callClassic(emu.url)).json.requestId);
  assert.equal(ids.size, 5);
});

test('no Authorization header → 400 IncompleteSignature', async () => {
  const r = await request(emu.url, { method: 'POST', path: classicPath(ORG_A, '1234567') + '?category=DEPLOY' });
  assertPop(r, 400, 'IncompleteSignature');
});

test('unparseable Authorization → 400 IncompleteSignature', async () => {
  for (const value of ['Bearer abc', 'ACS3-HMAC-SHA256 garbage', 'acs nocolon', 'ACS3-HMAC-SHA256 Credential=x,SignedHeaders=host']) {
    const r = await callClassic(emu.url, { mutate: (h) => (h.authorization = value) });
    assertPop(r, 400, 'IncompleteSignature');
  }
});

test('signed header names that objects inherit (constructor, __proto__) are refused, not a 500', async () => {
  for (const name of ['constructor', '__proto__', 'toString']) {
    const r = await callClassic(emu.url, { mutate: (h) => (h.authorization = h.authorization.replace('SignedHeaders=', `SignedHeaders=${name};`)) });
    assert.equal(r.status, 400, `${name}: ${r.status} ${r.text ?? ''}`);
    assert.ok(['IncompleteSignature', 'SignatureDoesNotMatch'].includes(r.json?.Code), `${name}: ${JSON.stringify(r.json)}`);
  }
  assert.equal((await callClassic(emu.url)).status, 200);
});

test('unknown AccessKey id → 404 InvalidAccessKeyId.NotFound', async () => {
  for (const algorithm of ['v3', 'v1']) {
    const r = await callClassic(emu.url, { algorithm, cred: { id: 'LTAI5tNobodyKnowsMe', secret: 'x' } });
    assertPop(r, 404, 'InvalidAccessKeyId.NotFound');
  }
});

test('timestamp missing or > 15 min off → 400 InvalidTimeStamp.Expired with the server Date', async () => {
  const cases = [
    { algorithm: 'v3', now: Date.now() - 16 * 60_000 },
    { algorithm: 'v3', now: Date.now() + 16 * 60_000 },
    { algorithm: 'v1', now: Date.now() - 16 * 60_000 },
    { algorithm: 'v3', mutate: (h) => delete h['x-acs-date'] },
    { algorithm: 'v1', mutate: (h) => delete h.date },
    { algorithm: 'v3', mutate: (h) => (h['x-acs-date'] = 'yesterday') },
    // Malformed even though near the emulator's clock: PROTOCOL.md §1 forms only.
    { algorithm: 'v3', mutate: (h) => (h['x-acs-date'] = new Date().toISOString()) }, // fractional seconds
    { algorithm: 'v3', mutate: (h) => (h['x-acs-date'] = new Date().toUTCString()) },
    { algorithm: 'v1', mutate: (h) => (h.date = new Date().toISOString()) },
    { algorithm: 'v1', mutate: (h) => (h.date = new Date().toString()) },
    { algorithm: 'v1', mutate: (h) => (h.date = new Date().toUTCString().replace(/^.../, 'Xyz')) },
    { algorithm: 'v1', mutate: (h) => (h.date = new Date().toUTCString().replace(/ GMT$/, '')) }, // no zone: read in the machine's own
    { algorithm: 'v1', mutate: (h) => (h.date = new Date(Date.now() + 86_400_000).toUTCString().slice(0, 3) + new Date().toUTCString().slice(3)) }, // wrong weekday
  ];
  for (const c of cases) {
    const r = await callClassic(emu.url, c);
    assertPop(r, 400, 'InvalidTimeStamp.Expired');
    assert.ok(Math.abs(Date.parse(r.headers.date) - Date.now()) < 5000, r.headers.date);
  }
  // 14 minutes off is still inside the window.
  assertSuccess(await callClassic(emu.url, { now: Date.now() - 14 * 60_000 }));
});

test('a signed request for another version or action → 400 InvalidVersion / 404 InvalidAction.NotFound', async () => {
  for (const algorithm of ['v3', 'v1']) {
    assertPop(await callClassic(emu.url, { algorithm, extraHeaders: { 'x-acs-version': '1999-01-01' } }), 400, 'InvalidVersion');
    assertPop(await callClassic(emu.url, { algorithm, extraHeaders: { 'x-acs-action': 'DeletePipeline' } }), 404, 'InvalidAction.NotFound');
  }
});

test('V1 with another signature method or version → 400 IncompleteSignature', async () => {
  assertPop(await callClassic(emu.url, { algorithm: 'v1', mutate: (h) => (h['x-acs-signature-method'] = 'HMAC-SHA256') }), 400, 'IncompleteSignature');
  assertPop(await callClassic(emu.url, { algorithm: 'v1', mutate: (h) => (h['x-acs-signature-version'] = '2.0') }), 400, 'IncompleteSignature');
});

test('STS without / with a wrong security token → 400 InvalidSecurityToken.Malformed', async () => {
  for (const algorithm of ['v3', 'v1']) {
    const missing = await callClassic(emu.url, { algorithm, cred: { id: STS.id, secret: STS.secret } });
    assertPop(missing, 400, 'InvalidSecurityToken.Malformed');
    const wrong = await callClassic(emu.url, { algorithm, cred: { ...STS, token: 'EmuStsToken0002-WRONG' } });
    assertPop(wrong, 400, 'InvalidSecurityToken.Malformed');
  }
});

test('STS without x-acs-accesskey-id (signed all the same) → 400 IncompleteSignature', async () => {
  for (const algorithm of ['v3', 'v1']) {
    assertPop(await callClassic(emu.url, { algorithm, cred: STS, omit: ['x-acs-accesskey-id'] }), 400, 'IncompleteSignature');
  }
});

test('a V3 signature in upper-case hex → 400 SignatureDoesNotMatch (the protocol writes lower case)', async () => {
  const upper = await callClassic(emu.url, {
    mutate: (h) => (h.authorization = h.authorization.replace(/Signature=([0-9a-f]+)$/, (_, hex) => `Signature=${hex.toUpperCase()}`)),
  });
  assertPop(upper, 400, 'SignatureDoesNotMatch');
});

test('expired STS credentials → 400 InvalidSecurityToken.Expired', async () => {
  for (const algorithm of ['v3', 'v1']) {
    assertPop(await callClassic(emu.url, { algorithm, cred: STS_EXPIRED }), 400, 'InvalidSecurityToken.Expired');
  }
});

test('signature mismatch → 400 SignatureDoesNotMatch carrying the server string to sign', async () => {
  for (const algorithm of ['v3', 'v1']) {
    const r = await callClassic(emu.url, { algorithm, cred: { id: AK.id, secret: 'not-the-secret' } });
    assertPop(r, 400, 'SignatureDoesNotMatch');
    const prefix = 'Specified signature is not matched with our calculation. server string to sign is:';
    assert.ok(r.json.Message.startsWith(prefix), r.json.Message);
    // Same canonical request, wrong key: the server's string to sign equals the client's.
    assert.equal(r.json.Message.slice(prefix.length), r.signed.stringToSign);
  }
});

test('a tampered request (header changed after signing) → SignatureDoesNotMatch', async () => {
  const r = await callClassic(emu.url, { mutate: (h) => (h['x-acs-action'] = 'DeletePipeline') });
  assertPop(r, 400, 'SignatureDoesNotMatch');
  const v1 = await callClassic(emu.url, { algorithm: 'v1', mutate: (h) => (h.accept = 'text/xml') });
  assertPop(v1, 400, 'SignatureDoesNotMatch');
});

test('V3 body not matching x-acs-content-sha256 → SignatureDoesNotMatch', async () => {
  // Signed over the empty body, then a body is sent.
  const path = classicPath(ORG_A, '1234567');
  const signed = sign({ path, host: new URL(emu.url).host });
  const r = await request(emu.url, { method: 'POST', path: path + queryString({ category: 'DEPLOY' }), headers: signed.headers, body: '{}' });
  assertPop(r, 400, 'SignatureDoesNotMatch');
  // Signed over the body it sends: accepted.
  const withBody = await callClassic(emu.url, { body: '{}' });
  assertSuccess(withBody);
});

test('V3 x-acs-* header present but not signed → 400 IncompleteSignature', async () => {
  const r = await callClassic(emu.url, { mutate: (h) => (h['x-acs-extra'] = 'sneaky') });
  assertPop(r, 400, 'IncompleteSignature');
  assert.match(r.json.Message, /x-acs-extra/);
});

test('V3 without x-acs-content-sha256 → 400 IncompleteSignature', async () => {
  const r = await callClassic(emu.url, { mutate: (h) => delete h['x-acs-content-sha256'] });
  assertPop(r, 400, 'IncompleteSignature');
});

test('missing x-acs-signature-nonce → 400 IncompleteSignature', async () => {
  const r = await callClassic(emu.url, { mutate: (h) => delete h['x-acs-signature-nonce'] });
  assertPop(r, 400, 'IncompleteSignature');
});

test('a reused nonce (same AccessKey) → 400 SignatureNonceUsed; another key may reuse it', async () => {
  for (const algorithm of ['v3', 'v1']) {
    const nonce = `nonce-${algorithm}-${Date.now()}`;
    assertSuccess(await callClassic(emu.url, { algorithm, nonce }));
    assertPop(await callClassic(emu.url, { algorithm, nonce }), 400, 'SignatureNonceUsed');
    assertSuccess(await callClassic(emu.url, { algorithm, nonce, cred: STS }));
  }
});

test('a request that fails verification does not consume its nonce', async () => {
  const nonce = `nonce-fail-${Date.now()}`;
  assertPop(await callClassic(emu.url, { nonce, cred: { id: AK.id, secret: 'bad' } }), 400, 'SignatureDoesNotMatch');
  assertSuccess(await callClassic(emu.url, { nonce }));
});

test('POST /_emulator/reset forgets nonces', async () => {
  const nonce = `nonce-reset-${Date.now()}`;
  assertSuccess(await callClassic(emu.url, { nonce }));
  await request(emu.url, { method: 'POST', path: '/_emulator/reset' });
  assertSuccess(await callClassic(emu.url, { nonce }));
});

test('verification order: unknown key beats a bad timestamp; bad timestamp beats a bad token and signature', async () => {
  const old = Date.now() - 3600_000;
  assertPop(await callClassic(emu.url, { now: old, cred: { id: 'LTAI5tUnknown', secret: 'x' } }), 404, 'InvalidAccessKeyId.NotFound');
  assertPop(await callClassic(emu.url, { now: old, cred: { id: STS.id, secret: 'wrong' } }), 400, 'InvalidTimeStamp.Expired');
  assertPop(await callClassic(emu.url, { cred: { id: STS.id, secret: 'wrong' } }), 400, 'InvalidSecurityToken.Malformed');
  assertPop(await callClassic(emu.url, { cred: { ...STS, secret: 'wrong' } }), 400, 'SignatureDoesNotMatch');
});

test('AK without a Yunxiao user → 400 InvalidUser.NotFound (after verification)', async () => {
  for (const algorithm of ['v3', 'v1']) {
    const r = await callClassic(emu.url, { algorithm, cred: NO_USER });
    assert.equal(r.status, 400);
    assert.equal(r.json.success, false);
    assert.equal(r.json.errorCode, 'InvalidUser.NotFound');
    assert.equal(r.headers['x-acs-request-id'], r.json.requestId);
    const bad = await callClassic(emu.url, { algorithm, cred: { ...NO_USER, secret: 'x' } });
    assertPop(bad, 400, 'SignatureDoesNotMatch');
  }
});

test('outsider AK → 400 InvalidUser.UserNotInCurrentOrganization', async () => {
  const r = await callClassic(emu.url, { cred: OUTSIDER });
  assert.equal(r.status, 400);
  assert.equal(r.json.errorCode, 'InvalidUser.UserNotInCurrentOrganization');
});

test('allowUnsigned: requests without Authorization are served as u-demo; signed ones are still verified', async () => {
  const open = await startEmulator({ allowUnsigned: true });
  try {
    const api = { 'x-acs-version': '2021-06-25', 'x-acs-action': 'ListPipelineJobs' };
    const r = await request(open.url, { method: 'POST', path: classicPath(ORG_A, '1234567') + '?category=DEPLOY', headers: api });
    assertSuccess(r);
    // Unsigned or not, the request must name the API's version and action.
    const path = classicPath(ORG_A, '1234567') + '?category=DEPLOY';
    assertPop(await request(open.url, { method: 'POST', path }), 400, 'InvalidVersion');
    assertPop(await request(open.url, { method: 'POST', path, headers: { 'x-acs-version': '2021-06-25', 'x-acs-action': 'DeletePipeline' } }), 404, 'InvalidAction.NotFound');
    // No action header at all: routed by the path, as for the official ROA client (@alicloud/pop-core).
    assertSuccess(await request(open.url, { method: 'POST', path, headers: { 'x-acs-version': '2021-06-25' } }));
    assertPop(await callClassic(open.url, { cred: { id: AK.id, secret: 'bad' } }), 400, 'SignatureDoesNotMatch');
  } finally {
    await open.close();
  }
});
