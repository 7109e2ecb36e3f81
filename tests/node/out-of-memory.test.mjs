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

// Minimal jobs grow the most when normalised (about 4.8 times): the worst case for memory.
const CHILD = `
import * as y from ${JSON.stringify(PACKAGE)};
const [jobs, credentials] = [Number(process.argv[1]), JSON.parse(process.argv[2])];
const say = (what) => process.stdout.write(JSON.stringify(what) + '\\n');
process.on('uncaughtException', (e) => { say({ uncaught: String(e) }); process.exit(1); });
const answer = (text) => {
  const bytes = new TextEncoder().encode(text);
  return async () => new Response(bytes, { headers: { 'content-length': String(bytes.length) } });
};
const call = (fetch) => y.listPipelineJobs(${JSON.stringify(ORG)}, ${JSON.stringify(PIPELINE)}, {
  endpoint: 'http://127.0.0.1:9', ...credentials, fetch, maxRetries: 0, maxResponseBytes: 100 * 1048576,
}).then((r) => ({ jobs: r.jobs.length }), (e) => ({ error: e.name, message: e.message }));
const big = '{"success":true,"jobs":[' + Array(jobs).fill('{"identifier":"a"}').join(',') + ']}';
say(await call(answer(big)));
say(await call(answer('{"success":true,"jobs":[{"identifier":"b"}]}')));
`;

function run(pages, jobs) {
  const child = spawnSync(
    process.execPath,
    [`--wasm-max-mem-pages=${pages}`, '--input-type=module', '-e', CHILD, String(jobs), JSON.stringify(AK)],
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
    assert.deepEqual(lines, [{ error: 'InvalidResponseError', message }, { jobs: 1 }], stderr);
    assert.equal(status, 0, stderr);
  });
}

test('under the same cap, an answer that fits is read whole', () => {
  const { lines, status, stderr } = run(1024, 300_000);
  assert.deepEqual(lines, [{ jobs: 300_000 }, { jobs: 1 }], stderr);
  assert.equal(status, 0, stderr);
});
