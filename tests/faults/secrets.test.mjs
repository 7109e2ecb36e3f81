// Secrets (issue 5): for V3, V1, STS (V3 and V1) and the personal access token, every error of
// every fault scenario — including servers that echo the secret, the token and the signature
// back in every field they can — is scanned in every view a program or a log could take of it.
// None may contain the AccessKey secret, the security token, the personal access token or any
// signature the package sent. Console output during the whole file is captured and scanned too.
//
// The real signatures come from a `fetch` wrapper that records the Authorization header the
// package sends (the emulator's log redacts it); they are cross-checked against the emulator's
// string to sign, so the recorder is known to see what went on the wire.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import * as y from '../../pkg/node/index.mjs';
import { AK, STS, TOKEN, ORG, PIPELINE, assertStillWorks, fileEmulator, guardProcess, outcome, signatureOf, unusedPort } from './helpers.mjs';

const guard = guardProcess();
const emu = await fileEmulator();

// -- what must never appear ---------------------------------------------------------------------
const WRONG_SECRET = 'WrongSecret-7f3a9c-not-the-real-one';
const WRONG_TOKEN = 'pt-WrongToken-5d1e-not-a-real-one';
const STATIC_SECRETS = [AK.accessKeySecret, STS.accessKeySecret, STS.securityToken, TOKEN, WRONG_SECRET, WRONG_TOKEN];
const signatures = new Set(); // every signature any call of this file sent
const secrets = () => [...STATIC_SECRETS, ...signatures];

// -- captured console output --------------------------------------------------------------------
const captured = [];
const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table'];
const originals = {};
const onWarning = (w) => captured.push(`[warning] ${w?.stack ?? w}`);
before(() => {
  for (const m of CONSOLE_METHODS) {
    originals[m] = console[m];
    console[m] = (...args) => captured.push(`[console.${m}] ${args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 5 }))).join(' ')}`);
  }
  process.on('warning', onWarning);
});
after(() => {
  for (const m of CONSOLE_METHODS) console[m] = originals[m];
  process.off('warning', onWarning);
});

// -- the scan ---------------------------------------------------------------------------------
const errors = []; // { label, error }

function views(error) {
  const out = [];
  const push = (what, fn) => {
    try {
      out.push([what, String(fn())]);
    } catch (e) {
      out.push([what, `<threw ${e}>`]);
    }
  };
  push('String(err)', () => String(error));
  push('err.message', () => error.message);
  push('err.stack', () => error.stack);
  push('err.toString()', () => error.toString());
  push('JSON.stringify(err)', () => JSON.stringify(error));
  push('util.inspect(err, {depth: 10, showHidden: true})', () => inspect(error, { depth: 10, showHidden: true }));
  push('util.inspect(err)', () => inspect(error));
  push('Object.values(err)', () => JSON.stringify(Object.values(error)));
  for (const [i, v] of Object.values(error).entries()) push(`Object.values(err)[${i}]`, () => v);
  for (const name of Object.getOwnPropertyNames(error)) push(`own property ${name}`, () => error[name]);
  push('structuredClone(err)', () => inspect(structuredClone(error), { showHidden: true }));
  return out;
}

/** Whether `text` holds `secret`, in either case (a hex signature is the same upper-cased). */
const holds = (text, secret) => text.toLowerCase().includes(secret.toLowerCase());

function assertClean(label, error) {
  for (const [what, text] of views(error)) {
    for (const secret of secrets()) {
      assert.ok(!holds(text, secret), `${label}: ${what} contains a secret (${secret.slice(0, 6)}…): ${text.slice(0, 300)}`);
    }
  }
}

/** Runs a call; an error is collected (and must be a YunxiaoError); returns the outcome. */
async function collect(label, promise) {
  const got = await outcome(promise);
  if ('error' in got) {
    assert.ok(got.error instanceof y.YunxiaoError, `${label}: not a YunxiaoError: ${got.error}`);
    errors.push({ label, error: got.error });
  }
  return got;
}

