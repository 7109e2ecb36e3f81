// What an HTTP server cannot express, from a raw TCP server (node:net): broken status lines,
// broken heads, broken chunked framing, endless heads and bodies. Each must end as exactly one
// typed error (or, where HTTP allows it, a success), and the same module must keep working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import zlib from 'node:zlib';
import * as y from '../../pkg/node/index.mjs';
import { AK, ORG, PIPELINE, assertError, assertStillWorks, fileEmulator, guardProcess, outcome, rawServer } from './helpers.mjs';

const guard = guardProcess();
const emu = await fileEmulator();
const raw = await rawServer();

const BODY = JSON.stringify({ requestId: 'RAW-1', success: true, jobs: [{ identifier: 'raw_job', jobName: 'raw', lastJobId: 1 }] });
const RESULT = { requestId: 'RAW-1', jobs: [{ jobName: 'raw', identifier: 'raw_job', lastJobId: 1, lastJobParams: {}, lastJobParamsRaw: '' }] };
const ok = (extraHeaders = '', body = BODY) =>
  `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n${extraHeaders}\r\n${body}`;
/** The answer with a compressed body: `codings` in the order they were applied. */
function encoded(codings, bytes = Buffer.from(BODY)) {
  const apply = { gzip: zlib.gzipSync, deflate: zlib.deflateSync, br: zlib.brotliCompressSync };
  const body = codings.reduce((data, coding) => apply[coding.toLowerCase()](data), bytes);
  const head = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\ncontent-encoding: ${codings.join(', ')}\r\n\r\n`;
  return (s) => s.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
}
/** A head and an encoded body; `length` may declare more than is sent. */
const coded = (coding, body, length = body.length) =>
  Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\ncontent-encoding: ${coding}\r\n\r\n`), body]);
const GZIPPED = zlib.gzipSync(BODY);
const SPACED_BODY = ' '.repeat(3_000_000) + BODY;
const chunked = (chunks, tail = '0\r\n\r\n') =>
  `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n${chunks}${tail}`;

async function call(behaviour, options = {}) {
  raw.set(behaviour);
  return outcome(y.listPipelineJobs(ORG, PIPELINE, { endpoint: raw.url, ...AK, maxRetries: 0, timeoutMs: 2000, ...options }));
}

const NETWORK = { name: 'NetworkError', code: 'NetworkError', status: 0, requestId: null, attempts: 1 };
// The status line arrived, the body failed: the error keeps the answer's status.
const NETWORK_IN_BODY = { ...NETWORK, status: 200 };
// The same, with the request id the first bytes of the body named.
const CUT_INSIDE_JSON = { ...NETWORK_IN_BODY, requestId: 'RAW-1' };

