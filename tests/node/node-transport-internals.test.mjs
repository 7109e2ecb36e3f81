// The default Node transport (js/node-transport.js, from source) driven directly, with a
// reader slower than the core: the core drains a body as fast as it arrives, which hides how
// the deflate decoder behaves when its reader falls behind (backpressure, and the end of the
// body). js/package.json marks the sources as ES modules, so Node loads this one without a
// warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { attemptController, nodeFetch } from '../../js/node-transport.js';
import { rawServer } from '../faults/helpers.mjs';

const raw = await rawServer();

/** The raw server's address, answering with `body` as a deflate-coded body. */
function serveDeflated(body) {
  const head = `HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\ncontent-encoding: deflate\r\nconnection: close\r\n\r\n`;
  raw.set((socket) => socket.end(Buffer.concat([Buffer.from(head), body])));
  return `${raw.url}/`;
}

const DEFLATES = [['zlib-wrapped', zlib.deflateSync], ['raw', zlib.deflateRawSync]];

for (const [name, deflate] of DEFLATES) {
  test(`deflate (${name}) read slowly: every byte arrives, the last ones too`, async () => {
    const text = Buffer.from(`${' '.repeat(3_000_000)}END`);
    const url = serveDeflated(deflate(text));
    const controller = attemptController();
    const response = await nodeFetch(url, { method: 'GET', headers: {}, signal: controller.signal });
    const reader = response.body.getReader();
    const chunks = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(Buffer.from(value));
      await sleep(1); // behind the inflater
    }
    const got = Buffer.concat(chunks);
    assert.equal(got.length, text.length);
    assert.equal(got.subarray(-3).toString(), 'END');
  });

  test(`deflate (${name}) bomb with a reader that stops: inflating waits for the reader`, async () => {
    const url = serveDeflated(deflate(Buffer.alloc(64 << 20)));
    const base = process.memoryUsage().arrayBuffers;
    const controller = attemptController();
    const response = await nodeFetch(url, { method: 'GET', headers: {}, signal: controller.signal });
    await response.body.getReader().read();
    await sleep(300); // the reader takes nothing more
    const held = process.memoryUsage().arrayBuffers - base;
    controller.abort(new Error('enough'));
    assert.ok(held < 16 << 20, `${(held / 2 ** 20).toFixed(1)} MiB inflated ahead of the reader`);
  });
}
