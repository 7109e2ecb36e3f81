// The short load test for `make test`: tests/faults/soak.mjs with 500 concurrent calls x 12
// rounds, the first eight warm-up (the full run, `make soak`, is 2000 x 10). Runs in its own
// process so its memory readings are its own. Eight: the process's RSS settles over the first
// rounds (its JS heap, wasm memory and ArrayBuffers are flat from the second), on Node 24 and
// later only after five or six, and a baseline any sooner reads that settling as growth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./soak.mjs', import.meta.url));

test('soak (short): 500 concurrent calls x 12 rounds, every result correct, RSS, JS heap, ArrayBuffers and wasm memory flat', async (t) => {
  const { code, stdout, stderr } = await new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, '--concurrency', '500', '--rounds', '12', '--warmup', '8'], { timeout: 120_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? error.code ?? 1 : 0, stdout, stderr }),
    );
  });
  const line = stdout.split('\n').find((l) => l.startsWith('SOAK_RESULT '));
  assert.ok(line, `no SOAK_RESULT line (exit ${code}):\n${stdout}\n${stderr}`);
  const result = JSON.parse(line.slice('SOAK_RESULT '.length));
  for (const s of result.samples) {
    t.diagnostic(`round ${s.round}: ${s.ms} ms, rss ${(s.rss / 2 ** 20).toFixed(1)} MiB, wasm ${(s.wasm / 2 ** 20).toFixed(1)} MiB, arrayBuffers ${(s.arrayBuffers / 2 ** 20).toFixed(2)} MiB, wrong ${s.wrong}`);
  }
  assert.deepEqual(result.failures, [], stdout);
  assert.equal(result.calls, 6000);
  assert.equal(result.warmup, 8);
  assert.ok(result.samples.every((s) => s.wrong === 0));
  assert.equal(code, 0, stderr);
});
