// Node's default transport (js/node-transport.js) through the package: keep-alive, the codings it
// offers, *.localhost to loopback, a caller's signal shared by calls, an abort before the
// request is sent. (What it decodes is tested in tests/faults/raw-tcp.test.mjs. Each test here
// kills a mutant that a mutation audit found surviving the other suites.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dns from 'node:dns';
import http from 'node:http';
import net from 'node:net';
import * as y from '../../pkg/node/index.mjs';
import { AK, ORG, PIPELINE, emulator, rejection, runNode } from './helpers.mjs';

const BODY = JSON.stringify({ requestId: 'AUDIT-1', success: true, jobs: [{ identifier: 'a_job', jobName: 'a', lastJobId: 1 }] });

/** An HTTP server answering BODY; `seen` gets each request's headers, `connections` counts TCP connections. */
async function jsonServer(t, host = '127.0.0.1') {
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push({ ...req.headers, raw: req.rawHeaders });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) }).end(BODY);
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise((resolve) => server.listen(0, host, resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { port: server.address().port, seen, get connections() { return connections; } };
}

test('a signal shared by two calls: once one settles, aborting still ends the other with its reason', async (t) => {
  const emu = await emulator(t);
  const quick = await emu.scenario('quick', [{ action: 'normal' }]);
  const slow = await emu.scenario('slow', [{ action: 'hang' }]);
  const controller = new AbortController();
  const pending = rejection(y.listPipelineJobs(ORG, PIPELINE, { endpoint: slow, ...AK, signal: controller.signal, timeoutMs: 5000, maxRetries: 0 }));
  assert.equal((await y.listPipelineJobs(ORG, PIPELINE, { endpoint: quick, ...AK, signal: controller.signal })).jobs.length, 4);
  const reason = new Error('stop');
  controller.abort(reason);
  assert.equal(await pending, reason);
});

test('the default transport keeps connections alive: calls to one host, one after another, share one connection', async (t) => {
  const server = await jsonServer(t);
  for (let i = 0; i < 3; i++) {
    await y.listPipelineJobs(ORG, PIPELINE, { endpoint: `http://127.0.0.1:${server.port}`, ...AK, maxRetries: 0 });
  }
  assert.equal(server.connections, 1);
});

test('the default transport offers every coding it decodes: gzip, deflate and br', async (t) => {
  const server = await jsonServer(t);
  await y.listPipelineJobs(ORG, PIPELINE, { endpoint: `http://127.0.0.1:${server.port}`, ...AK, maxRetries: 0 });
  assert.deepEqual(server.seen[0]['accept-encoding'].split(/\s*,\s*/).sort(), ['br', 'deflate', 'gzip']);
});

test('the default transport sends one Host header, the one it signed: a port that is not the default, IPv6 in brackets', async (t) => {
  const server = await jsonServer(t);
  await y.listPipelineJobs(ORG, PIPELINE, { endpoint: `http://127.0.0.1:${server.port}`, ...AK, maxRetries: 0 });
  const raw = server.seen[0].raw;
  const hosts = raw.filter((_, i) => i % 2 === 0 && raw[i].toLowerCase() === 'host').length;
  assert.equal(hosts, 1, String(raw));
  assert.equal(server.seen[0].host, `127.0.0.1:${server.port}`);
  // The emulator verifies the signature, whose signed headers hold the host.
  for (const host of ['127.0.0.1', '::1']) {
    const emu = await emulator(t, { host });
    const result = await y.listPipelineJobs(ORG, PIPELINE, { endpoint: emu.url, ...AK, maxRetries: 0 });
    assert.equal(result.jobs.length > 0, true);
    const [request] = await emu.requests();
    assert.equal(request.verification?.ok, true, JSON.stringify(request.verification));
    assert.equal(request.headers.host, new URL(emu.url).host);
  }
});

test('a tracing agent that wraps http.request and copies the headers as an object (OpenTelemetry does) leaves calls working', async (t) => {
  // OpenTelemetry's HTTP instrumentation: `Object.assign({}, options.headers)`, then its own.
  const original = http.request;
  http.request = function tracedRequest(url, options, callback) {
    const traced = { ...options, headers: Object.assign({}, options.headers, { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }) };
    return original.call(this, url, traced, callback);
  };
  t.after(() => {
    http.request = original;
  });
  const emu = await emulator(t);
  const result = await y.listPipelineJobs(ORG, PIPELINE, { endpoint: emu.url, ...AK, maxRetries: 0 });
  assert.equal(result.jobs.length, 4);
  const [request] = await emu.requests();
  assert.equal(request.verification?.ok, true, JSON.stringify(request.verification));
  assert.equal(request.headers.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
});

test('a *.localhost endpoint reaches a server that listens on IPv6 loopback only', async (t) => {
  const server = await jsonServer(t, '::1');
  const result = await y.listPipelineJobs(ORG, PIPELINE, { endpoint: `http://jobs.localhost:${server.port}`, ...AK, maxRetries: 0 });
  assert.equal(result.requestId, 'AUDIT-1');
});

test('a *.localhost endpoint reaches IPv4 loopback with Happy Eyeballs turned off (a single-address lookup)', async (t) => {
  const server = await jsonServer(t);
  const before = net.getDefaultAutoSelectFamily();
  net.setDefaultAutoSelectFamily(false);
  try {
    const result = await y.listPipelineJobs(ORG, PIPELINE, { endpoint: `http://jobs.localhost:${server.port}`, ...AK, maxRetries: 0 });
    assert.equal(result.requestId, 'AUDIT-1');
  } finally {
    net.setDefaultAutoSelectFamily(before);
  }
});

test('a name that only ends in "localhost" (no dot before it) goes to the system resolver', async (t) => {
  const server = await jsonServer(t);
  const realLookup = dns.lookup;
  const asked = [];
  dns.lookup = (hostname, options, callback) => {
    asked.push(hostname);
    return realLookup(hostname === 'notlocalhost' ? '127.0.0.1' : hostname, options, callback);
  };
  try {
    const result = await y.listPipelineJobs(ORG, PIPELINE, { endpoint: `http://notlocalhost:${server.port}`, ...AK, maxRetries: 0, allowInsecureHttp: true });
    assert.equal(result.requestId, 'AUDIT-1');
  } finally {
    dns.lookup = realLookup;
  }
  assert.deepEqual(asked, ['notlocalhost']);
});

test('an abort at any point of a call, even before the transport has sent the request, closes its connection', async (t) => {
  const open = new Set();
  const server = net.createServer((socket) => {
    open.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => open.delete(socket));
  }); // never answers
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of open) socket.destroy();
    server.close();
  });
  const endpoint = `http://127.0.0.1:${server.address().port}`;
  const left = [];
  for (let hops = 0; hops < 40; hops++) {
    const controller = new AbortController();
    const reason = new Error(`abort after ${hops} microtasks`);
    const pending = rejection(y.listPipelineJobs(ORG, PIPELINE, { endpoint, ...AK, maxRetries: 0, timeoutMs: 10_000, signal: controller.signal }));
    for (let i = 0; i < hops; i++) await null;
    controller.abort(reason);
    assert.equal(await pending, reason);
    // A connection the call opened has arrived within 50 ms; it must then close (given up to a
    // second, for a loaded machine: left open, it would stay open for good).
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (let waited = 0; open.size > 0 && waited < 1000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    if (open.size > 0) left.push(hops);
    for (const socket of open) socket.destroy();
  }
  assert.deepEqual(left, []);
});