// -- a fetch that records signatures (and can turn into an echoing server) ------------------------
// `auth` is the call's credential: an echoing server returns the call's own AccessKey secret
// too (a server never sees it; this stands for a proxy or log that somehow has it).
function wiretap({ echo, auth = {} } = {}) {
  const seen = []; // material of this call so far: signatures and tokens, in order
  let n = 0;
  const fetch = async (url, init) => {
    const headers = new Headers(init?.headers);
    const signature = signatureOf(headers.get('authorization'));
    if (signature) signatures.add(signature);
    for (const value of [signature, headers.get('x-acs-security-token'), headers.get('x-yunxiao-token')]) if (value) seen.push(value);
    let target = String(url);
    if (echo) {
      // "A server that echoes": the scenario is written after the request's secrets are known.
      const material = [...new Set([...seen, auth.accessKeySecret].filter(Boolean))];
      const id = `echo-${process.hrtime.bigint()}-${++n}`;
      const prefix = await emu.scenario(id, [echo(material, n)]);
      target = target.replace(emu.url, prefix);
    }
    return globalThis.fetch(target, init);
  };
  return { fetch, seen };
}

const AUTHS = [
  ['V3', { ...AK }],
  ['V1', { ...AK, signatureVersion: 'v1' }],
  ['STS V3', { ...STS }],
  ['STS V1', { ...STS, signatureVersion: 'v1' }],
  ['token', { token: TOKEN, edition: 'center' }],
];

// -- 1. the recorder sees the real signatures ---------------------------------------------------
test('the wiretap records the signatures that really went out (checked against the emulator\'s string to sign)', async () => {
  for (const [label, auth, algorithm, encoding] of [['V3', { ...AK }, 'sha256', 'hex'], ['V1', { ...AK, signatureVersion: 'v1' }, 'sha1', 'base64']]) {
    const tap = wiretap();
    const id = `verify-${label}`;
    const endpoint = await emu.scenario(id, [{ action: 'normal' }]);
    await y.listPipelineJobs(ORG, PIPELINE, { endpoint, ...auth, fetch: tap.fetch });
    const [logged] = await emu.requests(id);
    assert.equal(logged.verification.ok, true);
    const expected = createHmac(algorithm, AK.accessKeySecret).update(logged.verification.stringToSign).digest(encoding);
    assert.equal(tap.seen[0], expected, label);
  }
});

// -- 2. every fault scenario, for every credential kind ---------------------------------------
const html = '<html><body><h1>502 Bad Gateway</h1></body></html>';
const FAULTS = [
  ['reset before headers', [{ action: 'reset-before-headers' }]],
  ['reset mid-body', [{ action: 'reset-mid-body' }]],
  ['truncated', [{ action: 'truncate', bytes: 30 }]],
  ['body never ends', [{ action: 'hang-body' }], { timeoutMs: 300 }],
  ['no answer, retried', [{ action: 'hang' }], { timeoutMs: 200, maxRetries: 1 }, { after: 'repeat-last' }],
  ['429', [{ action: 'respond', status: 429, headers: { 'retry-after': '7' }, json: { Code: 'Throttling.User', Message: 'slow down' } }]],
  ['500 forever, 3 attempts', [{ action: 'respond', status: 500, headers: { 'x-acs-retry-after': '5' }, body: 'oops' }], { maxRetries: 2 }, { after: 'repeat-last' }],
  ['502 HTML', [{ action: 'respond', status: 502, body: html, contentType: 'text/html' }]],
  ['200 success:false', [{ action: 'respond', status: 200, json: { requestId: 'R', success: false, errorCode: 'InvalidPipeline.NotFound', errorMessage: 'nope' } }]],
  ['200 empty', [{ action: 'respond', status: 200, body: '' }]],
  ['HTML labelled JSON', [{ action: 'respond', status: 200, body: html, contentType: 'application/json' }]],
  ['redirect', [{ action: 'redirect', status: 302, location: 'http://127.0.0.1:9/elsewhere' }]],
  ['over maxResponseBytes', [{ action: 'big', count: 20_000 }], { maxResponseBytes: 50_000, timeoutMs: 10_000 }],
  ['duplicate keys', [{ action: 'respond', body: '{"requestId":"R","success":true,"jobs":[{"identifier":"a","identifier":"b"}]}', contentType: 'application/json' }]],
  ['invalid UTF-8', [{ action: 'respond', bodyBase64: Buffer.from([0x7b, 0xff, 0x7d]).toString('base64'), contentType: 'application/json' }]],
  ['clock skew that persists', [{ action: 'respond', status: 400, json: { Code: 'InvalidTimeStamp.Expired', Message: 'expired' } }], {}, { after: 'repeat-last' }],
  ['deadline', [{ action: 'respond', status: 503, headers: { 'x-acs-retry-after': '50' }, json: {} }, { action: 'hang' }], { maxRetries: 3, deadlineMs: 400, timeoutMs: 5000 }],
];