// [name, what the server writes, expected error (or 'success'), detail the message names]
const CASES = [
  ['garbage instead of a status line', (s) => s.end('GARBAGE GARBAGE\r\n\r\n'), NETWORK, /HPE_INVALID_CONSTANT/],
  ['binary garbage', (s) => s.end(Buffer.from([0, 1, 2, 0xff, 0xfe, 13, 10, 13, 10])), NETWORK],
  ['an HTTP/0.9 answer (body, no head)', (s) => s.end(BODY), NETWORK],
  ['a status line, then close', (s) => s.end('HTTP/1.1 200 OK\r\n'), NETWORK, /UND_ERR_SOCKET|HPE_INVALID_EOF_STATE|socket hang up|ECONNRESET/],
  ['half a status line, then close', (s) => s.end('HTTP/1.1 20'), NETWORK],
  ['close without a byte', (s) => s.end(), NETWORK],
  ['a TCP reset without a byte', (s) => s.resetAndDestroy(), NETWORK, /ECONNRESET/],
  ['a status code below 100', (s) => s.end('HTTP/1.1 099 Odd\r\ncontent-length: 0\r\nconnection: close\r\n\r\n'), NETWORK],
  ['an absurd header (100 KB value)', (s) => s.end(ok(`x-big: ${'a'.repeat(100_000)}\r\n`)), NETWORK, /UND_ERR_HEADERS_OVERFLOW|HPE_HEADER_OVERFLOW/],
  ['an absurd number of headers (5000)', (s) => s.end(ok(Array.from({ length: 5000 }, (_, i) => `x-h${i}: v\r\n`).join(''))), NETWORK, /UND_ERR_HEADERS_OVERFLOW|HPE_HEADER_OVERFLOW/],
  ['a header with a NUL byte', (s) => s.end(ok('x-bad: a\u0000b\r\n')), NETWORK],
  ['a header line without a colon', (s) => s.end(ok('no colon here\r\n')), NETWORK],
  ['two conflicting content-lengths', (s) => s.end(`HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: ${BODY.length}\r\nconnection: close\r\n\r\n${BODY}`), NETWORK],
  ['content-length and chunked together (smuggling shape)', (s) => s.end(`HTTP/1.1 200 OK\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n${BODY.length.toString(16)}\r\n${BODY}\r\n0\r\n\r\n`), NETWORK],
  ['chunked with a bad chunk size', (s) => s.end(chunked(`ZZZ\r\n${BODY}\r\n`)), NETWORK_IN_BODY, /HPE_INVALID_CHUNK_SIZE|ECONNRESET/],
  ['chunked with an overflowing chunk size', (s) => s.end(chunked(`FFFFFFFFFFFFFFFFFF\r\n${BODY}\r\n`)), NETWORK_IN_BODY],
  ['chunked with a chunk size that lies short', (s) => s.end(chunked(`3\r\n${BODY}\r\n`)), NETWORK_IN_BODY],
  ['content-length longer than the body, then close', (s) => s.end(`HTTP/1.1 200 OK\r\ncontent-length: 99999\r\nconnection: close\r\n\r\n${BODY}`), NETWORK_IN_BODY],
  ['content-length shorter than the body (the JSON is cut)', (s) => s.end(`HTTP/1.1 200 OK\r\ncontent-length: 10\r\nconnection: close\r\n\r\n${BODY}`),
    { name: 'InvalidResponseError', code: 'InvalidResponse', status: 200, requestId: null, attempts: 1, path: 'body' }],
  // A body that ends inside its JSON, with no length declared: cut off, most likely (a
  // close-delimited body looks so anywhere; WebKitGTK passes a chunked one cut by a close as
  // complete). A network error, retried as one. With a declared length, above: malformed.
  ['a close-delimited body that ends inside its JSON', (s) => s.end(`HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n${BODY.slice(0, 40)}`), CUT_INSIDE_JSON,
    /^NetworkError: the body is not valid JSON: unterminated string at byte 40; the answer declared no length, so it was most likely cut off \(HTTP 200, request id RAW-1\)$/],
  ['a chunked body that ends cleanly inside its JSON', (s) => s.end(chunked(`28\r\n${BODY.slice(0, 40)}\r\n`)), CUT_INSIDE_JSON, /most likely cut off/],
  ['content-encoding: br on plain bytes', (s) => s.end(ok('content-encoding: br\r\n')), NETWORK_IN_BODY, /reading the body failed: the br body could not be decoded/],
  // Over 1 MiB declared, the body is read chunk by chunk into the core (not in one arrayBuffer()).
  ['a declared length over 1 MiB, then close early', (s) => s.end(`HTTP/1.1 200 OK\r\ncontent-length: 2000000\r\nconnection: close\r\n\r\n${BODY}`), NETWORK_IN_BODY],
  // Node's default transport (node:http) skips informational answers, as HTTP says to.
  ['an unsolicited 100 Continue before the answer', (s) => s.end(`HTTP/1.1 100 Continue\r\n\r\n${ok()}`), 'success'],
  ['bare LF line endings (llhttp is strict)', (s) => s.end(ok().replaceAll('\r\n', '\n')), NETWORK],
  ['101 Switching Protocols', (s) => s.end('HTTP/1.1 101 Switching Protocols\r\nupgrade: x\r\nconnection: upgrade\r\n\r\nxxxx'), NETWORK],
  ['a status code above 599', (s) => s.end('HTTP/1.1 999 Odd\r\ncontent-length: 0\r\nconnection: close\r\n\r\n'),
    { name: 'BadRequestError', code: 'HTTP_999', status: 999, requestId: null, attempts: 1 }],
  ['a 204 carrying a body', (s) => s.end('HTTP/1.1 204 No Content\r\ncontent-length: 5\r\nconnection: close\r\n\r\nhello'),
    { name: 'InvalidResponseError', code: 'InvalidResponse', status: 204, requestId: null, attempts: 1, path: 'body' }],
  // Valid HTTP, odd shapes: success.
  ['a close-delimited body (no length)', (s) => s.end(`HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n${BODY}`), 'success'],
  ['a declared length over 1 MiB (read chunk by chunk)', (s) => s.end(ok('', BODY + ' '.repeat(1_200_000))), 'success'],
  ['a well-formed chunked body in 1-byte chunks', (s) => s.end(chunked([...BODY].map((c) => `1\r\n${c}\r\n`).join(''))), 'success'],
  ['an unknown content-encoding (passed through)', (s) => s.end(ok('content-encoding: x-custom\r\n')), 'success'],
  // Stacked codings are undone last-first, as fetch does; more than five are not decoded.
  ['content-encoding: gzip, gzip', encoded(['gzip', 'gzip']), 'success'],
  ['content-encoding: deflate, br (and upper case)', encoded(['deflate', 'BR']), 'success'],
  ['content-encoding: gzip stacked six times (not decoded)', encoded(Array(6).fill('gzip')),
    { name: 'InvalidResponseError', code: 'InvalidResponse', status: 200, requestId: null, attempts: 1, path: 'body' },
    /the answer declared content-encoding: gzip, gzip/],
  // Decoded as leniently as fetch (undici) does: raw deflate, a gzip body short of its trailer.
  ['content-encoding: deflate as raw deflate (no zlib wrapper)', (s) => s.end(coded('deflate', zlib.deflateRawSync(BODY))), 'success'],
  ['content-encoding: x-gzip (gzip\'s old name, which fetch decodes too)', (s) => s.end(coded('x-gzip', zlib.gzipSync(BODY))), 'success'],
  ['content-encoding: gzip without its 8-byte trailer', (s) => s.end(coded('gzip', zlib.gzipSync(BODY).subarray(0, -8))), 'success'],
  // Bytes after the end of the deflate data (the inflater ends early): read, not a hang.
  ['content-encoding: deflate with bytes after the data (zlib-wrapped)', (s) => s.end(coded('deflate', Buffer.concat([zlib.deflateSync(BODY), Buffer.from('TRAILING')]))), 'success'],
  ['content-encoding: deflate with bytes after the data (raw)', (s) => s.end(coded('deflate', Buffer.concat([zlib.deflateRawSync(BODY), Buffer.from('TRAILING')]))), 'success'],
  // `identity` is no coding, wherever it stands among them.
  ['content-encoding: gzip, identity', (s) => s.end(coded('gzip, identity', zlib.gzipSync(BODY))), 'success'],
  ['content-encoding: identity, gzip', (s) => s.end(coded('identity, gzip', zlib.gzipSync(BODY))), 'success'],
  // A body that inflates to more than a read takes at once is read whole (the leading white
  // space keeps it JSON, which a body cut short would not be).
  ['content-encoding: deflate inflating to 3 MB (zlib-wrapped)', (s) => s.end(coded('deflate', zlib.deflateSync(SPACED_BODY))), 'success'],
  ['content-encoding: deflate inflating to 3 MB (raw)', (s) => s.end(coded('deflate', zlib.deflateRawSync(SPACED_BODY))), 'success'],
  // A gzip body cut short is a cut connection, not a body that could not be decoded.
  ['content-encoding: gzip, cut short', (s) => s.end(coded('gzip', GZIPPED.subarray(0, 20), GZIPPED.length + 100)), NETWORK_IN_BODY,
    /^NetworkError: reading the body failed: the connection closed before the body ended/],
  // Stacked codings: the failing decoder is named, not mistaken for a cut-off connection.
  ['content-encoding: gzip, br on plain bytes, more to come', (s) => s.write(coded('gzip, br', Buffer.from(BODY), 1_000_000)), NETWORK_IN_BODY,
    /the br body could not be decoded/],
  // Names an object inherits (a lookup table must not find them): passed through like any unknown.
  ...['constructor', '__proto__', 'toString', 'hasOwnProperty'].map((name) =>
    [`content-encoding: ${name}`, (s) => s.end(ok(`content-encoding: ${name}\r\n`)), 'success']),
];

