// Hostile data (issue 5): prototype keys anywhere in a response pollute nothing; hostile ids
// are encoded (or refused) and never change the request line or add a header; plain http://
// to a non-loopback host is refused unless allowInsecureHttp.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as y from '../../pkg/node/index.mjs';
import { AK, ORG, PIPELINE, STS, TOKEN, assertStillWorks, fileEmulator, guardProcess, outcome } from './helpers.mjs';

const guard = guardProcess();
const emu = await fileEmulator();

// -- prototype pollution ----------------------------------------------------------------------
const PROTOTYPES = { Object: Object.prototype, Array: Array.prototype, Function: Function.prototype, String: String.prototype, Error: Error.prototype };
const snapshot = () => Object.fromEntries(Object.entries(PROTOTYPES).map(([k, p]) => [k, Reflect.ownKeys(p).map(String).sort()]));
const BEFORE = snapshot();

function assertNothingPolluted(label) {
  assert.deepEqual(snapshot(), BEFORE, `${label}: a built-in prototype changed`);
  const fresh = {};
  for (const key of ['polluted', 'isAdmin', 'endpoint']) {
    assert.equal(fresh[key], undefined, `${label}: {}.${key}`);
    assert.equal([][key], undefined, `${label}: [].${key}`);
  }
  assert.equal(Object.getPrototypeOf(fresh), Object.prototype);
}

function assertPlain(value, label) {
  // Every object the package hands back is an ordinary object or array.
  const stack = [[value, label]];
  while (stack.length) {
    const [v, at] = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    const proto = Object.getPrototypeOf(v);
    assert.ok(proto === Object.prototype || proto === Array.prototype, `${at} has prototype ${proto?.constructor?.name}`);
    for (const key of Object.keys(v)) stack.push([v[key], `${at}.${key}`]);
  }
}

const P = (o) => JSON.stringify(o);
const POISON = { polluted: 1, isAdmin: true };
const keysJson = (extra = '') =>
  `"__proto__":${P(POISON)},"constructor":{"prototype":${P(POISON)}},"prototype":${P(POISON)}${extra}`;
const paramsText = `{${keysJson()},"nested":[{${keysJson()}}],"deep":{"a":{"__proto__":{"polluted":2}}}}`;

const HOSTILE_BODIES = [
  ['envelope keys', `{${keysJson()},"requestId":"R-P1","success":true,"jobs":[]}`, (r) => assert.deepEqual(r, { requestId: 'R-P1', jobs: [] })],
  ['job object keys', `{"requestId":"R-P2","success":true,"jobs":[{${keysJson()},"identifier":"job_p","jobName":"p"}]}`,
    (r) => assert.deepEqual(Object.keys(r.jobs[0]), ['jobName', 'identifier', 'lastJobId', 'lastJobParams', 'lastJobParamsRaw'])],
  ['lastJobParams keys, nested and in arrays', `{"requestId":"R-P3","success":true,"jobs":[{"identifier":"job_p","lastJobParams":${P(paramsText)}}]}`, (r) => {
    const params = r.jobs[0].lastJobParams;
    assert.deepEqual(Object.keys(params), ['__proto__', 'constructor', 'prototype', 'nested', 'deep']);
    assert.deepEqual(Object.getOwnPropertyDescriptor(params, '__proto__').value, POISON); // plain data
    assert.equal(params.isAdmin, undefined);
    assert.equal(params.nested[0].isAdmin, undefined);
    assert.equal(params.deep.a.polluted, undefined);
    assert.equal(r.jobs[0].lastJobParamsRaw, paramsText);
  }],
  ['lastJobParams {"__proto__": null}', `{"requestId":"R-P4","success":true,"jobs":[{"identifier":"__proto__","jobName":"constructor","lastJobParams":"{\\"__proto__\\":null}"}]}`, (r) => {
    assert.equal(r.jobs[0].identifier, '__proto__');
    assert.equal(Object.getPrototypeOf(r.jobs[0].lastJobParams), Object.prototype);
    assert.ok(Object.hasOwn(r.jobs[0].lastJobParams, '__proto__'));
  }],
  ['escaped key spelling (\\u005f\\u005fproto\\u005f\\u005f)', `{"requestId":"R-P5","success":true,"jobs":[{"identifier":"job_p","lastJobParams":${P('{"\\u005f\\u005fproto\\u005f\\u005f":{"polluted":1}}')}}]}`,
    (r) => assert.ok(Object.hasOwn(r.jobs[0].lastJobParams, '__proto__'))],
  ['token API array elements', `[{${keysJson()},"identifier":"job_t","lastJobParams":${P(paramsText)}}]`, (r) => assert.equal(r.jobs[0].identifier, 'job_t'), { token: TOKEN, edition: 'center' }],
];