for (const [authLabel, auth] of AUTHS) {
  test(`${authLabel}: every fault scenario's error is free of secrets and signatures`, async () => {
    for (const [label, steps, options = {}, extra = {}] of FAULTS) {
      const tap = wiretap();
      const endpoint = await emu.scenario(`f-${authLabel.replace(/\W/g, '')}-${label.replace(/\W/g, '')}`, steps, extra);
      const got = await collect(`${authLabel} / ${label}`, y.listPipelineJobs(ORG, PIPELINE, { endpoint, ...auth, maxRetries: 0, timeoutMs: 800, fetch: tap.fetch, ...options }));
      assert.ok('error' in got, `${label}: resolved`);
      if (authLabel !== 'token') assert.ok(tap.seen.length >= 1, `${label}: no signature recorded`);
      assertClean(`${authLabel} / ${label}`, got.error);
    }
    await assertStillWorks(y, emu.url);
  });
}

test('authentication failures (wrong secret, wrong token, expired STS, unsigned) are free of secrets', async () => {
  const cases = [
    // The emulator echoes its string to sign on SignatureDoesNotMatch; for V1 + STS that
    // string carries the security token in clear.
    ['wrong secret V3', { ...AK, accessKeySecret: WRONG_SECRET }, 'SignatureDoesNotMatch'],
    ['wrong secret V1', { ...AK, accessKeySecret: WRONG_SECRET, signatureVersion: 'v1' }, 'SignatureDoesNotMatch'],
    ['STS V1, wrong secret (echoes the token)', { ...STS, accessKeySecret: WRONG_SECRET, signatureVersion: 'v1' }, 'SignatureDoesNotMatch'],
    ['STS V3, wrong secret', { ...STS, accessKeySecret: WRONG_SECRET }, 'SignatureDoesNotMatch'],
    ['STS, wrong token', { ...STS, securityToken: WRONG_TOKEN }, 'InvalidSecurityToken.Malformed'],
    ['expired STS', { accessKeyId: 'STS.EmuExpiredKey0003', accessKeySecret: 'EmuExpiredSecret0003', securityToken: 'EmuExpiredToken0003' }, 'InvalidSecurityToken.Expired'],
    ['wrong token', { token: WRONG_TOKEN, edition: 'center' }, 'Unauthorized'],
    ['outsider token', { token: 'pt-EmuOutsiderToken0005', edition: 'center' }, 'Forbidden.UserNotInCurrentOrganization'],
  ];
  for (const [label, auth, code] of cases) {
    const tap = wiretap();
    const got = await collect(label, y.listPipelineJobs(ORG, PIPELINE, { endpoint: emu.url, ...auth, maxRetries: 0, fetch: tap.fetch }));
    assert.equal(got.error?.code, code, `${label}: ${got.error?.message}`);
    if (label.includes('echoes the token')) assert.match(got.error.message, /\[REDACTED\]/, 'the echoed token was there, and redacted');
    assertClean(label, got.error);
    for (const extra of ['EmuExpiredSecret0003', 'EmuExpiredToken0003']) assert.ok(!String(got.error.message).includes(extra));
  }
});

