// Globals from another realm, as under jsdom (vitest's `environment: 'jsdom'`) or in a vm
// context: the package's bytes checks must not hang on `instanceof`, which fails across realms.
// Each case runs in a child process, whose globals it may replace at will.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('../../pkg/node/index.mjs', import.meta.url));

const SCRIPT = `
import vm from 'node:vm';
import http from 'node:http';
const y = await import(process.argv[1]);
const body = JSON.stringify({ requestId: 'R', success: true, jobs: [{ identifier: 'a', jobName: 'A', lastJobId: 1 }] });
const server = http.createServer((req, res) => res.end(body)).listen(0, '127.0.0.1');
await new Promise((resolve) => server.on('listening', resolve));
const options = { endpoint: 'http://127.0.0.1:' + server.address().port, accessKeyId: 'AKID', accessKeySecret: 'secret-value', maxRetries: 0 };
const other = vm.runInNewContext('({ ArrayBuffer, Uint8Array })');
const outcome = (promise) => promise.then((r) => r.jobs.length, (e) => e.name + ': ' + e.message);
const out = {};
globalThis.ArrayBuffer = other.ArrayBuffer;
out.arrayBuffer = [await outcome(y.listPipelineJobs('org', '1', options)), await outcome(y.listPipelineJobs('org', '1', { ...options, fetch: async () => new Response(body) }))];
globalThis.Uint8Array = other.Uint8Array;
out.both = [await outcome(y.listPipelineJobs('org', '1', options)), await outcome(y.listPipelineJobs('org', '1', { ...options, fetch: async () => new Response(body) }))];
server.close();
console.log(JSON.stringify(out));
`;

test('ArrayBuffer and Uint8Array from another realm: answers are still read as bytes', () => {
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', SCRIPT, ENTRY], { encoding: 'utf8', timeout: 30_000 }));
  assert.deepEqual(out, { arrayBuffer: [1, 1], both: [1, 1] });
});
