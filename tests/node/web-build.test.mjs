// The browser build, loaded in Node (initialised from bytes, since Node's fetch cannot read
// file: URLs): same behaviour as the Node build.
import { readFile } from 'node:fs/promises';
import * as lib from '../../pkg/web/index.js';
import { defineSuite } from './suite.mjs';

await lib.initialize(await readFile(new URL('../../pkg/web/glue_bg.wasm', import.meta.url)));
defineSuite('web build in Node', lib);

// Two copies of the classes (the browser build and the Node build) still agree on instanceof:
// the brand is a registered symbol, not object identity.
const { test } = await import('node:test');
const assert = (await import('node:assert/strict')).default;
const node = await import('../../pkg/node/index.mjs');
test('errors of one build are instances of the other build\'s classes', async () => {
  const error = await lib.listPipelineJobs('', '1').catch((e) => e);
  assert.notEqual(lib.InvalidArgumentError, node.InvalidArgumentError);
  assert.ok(error instanceof node.InvalidArgumentError && error instanceof node.YunxiaoError && error instanceof Error);
  assert.ok(!(error instanceof node.NotFoundError));
  const fromNode = await node.listPipelineJobs('', '1').catch((e) => e);
  assert.ok(fromNode instanceof lib.InvalidArgumentError && fromNode instanceof lib.YunxiaoError);
  assert.equal(fromNode.name, 'InvalidArgumentError');
});

test('errors are instances across the ESM and CJS entries (two bundles, one brand)', async () => {
  const { createRequire } = await import('node:module');
  const cjs = createRequire(import.meta.url)('../../pkg/node/index.cjs');
  const fromEsm = await node.listPipelineJobs('', '1').catch((e) => e);
  const fromCjs = await cjs.listPipelineJobs('', '1').catch((e) => e);
  assert.ok(fromEsm instanceof cjs.InvalidArgumentError && fromEsm instanceof cjs.YunxiaoError);
  assert.ok(fromCjs instanceof node.InvalidArgumentError && fromCjs instanceof node.YunxiaoError);
  assert.ok(!(fromCjs instanceof node.TimeoutError));
});
