// Fault-injection scenarios (/_s/{id}/...) and the control API (/_emulator/*).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import { startEmulator } from '../../emulator/server.mjs';
import {
  AK, ORG_A, PAT, REQUEST_ID_RE, STS, callClassic, callToken, classicPath, sign, queryString, request, postJson, scenario,
} from './helpers.mjs';

let emu;
before(async () => {
  emu = await startEmulator();
});
after(() => emu.close());
beforeEach(() => request(emu.url, { method: 'POST', path: '/_emulator/reset' }));

let seq = 0;
const sid = (name) => `${name}-${++seq}`;

/**
 * Low-level exchange that reports what actually happened on the wire instead of
 * throwing: {status, headers, body (Buffer), complete, error (code), elapsed}.
 */
function exchange(baseUrl, { method = 'POST', path, headers = {}, timeoutMs = 5000 }) {
  const url = new URL(baseUrl);
  const started = Date.now();
  return new Promise((resolve) => {
    const out = { status: null, headers: null, body: Buffer.alloc(0), complete: false, error: null };
    const chunks = [];
    const finish = (error) => {
      if (out.done) return;
      out.done = true;
      out.body = Buffer.concat(chunks);
      out.error = error ?? null;
      out.elapsed = Date.now() - started;
      resolve(out);
    };
    const req = http.request({ host: url.hostname, port: url.port, method, path, headers, agent: false }, (res) => {
      out.status = res.statusCode;
      out.headers = res.headers;
      res.on('data', (c) => chunks.push(c));
      res.on('error', (e) => finish(e.code ?? e.message));
      res.on('close', () => {
        out.complete = res.complete;
        finish(res.complete ? null : 'INCOMPLETE');
      });
    });
    req.setTimeout(timeoutMs, () => {
      finish('TIMEOUT');
      req.destroy();
    });
    req.on('error', (e) => finish(e.code ?? e.message));
    req.end();
  });
}

function signedClassic(prefix, { pipeline = '1234567', cred = AK, algorithm = 'v3', now } = {}) {
  const path = prefix + classicPath(ORG_A, pipeline);
  const { headers } = sign({ path, host: new URL(emu.url).host, cred, algorithm, now });
  return { method: 'POST', path: path + queryString({ category: 'DEPLOY' }), headers };
}

// -- control API ----------------------------------------------------------------

test('GET /_emulator/health → {"ok":true}', async () => {
  const r = await request(emu.url, { path: '/_emulator/health' });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { ok: true });
});

test('POST /_emulator/scenarios validates its input and answers 201', async () => {
  for (const bad of [null, [], { id: 'has space' }, { id: 'x', steps: [{ action: 'explode' }] }, { id: 'x', after: 'forever' },
    { id: 'x', steps: [{ action: 'redirect' }] }, { id: 'x', steps: [{ action: 'respond', status: 42 }] },
    { id: 'x', steps: [{ action: 'respond', headers: { 'bad header': 'x' } }] }, { id: 'x', steps: [{ action: 'respond', headers: { a: 'x\r\ny: z' } }] },
    // What the emulator could not send, or would send wrongly: refused up front.
    { id: 'x', steps: [{ action: 'respond', status: 150 }] }, { id: 'x', steps: [{ action: 'respond', headers: { a: '中文' } }] },
    { id: 'x', steps: [{ action: 'respond', headers: { 'Content-Length': '5' } }] },
    { id: 'x', steps: [{ action: 'redirect', location: 'http://a/\r\nx: y' }] },
    { id: 'x', steps: [{ action: 'normal', delayMs: 3e9 }] }, { id: 'x', latencyMs: 2 ** 31 },
    { id: 'x', steps: [{ action: 'trickle-headers', intervalMs: 3e9 }] },
    { id: 'x', steps: [{ action: 'respond', contentType: 'a\nb' }] }, { id: 'x', steps: [{ action: 'respond', contentType: 7 }] }]) {
    const r = await postJson(emu.url, '/_emulator/scenarios', bad);
    assert.equal(r.status, 400, JSON.stringify(bad));
    assert.equal(typeof r.json.error, 'string');
  }
  const r = await postJson(emu.url, '/_emulator/scenarios', { id: 'ok-1', steps: [{ action: 'normal' }] });
  assert.equal(r.status, 201);
  assert.equal(r.json.id, 'ok-1');
  const got = await request(emu.url, { path: '/_emulator/scenarios/ok-1' });
  assert.equal(got.json.steps.length, 1);
});