for (const [name, behaviour, expected, detail] of CASES) {
  test(`raw TCP: ${name}`, async () => {
    const got = await call(behaviour);
    if (expected === 'success') {
      assert.ok(!got.error, String(got.error?.message ?? got.error));
      assert.deepEqual(got.value, RESULT);
    } else {
      const e = assertError(y, got, expected);
      if (detail) assert.match(e.message, detail);
    }
    await assertStillWorks(y, emu.url);
  });
}

test('raw TCP: a head that never ends: TimeoutError (or a header overflow), never a hang', async () => {
  const got = await call((s) => {
    s.write('HTTP/1.1 200 OK\r\n');
    raw.every(s, 5, () => s.write('x-more: yes\r\n'));
  }, { timeoutMs: 600 });
  const e = got.error;
  assert.ok(e instanceof y.TimeoutError || e instanceof y.NetworkError, String(e));
  assert.deepEqual([e.status, e.attempts, e.requestId], [0, 1, null]);
  await assertStillWorks(y, emu.url);
});

test('raw TCP: a chunked body that never ends: stops at maxResponseBytes', async () => {
  const got = await call((s) => {
    s.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n4000\r\n[' + ' '.repeat(0x3fff) + '\r\n');
    raw.every(s, 1, () => s.write('4000\r\n' + ' '.repeat(0x4000) + '\r\n'));
  }, { maxResponseBytes: 1_000_000, timeoutMs: 10_000 });
  assertError(y, got, { name: 'InvalidResponseError', code: 'InvalidResponse', status: 200, attempts: 1, path: 'body' });
  await assertStillWorks(y, emu.url);
});

test('raw TCP: a redirect whose body never ends: UnexpectedRedirect at once, not a timeout', async () => {
  const started = performance.now();
  const got = await call((s) => {
    s.write('HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:9/elsewhere\r\ncontent-length: 1000000\r\n\r\n');
    raw.every(s, 50, () => s.write(' '));
  }, { timeoutMs: 5000 });
  assertError(y, got, { name: 'InvalidResponseError', code: 'UnexpectedRedirect', status: 302, attempts: 1 });
  // Not a timing assertion of speed: 5000 ms is the attempt's timeout, which a read would reach.
  assert.ok(performance.now() - started < 4000, 'the body was waited for');
  await assertStillWorks(y, emu.url);
});

test('raw TCP: a byte every 50 ms forever: TimeoutError at timeoutMs', async () => {
  const got = await call((s) => {
    s.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000000\r\n\r\n`);
    raw.every(s, 50, () => s.write(' '));
  }, { timeoutMs: 500 });
  assertError(y, got, { name: 'TimeoutError', code: 'Timeout', status: 200, requestId: null, attempts: 1 });
  await assertStillWorks(y, emu.url);
});

test('raw TCP: broken answers are retried like network errors (maxRetries + 1 connections)', async () => {
  let requests = 0;
  const got = await call((s) => {
    requests++;
    s.end('GARBAGE\r\n\r\n');
  }, { maxRetries: 2 });
  assertError(y, got, { ...NETWORK, attempts: 3 });
  assert.equal(requests, 3);
  await assertStillWorks(y, emu.url);
});

// A server that closes each connection after its answer without `connection: close`: the next
// call may find its kept-alive connection gone (a reset before any answer). fetch (undici) sends
// such a request again on a new connection, and so does the default transport: before, about
// half of these calls failed (with maxRetries 0), or spent a retry and its backoff.
test('raw TCP: kept-alive connections the server closed unannounced: every call succeeds, with no retry', async () => {
  raw.set((s) => s.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(BODY)}\r\n\r\n${BODY}`));
  const before = raw.connections;
  for (let i = 0; i < 30; i++) {
    assert.deepEqual(await y.listPipelineJobs(ORG, PIPELINE, { endpoint: raw.url, ...AK, maxRetries: 0 }), RESULT, `call ${i}`);
  }
  assert.equal(raw.connections - before, 30, 'one answer per connection');
});

// A new connection closed before any answer is the retry policy's to decide: not sent again.
test('raw TCP: a new connection closed before any answer: one attempt, one connection', async () => {
  const before = raw.connections;
  const got = await call((s) => s.destroy());
  assertError(y, got, NETWORK);
  assert.equal(raw.connections - before, 1);
  await assertStillWorks(y, emu.url);
});

// A server that reads the request on a kept-alive connection, then closes it unanswered: the
// request goes out once more, not once per pooled connection (it is the same signed request,
// nonce and all; the retry policy's attempts are signed afresh).
test('raw TCP: kept-alive connections closed after reading the request: the request is sent once more, at most', async (t) => {
  let answering = true;
  let requests = 0;
  const answer = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(BODY)}\r\n\r\n${BODY}`;
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('data', (data) => {
      for (const _ of data.toString('latin1').matchAll(/\r\n\r\n/g)) {
        requests++;
        if (answering) socket.write(answer);
        else socket.end();
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy(); // the package's pool keeps them open
    server.close();
  });
  const endpoint = `http://127.0.0.1:${server.address().port}`;
  // Four kept-alive connections in the pool.
  await Promise.all(Array.from({ length: 4 }, () => y.listPipelineJobs(ORG, PIPELINE, { endpoint, ...AK, maxRetries: 0 })));
  answering = false;
  const before = requests;
  const got = await outcome(y.listPipelineJobs(ORG, PIPELINE, { endpoint, ...AK, maxRetries: 0 }));
  assertError(y, got, NETWORK);
  assert.equal(requests - before, 2, 'the request and one resend');
});

