// The golden vectors (official-SDK signatures) must verify with emulator/verify.mjs,
// and any tampering must not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  verifySignature, parseAuthorization, canonicalQueryV3, canonicalResourceV1, parseRawQuery, rfc3986,
} from '../../emulator/verify.mjs';

// The repository's copy of tests/fixtures/signing-vectors.json (a copy of the shared vectors).
const vectors = JSON.parse(readFileSync(new URL('../fixtures/signing-vectors.json', import.meta.url), 'utf8'));

function* variants() {
  for (const c of vectors.cases) {
    if (c.input.algorithm === 'v1') yield [c.name, c.input, c.expected];
    else for (const [name, e] of Object.entries(c.expected)) yield [`${c.name}/${name}`, c.input, e];
  }
}

for (const [name, input, expected] of variants()) {
  const req = (overrides = {}) => ({
    method: input.method,
    path: input.pathname,
    query: input.query,
    headers: { ...expected.final_headers, authorization: expected.authorization },
    body: '',
    ...overrides,
  });

  test(`golden vector ${name} verifies`, () => {
    const r = verifySignature(req(), input.access_key_secret);
    assert.equal(r.ok, true, r.reason);
    assert.equal(r.stringToSign, expected.string_to_sign);
    assert.equal(r.expected, expected.signature);
    if (expected.canonical_request) assert.equal(r.canonicalRequest, expected.canonical_request);
  });

  test(`golden vector ${name}: the same request as a raw query string still verifies`, () => {
    const raw = Object.entries(input.query).map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).join('&');
    assert.equal(verifySignature(req({ query: raw }), input.access_key_secret).ok, true);
  });

  test(`golden vector ${name} fails with a wrong secret, path, query or header`, () => {
    const bad = [
      [req(), 'wrong-secret'],
      [req({ path: input.pathname.replace('1234567', '1234568') }), input.access_key_secret],
      [req({ query: { ...input.query, category: 'BUILD' } }), input.access_key_secret],
      [req({ headers: { ...expected.final_headers, 'x-acs-action': 'Other', authorization: expected.authorization } }), input.access_key_secret],
      [req({ method: 'GET' }), input.access_key_secret],
    ];
    for (const [r, secret] of bad) {
      const out = verifySignature(r, secret);
      assert.equal(out.ok, false);
      assert.equal(out.code, 'SignatureDoesNotMatch');
    }
  });
}

test('V3: a body that does not match x-acs-content-sha256 fails', () => {
  const c = vectors.cases.find((x) => x.name === 'v3_ak');
  const e = c.expected.all_headers;
  const r = verifySignature(
    { method: 'POST', path: c.input.pathname, query: c.input.query, headers: { ...e.final_headers, authorization: e.authorization }, body: 'x' },
    c.input.access_key_secret,
  );
  assert.equal(r.ok, false);
  assert.equal(r.code, 'SignatureDoesNotMatch');
  assert.match(r.reason, /content-sha256/);
});

test('V3: an x-acs-* header present but not signed is IncompleteSignature', () => {
  const c = vectors.cases.find((x) => x.name === 'v3_ak');
  const e = c.expected.host_and_acs_headers;
  const headers = { ...e.final_headers, 'x-acs-extra': '1', authorization: e.authorization };
  const r = verifySignature({ method: 'POST', path: c.input.pathname, query: c.input.query, headers, body: '' }, c.input.access_key_secret);
  assert.equal(r.code, 'IncompleteSignature');
  assert.match(r.reason, /x-acs-extra/);
  // ...while an unsigned non-acs header (user-agent, accept) is fine: that is the TS SDK's choice.
  const ok = verifySignature({ method: 'POST', path: c.input.pathname, query: c.input.query, headers: { ...e.final_headers, authorization: e.authorization }, body: '' }, c.input.access_key_secret);
  assert.equal(ok.ok, true);
});

test('parseAuthorization shapes', () => {
  assert.deepEqual(parseAuthorization('ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-date,Signature=' + 'a'.repeat(64)), {
    algorithm: 'v3', accessKeyId: 'AK', signedHeaders: ['host', 'x-acs-date'], signature: 'a'.repeat(64),
  });
  assert.deepEqual(parseAuthorization('acs STS.abc:c2lnbmF0dXJl='), { algorithm: 'v1', accessKeyId: 'STS.abc', signature: 'c2lnbmF0dXJl=' });
  for (const bad of [undefined, '', 'Bearer x', 'ACS3-HMAC-SHA256 ', 'ACS3-HMAC-SHA256 Credential=AK,Signature=' + 'a'.repeat(64),
    'ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host,Signature=nothex', 'acs nocolon', 'acs AK:', 'acs :sig']) {
    assert.equal(parseAuthorization(bad), null, String(bad));
  }
});

test('canonical query helpers', () => {
  assert.equal(canonicalQueryV3({ q: "a b+c/~*!'()", empty: '', category: 'DEPLOY' }), 'category=DEPLOY&empty=&q=a%20b%2Bc%2F~%2A%21%27%28%29');
  assert.equal(canonicalResourceV1('/p', { q: 'a b', empty: '', category: 'DEPLOY' }), '/p?category=DEPLOY&empty&q=a b');
  assert.equal(canonicalResourceV1('/p', {}), '/p');
  assert.deepEqual(parseRawQuery('a=1&b=x%20y+z&flag&bad=%E0%A4%A'), [['a', '1'], ['b', 'x y+z'], ['flag', ''], ['bad', '%E0%A4%A']]);
});