test('an unknown scenario id → 404 EmulatorScenarioNotFound', async () => {
  const r = await callClassic(emu.url, { prefix: '/_s/never-created' });
  assert.equal(r.status, 404);
  assert.equal(r.json.Code, 'EmulatorScenarioNotFound');
});

// -- routing and signing under /_s/{id} -----------------------------------------

test('normal step: the signature covers the full path as sent, prefix included', async () => {
  const prefix = await scenario(emu.url, { id: sid('normal'), steps: [{ action: 'normal' }, { action: 'normal' }] });
  const ok = await callClassic(emu.url, { prefix });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.jobs.length, 4);
  // Signed over the path without the prefix but sent with it: mismatch.
  const path = classicPath(ORG_A, '1234567');
  const { headers } = sign({ path, host: new URL(emu.url).host });
  const bad = await request(emu.url, { method: 'POST', path: prefix + path + '?category=DEPLOY', headers });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.Code, 'SignatureDoesNotMatch');
  // The server's canonical request (kept in the request log) starts with the full path.
  const logged = emu.state.requests.at(-1).verification;
  assert.equal(logged.canonicalRequest.split('\n')[1], prefix + path);
});

test('steps are consumed in order; after: "normal" falls back to normal handling', async () => {
  const prefix = await scenario(emu.url, {
    id: sid('order'),
    steps: [{ action: 'respond', status: 503, json: { Code: 'ServiceUnavailable' } }, { action: 'respond', status: 429, json: { Code: 'Throttling.User' } }],
  });
  assert.equal((await callClassic(emu.url, { prefix })).status, 503);
  assert.equal((await callClassic(emu.url, { prefix })).status, 429);
  assert.equal((await callClassic(emu.url, { prefix })).status, 200);
  assert.equal((await callClassic(emu.url, { prefix })).status, 200);
});

test('after: "repeat-last" repeats the last step forever', async () => {
  const prefix = await scenario(emu.url, { id: sid('repeat'), after: 'repeat-last', steps: [{ action: 'normal' }, { action: 'respond', status: 503, json: {} }] });
  assert.equal((await callClassic(emu.url, { prefix })).status, 200);
  for (let i = 0; i < 3; i++) assert.equal((await callClassic(emu.url, { prefix })).status, 503);
});

test('respond: status, headers and json/body/bodyBase64 sent as-is without verification', async () => {
  const prefix = await scenario(emu.url, {
    id: sid('respond'),
    steps: [
      { action: 'respond', status: 429, headers: { 'Retry-After': '2', 'x-acs-retry-after': '1500' }, json: { RequestId: 'R', Code: 'Throttling.User', Message: 'slow down' } },
      { action: 'respond', status: 502, body: '<html>bad gateway</html>', contentType: 'text/html' },
      { action: 'respond', status: 200, bodyBase64: Buffer.from([0xff, 0xfe, 0x00, 0x7b]).toString('base64'), contentType: 'application/json' },
      { action: 'respond', status: 200, body: '{"requestId":"X","success":true,"jobs":[{"lastJobId":123456789012345678901234567890}]}' },
    ],
  });
  // Unsigned: a `respond` step never verifies.
  const r1 = await request(emu.url, { method: 'POST', path: prefix + classicPath(ORG_A, '1234567') });
  assert.equal(r1.status, 429);
  assert.equal(r1.headers['retry-after'], '2');
  assert.equal(r1.headers['x-acs-retry-after'], '1500');
  assert.equal(r1.json.Code, 'Throttling.User');
  assert.equal(r1.headers['access-control-allow-origin'], '*');
  const r2 = await request(emu.url, { method: 'POST', path: prefix + '/anything' });
  assert.equal(r2.status, 502);
  assert.equal(r2.headers['content-type'], 'text/html');
  assert.equal(r2.text, '<html>bad gateway</html>');
  const r3 = await request(emu.url, { method: 'POST', path: prefix + '/x' });
  assert.deepEqual([...r3.raw], [0xff, 0xfe, 0x00, 0x7b]);
  const r4 = await request(emu.url, { method: 'POST', path: prefix + '/x' });
  assert.ok(r4.text.includes('123456789012345678901234567890'));
});