for (const [label, body, check, auth = AK] of HOSTILE_BODIES) {
  test(`__proto__ / constructor / prototype in ${label}: plain data, nothing polluted`, async () => {
    const endpoint = await emu.scenario(`proto-${label.replace(/\W/g, '')}`, [{ action: 'respond', body, contentType: 'application/json' }]);
    const result = await y.listPipelineJobs(ORG, PIPELINE, { endpoint, ...auth, maxRetries: 0 });
    check(result);
    assertPlain(result, 'result');
    assertNothingPolluted(label);
    await assertStillWorks(y, emu.url);
  });
}

test('prototype keys in error bodies and in error codes: a normal typed error, nothing polluted', async () => {
  const bodies = [
    [400, `{${keysJson()},"Code":"InvalidParam.ParamNotPresent","Message":"m","RequestId":"R-E"}`, 'BadRequestError', 'InvalidParam.ParamNotPresent'],
    [200, `{${keysJson()},"success":false,"errorCode":"__proto__","errorMessage":"constructor","requestId":"prototype"}`, 'BadRequestError', '__proto__'],
    [400, '{"Code":"constructor","Message":"toString"}', 'BadRequestError', 'constructor'],
    [403, '{"errorCode":"hasOwnProperty","errorMessage":"x"}', 'ForbiddenError', 'hasOwnProperty'],
  ];
  for (const [status, body, name, code] of bodies) {
    const endpoint = await emu.scenario(`proto-err-${code}`, [{ action: 'respond', status, body, contentType: 'application/json' }]);
    const got = await outcome(y.listPipelineJobs(ORG, PIPELINE, { endpoint, ...AK, maxRetries: 0 }));
    assert.ok(got.error instanceof y.YunxiaoError, String(got.error));
    assert.deepEqual([got.error.name, got.error.code], [name, code]);
    assert.ok(got.error instanceof y[name]);
    assertNothingPolluted(code);
  }
  for (const code of ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf']) {
    assert.equal(await y.errorCodeInfo(code), null, code);
  }
  await assertStillWorks(y, emu.url);
});

test('options objects with inherited or prototype-ish keys', async () => {
  // `__proto__` given as an own key (e.g. from JSON.parse) is not an option.
  const options = JSON.parse(`{"__proto__":{"endpoint":"http://example.com","allowInsecureHttp":true},"maxRetries":0}`);
  const result = await y.listPipelineJobs(ORG, PIPELINE, { ...options, endpoint: emu.url, ...AK });
  assert.equal(result.jobs.length, 4);
  assertNothingPolluted('options');
});

test('a polluted Object.prototype does not redirect calls or swap fetch (options are read as own properties)', async () => {
  const attacker = await fileEmulator();
  let stolen = 0;
  try {
    Object.prototype.endpoint = attacker.url;
    Object.prototype.fetch = (url, init) => {
      stolen++;
      return globalThis.fetch(url, init);
    };
    await outcome(y.listPipelineJobs(ORG, PIPELINE, { ...AK, maxRetries: 0, timeoutMs: 500 }));
  } finally {
    delete Object.prototype.endpoint;
    delete Object.prototype.fetch;
  }
  assert.equal(stolen, 0, 'the inherited fetch saw the signed request');
  assert.deepEqual(await attacker.requests(), [], 'the inherited endpoint received the signed request');
});

// -- hostile ids ---------------------------------------------------------------------------
const HOSTILE_IDS = [
  ['../../admin', '..%2F..%2Fadmin'],
  ['a/b', 'a%2Fb'],
  ['%2e%2e', '%252e%252e'],
  ['..%2f..', '..%252f..'],
  ['a\r\nX-Evil: 1', 'a%0D%0AX-Evil%3A%201'],
  ['a\nX-Evil: 1', 'a%0AX-Evil%3A%201'],
  ['%0d%0aX-Evil:%201', '%250d%250aX-Evil%3A%25201'],
  ['a\u0000b', 'a%00b'],
  ['a%00b', 'a%2500b'],
  ['?x=1#y', '%3Fx%3D1%23y'],
  ['a b', 'a%20b'],
  ['a\\b', 'a%5Cb'],
  ['//evil.example', '%2F%2Fevil.example'],
  ['http://evil.example/', 'http%3A%2F%2Fevil.example%2F'],
  ['\u2028é😀', '%E2%80%A8%C3%A9%F0%9F%98%80'],
];
const CLASSIC = (org, pipeline) => `/organization/${org}/pipeline/${pipeline}/jobs?category=DEPLOY`;
const TOKEN_API = (org, pipeline) => `/oapi/v1/flow/organizations/${org}/pipelines/${pipeline}/listTasksByCategory/DEPLOY`;

