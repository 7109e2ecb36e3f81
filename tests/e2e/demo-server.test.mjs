// The demo server without a browser: what it serves, what its proxy refuses, what it relays,
// and its command line (`make demo`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createSigningProxy, decodersForTests, parseProxiedCall } from '../../scripts/signing-proxy.mjs';
import { jsonUnescaped } from '../../js/package/echoes.cjs';
import { startDemoServer, optionsFromEnv } from '../../scripts/demo-server.mjs';
import { ORG, PIPELINE, AK, STS, ROOT, startDemo } from './helpers.mjs';
import { TOKEN } from '../node/helpers.mjs';
import { startEmulator } from '../../emulator/server.mjs';
import { InvalidArgumentError, listPipelineJobs } from '../../pkg/node/index.mjs';

const API = `/api/emulator/organization/${ORG}/pipeline/${PIPELINE}/jobs?category=DEPLOY`;

let demo;
before(async () => {
  demo = await startDemo();
});
after(() => demo?.close());

/** A raw HTTP request (fetch would normalise the path and forbid some headers). */
function raw(path, { method = 'GET', headers = {}, body } = {}) {
  const { port } = new URL(demo.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('serves the page, the browser build and the wasm with the right types; nothing else', async () => {
  const expect = [
    ['/', 'text/html; charset=utf-8'],
    ['/app.js', 'text/javascript; charset=utf-8'],
    ['/style.css', 'text/css; charset=utf-8'],
    ['/favicon.svg', 'image/svg+xml'],
    ['/pkg/web/index.js', 'text/javascript; charset=utf-8'],
    ['/pkg/web/glue_bg.wasm', 'application/wasm'],
  ];
  for (const [path, type] of expect) {
    const r = await raw(path);
    assert.equal(r.status, 200, path);
    assert.equal(r.headers['content-type'], type, path);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
  }
  const page = await raw('/');
  assert.equal(page.headers['content-security-policy'],
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
  assert.equal(page.headers['referrer-policy'], 'no-referrer');
  for (const path of ['/pkg/node/index.mjs', '/../scripts/demo-server.mjs', '/%2e%2e/scripts/demo-server.mjs', '/pkg/web/../../package.json',
    '/..%2f..%2fpackage.json', '/missing.html', '/server.mjs']) {
    assert.equal((await raw(path)).status, 404, path);
  }
  assert.equal((await raw('/', { method: 'POST' })).status, 405);
});

test('every other answer is data: nosniff and a CSP that runs nothing (errors, config, relayed API answers)', async () => {
  const answers = [
    await raw('/missing.html'), await raw('/', { method: 'POST' }), await raw('/', { headers: { host: 'evil.example' } }),
    await raw('/config.json'), await raw(API, { method: 'POST' }),
  ];
  for (const r of answers) {
    assert.equal(r.headers['x-content-type-options'], 'nosniff', String(r.status));
    assert.equal(r.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'", String(r.status));
  }
});

test('an UPSTREAM over plain http must be a loopback address or (*.)localhost, as for the proxy and the package, not a name that looks like one', async () => {
  for (const upstream of ['http://127.attacker.example', 'http://127.0.0.1.nip.io:8090', 'http://example.com', 'http://10.0.0.1']) {
    await assert.rejects(startDemoServer({ port: 0, emulator: false, credentials: AK, upstream }), /UPSTREAM must be https:\/\//, upstream);
  }
  // A user name and password (any `@`) are refused, and not repeated, whatever shape the URL has:
  // a password of digits up to a `/` even parses as a port and a path.
  const password = 'CAIS/Tok+en=Pw01';
  for (const upstream of [`http://x:${TOKEN}@example.com/`, `https://x:${TOKEN}@example.com/`, `http:x:${TOKEN}@example.com/`, `ht tp://x:${TOKEN}@example.com/`,
    `http://x:${password}@example.com/`, 'https://user:1234/CAISpart@example.com', 'htps:user:CAISpart@example.com']) {
    await assert.rejects(startDemoServer({ port: 0, emulator: false, credentials: AK, upstream }), (error) => /must not hold a user name or password/.test(error.message) && !/CAIS|pt-/.test(error.message), upstream);
  }
  // Nor is a credential in a refused one's query or fragment, or in one that does not parse.
  for (const [upstream, message] of [[`http://example.com/x?token=${TOKEN}`, /https:\/\/.*: http:\/\/example\.com\/x$/], [`http://example.com/#${TOKEN}`, /https:\/\/.*: http:\/\/example\.com\/$/],
    [`https://example.com:${TOKEN}/`, /^UPSTREAM is not a URL \(not repeated/], [TOKEN, /^UPSTREAM is not a URL \(not repeated/]]) {
    await assert.rejects(startDemoServer({ port: 0, emulator: false, credentials: AK, upstream }), (error) => message.test(error.message) && !error.message.includes(TOKEN), upstream);
  }
  for (const upstream of ['http://127.0.0.1:1', 'http://127.1:1', 'http://localhost:1', 'http://emu.localhost:1', 'http://[::1]:1', 'https://devops.example.com']) {
    const server = await startDemoServer({ port: 0, emulator: false, credentials: AK, upstream });
    await server.close();
  }
});

test('config.json names the backends and never a credential', async () => {
  const config = JSON.parse((await raw('/config.json')).body);
  assert.equal(config.backends.emulator.available, true);
  assert.equal(config.backends.emulator.organizationId, ORG);
  assert.equal(config.backends.upstream.available, false);
  const text = JSON.stringify(config);
  assert.ok(!text.includes(AK.accessKeySecret) && !text.includes(AK.accessKeyId));
});

test('the proxy forwards one API only, same-origin POSTs only', async () => {
  const json = (r) => JSON.parse(r.body);
  const host = new URL(demo.url).host;
  const cases = [
    [{ method: 'GET' }, API, 405, 'ProxyMethodNotAllowed'],
    [{ method: 'POST', headers: { origin: 'http://evil.example' } }, API, 403, 'ProxyCrossOrigin'],
    [{ method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } }, API, 403, 'ProxyCrossOrigin'],
    // A sibling origin (another port of localhost) is same-site, not same-origin.
    [{ method: 'POST', headers: { 'sec-fetch-site': 'same-site' } }, API, 403, 'ProxyCrossOrigin'],
    [{ method: 'POST' }, '/api/emulator/organization/x/pipeline/1/builds?category=DEPLOY', 400, 'ProxyInvalidRequest'],
    [{ method: 'POST' }, `/api/emulator/organization/${ORG}/pipeline/${PIPELINE}/jobs?category=DEPLOY&x=1`, 400, 'ProxyInvalidRequest'],
    [{ method: 'POST' }, `/api/emulator/organization/${ORG}/pipeline/${PIPELINE}/jobs`, 400, 'ProxyInvalidRequest'],
    [{ method: 'POST' }, `/api/emulator/organization/%E0%A4%A/pipeline/1/jobs?category=DEPLOY`, 400, 'ProxyInvalidRequest'],
    [{ method: 'POST' }, `/api/emulator/_emulator/reset`, 400, 'ProxyInvalidRequest'],
    [{ method: 'POST' }, `/api/nowhere/organization/${ORG}/pipeline/${PIPELINE}/jobs?category=DEPLOY`, 404, 'ProxyUnknownBackend'],
    [{ method: 'POST' }, `/api/upstream/organization/${ORG}/pipeline/${PIPELINE}/jobs?category=DEPLOY`, 503, 'ProxyBackendOff'],
    [{ method: 'POST', body: 'x'.repeat(10_000) }, API, 413, 'ProxyBodyTooLarge'],
  ];
  for (const [options, path, status, code] of cases) {
    const r = await raw(path, options);
    assert.equal(r.status, status, `${options.method} ${path}`);
    assert.equal(json(r).Code, code, `${options.method} ${path}`);
  }
  // DNS rebinding: another host name resolving to 127.0.0.1 is not served at all.
  assert.equal((await raw('/', { headers: { host: `evil.example:${new URL(demo.url).port}` } })).status, 421);
  // A same-origin POST (what the page sends) goes through, and a localhost origin too.
  assert.equal((await raw(API, { method: 'POST', headers: { origin: `http://${host}`, 'sec-fetch-site': 'same-origin' } })).status, 200);
  const local = `localhost:${new URL(demo.url).port}`;
  assert.equal((await raw(API, { method: 'POST', headers: { host: local, origin: `http://${local}` } })).status, 200);
});

test('the proxy relays the API answer: status, request id, body, nothing else', async () => {
  const r = await raw(API.replace(PIPELINE, '999999'), { method: 'POST' });
  assert.equal(r.status, 404);
  const body = JSON.parse(r.body);
  assert.equal(body.errorCode, 'InvalidPipeline.NotFound');
  assert.equal(r.headers['x-acs-request-id'], body.requestId);
  assert.equal(r.headers['cache-control'], 'no-store');
  assert.equal(r.headers['access-control-allow-origin'], undefined, 'the emulator’s CORS headers are not relayed');
  const ok = await raw(API, { method: 'POST' });
  assert.equal(ok.status, 200);
  assert.equal(JSON.parse(ok.body).jobs.length, 4);
});

test('with a personal access token, the demo server relays the token API: the page gets the jobs, the token stays here', async () => {
  const emulator = await startEmulator({ port: 0 });
  const server = await startDemoServer({ port: 0, emulator: false, credentials: { token: TOKEN }, upstream: emulator.url });
  try {
    const config = await (await fetch(`${server.url}/config.json`)).text();
    assert.ok(!config.includes(TOKEN) && JSON.parse(config).backends.upstream.available, config);
    // The page's copy of the package, unsigned, through the proxy; then the package with the token itself.
    const viaProxy = await listPipelineJobs(ORG, PIPELINE, 'DEPLOY', { endpoint: `${server.url}/api/upstream`, maxRetries: 0 });
    const direct = await listPipelineJobs(ORG, PIPELINE, 'DEPLOY', { endpoint: emulator.url, token: TOKEN, maxRetries: 0 });
    assert.deepEqual(viaProxy.jobs, direct.jobs);
    assert.ok(viaProxy.jobs.length > 0 && viaProxy.requestId, JSON.stringify(viaProxy));
    const sent = await (await fetch(`${emulator.url}/_emulator/requests`)).json();
    const paths = sent.map((request) => request.path ?? request.url);
    assert.ok(paths.every((path) => String(path).includes('/oapi/v1/flow/')), JSON.stringify(paths));
    // An error of the token API is relayed as it came, classed the same by the page's package.
    const missing = await listPipelineJobs(ORG, '999999999', 'DEPLOY', { endpoint: `${server.url}/api/upstream`, maxRetries: 0 }).catch((e) => e);
    const missingDirect = await listPipelineJobs(ORG, '999999999', 'DEPLOY', { endpoint: emulator.url, token: TOKEN, maxRetries: 0 }).catch((e) => e);
    assert.equal(missing.name, missingDirect.name, String(missing));
    assert.equal(missing.code, missingDirect.code);
    assert.ok(!String(missing.message).includes(TOKEN));
  } finally {
    await server.close();
    await emulator.close();
  }
  // An echoed token is redacted like a secret; an AccessKey and a token at once is refused.
  const echo = async () => new Response(JSON.stringify({ errorCode: 'Unauthorized', errorMessage: `bad token ${TOKEN}` }), { status: 401, headers: { 'content-type': 'application/json' } });
  const answer = await createSigningProxy({ upstream: 'https://openapi-rdc.example.com', credentials: { token: TOKEN }, fetch: echo })({ rawPath: `/organization/${ORG}/pipeline/${PIPELINE}/jobs`, rawQuery: 'category=DEPLOY' });
  assert.equal(answer.status, 401);
  assert.equal(JSON.parse(answer.body).errorMessage, 'bad token [REDACTED]');
  assert.throws(() => createSigningProxy({ upstream: 'https://x.example.com', credentials: { ...AK, token: TOKEN } }), /both an AccessKey and a token/);
  await assert.rejects(startDemoServer({ port: 0, credentials: optionsFromEnv({
    ALIBABA_CLOUD_ACCESS_KEY_ID: AK.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK.accessKeySecret, YUNXIAO_ACCESS_TOKEN: TOKEN,
  }).credentials }), /ALIBABA_CLOUD_ACCESS_KEY_ID, _SECRET, _SECURITY_TOKEN\) and an access token \(YUNXIAO_ACCESS_TOKEN\) are both set/);
  // An STS token alone beside the access token: refused too (it would be ignored).
  await assert.rejects(startDemoServer({ port: 0, credentials: optionsFromEnv({
    ALIBABA_CLOUD_SECURITY_TOKEN: 'sts-token-0001', YUNXIAO_ACCESS_TOKEN: TOKEN,
  }).credentials }), /are both set: give one/);
  // `make demo` with YUNXIAO_ACCESS_TOKEN: the token API's own endpoint by default.
  const { credentials } = optionsFromEnv({ YUNXIAO_ACCESS_TOKEN: TOKEN });
  const byToken = await startDemoServer({ port: 0, emulator: false, credentials });
  try {
    const config = await (await fetch(`${byToken.url}/config.json`)).json();
    assert.deepEqual(config.backends.upstream, { available: true, host: 'openapi-rdc.aliyuncs.com', by: 'token' });
  } finally {
    await byToken.close();
  }
});

test('YUNXIAO_EDITION chooses the token API\'s edition for the demo server (the center edition at an endpoint whose default is the region one); a wrong or misplaced one is refused at start', async () => {
  const emulator = await startEmulator({ port: 0 });
  const { credentials } = optionsFromEnv({ YUNXIAO_ACCESS_TOKEN: TOKEN, YUNXIAO_EDITION: 'center' });
  const server = await startDemoServer({ port: 0, emulator: false, credentials, upstream: emulator.url });
  try {
    const viaProxy = await listPipelineJobs(ORG, PIPELINE, 'DEPLOY', { endpoint: `${server.url}/api/upstream`, maxRetries: 0 });
    assert.ok(viaProxy.jobs.length > 0, JSON.stringify(viaProxy));
    const paths = (await (await fetch(`${emulator.url}/_emulator/requests`)).json()).map((request) => request.path);
    // A loopback endpoint's default is the region edition (no organization in the path).
    assert.deepEqual(paths, [`/oapi/v1/flow/organizations/${ORG}/pipelines/${PIPELINE}/listTasksByCategory/DEPLOY`]);
  } finally {
    await server.close();
    await emulator.close();
  }
  await assert.rejects(startDemoServer({ port: 0, emulator: false, credentials: optionsFromEnv({ YUNXIAO_ACCESS_TOKEN: TOKEN, YUNXIAO_EDITION: 'Center' }).credentials }),
    /^Error: YUNXIAO_EDITION must be center or region, not "Center"$/);
  await assert.rejects(startDemoServer({ port: 0, emulator: false, credentials: optionsFromEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: AK.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK.accessKeySecret, YUNXIAO_EDITION: 'region' }).credentials }),
    /^Error: YUNXIAO_EDITION applies to the token API only: set YUNXIAO_ACCESS_TOKEN too$/);
});

test('createSigningProxy with allow: only the calls it allows are signed; others get 403 ProxyForbidden, and nothing goes upstream', async () => {
  const sent = [];
  const upstream = async (url) => {
    sent.push(url);
    return new Response(JSON.stringify({ requestId: 'R-ALLOW', success: true, jobs: [] }), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  const asked = [];
  const forward = createSigningProxy({
    upstream: 'https://devops.example.com', credentials: AK, fetch: upstream,
    allow: async (call) => {
      asked.push(call);
      return call.organizationId === ORG && call.pipelineId === PIPELINE;
    },
  });
  const allowed = await forward({ rawPath: `/organization/${ORG}/pipeline/${PIPELINE}/jobs`, rawQuery: 'category=DEPLOY' });
  assert.equal(allowed.status, 200);
  const refused = await forward({ rawPath: `/organization/${ORG}/pipeline/999/jobs`, rawQuery: 'category=DEPLOY' });
  assert.equal(refused.status, 403);
  assert.deepEqual(JSON.parse(refused.body), { Code: 'ProxyForbidden', Message: 'this proxy does not sign calls for that pipeline' });
  assert.equal(sent.length, 1);
  assert.deepEqual(asked[1], { organizationId: ORG, pipelineId: '999', category: 'DEPLOY' });
  // Anything but true refuses (a forgotten return is no permission).
  const sloppy = createSigningProxy({ upstream: 'https://devops.example.com', credentials: AK, fetch: upstream, allow: () => 'yes' });
  assert.equal((await sloppy({ rawPath: `/organization/${ORG}/pipeline/${PIPELINE}/jobs`, rawQuery: 'category=DEPLOY' })).status, 403);
  assert.equal(sent.length, 1);
});

test('createSigningProxy: allow sees the category that is signed (trimmed, upper-cased), so re-casing it gets nothing past a rule', async () => {
  const sent = [];
  const upstream = async (url) => {
    sent.push(new URL(url).searchParams.get('category'));
    return new Response(JSON.stringify({ requestId: 'R-CASE', success: true, jobs: [] }), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  const asked = [];
  // A rule that keeps DEPLOY jobs out: `deploy`, ` Deploy ` are DEPLOY all the same.
  const forward = createSigningProxy({ upstream: 'https://devops.example.com', credentials: AK, fetch: upstream, allow: ({ category }) => (asked.push(category), category !== 'DEPLOY') });
  const path = `/organization/${ORG}/pipeline/${PIPELINE}/jobs`;
  // Trimmed as the package's Rust trims (U+0085 too; U+FEFF not, as JS's trim would).
  for (const spelt of ['DEPLOY', 'deploy', '%20Deploy%09', 'dEpLoY', 'DEPLOY%C2%85', '%E3%80%80deploy']) {
    assert.equal((await forward({ rawPath: path, rawQuery: `category=${spelt}` })).status, 403, spelt);
  }
  assert.deepEqual(asked, Array(6).fill('DEPLOY'));
  assert.equal((await forward({ rawPath: path, rawQuery: 'category=build_1' })).status, 200);
  assert.deepEqual([asked.at(-1), sent], ['BUILD_1', ['BUILD_1']]);
  // Not a category once trimmed and upper-cased (only ASCII letters are: `ı` is not `I`): refused before allow.
  for (const bad of ['', '%20', '1X', 'A-B', '%C4%B1', 'X'.repeat(65), '%EF%BB%BFDEPLOY']) {
    const answer = await forward({ rawPath: path, rawQuery: `category=${bad}` });
    assert.deepEqual([answer.status, JSON.parse(answer.body).Code], [400, 'ProxyInvalidRequest'], bad);
    assert.match(JSON.parse(answer.body).Message, /category must match/);
  }
  assert.equal(asked.length, 7);
  assert.deepEqual(parseProxiedCall(path, 'category=%20tests%20'), { organizationId: ORG, pipelineId: PIPELINE, category: 'TESTS', scenario: null });
});

test('createSigningProxy: secrets an upstream echoes are redacted; other headers are dropped', async () => {
  let seenUrl;
  let seenHeaders;
  const hostile = async (url, init) => {
    seenUrl = url;
    seenHeaders = new Headers(init.headers);
    const echo = `${STS.accessKeySecret} ${STS.securityToken}`;
    return new Response(JSON.stringify({ Code: 'SignatureDoesNotMatch', Message: `you sent ${echo}`, RequestId: 'R-1' }), {
      status: 400,
      headers: { 'content-type': 'application/json', 'x-acs-request-id': `R-1 ${STS.securityToken}`, 'set-cookie': 'a=b', location: 'http://x/' },
    });
  };
  const forward = createSigningProxy({ upstream: 'https://devops.example.com/base/', credentials: STS, fetch: hostile });
  const answer = await forward({ rawPath: `/organization/${ORG}/pipeline/${PIPELINE}/jobs`, rawQuery: 'category=DEPLOY' });
  assert.equal(seenUrl, `https://devops.example.com/base/organization/${ORG}/pipeline/${PIPELINE}/jobs?category=DEPLOY`);
  assert.match(seenHeaders.get('authorization'), /^ACS3-HMAC-SHA256 Credential=STS\.EmuStsKey0002,/);
  assert.equal(seenHeaders.get('x-acs-security-token'), STS.securityToken);
  assert.equal(answer.status, 400);
  const text = JSON.stringify({ headers: answer.headers, body: answer.body.toString('utf8') });
  assert.ok(!text.includes(STS.accessKeySecret) && !text.includes(STS.securityToken), text);
  assert.match(answer.body.toString('utf8'), /you sent \[REDACTED\] \[REDACTED\]/);
  assert.deepEqual(Object.keys(answer.headers).sort(), ['content-type', 'x-acs-request-id']);
});

test('createSigningProxy: the request\'s signature, echoed by an upstream, is redacted like a secret', async () => {
  let signature = null;
  const echoing = async (url, init) => {
    signature = /Signature=([0-9a-f]+)$/.exec(new Headers(init.headers).get('authorization'))?.[1];
    const message = `you signed ${signature} (lower ${signature.toLowerCase()})`;
    return new Response(JSON.stringify({ Code: 'SignatureDoesNotMatch', Message: message }), {
      status: 400, headers: { 'content-type': 'application/json', 'x-acs-request-id': `R-${signature}` },
    });
  };
  const answer = await createSigningProxy({ upstream: 'https://devops.example.com', credentials: AK, fetch: echoing })({ rawPath: `/organization/${ORG}/pipeline/${PIPELINE}/jobs`, rawQuery: 'category=DEPLOY' });
  assert.match(signature, /^[0-9a-f]{64}$/);
  assert.equal(answer.status, 400);
  const text = JSON.stringify({ headers: answer.headers, body: answer.body.toString('utf8') });
  assert.ok(!text.includes(signature), text);
  assert.equal(JSON.parse(answer.body).Message, 'you signed [REDACTED] (lower [REDACTED])');
  assert.equal(answer.headers['x-acs-request-id'], 'R-[REDACTED]');
});

test('createSigningProxy: an echo re-cased, over-escaped or overlapping another is redacted whole; an earlier attempt\'s signature too', async () => {
  // The STS token ends with the character the AccessKey secret starts with: sent as one, both go.
  const credentials = { ...STS, accessKeySecret: 'QstsSecret-overlap-01', securityToken: 'CAIS/Overlap+Token=Q' };
  const overEscaped = (text) => [...Buffer.from(text)].map((b, i) => `%${b.toString(16).padStart(2, '0')[i % 2 ? 'toUpperCase' : 'toLowerCase']()}`).join('');
  const signatures = [];
  let sent = [];
  const echoing = async (url, init) => {
    signatures.push(/Signature=([0-9a-f]+)$/.exec(new Headers(init.headers).get('authorization'))[1]);
    if (signatures.length === 1) {
      // A clock an hour off: the package signs the request again with the server's time.
      return new Response(JSON.stringify({ Code: 'InvalidTimeStamp.Expired', Message: 'expired' }), {
        status: 400, headers: { 'content-type': 'application/json', date: new Date(Date.now() + 3_600_000).toUTCString() },
      });
    }
    sent = [credentials.accessKeySecret, credentials.securityToken, ...signatures].flatMap((s) => [s.toUpperCase(), s.toLowerCase(), overEscaped(s), encodeURIComponent(overEscaped(s))]);
    sent.push(`${credentials.securityToken}${credentials.accessKeySecret.slice(1)}`);
    return new Response(JSON.stringify({ Code: 'SignatureDoesNotMatch', Message: `echo: ${sent.join(' | ')}` }), {
      status: 400, headers: { 'content-type': 'application/json', 'x-acs-request-id': signatures[0].toUpperCase() },
    });
  };
  const answer = await createSigningProxy({ upstream: 'https://devops.example.com', credentials, fetch: echoing })({ rawPath: `/organization/${ORG}/pipeline/${PIPELINE}/jobs`, rawQuery: 'category=DEPLOY' });
  assert.equal(signatures.length, 2, 'the request was signed twice');
  assert.equal(answer.status, 400);
  assert.equal(JSON.parse(answer.body).Message, `echo: ${sent.map(() => '[REDACTED]').join(' | ')}`);
  assert.equal(answer.headers['x-acs-request-id'], '[REDACTED]');
});

test('createSigningProxy: a re-cased echo in UTF-16 is not relayed; one right after a JSON escape leaves the JSON whole', async () => {
  const credentials = { ...AK, accessKeySecret: 'NabcSecret-0123456789' };
  const path = { rawPath: `/organization/${ORG}/pipeline/${PIPELINE}/jobs`, rawQuery: 'category=DEPLOY' };
  const answerWith = (body, contentType) => async () => new Response(body, { status: 400, headers: { 'content-type': contentType } });
  const utf16 = Buffer.from(`{"Message":"${credentials.accessKeySecret.toUpperCase()}"}`, 'utf16le');
  for (const bytes of [utf16, Buffer.concat([Buffer.from('x'), utf16]), Buffer.from(utf16).swap16()]) {
    const answer = await createSigningProxy({ upstream: 'https://devops.example.com', credentials, fetch: answerWith(bytes, 'application/json;charset=utf-16') })(path);
    assert.equal(answer.status, 502);
    assert.equal(JSON.parse(answer.body).Code, 'ProxyUpstreamEchoedSecret');
  }
  // An echo that begins or ends inside a JSON escape takes all of it, or the JSON would break:
  // `\n` then the secret without its `N`.
  const body = `{"Code":"X","Message":"line\\n${credentials.accessKeySecret.slice(1)} \\\\${credentials.accessKeySecret}"}`;
  const answer = await createSigningProxy({ upstream: 'https://devops.example.com', credentials, fetch: answerWith(body, 'application/json') })(path);
  assert.equal(answer.status, 400);
  assert.equal(JSON.parse(answer.body).Message, 'line[REDACTED] \\[REDACTED]');
  // A secret starting with a hex digit sent as the last digit of a `\u001X` escape.
  const hexFirst = { ...AK, accessKeySecret: 'bHexSecret-0123456789' };
  const control = `ctl ${String.fromCharCode(0x1b)}${hexFirst.accessKeySecret.slice(1)}`;
  const escapedEcho = await createSigningProxy({ upstream: 'https://devops.example.com', credentials: hexFirst, fetch: answerWith(JSON.stringify({ Code: 'X', Message: control }), 'application/json') })(path);
  assert.equal(JSON.parse(escapedEcho.body).Message, 'ctl [REDACTED]');
  // A secret whose last character is a backslash, JSON-escaped as `\\`.
  const slashEnd = { ...AK, accessKeySecret: 'SlashSecret-0123456789\\' };
  const slashed = await createSigningProxy({ upstream: 'https://devops.example.com', credentials: slashEnd, fetch: answerWith(JSON.stringify({ Code: 'X', Message: `you sent ${slashEnd.accessKeySecret}!` }), 'application/json') })(path);
  assert.equal(JSON.parse(slashed.body).Message, 'you sent [REDACTED]!');
});

test('createSigningProxy: an echoed secret is redacted percent-encoded and JSON-escaped too; in UTF-16 or with \\u escapes, not relayed', async () => {
  // STS tokens are base64: '/', '+' and '=' are what encodings change.
  const credentials = { ...STS, securityToken: 'CAIS/Fake+Token=0001abcd' };
  const token = credentials.securityToken;
  const lowerHex = encodeURIComponent(token).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
  const forms = [token, encodeURIComponent(token), lowerHex, encodeURIComponent(encodeURIComponent(token)), encodeURIComponent(lowerHex), token.replaceAll('/', '\\/'),
    encodeURIComponent(token).replaceAll('%2F', '/'), lowerHex.replaceAll('%2f', '/')]; // `/` left as it is (Python's quote)
  const answerWith = (body, contentType) => async () => new Response(body, {
    status: 400,
    headers: { 'content-type': contentType, 'retry-after': encodeURIComponent(token), 'x-acs-request-id': 'R-2' },
  });
  const path = { rawPath: `/organization/${ORG}/pipeline/${PIPELINE}/jobs`, rawQuery: 'category=DEPLOY' };
  // The JSON text written by hand: the sixth form is the body's own `\/` escape.
  const message = `string to sign: SecurityToken%3D${encodeURIComponent(token)} ${forms.join(' ')}`;
  const echoed = await createSigningProxy({ upstream: 'https://devops.example.com', credentials, fetch: answerWith(`{"Code":"SignatureDoesNotMatch","Message":"${message}"}`, 'application/json') })(path);
  const text = JSON.stringify({ headers: echoed.headers, body: echoed.body.toString('utf8') });
  for (const [i, form] of forms.entries()) assert.ok(!text.includes(form), `form ${i} of the token reached the page`);
  // Relayed, redacted (not refused as a whole, which would hide whether each form was found).
  assert.equal(echoed.status, 400, text);
  assert.equal(JSON.parse(echoed.body).Message, `string to sign: SecurityToken%3D[REDACTED] ${forms.map(() => '[REDACTED]').join(' ')}`);
  assert.equal(echoed.headers['retry-after'], '[REDACTED]', 'the header is relayed, redacted');
  for (const [charset, bytes] of [['utf-16le', (text) => Buffer.from(text, 'utf16le')], ['utf-16be', (text) => Buffer.from(text, 'utf16le').swap16()]]) {
    // A non-ASCII character after the token: read at an odd offset, UTF-16BE text followed by
    // ASCII holds the little-endian bytes too.
    const utf16 = await createSigningProxy({ upstream: 'https://devops.example.com', credentials, fetch: answerWith(bytes(`{"Message":"${token}中"}`), `application/json;charset=${charset}`) })(path);
    assert.equal(utf16.status, 502, charset);
    assert.equal(JSON.parse(utf16.body).Code, 'ProxyUpstreamEchoedSecret', charset);
  }
  // JSON escapes (`=` as \u003d, as Gson writes it; one character of the AccessKey secret):
  // the page's JSON.parse would spell the secret out, so the answer is not relayed.
  const secret = credentials.accessKeySecret;
  for (const escaped of [token.replaceAll('=', '\\u003d').replaceAll('/', '\\/'), token.replaceAll('=', '\\u003D').replaceAll('/', '\\/'), `\\u${secret.charCodeAt(0).toString(16).padStart(4, '0')}${secret.slice(1)}`]) {
    const body = `{"Code":"SignatureDoesNotMatch","Message":"you sent ${escaped}"}`;
    assert.ok(JSON.parse(body).Message.includes(token) || JSON.parse(body).Message.includes(secret), 'the test body must hold a secret once parsed');
    const answer = await createSigningProxy({ upstream: 'https://devops.example.com', credentials, fetch: answerWith(body, 'application/json') })(path);
    assert.equal(answer.status, 502, escaped);
    assert.equal(JSON.parse(answer.body).Code, 'ProxyUpstreamEchoedSecret');
    assert.ok(!answer.body.toString('utf8').includes(secret) && !answer.body.toString('utf8').includes(token));
  }
  // Inside JSON text in a JSON string (as lastJobParams is, which the page parses twice), and
  // one level deeper still (a value holding JSON text of its own).
  const hex = `u${secret.charCodeAt(0).toString(16).padStart(4, '0')}`;
  for (const params of [`{"k":"\\${hex}${secret.slice(1)}"}`, `{"k":"{\\"x\\":\\"\\\\${hex}${secret.slice(1)}\\"}"}`]) {
    const nested = `{"requestId":"R-3","success":true,"jobs":[{"identifier":"a","jobName":"n","lastJobParams":${JSON.stringify(params)}}]}`;
    const k = JSON.parse(JSON.parse(nested).jobs[0].lastJobParams).k;
    assert.equal(k.startsWith('{') ? JSON.parse(k).x : k, secret, 'the test body must hold the secret once parsed');
    const answer = await createSigningProxy({ upstream: 'https://devops.example.com', credentials, fetch: answerWith(nested, 'application/json') })(path);
    assert.equal(answer.status, 502, params);
    assert.equal(JSON.parse(answer.body).Code, 'ProxyUpstreamEchoedSecret');
  }
  // A secret with a character beyond U+FFFF, its halves spelt at two levels (the high one in
  // the answer's JSON, the low one in lastJobParams' JSON): the page's two parses join them.
  // And one with a tab inside, written `\t`.
  for (const odd of ['Sec\u{1F600}retValue0123', 'Sec\tretValue0123']) {
    const oddCredentials = { accessKeyId: 'LTAI5tOther0001', accessKeySecret: odd };
    // lastJobParams' own JSON text: `\uDE00` (or `\t`) as an escape there; the high half a
    // character of it, which the answer's JSON writes as `\ud83d`.
    const params = odd.includes('\t') ? '{"p":"Sec\\tretValue0123"}' : '{"p":"Sec\uD83D\\uDE00retValue0123"}';
    const body = JSON.stringify({ requestId: 'R-6', success: true, jobs: [{ identifier: 'a', jobName: 'n', lastJobParams: params }] });
    assert.equal(JSON.parse(JSON.parse(body).jobs[0].lastJobParams).p, odd, 'the test body must hold the secret once parsed');
    const answer = await createSigningProxy({ upstream: 'https://devops.example.com', credentials: oddCredentials, fetch: answerWith(body, 'application/json') })(path);
    assert.equal(answer.status, 502, odd);
  }
  // A level further can spoil what the level before spelt (`\\u000` + `\u0043AIS…` reads as
  // `\u000CAIS…`, then as U+000C + `AIS…`): every level is checked, not only the last.
  const spoiled = `{"requestId":"R-4","success":true,"jobs":[{"identifier":"a","jobName":"\\\\u000\\u0043${token.slice(1).replaceAll('/', '\\/')}","lastJobParams":""}]}`;
  assert.ok(JSON.parse(spoiled).jobs[0].jobName.includes(token), 'the test body must hold the token once parsed');
  const level = await createSigningProxy({ upstream: 'https://devops.example.com', credentials, fetch: answerWith(spoiled, 'application/json') })(path);
  assert.equal(level.status, 502);
  // A key given twice: JSON.parse keeps the last copy, the package reads the first `message`.
  const twice = `{"Code":"SignatureDoesNotMatch","message":"you sent \\u${secret.charCodeAt(0).toString(16).padStart(4, '0')}${secret.slice(1)}","message":"x"}`;
  assert.equal((await createSigningProxy({ upstream: 'https://devops.example.com', credentials, fetch: answerWith(twice, 'application/json') })(path)).status, 502);
  // Nesting as deep as any: read, and relayed (not a crash of the proxy).
  const deep = `{"Code":"InternalError","Message":"m","Detail":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
  assert.equal((await createSigningProxy({ upstream: 'https://devops.example.com', credentials, fetch: answerWith(deep, 'application/json') })(path)).status, 400);
  // Nested past 16 levels (`\u005c` spells a backslash: 5 bytes a level): refused as such.
  let chain = `\\u${token.charCodeAt(0).toString(16).padStart(4, '0')}${token.slice(1)}`;
  for (let level = 1; level < 18; level++) chain = `\\u005c${chain.slice(1)}`;
  const chained = JSON.stringify({ requestId: 'R-5', success: true, jobs: [{ identifier: 'a', jobName: chain, lastJobParams: '' }] });
  assert.equal((await createSigningProxy({ upstream: 'https://devops.example.com', credentials, fetch: answerWith(chained, 'application/json') })(path)).status, 502);
  // In a relayed header: the page reads the request id as text.
  const escapedId = async () => new Response('{"Code":"X","Message":"m"}', {
    status: 400,
    headers: { 'content-type': 'application/json', 'x-acs-request-id': `\\u${token.charCodeAt(0).toString(16).padStart(4, '0')}${token.slice(1)}` },
  });
  assert.equal((await createSigningProxy({ upstream: 'https://devops.example.com', credentials, fetch: escapedId })(path)).status, 502);
  // Escapes that spell no secret are relayed as they are.
  const plain = '{"Code":"InvalidPipeline.NotFound","Message":"\\u6d41\\u6c34\\u7ebf \\/ not found"}';
  const relayed = await createSigningProxy({ upstream: 'https://devops.example.com', credentials, fetch: answerWith(plain, 'application/json') })(path);
  assert.equal(relayed.status, 400);
  assert.equal(relayed.body.toString('utf8'), plain);
});

test('the proxy\'s decoders (echoes.cjs\'s JSON unescaping, the XML reader): JSON escapes undone as JSON.parse does (generated strings), XML text as the package reads it', () => {
  const { xmlText } = decodersForTests;
  let seed = 11;
  const random = (n) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const hex4 = (unit) => unit.toString(16).padStart(4, '0').split('').map((c) => (random(2) ? c.toUpperCase() : c)).join('');
  const pieces = [
    () => 'a', () => 'Z', () => '=', () => '中', () => '\u{1F600}', () => '\\\\', () => '\\"', () => '\\/',
    () => `\\${'bfnrt'[random(5)]}`, () => `\\u${hex4(random(0x10000))}`, () => `\\u${hex4(0xd800 + random(0x800))}`,
  ];
  for (let k = 0; k < 20_000; k++) {
    let text = '';
    for (let n = random(12); n > 0; n--) text += pieces[random(pieces.length)]();
    assert.equal(jsonUnescaped(text), JSON.parse(`"${text}"`), JSON.stringify(text));
  }
  // What JSON.parse would refuse stays as it is: a backslash at the end, `\u` without 4 hex digits.
  assert.equal(jsonUnescaped('a\\'), 'a\\');
  assert.equal(jsonUnescaped('\\u12x4'), 'u12x4');
  // The cases the package's own reader is held to as well (src/core/normalize.rs).
  const { cases } = JSON.parse(readFileSync(new URL('../fixtures/xml-text.json', import.meta.url), 'utf8'));
  for (const [raw, read] of cases) assert.equal(xmlText(raw), read, JSON.stringify(raw));
});

test('createSigningProxy: an allow rule that throws refuses (403), and one that is no function is refused at once', async () => {
  const upstream = async () => assert.fail('nothing may go upstream');
  const path = { rawPath: `/organization/${ORG}/pipeline/${PIPELINE}/jobs`, rawQuery: 'category=DEPLOY' };
  for (const allow of [() => { throw new Error('rule broke'); }, async () => Promise.reject(new Error('lookup failed'))]) {
    const answer = await createSigningProxy({ upstream: 'https://devops.example.com', credentials: AK, fetch: upstream, allow })(path);
    assert.equal(answer.status, 403);
    assert.equal(JSON.parse(answer.body).Code, 'ProxyForbidden');
  }
  for (const allow of [true, null, 'yes']) {
    assert.throws(() => createSigningProxy({ upstream: 'https://devops.example.com', credentials: AK, allow }), /allow must be a function/);
  }
});

test('createSigningProxy: a secret written with XML references, entities or split CDATA (which the page\'s package decodes) is not relayed', async () => {
  const credentials = { ...STS, securityToken: 'CAIS/Fake+Token=0001abcd' };
  const { accessKeySecret: secret, securityToken: token } = credentials;
  const refs = (text, radix) => [...text].map((c) => (radix === 16 ? `&#x${c.codePointAt(0).toString(16)};` : `&#${c.codePointAt(0)};`)).join('');
  const answerWith = (body) => async () => new Response(body, { status: 400, headers: { 'content-type': 'text/xml' } });
  const path = { rawPath: `/organization/${ORG}/pipeline/${PIPELINE}/jobs`, rawQuery: 'category=DEPLOY' };
  const bodies = [
    `<Error><Code>SignatureDoesNotMatch</Code><Message>you sent ${refs(secret, 10)}</Message><RequestId>R-1</RequestId></Error>`,
    `<?xml version="1.0"?><Error><Code>X</Code><Message><![CDATA[${token.slice(0, 6)}]]><![CDATA[${token.slice(6)}]]></Message></Error>`,
    `<Error><Code>X</Code><Message>m</Message><RequestId>${refs(token.slice(0, 1), 16)}${token.slice(1)}</RequestId></Error>`,
    `<Error><Code>X</Code><Message>${secret.slice(0, 3)}&#x${secret.codePointAt(3).toString(16)};${secret.slice(4)} &amp;</Message></Error>`,
    // A CDATA section spanning elements: the package reads each element on its own (its text
    // ends at its closing tag), so the references in RequestId are decoded there.
    `<Error><Code><![CDATA[X</Code><Message>m</Message><RequestId>${refs(secret, 16)}</RequestId>]]></Error>`,
    // References with leading zeros, comments and processing instructions inside the text.
    `<Error><Code>X</Code><Message>${[...token].map((c, i) => (i % 2 ? `&#0000000${c.codePointAt(0)};` : `${c}<!-- -->`)).join('')}<?pi?></Message></Error>`,
  ];
  for (const body of bodies) {
    // The page's package (no credentials of these) would spell the secret out of this answer.
    const read = await listPipelineJobs(ORG, PIPELINE, { endpoint: 'https://devops.example.com', accessKeyId: 'other', accessKeySecret: 'other', fetch: answerWith(body), maxRetries: 0 }).catch((error) => error);
    assert.ok([secret, token].some((s) => `${read.message} ${read.requestId}`.includes(s)), `the test body must leak once read: ${read}`);
    const answer = await createSigningProxy({ upstream: 'https://devops.example.com', credentials, fetch: answerWith(body) })(path);
    assert.equal(answer.status, 502, body);
    assert.equal(JSON.parse(answer.body).Code, 'ProxyUpstreamEchoedSecret');
  }
  // Read in time linear in the answer: many CDATA openings never closed, many `&`.
  const unclosed = `<Error><Code>X</Code><Message>${'<![CDATA[&'.repeat(200_000)}</Message></Error>`;
  assert.equal((await createSigningProxy({ upstream: 'https://devops.example.com', credentials, fetch: answerWith(unclosed) })(path)).status, 400);
  // Entities that spell no secret are relayed as they are.
  const plain = '<Error><Code>InvalidPipeline.NotFound</Code><Message>&#x6d41;&#x6c34;&#x7ebf; &lt;1&gt; <![CDATA[not found]]></Message></Error>';
  const relayed = await createSigningProxy({ upstream: 'https://devops.example.com', credentials, fetch: answerWith(plain) })(path);
  assert.equal(relayed.status, 400);
  assert.equal(relayed.body.toString('utf8'), plain);
});

test('createSigningProxy: no answer becomes a gateway-style 502; a departed client gets nothing', async () => {
  const refused = createSigningProxy({ upstream: 'http://127.0.0.1:1', credentials: AK });
  const answer = await refused({ rawPath: `/organization/${ORG}/pipeline/${PIPELINE}/jobs`, rawQuery: 'category=DEPLOY' });
  assert.equal(answer.status, 502);
  assert.equal(JSON.parse(answer.body).Code, 'ProxyUpstreamUnreachable');

  const hanging = createSigningProxy({ upstream: 'https://devops.example.com', credentials: AK, fetch: (_url, init) => new Promise((_, reject) => {
    init.signal.addEventListener('abort', () => reject(init.signal.reason));
  }) });
  const controller = new AbortController();
  const pending = hanging({ rawPath: `/organization/${ORG}/pipeline/${PIPELINE}/jobs`, rawQuery: 'category=DEPLOY', signal: controller.signal });
  controller.abort();
  assert.equal(await pending, null);

  assert.deepEqual(parseProxiedCall('/_s/slow-1/organization/a%2Fb/pipeline/7/jobs', 'category=DEPLOY'),
    { organizationId: 'a/b', pipelineId: '7', category: 'DEPLOY', scenario: 'slow-1' });
  const noScenarios = createSigningProxy({ upstream: 'https://devops.example.com', credentials: AK, fetch: () => assert.fail('must not send') });
  assert.equal((await noScenarios({ rawPath: `/_s/x/organization/${ORG}/pipeline/1/jobs`, rawQuery: 'category=DEPLOY' })).status, 400);
  // A scenario id of `.` or `..` would name another upstream path: the page's mistake (400), not the proxy's (500).
  const withScenarios = createSigningProxy({ upstream: 'https://devops.example.com', credentials: AK, scenarios: true, fetch: () => assert.fail('must not send') });
  for (const dots of ['.', '..']) {
    const answer = await withScenarios({ rawPath: `/_s/${dots}/organization/${ORG}/pipeline/1/jobs`, rawQuery: 'category=DEPLOY' });
    assert.deepEqual([answer.status, JSON.parse(answer.body).Code], [400, 'ProxyInvalidRequest'], dots);
  }
});

test("createSigningProxy: the headers the page's package reads are relayed as they came", async () => {
  const headers = { 'content-type': 'application/json', 'x-acs-request-id': 'R-7', date: 'Mon, 30 Nov 2026 08:00:00 GMT', 'retry-after': '7', 'x-acs-retry-after': '250' };
  const throttled = async () => new Response('{"Code":"Throttling.User","Message":"slow down"}', { status: 429, headers });
  const answer = await createSigningProxy({ upstream: 'https://devops.example.com', credentials: AK, fetch: throttled })({ rawPath: `/organization/${ORG}/pipeline/${PIPELINE}/jobs`, rawQuery: 'category=DEPLOY' });
  assert.equal(answer.status, 429);
  assert.deepEqual(answer.headers, headers);
});

test("createSigningProxy: no answer to relay is said in the gateway's shape: 400 for a refused request, 504 for a timeout, 502 for one too large", async () => {
  const path = { rawPath: `/organization/${ORG}/pipeline/${PIPELINE}/jobs`, rawQuery: 'category=DEPLOY' };
  const code = (answer) => [answer.status, JSON.parse(answer.body).Code];
  const neverSent = () => assert.fail('must not send');
  const refused = await createSigningProxy({ upstream: 'https://devops.example.com', credentials: AK, fetch: neverSent })({ ...path, rawPath: `/organization/${ORG}/pipeline/${'1'.repeat(1025)}/jobs` });
  assert.deepEqual(code(refused), [400, 'ProxyInvalidRequest']);
  assert.match(JSON.parse(refused.body).Message, /^InvalidArgument: pipelineId is longer than 1024 bytes/);
  const hanging = (_url, init) => new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason)));
  assert.deepEqual(code(await createSigningProxy({ upstream: 'https://devops.example.com', credentials: AK, fetch: hanging, timeoutMs: 50 })(path)), [504, 'ProxyUpstreamTimeout']);
  const big = async () => new Response('x'.repeat(100), { status: 200, headers: { 'content-type': 'application/json' } });
  assert.deepEqual(code(await createSigningProxy({ upstream: 'https://devops.example.com', credentials: AK, fetch: big, maxResponseBytes: 10 })(path)), [502, 'ProxyResponseTooLarge']);
});

test('createSigningProxy: past maxConcurrentCalls, 503 ProxyBusy with Retry-After (nothing sent); each call frees its place however it ends', async () => {
  const path = { rawPath: `/organization/${ORG}/pipeline/${PIPELINE}/jobs`, rawQuery: 'category=DEPLOY' };
  const ok = () => new Response(JSON.stringify({ requestId: 'R-BUSY', success: true, jobs: [] }), { status: 200, headers: { 'content-type': 'application/json' } });
  const held = [];
  let sent = 0;
  const upstream = (_url, init) => {
    sent++;
    return new Promise((resolve, reject) => {
      held.push(resolve);
      init.signal.addEventListener('abort', () => reject(init.signal.reason));
    });
  };
  const forward = createSigningProxy({ upstream: 'https://devops.example.com', credentials: AK, fetch: upstream, maxConcurrentCalls: 2 });
  // Until n requests are held upstream, or the calls given settle without getting there.
  const heldOrSettled = async (n, ...calls) => {
    let settled = false;
    Promise.allSettled(calls).then(() => { settled = true; });
    while (held.length < n && !settled) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  const first = forward(path);
  const second = forward(path);
  const busy = await forward(path);
  assert.equal(busy.status, 503);
  assert.equal(busy.headers['retry-after'], '1');
  assert.deepEqual(JSON.parse(busy.body), { Code: 'ProxyBusy', Message: 'this proxy is at its limit of 2 calls at once; try again' });
  // The wait asked for is random (the package waits x-acs-retry-after): calls turned away
  // together do not all come back together.
  const waits = [busy];
  for (let i = 0; i < 20; i++) waits.push(await forward(path));
  const asked = waits.map((answer) => Number(answer.headers['x-acs-retry-after']));
  assert.ok(asked.every((ms) => Number.isInteger(ms) && ms >= 500 && ms < 1500), String(asked));
  assert.ok(new Set(asked).size >= 10, `spread out: ${asked}`);
  await heldOrSettled(2, first, second);
  assert.equal(sent, 2);
  held[0](ok());
  assert.equal((await first).status, 200);
  // A place freed by an answer, then by a page that went away, then by an upstream failure.
  const third = forward(path);
  await heldOrSettled(3, third);
  assert.equal((await forward(path)).status, 503);
  held[1](ok());
  held[2](ok());
  assert.deepEqual([(await second).status, (await third).status], [200, 200]);
  const controllers = [new AbortController(), new AbortController()];
  const departing = controllers.map((controller) => forward({ ...path, signal: controller.signal }));
  await heldOrSettled(5, ...departing);
  assert.equal(held.length, 5, 'the answered calls freed their places');
  for (const controller of controllers) controller.abort();
  assert.deepEqual(await Promise.all(departing), [null, null]);
  const after = forward(path);
  await heldOrSettled(6, after);
  held[5]?.(ok());
  assert.equal((await after).status, 200, 'the departed calls freed their places');
  const failing = createSigningProxy({ upstream: 'https://devops.example.com', credentials: AK, maxConcurrentCalls: 1, fetch: async () => { throw new Error('refused'); } });
  assert.equal((await failing(path)).status, 502);
  assert.equal((await failing(path)).status, 502, 'the failed call freed its place');

  for (const bad of [0, -1, 1.5, NaN, '4', null]) {
    assert.throws(() => createSigningProxy({ upstream: 'https://devops.example.com', credentials: AK, maxConcurrentCalls: bad }), /maxConcurrentCalls must be a positive integer/);
  }
  assert.equal(typeof createSigningProxy({ upstream: 'https://devops.example.com', credentials: AK, maxConcurrentCalls: Infinity }), 'function');
});

test("createSigningProxy: a page's package waits out ProxyBusy and retries: two calls through a proxy of one place both list the jobs", async () => {
  const emulator = await startEmulator({ port: 0 });
  try {
    const forward = createSigningProxy({ upstream: emulator.url, credentials: AK, maxConcurrentCalls: 1 });
    let busyAnswers = 0;
    // The page's transport: each request handed to the proxy in process, as a server would.
    const viaProxy = async (url, init) => {
      const { pathname, search } = new URL(url);
      const answer = await forward({ rawPath: pathname, rawQuery: search.slice(1), signal: init.signal });
      if (answer.status === 503) busyAnswers++;
      return new Response(answer.body, { status: answer.status, headers: answer.headers });
    };
    const call = () => listPipelineJobs(ORG, PIPELINE, { endpoint: 'https://app.example.com', fetch: viaProxy });
    const [a, b] = await Promise.all([call(), call()]);
    assert.ok(a.jobs.length > 0);
    assert.deepEqual(b.jobs, a.jobs);
    assert.ok(busyAnswers >= 1, 'the second call was turned away, then retried');
  } finally {
    await emulator.close();
  }
});

test('createSigningProxy refuses at creation (an InvalidArgumentError) a timeoutMs, maxResponseBytes or upstream the package would refuse on every call', async () => {
  // The package's own error class, as for the package's options.
  assert.throws(() => createSigningProxy({ upstream: 'ftp://devops.example.com', credentials: AK }),
    (error) => error instanceof InvalidArgumentError && error.code === 'InvalidArgument' && /^createSigningProxy: upstream must be an http\(s\) URL$/.test(error.message));
  // No options at all, or a fetch that is no function: the same, not a TypeError from inside.
  for (const [options, why, argument] of [[undefined, /^createSigningProxy: options must be an object/, 'options'], [null, /options must be an object/, 'options'], [{ upstream: 'https://devops.example.com', credentials: AK, fetch: 5 }, /fetch must be a function/, 'fetch']]) {
    assert.throws(() => createSigningProxy(options), (error) => error instanceof InvalidArgumentError && why.test(error.message) && error.argument === argument, String(options));
  }
  for (const bad of [0, -1, 1.5, NaN, Infinity, '30000', null]) {
    assert.throws(() => createSigningProxy({ upstream: 'https://devops.example.com', credentials: AK, timeoutMs: bad }), /timeoutMs must be an integer from 1 to/);
  }
  for (const bad of [0, 1.5, 100 * 1024 * 1024 + 1, Infinity, '1024']) {
    assert.throws(() => createSigningProxy({ upstream: 'https://devops.example.com', credentials: AK, maxResponseBytes: bad }), /maxResponseBytes must be an integer from 1 to 104857600/);
  }
  for (const bad of ['devops.example.com', 'ftp://devops.example.com', '', undefined]) {
    assert.throws(() => createSigningProxy({ upstream: bad, credentials: AK }), /upstream must be an http\(s\) URL/);
  }
  for (const [bad, why] of [
    ['http://devops.example.com', /upstream may be http:\/\/ only for a loopback host/],
    ['https://user:pw@devops.example.com', /upstream must not hold a user name or password/],
    // A password of digits up to a `/`: parsed as the host `user`, a port and a path.
    ['https://user:1234/CAISpart@devops.example.com', /upstream must not hold a user name or password/],
    ['https://devops.example.com/?x=1', /upstream must not hold a query or fragment/],
    ['https://devops.example.com/#f', /upstream must not hold a query or fragment/],
  ]) {
    assert.throws(() => createSigningProxy({ upstream: bad, credentials: AK }), why, bad);
  }
  for (const good of ['http://localhost:8080', 'http://emulator.localhost', 'http://127.0.0.2:1/base', 'http://[::1]:9', 'https://devops.cn-hangzhou.aliyuncs.com/prefix/']) {
    assert.equal(typeof createSigningProxy({ upstream: good, credentials: AK }), 'function', good);
  }
  // What only the package's finer rules refuse: the proxy's fault on each call, not the page's.
  const path = { rawPath: `/organization/${ORG}/pipeline/${PIPELINE}/jobs`, rawQuery: 'category=DEPLOY' };
  for (const upstream of ['http://127.1', 'https://x_y.example.com']) {
    const answer = await createSigningProxy({ upstream, credentials: AK, fetch: async () => assert.fail('nothing is sent') })(path);
    assert.equal(answer.status, 500, upstream);
    const body = JSON.parse(Buffer.from(answer.body).toString('utf8'));
    assert.equal(body.Code ?? body.code, 'ProxyMisconfigured', JSON.stringify(body));
  }
  // Credentials the types refuse, refused at run time too.
  for (const credentials of [{ token: 't0ken', securityToken: 'sts' }, { ...AK, token: 't0ken' }, { ...AK, edition: 'center' }, { token: 't0ken', edition: 'east' }]) {
    assert.throws(() => createSigningProxy({ upstream: 'https://devops.example.com', credentials }), /credentials/, JSON.stringify(Object.keys(credentials)));
  }
  assert.equal(typeof createSigningProxy({ upstream: 'http://127.0.0.1:1', credentials: AK, timeoutMs: 1, maxResponseBytes: 100 * 1024 * 1024 }), 'function');
  // Credentials the package would refuse on every call (a 500 each time): refused at creation,
  // the field named, its value never.
  for (const [credentials, why] of [
    [{ ...AK, accessKeyId: 12345 }, /^createSigningProxy: credentials\.accessKeyId must be a string$/],
    [{ ...AK, accessKeySecret: `${AK.accessKeySecret}\n` }, /^createSigningProxy: credentials\.accessKeySecret starts or ends with white space: remove it$/],
    [{ ...AK, accessKeyId: ` ${AK.accessKeyId}` }, /^createSigningProxy: credentials\.accessKeyId starts or ends with white space/],
    [{ ...STS, securityToken: `${STS.securityToken}\u00e9` }, /^createSigningProxy: credentials\.securityToken must be printable ASCII$/],
    [{ token: `${TOKEN}\t` }, /^createSigningProxy: credentials\.token starts or ends with white space/],
    [{ token: ['t0ken'] }, /^createSigningProxy: credentials\.token must be a string$/],
    [{ ...AK, accessKeySecret: 's'.repeat(16 * 1024 + 1) }, /^createSigningProxy: credentials\.accessKeySecret is longer than 16384 characters$/],
    [{ ...AK, accessKeySecret: `${AK.accessKeySecret}\ud800x` }, /^createSigningProxy: credentials\.accessKeySecret contains an unpaired UTF-16 surrogate$/],
  ]) {
    assert.throws(() => createSigningProxy({ upstream: 'https://devops.example.com', credentials }), (error) => {
      assert.ok(error instanceof InvalidArgumentError, String(error));
      assert.match(error.message, why);
      assert.equal(error.argument, 'credentials');
      for (const secret of [AK.accessKeySecret, STS.securityToken, TOKEN]) assert.ok(!error.message.includes(secret.trim()));
      return true;
    });
  }
  // What the package takes, the proxy takes: a secret of any characters but padding, and no STS token given as ''.
  assert.equal(typeof createSigningProxy({ upstream: 'https://devops.example.com', credentials: { ...AK, accessKeySecret: 'sécret inside', securityToken: '' } }), 'function');
});

test('createSigningProxy with an STS token or secret thousands of characters long: echoes found and redacted, no error that spells them', async () => {
  // A regular expression of a whole secret this long overflowed V8's stack when compiled, and its
  // SyntaxError quoted the pattern: the secret, character by character.
  const credentials = { accessKeyId: AK.accessKeyId, accessKeySecret: `S3cr${'k9/x+Q'.repeat(1_300)}`, securityToken: `CAIS${'Ab0+/z'.repeat(600)}` };
  const path = { rawPath: `/organization/${ORG}/pipeline/${PIPELINE}/jobs`, rawQuery: 'category=DEPLOY' };
  const echoing = async () => new Response(JSON.stringify({
    Code: 'SignatureDoesNotMatch',
    Message: `secret ${credentials.accessKeySecret} token ${encodeURIComponent(credentials.securityToken).toLowerCase()} near ${credentials.securityToken.slice(0, -1)}`,
  }), { status: 400, headers: { 'content-type': 'application/json', 'x-acs-request-id': 'R-LONG' } });
  const answer = await createSigningProxy({ upstream: 'https://devops.example.com', credentials, fetch: echoing })(path);
  assert.equal(answer.status, 400);
  const { Message } = JSON.parse(answer.body);
  assert.equal(Message, `secret [REDACTED] token [REDACTED] near ${credentials.securityToken.slice(0, -1)}`, 'a near miss is not an echo');
});

test('createSigningProxy keeps the clock offset a skew retry learned: an upstream whose clock is an hour ahead costs one extra request, not one per call', async () => {
  const emulator = await startEmulator({ port: 0, clockOffsetMs: 3_600_000 });
  try {
    let sent = 0;
    const forward = createSigningProxy({ upstream: emulator.url, credentials: AK, fetch: (url, init) => (sent++, fetch(url, init)) });
    const path = { rawPath: `/organization/${ORG}/pipeline/${PIPELINE}/jobs`, rawQuery: 'category=DEPLOY' };
    assert.equal((await forward(path)).status, 200);
    assert.equal(sent, 2, 'the first call: refused for its time, signed again with the server\'s');
    assert.equal((await forward(path)).status, 200);
    assert.equal((await forward(path)).status, 200);
    assert.equal(sent, 4, 'later calls are signed with the learned offset at once');
  } finally {
    await emulator.close();
  }
});

test('createSigningProxy relays a 204 or 304 with no body (null), as a Response can be built from', async () => {
  for (const status of [204, 304]) {
    const upstream = async () => new Response(null, { status, headers: { 'x-acs-request-id': `R-${status}` } });
    const answer = await createSigningProxy({ upstream: 'https://devops.example.com', credentials: AK, fetch: upstream })({ rawPath: `/organization/${ORG}/pipeline/${PIPELINE}/jobs`, rawQuery: 'category=DEPLOY' });
    assert.deepEqual([answer.status, answer.body, answer.headers['x-acs-request-id']], [status, null, `R-${status}`]);
    assert.equal(new Response(answer.body, { status: answer.status, headers: answer.headers }).status, status);
  }
  // The demo server sends it as it is: a 204 with nothing after its head.
  const upstream = http.createServer((_req, res) => { res.writeHead(204, { 'x-acs-request-id': 'R-NONE' }); res.end(); });
  await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const server = await startDemoServer({ port: 0, emulator: false, upstream: `http://127.0.0.1:${upstream.address().port}`, credentials: AK });
  try {
    const response = await fetch(`${server.url}/api/upstream/organization/${ORG}/pipeline/${PIPELINE}/jobs?category=DEPLOY`, { method: 'POST' });
    assert.deepEqual([response.status, response.headers.get('x-acs-request-id'), await response.text()], [204, 'R-NONE', '']);
  } finally {
    await server.close();
    upstream.close();
  }
});

/** Starts `node scripts/demo-server.mjs` like `make demo` does; resolves with its first line. */
async function launchCli(env) {
  const child = spawn(process.execPath, ['scripts/demo-server.mjs'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const exited = once(child, 'exit');
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start line; stdout=${stdout} stderr=${stderr}`)), 10_000);
    const check = () => {
      if (stdout.includes('Ctrl-C')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', check);
    exited.then(() => { clearTimeout(timer); resolve(); });
  });
  return { child, exited, output: () => stdout + stderr };
}

test('CLI: PORT=0 prints the URL, serves the page, stops cleanly on SIGTERM', async () => {
  const { child, exited, output } = await launchCli({ PORT: '0' });
  const url = /^yunxiao-pipeline-jobs demo: (http:\/\/127\.0\.0\.1:\d+)\/$/m.exec(output())?.[1];
  assert.ok(url, output());
  assert.match(output(), /backend "bundled emulator": http:\/\/127\.0\.0\.1:\d+/);
  assert.equal((await fetch(`${url}/`)).status, 200);
  child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0);
});

test('CLI: credentials and UPSTREAM from the environment; the secret is never printed; a busy port is a clear error', async (t) => {
  const blocker = net.createServer();
  await new Promise((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.after(() => blocker.close());
  const busy = await launchCli({ PORT: String(blocker.address().port) });
  const [busyCode] = await busy.exited;
  assert.equal(busyCode, 1);
  assert.match(busy.output(), /port \d+ is in use \(set PORT= to choose another\)/);

  const { child, exited, output } = await launchCli({
    PORT: '0',
    UPSTREAM: 'http://127.0.0.1:9',
    ALIBABA_CLOUD_ACCESS_KEY_ID: AK.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK.accessKeySecret,
  });
  t.after(() => child.kill()); // should an assertion below fail
  assert.match(output(), /backend "bundled emulator": off \(UPSTREAM is set\)/);
  assert.match(output(), /backend "your Yunxiao": http:\/\/127\.0\.0\.1:9/);
  // A proxied call is logged, signed with the secret (its upstream refuses the connection).
  const url = /demo: (http:\/\/\S+?)\/?\n/.exec(output())[1];
  const call = await fetch(`${url}/api/upstream/organization/${ORG}/pipeline/${PIPELINE}/jobs?category=DEPLOY`, { method: 'POST' });
  assert.equal(call.status, 502, await call.text());
  for (let i = 0; i < 100 && !/\[demo\] upstream /.test(output()); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.match(output(), /\[demo\] upstream \/organization\/[^\n]+ -> 502/);
  assert.ok(!output().includes(AK.accessKeySecret));
  child.kill('SIGINT');
  assert.equal((await exited)[0], 0);

  const insecure = await launchCli({ PORT: '0', UPSTREAM: 'http://devops.example.com', ALIBABA_CLOUD_ACCESS_KEY_ID: 'a', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'b' });
  assert.equal((await insecure.exited)[0], 1);
  assert.match(insecure.output(), /UPSTREAM must be https:\/\//);
});