test('json-normal-with: the patch is merged into the normal success envelope', async () => {
  const prefix = await scenario(emu.url, {
    id: sid('patch'),
    steps: [
      { action: 'json-normal-with', patch: { success: false, errorCode: 'InvalidPipeline.NotFound', errorMessage: 'gone' } },
      { action: 'json-normal-with', patch: { jobs: [{ jobName: 'x', identifier: 'y', lastJobId: 'not-a-number' }] } },
    ],
  });
  const r = await callClassic(emu.url, { prefix });
  assert.equal(r.status, 200);
  assert.equal(r.json.success, false);
  assert.equal(r.json.errorCode, 'InvalidPipeline.NotFound');
  assert.match(r.json.requestId, REQUEST_ID_RE);
  const r2 = await callClassic(emu.url, { prefix });
  assert.equal(r2.json.jobs[0].lastJobId, 'not-a-number');
  // The normal verification still applies.
  const p3 = await scenario(emu.url, { id: sid('patch-bad'), steps: [{ action: 'json-normal-with', patch: { success: false } }] });
  const r3 = await callClassic(emu.url, { prefix: p3, cred: { id: AK.id, secret: 'bad' } });
  assert.equal(r3.json.Code, 'SignatureDoesNotMatch');
});

test('json-normal-with on the token API: object patches each element, array replaces', async () => {
  const s = sid('patch-token');
  await scenario(emu.url, { id: s, steps: [{ action: 'json-normal-with', patch: { lastJobId: 'x' } }, { action: 'json-normal-with', patch: [{ odd: true }] }] });
  const r = await callToken(emu.url, { prefix: `/_s/${s}` });
  assert.ok(r.json.every((j) => j.lastJobId === 'x'));
  const r2 = await callToken(emu.url, { prefix: `/_s/${s}` });
  assert.deepEqual(r2.json, [{ odd: true }]);
});

test('reset-before-headers: the connection is reset with no response', async () => {
  const prefix = await scenario(emu.url, { id: sid('reset'), steps: [{ action: 'reset-before-headers' }] });
  const out = await exchange(emu.url, signedClassic(prefix));
  assert.equal(out.status, null);
  assert.equal(out.error, 'ECONNRESET');
});

test('reset-mid-body: headers and part of the body, then a reset', async () => {
  const prefix = await scenario(emu.url, { id: sid('midbody'), steps: [{ action: 'reset-mid-body' }] });
  const out = await exchange(emu.url, signedClassic(prefix));
  assert.equal(out.status, 200);
  const declared = Number(out.headers['content-length']);
  assert.ok(out.body.length > 0 && out.body.length < declared, `${out.body.length} of ${declared}`);
  assert.equal(out.complete, false);
  assert.ok(out.error);
});

test('truncate: a declared-length body cut short, then the connection ends', async () => {
  const prefix = await scenario(emu.url, { id: sid('truncate'), steps: [{ action: 'truncate', bytes: 10 }] });
  const out = await exchange(emu.url, signedClassic(prefix));
  assert.equal(out.status, 200);
  assert.equal(out.body.length, 10);
  assert.ok(Number(out.headers['content-length']) > 10);
  assert.equal(out.complete, false);
  assert.ok(out.error);
});

test('hang-body: headers and part of the body, then nothing; the server survives the client leaving', async () => {
  const prefix = await scenario(emu.url, { id: sid('hangbody'), steps: [{ action: 'hang-body' }] });
  const out = await exchange(emu.url, { ...signedClassic(prefix), timeoutMs: 300 });
  assert.equal(out.status, 200);
  assert.ok(out.body.length > 0);
  assert.equal(out.error, 'TIMEOUT');
  assert.equal((await callClassic(emu.url)).status, 200);
});

test('hang: no response at all', async () => {
  const prefix = await scenario(emu.url, { id: sid('hang'), steps: [{ action: 'hang' }] });
  const out = await exchange(emu.url, { ...signedClassic(prefix), timeoutMs: 300 });
  assert.equal(out.status, null);
  assert.equal(out.error, 'TIMEOUT');
});

test('trickle-headers: the head arrives byte by byte, then a complete response', async () => {
  const id = sid('trickle');
  await scenario(emu.url, { id, steps: [{ action: 'trickle-headers', intervalMs: 1 }] });
  const { method, path, headers } = signedClassic(`/_s/${id}`);
  const url = new URL(emu.url);
  const started = Date.now();
  const { packets, raw } = await new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    const chunks = [];
    socket.on('connect', () => {
      socket.write(`${method} ${path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\ncontent-length: 0\r\n\r\n`);
    });
    socket.on('data', (c) => chunks.push(c));
    socket.on('end', () => resolve({ packets: chunks.length, raw: Buffer.concat(chunks).toString('utf8') }));
    socket.on('error', reject);
  });
  assert.ok(packets > 50, `head arrived in only ${packets} packets`);
  assert.ok(Date.now() - started >= 50);
  assert.match(raw, /^HTTP\/1\.1 200 OK\r\n/);
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  assert.equal(JSON.parse(body).jobs.length, 4);
});