async function headerNamesOfANormalCall(auth) {
  const id = `baseline-${Object.keys(auth).join('')}-${auth.signatureVersion ?? ''}`;
  const endpoint = await emu.scenario(id, [{ action: 'normal' }]);
  await y.listPipelineJobs(ORG, PIPELINE, { endpoint, ...auth });
  const [request] = await emu.requests(id);
  return Object.keys(request.headers).sort();
}

for (const [apiLabel, auth, pathOf, method] of [
  ['classic V3', { ...AK }, CLASSIC, 'POST'],
  ['classic V1 + STS', { ...STS, signatureVersion: 'v1' }, CLASSIC, 'POST'],
  ['token API', { token: TOKEN, edition: 'center' }, TOKEN_API, 'GET'],
]) {
  test(`${apiLabel}: hostile ids are percent-encoded as one segment; the request line and headers are unchanged`, async () => {
    const baseline = await headerNamesOfANormalCall(auth);
    let n = 0;
    for (const [id, encoded] of HOSTILE_IDS) {
      for (const [which, org, pipeline, expectedPath, code] of [
        ['organizationId', id, PIPELINE, pathOf(encoded, PIPELINE), 'InvalidOrganization.NotFound'],
        ['pipelineId', ORG, id, pathOf(ORG, encoded), 'InvalidPipeline.NotFound'],
      ]) {
        const scenario = `ids-${apiLabel.replace(/\W/g, '')}-${++n}`;
        const endpoint = await emu.scenario(scenario, [{ action: 'normal' }]);
        const got = await outcome(y.listPipelineJobs(org, pipeline, { endpoint, ...auth, maxRetries: 0 }));
        assert.equal(got.error?.code, code, `${which} ${JSON.stringify(id)}: ${got.error?.message}`);
        const requests = await emu.requests(scenario);
        assert.equal(requests.length, 1);
        const [request] = requests;
        assert.equal(request.method, method);
        assert.equal(request.path, `/_s/${scenario}${expectedPath}`, `${which} ${JSON.stringify(id)}`);
        assert.deepEqual(Object.keys(request.headers).sort(), baseline, `${which} ${JSON.stringify(id)}: the header set changed`);
        assert.ok(!Object.keys(request.headers).some((h) => h.includes('evil')));
        if (request.verification) assert.equal(request.verification.ok, true, 'signed over the encoded path');
      }
    }
    await assertStillWorks(y, emu.url);
  });
}

test('ids that would be dot segments, unpaired surrogates or non-ids are refused before any request', async () => {
  const scenario = 'ids-refused';
  const endpoint = await emu.scenario(scenario, [{ action: 'normal' }]);
  const cases = [
    ['.', PIPELINE], ['..', PIPELINE], [ORG, '.'], [ORG, '..'], ['', PIPELINE], [ORG, ''],
    ['\ud800', PIPELINE], [ORG, 'a\udfffb'], [ORG, 'x\ud800'], [ORG, '\ude00\ud83d'], [ORG, -1], [ORG, 1.5], [ORG, 2 ** 53], [ORG, NaN], [ORG, {}], [ORG, ['1']], [Symbol('x'), PIPELINE],
  ];
  for (const [org, pipeline] of cases) {
    const got = await outcome(y.listPipelineJobs(org, pipeline, { endpoint, ...AK }));
    assert.ok(got.error instanceof y.InvalidArgumentError, `${String(org)} / ${String(pipeline)}: ${got.error}`);
    assert.deepEqual([got.error.code, got.error.status, got.error.attempts], ['InvalidArgument', 0, 0]);
  }
  for (const category of ['de\r\nploy', 'DEPLOY\u0000', '../x', 'a/b', 'DEPLOY?x=1', '']) {
    const got = await outcome(y.listPipelineJobs(ORG, PIPELINE, category, { endpoint, ...AK }));
    assert.ok(got.error instanceof y.InvalidArgumentError, `category ${JSON.stringify(category)}: ${got.error}`);
  }
  for (const userAgent of ['x\r\nX-Evil: 1', 'x\u0000', 'x\ny']) {
    const got = await outcome(y.listPipelineJobs(ORG, PIPELINE, { endpoint, ...AK, userAgent }));
    assert.ok(got.error instanceof y.InvalidArgumentError, `userAgent ${JSON.stringify(userAgent)}: ${got.error}`);
  }
  assert.deepEqual(await emu.requests(scenario), []);
  // A well-formed surrogate pair (an emoji) or a literal U+FFFD is no lone surrogate: those
  // calls go out.
  for (const pipeline of ['a\ud83d\ude00b', '\ufffdb']) {
    const got = await outcome(y.listPipelineJobs(ORG, pipeline, { endpoint, ...AK }));
    assert.ok(!(got.error instanceof y.InvalidArgumentError), String(got.error));
  }
  assert.equal((await emu.requests(scenario)).length, 2);
  await assertStillWorks(y, emu.url);
});

