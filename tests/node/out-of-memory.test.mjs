// Wasm memory ends at 4 GiB, and sooner where a browser caps it. An allocation that fails there
// used to abort the module: an uncaught RuntimeError, a call whose promise never settled, an
// instance unusable after. Here V8's cap on wasm memory (--wasm-max-mem-pages) stands in for
// such a browser: the answer that does not fit must fail its own call, and the next call work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AK, ORG, PIPELINE } from './helpers.mjs';

const PACKAGE = fileURLToPath(new URL('../../pkg/node/index.mjs', import.meta.url));

// Minimal jobs grow the most when normalised (about 4.8 times): the worst case for memory. The
// other answers are big where the server's text is: a request id, a message.
const CHILD = `
import * as y from ${JSON.stringify(PACKAGE)};
const [kind, n, credentials] = [process.argv[1], Number(process.argv[2]), JSON.parse(process.argv[3])];
const say = (what) => process.stdout.write(JSON.stringify(what) + '\\n');
process.on('uncaughtException', (e) => { say({ uncaught: String(e) }); process.exit(1); });
const answer = (text, status = 200) => {
  const bytes = new TextEncoder().encode(text);
  return async () => new Response(bytes, { status, headers: { 'content-length': String(bytes.length) } });
};
const call = (fetch) => y.listPipelineJobs(${JSON.stringify(ORG)}, ${JSON.stringify(PIPELINE)}, {
  endpoint: 'http://127.0.0.1:9', ...credentials, fetch, maxRetries: 0, maxResponseBytes: 100 * 1048576,
}).then((r) => ({ jobs: r.jobs.length }), (e) => ({ error: e.name, code: e.code, message: e.message.slice(0, 160) }));
const big = {
  jobs: () => answer('{"success":true,"jobs":[' + Array(n).fill('{"identifier":"a"}').join(',') + ']}'),
  requestId: () => answer('{"success":true,"requestId":"' + 'é'.repeat(n) + '","jobs":[]}'),
  message200: () => answer('{"success":false,"errorCode":"Forbidden.AccessDenied","errorMessage":"' + 'm'.repeat(n) + '"}'),
  message404: () => answer('{"errorCode":"InvalidPipeline.NotFound","errorMessage":"' + 'm'.repeat(n) + '"}', 404),
}[kind]();
say(await call(big));
say(await call(answer('{"success":true,"jobs":[{"identifier":"b"}]}')));
`;

function run(pages, jobs, kind = 'jobs') {
  const child = spawnSync(
    process.execPath,
    [`--wasm-max-mem-pages=${pages}`, '--input-type=module', '-e', CHILD, kind, String(jobs), JSON.stringify(AK)],
    { encoding: 'utf8', timeout: 60_000 },
  );
  const lines = child.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
  return { lines, status: child.status, stderr: child.stderr };
}

for (const [name, pages, message] of [
  // 64 MiB: the 18 MiB body is read, its ~87 MB result cannot be had.
  ['normalising', 1024, 'InvalidResponse: normalising the answer needs more memory than the package could get (HTTP 200, at body)'],
  // 16 MiB: the body itself cannot be had.
  ['reading', 256, 'InvalidResponse: the answer needs more memory than the package could get; reading stopped (HTTP 200, at body)'],
]) {
  test(`an answer too big for the wasm memory there is fails its call while ${name}, and the next call works`, () => {
    const { lines, status, stderr } = run(pages, 1_000_000);
    assert.deepEqual(lines, [{ error: 'InvalidResponseError', code: 'InvalidResponse', message }, { jobs: 1 }], stderr);
    assert.equal(status, 0, stderr);
  });
}

test('under the same cap, an answer that fits is read whole', () => {
  const { lines, status, stderr } = run(1024, 300_000);
  assert.deepEqual(lines, [{ jobs: 300_000 }, { jobs: 1 }], stderr);
  assert.equal(status, 0, stderr);
});

// Under the same 64 MiB: a server's text is read up to 1 MiB of it, and an error status's body
// up to 1 MiB, so neither is copied at its full size (it used to abort the module).
for (const [kind, n, expected] of [
  ['requestId', 6_000_000, { error: 'InvalidResponseError', code: 'InvalidResponse', message: 'InvalidResponse: longer than 1 MiB: no request id is (HTTP 200, at requestId)' }],
  ['message200', 24_000_000, { error: 'ForbiddenError', code: 'Forbidden.AccessDenied', message: `Forbidden.AccessDenied: ${'m'.repeat(136)}` }],
  ['message404', 24_000_000, { error: 'NotFoundError', code: 'HTTP_404', message: 'HTTP_404: not found; its body was not read: the error answer is larger than 1 MiB, the most of one that is read; reading stopped (HTTP 404)' }],
]) {
  test(`a huge ${kind} under a wasm memory cap: the call fails as it should, and the next call works`, () => {
    const { lines, status, stderr } = run(1024, n, kind);
    assert.deepEqual(lines, [expected, { jobs: 1 }], stderr);
    assert.equal(status, 0, stderr);
  });
}