test('gzip: the normal answer with content-encoding gzip', async () => {
  const prefix = await scenario(emu.url, { id: sid('gzip'), steps: [{ action: 'gzip' }] });
  const r = await callClassic(emu.url, { prefix });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-encoding'], 'gzip');
  assert.equal(Number(r.headers['content-length']), r.raw.length);
  const json = JSON.parse(zlib.gunzipSync(r.raw).toString('utf8'));
  assert.equal(json.jobs.length, 4);
  assert.equal(r.headers['x-acs-request-id'], json.requestId);
});

test('redirect: status and location', async () => {
  const prefix = await scenario(emu.url, {
    id: sid('redirect'),
    steps: [{ action: 'redirect', status: 307, location: 'http://127.0.0.1:1/elsewhere' }, { action: 'redirect', location: '/relative' }],
  });
  const r = await callClassic(emu.url, { prefix });
  assert.equal(r.status, 307);
  assert.equal(r.headers.location, 'http://127.0.0.1:1/elsewhere');
  const r2 = await callClassic(emu.url, { prefix });
  assert.equal(r2.status, 302);
  assert.equal(r2.headers.location, '/relative');
});

test('big: count generated jobs, streamed (chunked)', async () => {
  const prefix = await scenario(emu.url, { id: sid('big'), steps: [{ action: 'big', count: 25_000 }] });
  const r = await callClassic(emu.url, { prefix });
  assert.equal(r.status, 200);
  assert.equal(r.headers['transfer-encoding'], 'chunked');
  assert.equal(r.json.success, true);
  assert.equal(r.json.jobs.length, 25_000);
  assert.equal(r.json.jobs[24_999].identifier, 'big_24999');
  assert.equal(r.headers['x-acs-request-id'], r.json.requestId);
  const id = sid('big-token');
  await scenario(emu.url, { id, steps: [{ action: 'big', count: 3 }] });
  const t = await callToken(emu.url, { prefix: `/_s/${id}` });
  assert.equal(t.json.length, 3);
});

test('big with a bad signature is still rejected', async () => {
  const prefix = await scenario(emu.url, { id: sid('big-bad'), steps: [{ action: 'big', count: 10 }] });
  const r = await callClassic(emu.url, { prefix, cred: { id: AK.id, secret: 'bad' } });
  assert.equal(r.json.Code, 'SignatureDoesNotMatch');
});

test('delayMs and latencyMs delay the answer', async () => {
  const prefix = await scenario(emu.url, { id: sid('delay'), latencyMs: 100, steps: [{ action: 'normal', delayMs: 200 }] });
  const started = Date.now();
  const r = await callClassic(emu.url, { prefix });
  assert.equal(r.status, 200);
  assert.ok(Date.now() - started >= 290, `${Date.now() - started} ms`);
});

test('clockOffsetMs shifts the emulator clock for time-stamp checks and the Date header', async () => {
  const hour = 3600_000;
  const prefix = await scenario(emu.url, { id: sid('clock'), clockOffsetMs: hour });
  const r = await callClassic(emu.url, { prefix });
  assert.equal(r.status, 400);
  assert.equal(r.json.Code, 'InvalidTimeStamp.Expired');
  assert.ok(Math.abs(Date.parse(r.headers.date) - (Date.now() + hour)) < 5000, r.headers.date);
  // A client that corrects its clock from that Date header succeeds.
  const fixed = await callClassic(emu.url, { prefix, now: Date.parse(r.headers.date) });
  assert.equal(fixed.status, 200, fixed.text);
  const v1 = await callClassic(emu.url, { prefix, algorithm: 'v1', now: Date.now() + hour });
  assert.equal(v1.status, 200, v1.text);
});

test('scenarios apply to the token API too', async () => {
  const id = sid('token');
  await scenario(emu.url, { id, steps: [{ action: 'respond', status: 429, headers: { 'retry-after': '1' }, json: { errorCode: 'Throttling', errorMessage: 'x' } }] });
  const r = await callToken(emu.url, { prefix: `/_s/${id}` });
  assert.equal(r.status, 429);
  assert.equal((await callToken(emu.url, { prefix: `/_s/${id}` })).status, 200);
});

