// Many calls reading big answers at once: each within its own maxResponseBytes, together more
// than wasm memory holds (it ends at 4 GiB, and an allocation that fails there aborts the module
// for good). Before, 140 calls of 30 MiB killed the module: no pending call ever settled, nor
// did any later one. Now the answers beyond 256 MiB in flight fail their own calls, and the
// budget is given back as calls end. Its own file: the wasm memory it grows is this process's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as y from '../../pkg/node/index.mjs';
import { AK, ORG, PIPELINE, assertStillWorks, fileEmulator, guardProcess, outcome } from './helpers.mjs';

const guard = guardProcess();
const emu = await fileEmulator();
const MIB = 1 << 20;
// 30 MiB of JSON whitespace (a body that is then "empty"), shared by every answer.
const CHUNK = new Uint8Array(30 * MIB).fill(0x20);

/** `count` concurrent calls; each answer holds its 30 MiB until all have read theirs. */
async function concurrentBigAnswers(count) {
  let allRead;
  const gate = new Promise((resolve) => (allRead = resolve));
  let read = 0;
  const fetch = async () => ({
    status: 200,
    headers: new Headers(),
    body: {
      getReader() {
        let first = true;
        return {
          async read() {
            if (first) {
              first = false;
              return { done: false, value: CHUNK };
            }
            if (++read === count) allRead();
            await gate;
            return { done: true, value: undefined };
          },
        };
      },
    },
  });
  const calls = Array.from({ length: count }, () => outcome(y.listPipelineJobs(ORG, PIPELINE, { endpoint: 'http://127.0.0.1:9', ...AK, maxRetries: 0, fetch })));
  const timer = setTimeout(allRead, 10_000); // those refused never reach the gate
  const results = await Promise.all(calls);
  clearTimeout(timer);
  return results.map(({ error }) => (/would not fit in the package's memory/.test(error?.message) ? 'no room' : error?.message.includes('the body is empty') ? 'read' : String(error)));
}

test('answers beyond 256 MiB in flight fail their own calls; the module lives on, and the room comes back', async () => {
  const first = await concurrentBigAnswers(12); // 360 MiB
  assert.equal(first.filter((r) => r === 'read').length, 8, first.join(', ')); // 8 × 30 MiB = 240 MiB fit
  assert.equal(first.filter((r) => r === 'no room').length, 4, first.join(', '));
  // Every call has ended: its room is free again.
  const second = await concurrentBigAnswers(8);
  assert.deepEqual(second, Array(8).fill('read'));
  await assertStillWorks(y, emu.url);
});

// Room taken on the word of a content-length, for bytes that never come: before, 16 answers
// announcing 16 MiB and sending nothing held all 256 MiB, and every other call's answer, however
// small, failed with "no room" until they timed out. Reservations now have half the budget.
test('answers announced and never sent cannot hold the room: a small answer still reads', async () => {
  let release;
  const stalled = new Promise((resolve) => (release = resolve));
  const fetch = async () => ({
    status: 200,
    headers: new Headers({ 'content-length': String(16 * MIB) }),
    body: { getReader: () => ({ read: () => stalled.then(() => ({ done: true, value: undefined })) }) },
  });
  const calls = Array.from({ length: 20 }, () => outcome(y.listPipelineJobs(ORG, PIPELINE, { endpoint: 'http://127.0.0.1:9', ...AK, maxRetries: 0, fetch })));
  await new Promise((resolve) => setTimeout(resolve, 200)); // every stalled answer has its head
  await assertStillWorks(y, emu.url);
  // Bytes that arrive have the other half: four answers of 30 MiB read beside the reservations.
  const arrived = await concurrentBigAnswers(4);
  assert.deepEqual(arrived, Array(4).fill('read'));
  release();
  for (const { error } of await Promise.all(calls)) assert.match(String(error?.message), /the body is empty/);
});

guard.finalTest();