// -- 3. servers that echo everything back -------------------------------------------------------
const joined = (m) => m.join(' | ');
const escaped = (s) => [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
const ECHOES = [
  ['gateway Message', (m) => ({ action: 'respond', status: 400, json: { RequestId: 'R-E1', Code: 'SignatureDoesNotMatch', Message: `server string to sign is: ${joined(m)}` } })],
  ['envelope errorMessage (200, success:false)', (m) => ({ action: 'respond', status: 200, json: { requestId: 'R-E2', success: false, errorCode: 'InvalidUser.NotFound', errorMessage: joined(m) } })],
  ['token-API style errorMessage', (m) => ({ action: 'respond', status: 403, json: { errorCode: 'Forbidden.UserNotInCurrentOrganization', errorMessage: joined(m) } })],
  ['Code = the signature / token', (m) => ({ action: 'respond', status: 400, json: { Code: m[0], Message: 'm' } })],
  ['errorCode = the secret', (m) => ({ action: 'respond', status: 200, json: { success: false, errorCode: m.at(-1), errorMessage: 'x', requestId: 'R' } })],
  ['RequestId in the body', (m) => ({ action: 'respond', status: 500, json: { Code: 'InternalError', RequestId: m[0], Message: 'x' } })],
  ['x-acs-request-id header', (m) => ({ action: 'respond', status: 502, headers: { 'x-acs-request-id': m[0] }, body: 'bad gateway' })],
  ['x-request-id header', (m) => ({ action: 'respond', status: 404, headers: { 'x-request-id': m[0] }, body: '{}', contentType: 'application/json' })],
  ['JSON-escaped Message (\\uXXXX)', (m) => ({ action: 'respond', status: 400, body: `{"Code":"X","Message":"${m.map(escaped).join(' ')}"}`, contentType: 'application/json' })],
  ['Message repeating the secrets', (m) => ({ action: 'respond', status: 400, json: { Code: 'X', Message: `${joined(m)} `.repeat(200) } })],
  ['secrets glued to other text', (m) => ({ action: 'respond', status: 400, json: { Code: 'X', Message: m.map((s) => `x${s}y`).join('') } })],
  ['429 Message + Retry-After', (m) => ({ action: 'respond', status: 429, headers: { 'retry-after': '3', 'x-acs-request-id': m[0] }, json: { Code: 'Throttling', Message: joined(m) } })],
  ['HTML 502 page', (m) => ({ action: 'respond', status: 502, body: `<html><pre>${joined(m)}</pre></html>`, contentType: 'text/html' })],
  ['redirect location + request id', (m) => ({ action: 'redirect', status: 307, location: `http://127.0.0.1:9/${encodeURIComponent(m[0])}` })],
  ['200 with a broken job and the secret as requestId', (m) => ({ action: 'respond', status: 200, headers: { 'x-acs-request-id': m[0] }, json: { requestId: m.at(-1), success: true, jobs: [{ identifier: 5 }] } })],
];

for (const [authLabel, auth] of AUTHS) {
  test(`${authLabel}: servers echoing the secret, the token and the signature in every field`, async () => {
    for (const [label, echo] of ECHOES) {
      const tap = wiretap({ echo, auth });
      const got = await collect(`${authLabel} / echo ${label}`, y.listPipelineJobs(ORG, PIPELINE, { endpoint: emu.url, ...auth, maxRetries: 0, fetch: tap.fetch }));
      assert.ok('error' in got, `${label}: resolved`);
      if (label.includes('Message') || label.includes('errorMessage')) {
        assert.match(got.error.message, /\[REDACTED\]/, `${label}: the echo reached the message, redacted`);
      }
      assertClean(`${authLabel} / echo ${label}`, got.error);
    }
    // With retries: the last answer echoes the signatures of every attempt so far.
    const tap = wiretap({
      auth,
      echo: (m, n) => n < 3
        ? { action: 'respond', status: 503, headers: { 'x-acs-retry-after': '5' }, json: { Code: 'ServiceUnavailable', Message: joined(m) } }
        : { action: 'respond', status: 400, json: { Code: 'SignatureDoesNotMatch', Message: joined(m), RequestId: m[0] } },
    });
    const got = await collect(`${authLabel} / echo across retries`, y.listPipelineJobs(ORG, PIPELINE, { endpoint: emu.url, ...auth, maxRetries: 3, fetch: tap.fetch }));
    assert.equal(got.error?.attempts, 3);
    assertClean(`${authLabel} / echo across retries`, got.error);
    await assertStillWorks(y, emu.url);
  });
}

// -- 4. errors raised on our side ----------------------------------------------------------------
test('InvalidArgumentError never repeats a secret option\'s value', async () => {
  const cases = [
    { token: `${TOKEN}\r\nX-Evil: 1` },
    { token: `${TOKEN}\u0000` },
    { token: `é${TOKEN}` },
    { ...AK, securityToken: `${STS.securityToken}\nX: 1` },
    { ...AK, token: TOKEN },
    { accessKeySecret: AK.accessKeySecret },
    { securityToken: STS.securityToken },
    { ...AK, signatureVersion: AK.accessKeySecret },
    { ...AK, timeoutMs: AK.accessKeySecret },
    { ...AK, userAgent: `${AK.accessKeySecret}\r\n` },
  ];
  for (const options of cases) {
    const got = await collect(`bad options ${Object.keys(options)}`, y.listPipelineJobs(ORG, PIPELINE, { endpoint: emu.url, ...options }));
    assert.ok(got.error instanceof y.InvalidArgumentError, String(got.error));
    assertClean(`bad options ${Object.keys(options)}`, got.error);
  }
  const client = new y.YunxiaoClient({ ...STS, endpoint: emu.url });
  for (const view of [inspect(client, { showHidden: true, depth: 10 }), JSON.stringify(client), String(client)]) {
    for (const secret of STATIC_SECRETS) assert.ok(!view.includes(secret), 'the client object shows a secret');
  }
});

test('a custom fetch whose errors quote the request (Authorization, token headers): redacted', async () => {
  const quoting = (mode, auth) => async (url, init) => {
    const h = new Headers(init.headers);
    const signature = signatureOf(h.get('authorization'));
    if (signature) signatures.add(signature);
    const text = `${h.get('authorization')} ${h.get('x-acs-security-token')} ${h.get('x-yunxiao-token')} ${auth.accessKeySecret}`;
    if (mode === 'throw') throw new Error(text);
    if (mode === 'string') return Promise.reject(text);
    return Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: signature ?? h.get('x-yunxiao-token') } }));
  };
  for (const [authLabel, auth] of AUTHS) {
    for (const mode of ['throw', 'string', 'cause']) {
      const got = await collect(`${authLabel} fetch ${mode}`, y.listPipelineJobs(ORG, PIPELINE, { endpoint: emu.url, ...auth, maxRetries: 1, fetch: quoting(mode, auth) }));
      assert.ok(got.error instanceof y.NetworkError, String(got.error));
      assertClean(`${authLabel} fetch ${mode}`, got.error);
    }
  }
});

