// The package as an app resolves it: by name, through pkg/package.json's exports, from a
// project whose node_modules links to pkg/. Run in child processes, so that the conditions
// Node resolves with can be set (`--conditions`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG = fileURLToPath(new URL('../../pkg', import.meta.url));
const app = mkdtempSync(path.join(tmpdir(), 'yunxiao-exports-'));
mkdirSync(path.join(app, 'node_modules'));
symlinkSync(PKG, path.join(app, 'node_modules', 'yunxiao-pipeline-jobs'), 'dir');
process.on('exit', () => rmSync(app, { recursive: true, force: true }));

/** Runs `code` as an ES module (or CommonJS) in the app, with `conditions`; its stdout. */
const run = (code, { conditions = [], type = 'module' } = {}) =>
  execFileSync(process.execPath, [...conditions.map((c) => `--conditions=${c}`), `--input-type=${type}`, '-e', code], { cwd: app, encoding: 'utf8' }).trim();

const CALL = "(await m.errorCodeInfo('InvalidPipeline.NotFound')).className";

test('import and require by name find the Node build, which needs no initialize()', () => {
  assert.equal(run(`import * as m from 'yunxiao-pipeline-jobs'; console.log(${CALL})`), 'NotFoundError');
  assert.equal(run("require('yunxiao-pipeline-jobs').errorCodeInfo('InvalidPipeline.NotFound').then((i) => console.log(i.className))", { type: 'commonjs' }), 'NotFoundError');
});

// Before, `browser` came first in the exports map: Node resolving with it (a test runner's
// setting) got the browser build, which cannot fetch its wasm from a file: URL.
test('in Node, the browser condition still resolves to the Node build (the `node` condition comes first)', () => {
  assert.equal(run(`import * as m from 'yunxiao-pipeline-jobs'; console.log(${CALL})`, { conditions: ['browser'] }), 'NotFoundError');
});

test('the /web subpath is the browser build, whatever the conditions', () => {
  const out = run("import * as m from 'yunxiao-pipeline-jobs/web'; const e = await m.errorCodeInfo('X').catch((e) => e); console.log(e.code)");
  assert.equal(out, 'WasmUnavailable');
});