test('before Node 20.16 (no process.getBuiltinModule) the package loads Node\'s modules by a require of its own, in both builds', async (t) => {
  const { url } = await emulator(t);
  const pkgDir = new URL('../../pkg/node/', import.meta.url);
  const options = JSON.stringify({ endpoint: url, ...AK, maxRetries: 0 });
  const load = {
    cjs: `const y = require(${JSON.stringify(new URL('index.cjs', pkgDir).pathname)});`,
    esm: `const y = await import(${JSON.stringify(new URL('index.mjs', pkgDir).href)});`,
  };
  for (const [build, loadIt] of Object.entries(load)) {
    // In an async function, so the CommonJS build's require and the ES module's await both work.
    const script = `delete process.getBuiltinModule; (async () => { ${loadIt}
      const { jobs } = await y.listPipelineJobs(${JSON.stringify(ORG)}, ${JSON.stringify(PIPELINE)}, ${options});
      process.stdout.write(jobs.length + ' ' + typeof process.getBuiltinModule); })().catch((error) => { console.error(String(error)); process.exit(1); });`;
    const { code, stdout, stderr } = await runNode(['-e', script], { timeout: 30_000 });
    assert.equal(code, 0, `${build}: ${stderr}`);
    assert.equal(stdout.trim(), '4 undefined', build);
  }
});