test('a secret cut by the 500-character limit on fetch error text does not leak a prefix', async () => {
  // The detail is "fetch failed: <message>" (the fetch rejects), redacted, then cut to 500
  // characters. Pad the message so the cut falls `keep` characters into the secret: were the
  // cut made before the redaction, those characters would be left behind.
  const LIMIT = 500;
  const PREFIX = 'fetch failed: '.length;
  const secret = AK.accessKeySecret;
  for (const keep of [6, 12, secret.length - 1]) {
    const pad = LIMIT - PREFIX - keep;
    const got = await outcome(y.listPipelineJobs(ORG, PIPELINE, {
      endpoint: emu.url, ...AK, maxRetries: 0, fetch: async () => { throw new Error('x'.repeat(pad) + secret); },
    }));
    assert.ok(got.error.message.includes(`fetch failed: ${'x'.repeat(pad)}`), `keep ${keep}: the padding reached the message`);
    assert.ok(!got.error.message.includes(secret.slice(0, 6)), `keep ${keep}: ${got.error.message.slice(-40)}`);
  }
});

test('a secret given with spaces around it is refused before any request, and the error holds none of it', async () => {
  // HTTP trims header values, so the server would see (and may echo) another value than the
  // one signed, and a padded secret signs with a key the server does not have: the package
  // refuses such a credential (InvalidArgumentError naming the option).
  let requests = 0;
  const fetch = async () => {
    requests++;
    return new Response('{}', { status: 500 });
  };
  const cases = [
    ['token', { token: ` ${TOKEN} `, edition: 'center' }, /token starts or ends with white space/],
    ['STS', { ...STS, securityToken: `  ${STS.securityToken} ` }, /securityToken starts or ends with white space/],
    // Never sent, only signed with: the server has no key with a space in it.
    ['AccessKey secret', { ...AK, accessKeySecret: `${AK.accessKeySecret} ` }, /accessKeySecret starts or ends with white space/],
    // Read from a file, with its newline (or a tab pasted along).
    ['AccessKey secret + newline', { ...AK, accessKeySecret: `${AK.accessKeySecret}\n` }, /accessKeySecret starts or ends with white space/],
    ['AccessKey secret + tab', { ...AK, accessKeySecret: `\t${AK.accessKeySecret}` }, /accessKeySecret starts or ends with white space/],
  ];
  for (const [label, auth, message] of cases) {
    const got = await collect(`padded ${label}`, y.listPipelineJobs(ORG, PIPELINE, { endpoint: 'http://127.0.0.1:9', ...auth, maxRetries: 0, fetch }));
    assert.ok(got.error instanceof y.InvalidArgumentError, String(got.error));
    assert.match(got.error.message, message);
    assertClean(`padded ${label}`, got.error);
  }
  assert.equal(requests, 0);
});