for (const [name, codings] of [['a body that is not gzip', 'gzip'], ['a body that is not brotli', 'br']]) {
  test(`raw TCP: ${name}, then a stall: the call fails and closes the connection`, async () => {
    let closed;
    const socketClosed = new Promise((resolve) => (closed = resolve));
    const got = await call((s) => {
      s.on('close', closed);
      s.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: ${codings}\r\ncontent-length: 1000000\r\n\r\n`);
      s.write(Buffer.alloc(64, 0x41)); // the rest never comes
    }, { timeoutMs: 60_000 });
    assertError(y, got, NETWORK_IN_BODY);
    // Before, the failed call left the connection open (and a CLI waiting) until the server
    // gave up: the bound here is only there to fail instead of hanging.
    const outcomeOfWait = await Promise.race([socketClosed.then(() => 'closed'), new Promise((r) => setTimeout(r, 5000, 'still open'))]);
    assert.equal(outcomeOfWait, 'closed');
    await assertStillWorks(y, emu.url);
  });
}

// The whole answer is in (kept alive, unread) when the limit stops the reading: the abort that
// follows once crashed the process (an error handed to a socket nobody listened to any more).
// (An error status's body too big to read leaves the answer to be judged by its status.)
for (const [name, answer, expected] of [
  ['a declared length', `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 3000\r\n\r\n${'x'.repeat(3000)}`, 'InvalidResponseError'],
  ['chunked', `HTTP/1.1 503 Service Unavailable\r\ntransfer-encoding: chunked\r\n\r\nbb8\r\n${'x'.repeat(3000)}\r\n0\r\n\r\n`, 'ServerError'],
]) {
  test(`raw TCP: a complete answer over maxResponseBytes (${name}): ${expected}, and the process lives on`, async () => {
    const got = await call((s) => s.write(answer), { maxResponseBytes: 1024 });
    assert.equal(got.error?.name, expected, `got ${got.error}`);
    assert.match(got.error.message, /larger than maxResponseBytes \(1024 bytes\)/);
    await new Promise((resolve) => setTimeout(resolve, 200)); // an uncaught error would land here
    await assertStillWorks(y, emu.url);
  });
}

// A small deflate body that inflates to 512 MiB: reading stops at maxResponseBytes, and so
// does the inflating (before, the raw-or-wrapped deflate decoder went on inflating, unpaused,
// after the call had failed: ~300 ms of CPU here, and tens of MB buffered).
for (const [name, deflate] of [['zlib-wrapped', zlib.deflateSync], ['raw', zlib.deflateRawSync]]) {
  test(`raw TCP: a deflate bomb (${name}): InvalidResponseError at maxResponseBytes, and no inflating after it`, async (t) => {
    const bomb = deflate(Buffer.alloc(512 << 20));
    const got = await call((s) => s.end(coded('deflate', bomb)), { maxResponseBytes: 1 << 20 });
    assert.equal(got.error?.name, 'InvalidResponseError', `got ${got.error}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const cpu = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const used = process.cpuUsage(cpu);
    const ms = (used.user + used.system) / 1000;
    t.diagnostic(`${Math.round(ms)} ms of CPU`);
    assert.ok(ms < 50, `${Math.round(ms)} ms of CPU in the second after the call failed`);
  });
}

// The default Node transport wires the abort by hand (not node:http's `signal` option): each
// way a call ends early must still close its connection, not leave it to the server.
const HEAD_ONLY = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"requestId":`;
for (const [name, write, options, expected] of [
  ['the caller aborts while the head is awaited', () => {}, 'abort', 'aborted'],
  ['the caller aborts while the body streams in', (s) => s.write(HEAD_ONLY), 'abort', 'aborted'],
  ['the attempt times out while the head is awaited', () => {}, { timeoutMs: 300 }, { name: 'TimeoutError', status: 0 }],
  ['the attempt times out while the body streams in', (s) => s.write(HEAD_ONLY), { timeoutMs: 300 }, { name: 'TimeoutError', status: 200 }],
]) {
  test(`raw TCP: ${name}: the connection is closed`, async () => {
    let closed;
    const socketClosed = new Promise((resolve) => (closed = resolve));
    const controller = new AbortController();
    const reason = new Error('enough');
    const timer = options === 'abort' ? setTimeout(() => controller.abort(reason), 300) : null;
    const got = await call((s) => {
      s.on('close', closed);
      write(s);
    }, options === 'abort' ? { signal: controller.signal, timeoutMs: 60_000 } : options);
    clearTimeout(timer);
    if (expected === 'aborted') {
      assert.equal(got.error, reason);
    } else {
      assert.equal(got.error?.name, expected.name, `got ${got.error}`);
      assert.equal(got.error.status, expected.status);
    }
    const outcomeOfWait = await Promise.race([socketClosed.then(() => 'closed'), new Promise((r) => setTimeout(r, 5000, 'still open'))]);
    assert.equal(outcomeOfWait, 'closed');
    await assertStillWorks(y, emu.url);
  });
}

guard.finalTest();
