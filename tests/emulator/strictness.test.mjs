// What the emulator refuses, pinned where a mutation audit found nothing that would notice it
// accepting instead (the package's tests run against it, so a lax emulator makes them pass
// whatever the package sends): host left out of SignedHeaders, a content hash that disagrees
// with the body in either line of the canonical request, canonical headers out of order, an
// empty SignedHeaders entry, a V1 Content-Type changed after signing, a nonce replayed later
// within its 15 minutes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { startEmulator } from '../../emulator/server.mjs';
import { verifySignature, parseAuthorization } from '../../emulator/verify.mjs';
import { AK, callClassic, isoNoMillis } from './helpers.mjs';

let emu;
before(async () => {
  emu = await startEmulator();
});
after(() => emu.close());

const sha256 = (text) => createHash('sha256').update(text).digest('hex');

/**
 * A V3 request signed by hand, so that one part can disagree with the wire: `headerLine` is
 * the x-acs-content-sha256 value in the canonical headers, `payloadLine` the hashed payload,
 * `sent` the header sent; `order` arranges the signed header names.
 */
function handSigned({ sent = sha256(''), headerLine = sent, payloadLine = sha256(''), order = (names) => names.sort(), listed = (names) => names.join(';') } = {}) {
  const headers = { host: 'devops.cn-hangzhou.aliyuncs.com', 'x-acs-date': isoNoMillis(Date.now()), 'x-acs-signature-nonce': 'n1', 'x-acs-content-sha256': sent };
  const names = order(Object.keys(headers));
  const line = (name) => `${name}:${name === 'x-acs-content-sha256' ? headerLine : headers[name]}\n`;
  const canonical = ['POST', '/p', '', names.map(line).join(''), names.join(';'), payloadLine].join('\n');
  const signature = createHmac('sha256', AK.secret).update(`ACS3-HMAC-SHA256\n${sha256(canonical)}`).digest('hex');
  headers.authorization = `ACS3-HMAC-SHA256 Credential=${AK.id},SignedHeaders=${listed(names)},Signature=${signature}`;
  return { method: 'POST', path: '/p', query: '', headers, body: '' };
}

test('the hand-signed request is accepted as it is (so each refusal below is for its one change)', () => {
  assert.equal(verifySignature(handSigned(), AK.secret).ok, true);
});

test('V3: a content hash that is not the body\'s, in either line of the canonical request, is refused', () => {
  // The header lies about the body, signed as it lies; the hashed payload is the body's.
  assert.equal(verifySignature(handSigned({ sent: sha256('x') }), AK.secret).ok, false);
  // The header is signed as the body's hash, the hashed payload as the header's lie.
  assert.equal(verifySignature(handSigned({ sent: sha256('x'), headerLine: sha256(''), payloadLine: sha256('x') }), AK.secret).ok, false);
});

test('V3: a content-hash header other than the body\'s is refused even when the canonical request has the body\'s', () => {
  // Signed over the body's hash, sent as something else: a header changed after signing.
  for (const sent of ['garbage', 'UNSIGNED-PAYLOAD', sha256('').toUpperCase()]) {
    const result = verifySignature(handSigned({ sent, headerLine: sha256('') }), AK.secret);
    assert.deepEqual([result.ok, result.code, result.reason], [false, 'SignatureDoesNotMatch', 'x-acs-content-sha256 does not match the body'], sent);
  }
});

test('V3: SignedHeaders in the Authorization other than as signed (capitalised, unsorted, doubled, spaced) is refused', () => {
  for (const listed of [
    (names) => names.map((n) => n.replace(/^./, (c) => c.toUpperCase())).join(';'),
    (names) => [...names].reverse().join(';'),
    (names) => [names[0], ...names].join(';'),
    (names) => names.join('; '),
  ]) {
    const result = verifySignature(handSigned({ listed }), AK.secret);
    assert.equal(result.ok, false, listed(['host', 'x-acs-date']));
  }
});

test('V3 without x-acs-action is refused (both official SDKs send it); V1 may leave it out', async () => {
  const v3 = await callClassic(emu.url, { omit: ['x-acs-action'] });
  assert.equal(v3.status, 404, v3.text);
  assert.equal(v3.json.Code, 'InvalidAction.NotFound');
  const v1 = await callClassic(emu.url, { algorithm: 'v1', omit: ['x-acs-action'] });
  assert.equal(v1.status, 200, v1.text);
});

test('V3: canonical headers out of order are refused', () => {
  assert.equal(verifySignature(handSigned({ order: (names) => names.sort().reverse() }), AK.secret).ok, false);
});

test('V3: an empty SignedHeaders entry makes the Authorization unreadable', () => {
  assert.equal(parseAuthorization(`ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host;;x-acs-date,Signature=${'a'.repeat(64)}`), null);
});

test('V3: host sent but not signed is an IncompleteSignature', async () => {
  const answer = await callClassic(emu.url, { omit: ['host'] }); // node:http still sends Host
  assert.equal(answer.status, 400, answer.text);
  assert.equal(answer.json.Code, 'IncompleteSignature');
  assert.match(answer.json.Message, /host/);
});

test('V1: a Content-Type changed after signing is a SignatureDoesNotMatch', async () => {
  const extraHeaders = { 'content-type': 'application/json' };
  assert.equal((await callClassic(emu.url, { algorithm: 'v1', extraHeaders })).status, 200);
  const changed = await callClassic(emu.url, { algorithm: 'v1', extraHeaders, mutate: (headers) => (headers['content-type'] = 'text/plain') });
  assert.equal(changed.status, 400, changed.text);
  assert.equal(changed.json.Code, 'SignatureDoesNotMatch');
});

test('a nonce stays used for the whole 15 minutes: replayed 14 minutes later, refused', async (t) => {
  const start = Date.now();
  t.mock.timers.enable({ apis: ['Date'], now: start });
  const nonce = `replayed-later-${start}`;
  assert.equal((await callClassic(emu.url, { nonce })).status, 200);
  t.mock.timers.tick(14 * 60 * 1000);
  const again = await callClassic(emu.url, { nonce, now: Date.now() });
  assert.equal(again.json?.Code, 'SignatureNonceUsed', again.text);
});