test('a base64 STS token echoed percent-encoded or JSON-escaped is redacted too', async () => {
  const token = 'CAIS/Fake+Token=0001abcd';
  // Lower-case hex too: .NET's HttpUtility.UrlEncode writes %2f.
  const lower = encodeURIComponent(token).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase());
  const forms = [token, encodeURIComponent(token), encodeURIComponent(encodeURIComponent(token)), token.replaceAll('/', '\\/'), lower, encodeURIComponent(lower)];
  const echo = async () => new Response(JSON.stringify({ Code: 'SignatureDoesNotMatch', Message: `string to sign: ${forms.join(' | ')}` }), { status: 400 });
  const got = await outcome(y.listPipelineJobs(ORG, PIPELINE, { endpoint: 'http://127.0.0.1:9', ...STS, securityToken: token, maxRetries: 0, fetch: echo }));
  assert.ok(got.error instanceof y.AuthenticationError, String(got.error));
  const text = `${got.error.message} ${inspect(got.error)}`;
  for (const [i, form] of forms.entries()) assert.ok(!text.includes(form), `form ${i} of the token is in the error`);
  assert.match(got.error.message, /string to sign: \[REDACTED\]( \| \[REDACTED\]){5} \(HTTP 400\)$/);
});

/** `text` with every UTF-8 byte percent-encoded, unreserved ones too, hex case alternating. */
const overEscaped = (text) => [...Buffer.from(text)].map((b, i) => `%${b.toString(16).padStart(2, '0')[i % 2 ? 'toUpperCase' : 'toLowerCase']()}`).join('');

test('a secret echoed in any mix of escapes or re-cased, or overlapping another, is redacted whole', async () => {
  // The STS token ends with the character the AccessKey secret starts with: a server may send
  // the two as one (a signature starting with a token's last character, in the wild).
  const auth = { ...STS, accessKeySecret: 'QstsSecret-overlap-01', securityToken: 'CAIS/Overlap+Token=Q' };
  const sent = [];
  const echo = async (url, init) => {
    const signature = signatureOf(new Headers(init.headers).get('authorization'));
    signatures.add(signature);
    const forms = [auth.accessKeySecret, auth.securityToken, signature].flatMap((secret) => [
      secret.toUpperCase(), secret.toLowerCase(), overEscaped(secret), encodeURIComponent(overEscaped(secret)),
      // Partly escaped, and as JSON escapes in text that is not parsed again.
      secret.slice(0, 4) + overEscaped(secret.slice(4, 8)) + secret.slice(8), [...secret].map((c) => `\\u00${c.charCodeAt(0).toString(16)}`).join(''),
    ]);
    forms.push(`${auth.securityToken}${auth.accessKeySecret.slice(1)}`, `${auth.securityToken.slice(0, -1)}${auth.accessKeySecret}`);
    sent.push(...forms);
    return new Response(JSON.stringify({ Code: 'SignatureDoesNotMatch', Message: `echo: ${forms.join(' | ')}` }), { status: 400 });
  };
  const got = await collect('echo in any mix', y.listPipelineJobs(ORG, PIPELINE, { endpoint: 'http://127.0.0.1:9', ...auth, maxRetries: 0, fetch: echo }));
  assert.ok(got.error instanceof y.AuthenticationError, String(got.error));
  assert.equal(got.error.message, `SignatureDoesNotMatch: echo: ${Array(sent.length).fill('[REDACTED]').join(' | ')} (HTTP 400)`);
});