test('GET /_emulator/requests lists requests (filterable by scenario) with secrets redacted', async () => {
  const id = sid('log');
  await scenario(emu.url, { id, steps: [{ action: 'normal' }] });
  await callClassic(emu.url, { prefix: `/_s/${id}`, cred: STS });
  await callClassic(emu.url, { prefix: `/_s/${id}`, algorithm: 'v1' });
  await callToken(emu.url, { prefix: `/_s/${id}` });
  await callClassic(emu.url); // outside the scenario
  const r = await request(emu.url, { path: `/_emulator/requests?scenario=${id}` });
  assert.equal(r.status, 200);
  assert.equal(r.json.length, 3);
  const [v3, v1, tok] = r.json;
  assert.equal(v3.method, 'POST');
  assert.ok(v3.path.startsWith(`/_s/${id}/organization/`));
  assert.equal(typeof v3.at, 'number');
  assert.match(v3.headers.authorization, /^ACS3-HMAC-SHA256 Credential=STS\.EmuStsKey0002,SignedHeaders=[^,]+,Signature=\[REDACTED\]$/);
  assert.equal(v3.headers['x-acs-security-token'], '[REDACTED]');
  assert.equal(v1.headers.authorization, `acs ${AK.id}:[REDACTED]`);
  assert.equal(tok.headers['x-yunxiao-token'], '[REDACTED]');
  const text = JSON.stringify((await request(emu.url, { path: '/_emulator/requests' })).json);
  assert.ok(!text.includes(STS.token) && !text.includes(PAT) && !text.includes(STS.secret));
  const all = await request(emu.url, { path: '/_emulator/requests' });
  assert.equal(all.json.length, 4);
});

test('the request log redacts every Signature field the verifier could read (spaced, given twice)', async () => {
  const id = sid('log-forms');
  await scenario(emu.url, { id, steps: [] });
  let signature;
  const spaced = await callClassic(emu.url, {
    prefix: `/_s/${id}`,
    mutate: (h) => {
      signature = /Signature=([0-9a-f]{64})$/.exec(h.authorization)[1];
      h.authorization = h.authorization.replace('Signature=', 'Signature= ');
    },
  });
  assert.equal(spaced.status, 200, spaced.text); // the verifier trims the value
  const twice = await callClassic(emu.url, { prefix: `/_s/${id}`, mutate: (h) => (h.authorization = h.authorization.replace(',Signature=', `,Signature=${'0'.repeat(64)}, Signature =`)) });
  assert.equal(twice.status, 400, twice.text); // a field given twice is refused
  assert.equal(twice.json.Code, 'IncompleteSignature');
  const logged = (await request(emu.url, { path: `/_emulator/requests?scenario=${id}` })).json;
  assert.equal(logged.length, 2);
  for (const entry of logged) assert.ok(!/[0-9a-f]{64}/.test(entry.headers.authorization), entry.headers.authorization);
  assert.ok(!JSON.stringify(logged).includes(signature));
});

test('POST /_emulator/reset clears scenarios and the request log', async () => {
  const prefix = await scenario(emu.url, { id: sid('gone'), steps: [{ action: 'hang' }] });
  await callClassic(emu.url);
  await request(emu.url, { method: 'POST', path: '/_emulator/reset' });
  assert.deepEqual((await request(emu.url, { path: '/_emulator/requests' })).json, []);
  assert.equal((await callClassic(emu.url, { prefix })).json.Code, 'EmulatorScenarioNotFound');
});

test('close() ends hanging, half-sent and trickling responses promptly', async () => {
  const local = await startEmulator();
  await scenario(local.url, {
    id: 'stuck',
    steps: [{ action: 'hang' }, { action: 'hang-body' }, { action: 'trickle-headers', intervalMs: 1000 }, { action: 'normal', delayMs: 60_000 }],
  });
  const path = '/_s/stuck' + classicPath(ORG_A, '1234567');
  const pending = [];
  for (let i = 0; i < 4; i++) {
    const { headers } = sign({ path, host: new URL(local.url).host });
    pending.push(exchange(local.url, { method: 'POST', path: path + '?category=DEPLOY', headers, timeoutMs: 30_000 }));
    await new Promise((r) => setTimeout(r, 30)); // keep the step order deterministic
  }
  const started = Date.now();
  await local.close();
  const outcomes = await Promise.all(pending);
  assert.ok(Date.now() - started < 2000, `close took ${Date.now() - started} ms`);
  for (const o of outcomes) assert.ok(o.error, JSON.stringify(o));
});