// -- plain http:// --------------------------------------------------------------------------
test('plain http:// to a non-loopback host is refused (no fetch at all) unless allowInsecureHttp', async () => {
  const calls = [];
  const fetch = async (url) => {
    calls.push(String(url));
    return new Response('{"requestId":"R-H","success":true,"jobs":[]}', { status: 200 });
  };
  const refused = [
    'http://example.com', 'HTTP://example.com', 'http://10.0.0.1', 'http://192.168.1.1:8080', 'http://0.0.0.0',
    'http://[::2]', 'http://[::ffff:127.0.0.1]', 'http://localhost.evil.example', 'http://127.0.0.1.nip.io',
  ];
  for (const endpoint of refused) {
    calls.length = 0;
    const got = await outcome(y.listPipelineJobs(ORG, PIPELINE, { endpoint, ...AK, fetch }));
    assert.ok(got.error instanceof y.InvalidArgumentError, `${endpoint}: ${got.error ?? 'resolved'}`);
    assert.deepEqual([got.error.attempts, calls.length], [0, 0], endpoint);
    const allowed = await outcome(y.listPipelineJobs(ORG, PIPELINE, { endpoint, ...AK, fetch, allowInsecureHttp: true }));
    assert.ok(!allowed.error, `${endpoint} with allowInsecureHttp: ${allowed.error}`);
    // As WHATWG URL writes it (an IPv6 host in its RFC 5952 form), which is what fetch sends.
    assert.ok(calls[0].startsWith(new URL(endpoint).href.replace(/\/$/, '')), calls[0]);
  }
  for (const endpoint of ['http://127.0.0.1', 'http://127.0.0.2:8080', 'http://localhost', 'http://LOCALHOST', 'http://[::1]', 'https://example.com']) {
    calls.length = 0;
    const got = await outcome(y.listPipelineJobs(ORG, PIPELINE, { endpoint, ...AK, fetch }));
    assert.ok(!got.error, `${endpoint}: ${got.error}`);
    assert.equal(calls.length, 1);
  }
  // Obfuscated or ambiguous forms are refused even with allowInsecureHttp.
  for (const endpoint of ['http://0x7f000001', 'http://2130706433', 'http://127.1', 'http://user:pw@127.0.0.1', 'http://127.0.0.1@evil.example', 'http://127.0.0.1\\@evil.example', 'http://127.0.0.1#@evil.example', 'javascript:alert(1)', 'file:///etc/passwd', ' http://127.0.0.1']) {
    const got = await outcome(y.listPipelineJobs(ORG, PIPELINE, { endpoint, ...AK, fetch, allowInsecureHttp: true }));
    assert.ok(got.error instanceof y.InvalidArgumentError, `${endpoint}: ${got.error ?? 'resolved'}`);
  }
  for (const allowInsecureHttp of ['true', 1, {}]) {
    const got = await outcome(y.listPipelineJobs(ORG, PIPELINE, { endpoint: 'http://example.com', ...AK, fetch, allowInsecureHttp }));
    assert.ok(got.error instanceof y.InvalidArgumentError, `allowInsecureHttp ${JSON.stringify(allowInsecureHttp)}`);
  }
  await assertStillWorks(y, emu.url);
});

guard.finalTest();