test('an argument or option that holds a credential by mistake is not quoted back', async () => {
  // Of real lengths: a message shows a refused endpoint or category cut short, which must not
  // cut the credential in it before it is recognised.
  const token = `pt-${'Ab3dE6gH9jK2mN5pQ8'.repeat(4)}`;
  const securityToken = `CAIS${'q8Zx3Pw1Lk9Vb2Nm5Tr7Yh4Jd6Gf0Sa/'.repeat(4)}`;
  STATIC_SECRETS.push(token, securityToken);
  const cases = [
    ['a token in the endpoint\'s query', [ORG, PIPELINE, { token, endpoint: `https://openapi-rdc.aliyuncs.com/oapi/v1/flow?access_token=${token}` }]],
    ['a token in a plain-http endpoint\'s path', [ORG, PIPELINE, { token, endpoint: `http://example.com/${token}` }]],
    ['an STS token as the category', [ORG, PIPELINE, securityToken, { ...STS, securityToken, endpoint: emu.url }]],
    ['a short token in the endpoint\'s query', [ORG, PIPELINE, { token: TOKEN, endpoint: `https://openapi-rdc.aliyuncs.com/?t=${TOKEN}` }]],
  ];
  for (const [label, args] of cases) {
    const got = await collect(label, y.listPipelineJobs(...args));
    assert.ok(got.error instanceof y.InvalidArgumentError, `${label}: ${got.error}`);
    assert.match(got.error.message, /\[REDACTED\]/, `${label}: the value was quoted, redacted`);
    for (const secret of [token, securityToken]) assert.ok(!holds(got.error.message, secret.slice(3, 15)), `${label}: a part of a credential: ${got.error.message}`);
    assertClean(label, got.error);
  }
});

test('a secret spelt in an XML error with padded character references or comments is redacted', async () => {
  const padded = (text) => [...text].map((c, i) => (i % 2 ? `&#00000000${c.codePointAt(0)};` : `${c}<!-- -->`)).join('');
  const xml = `<?xml version="1.0"?><Error><Code>X</Code><Message>token ${padded(TOKEN)}<?pi?></Message></Error>`;
  const fetch = async () => new Response(xml, { status: 400, headers: { 'content-type': 'application/xml' } });
  const got = await collect('xml padded', y.listPipelineJobs(ORG, PIPELINE, { endpoint: 'http://127.0.0.1:9', token: TOKEN, maxRetries: 0, fetch }));
  assert.equal(got.error.message, 'X: token [REDACTED] (HTTP 400)');
});

test('a request id that echoes a secret is redacted in a successful result too', async () => {
  for (const [label, auth, secret] of [['token', { token: TOKEN, edition: 'center' }, TOKEN], ['STS', { ...STS }, STS.securityToken]]) {
    const body = JSON.stringify(label === 'token' ? [] : { requestId: `rid-${secret}`, success: true, jobs: [] });
    const fetch = async () => new Response(body, { status: 200, headers: { 'x-request-id': `rid-${secret}` } });
    const result = await y.listPipelineJobs(ORG, PIPELINE, { endpoint: 'http://127.0.0.1:9', ...auth, fetch });
    assert.equal(result.requestId, 'rid-[REDACTED]', label);
  }
});

test('credentials in an endpoint URL are not repeated in the error', async () => {
  const got = await outcome(y.listPipelineJobs(ORG, PIPELINE, { endpoint: 'https://user:p4ssw0rd-Secret@example.com', ...AK }));
  assert.ok(got.error instanceof y.InvalidArgumentError);
  assert.ok(!got.error.message.includes('p4ssw0rd-Secret'), got.error.message);
});

test('connection refused with every credential kind: free of secrets', async () => {
  const port = await unusedPort();
  for (const [authLabel, auth] of AUTHS) {
    const tap = wiretap();
    const got = await collect(`${authLabel} refused`, y.listPipelineJobs(ORG, PIPELINE, { endpoint: `http://127.0.0.1:${port}`, ...auth, maxRetries: 1, fetch: tap.fetch }));
    assert.ok(got.error instanceof y.NetworkError);
    assertClean(`${authLabel} refused`, got.error);
  }
});

// -- 5. the whole collection, once more, and the console -----------------------------------------
test('every collected error, re-scanned against every signature of the file; the console stayed clean', (t) => {
  t.diagnostic(`${errors.length} errors scanned against ${STATIC_SECRETS.length} secrets and ${signatures.size} signatures`);
  assert.ok(errors.length >= 190, `only ${errors.length} errors collected`);
  assert.ok(signatures.size >= 100, `only ${signatures.size} signatures recorded`);
  for (const { label, error } of errors) assertClean(label, error);
  const text = captured.join('\n');
  for (const secret of secrets()) assert.ok(!holds(text, secret), `console output contains a secret: ${text.slice(0, 300)}`);
  // The package itself prints nothing.
  assert.deepEqual(captured, []);
});

guard.finalTest();
