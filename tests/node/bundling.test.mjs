// The package inside an app's bundle (README, "Bundling"): a Node app bundled with esbuild
// without the wasm beside it fails at import with an explanation, and works once the file is
// copied; the wasm files are exported for asset imports.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appWithPackage, runNode } from './helpers.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ESBUILD = path.join(ROOT, 'node_modules/.bin/esbuild');
const app = appWithPackage(after, 'yunxiao-bundle-');

test('a Node app bundled with esbuild: an explained error without the wasm, working with it', () => {
  writeFileSync(path.join(app, 'app.mjs'), "import { errorCodeInfo } from 'yunxiao-pipeline-jobs';\nconsole.log((await errorCodeInfo('InvalidPipeline.NotFound')).className);\n");
  writeFileSync(path.join(app, 'app-cjs.cjs'), "require('yunxiao-pipeline-jobs').errorCodeInfo('InvalidPipeline.NotFound').then((i) => console.log(i.className));\n");
  writeFileSync(path.join(app, 'app-then.mjs'), "import { errorCodeInfo } from 'yunxiao-pipeline-jobs';\nerrorCodeInfo('InvalidPipeline.NotFound').then((i) => console.log(i.className));\n");
  // An ES module app bundled into CommonJS (esbuild's default format for --platform=node) gets
  // the package's ES module build with an empty import.meta: the wasm beside the bundle too.
  for (const [source, format] of [['app.mjs', 'esm'], ['app-cjs.cjs', 'cjs'], ['app-then.mjs', 'cjs']]) {
    const out = path.join(app, `out-${source}-${format}`);
    const file = path.join(out, format === 'esm' ? 'app.mjs' : 'app.cjs');
    execFileSync(ESBUILD, [path.join(app, source), '--bundle', '--platform=node', `--format=${format}`, `--outfile=${file}`, '--log-level=error'], { cwd: app });
    const without = spawnSync(process.execPath, [file], { encoding: 'utf8' });
    assert.notEqual(without.status, 0, `${source} → ${format}`);
    assert.match(without.stderr, /yunxiao-pipeline-jobs: cannot read its WebAssembly module at .*glue_bg\.wasm \(ENOENT\)\. Bundled into an app\? Keep the package external/, `${source} → ${format}`);
    copyFileSync(path.join(ROOT, 'pkg/node/glue_bg.wasm'), path.join(out, 'glue_bg.wasm'));
    const withWasm = spawnSync(process.execPath, [file], { encoding: 'utf8' });
    assert.equal(withWasm.stdout.trim(), 'NotFoundError', `${source} → ${format}: ${withWasm.stderr}`);
  }
});

test('the wasm files are exported, for bundlers\' asset imports', () => {
  const require = createRequire(path.join(app, 'app.mjs'));
  for (const build of ['web', 'node']) {
    assert.equal(require.resolve(`yunxiao-pipeline-jobs/${build}/glue_bg.wasm`), path.join(ROOT, `pkg/${build}/glue_bg.wasm`));
  }
});

test('the Node ES module build loaded from a URL that is no file (data:): the missing wasm explained, not a TypeError', async () => {
  const source = readFileSync(path.join(ROOT, 'pkg/node/index.mjs'), 'utf8');
  const error = await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`).then(
    () => assert.fail('loaded without its wasm'),
    (thrown) => thrown,
  );
  assert.match(String(error), /yunxiao-pipeline-jobs: cannot read its WebAssembly module at glue_bg\.wasm \(ENOENT\)/);
});

// webpack (5) for Node: it picks the package's ES module build, emits the wasm beside the bundle
// itself (`new URL('./glue_bg.wasm', import.meta.url)`), and must leave the package's way to
// Node's own modules working: given a named createRequire it sees called, it rewrites the call to
// `undefined`, which broke every app on Node before 20.16 (no process.getBuiltinModule).
test('a Node app bundled with webpack: the wasm emitted, working with and without process.getBuiltinModule, no warning', async () => {
  const webpack = createRequire(import.meta.url)('webpack');
  const out = path.join(app, 'out-webpack');
  writeFileSync(path.join(app, 'app-webpack.mjs'), "import { errorCodeInfo } from 'yunxiao-pipeline-jobs';\nerrorCodeInfo('InvalidPipeline.NotFound').then((i) => console.log(i.className));\n");
  const stats = await new Promise((resolve, reject) => webpack({
    mode: 'production', target: 'node20', context: app, entry: './app-webpack.mjs',
    output: { path: out, filename: 'app.cjs' }, infrastructureLogging: { level: 'error' },
  }, (error, result) => (error ? reject(error) : resolve(result))));
  const { errors, warnings } = stats.toJson({ all: false, errors: true, warnings: true });
  assert.deepEqual([errors.map((e) => e.message), warnings.map((w) => w.message)], [[], []]);
  const file = path.join(out, 'app.cjs');
  for (const args of [[file], ['-e', `delete process.getBuiltinModule; require(${JSON.stringify(file)})`]]) {
    const result = await runNode(args);
    assert.equal(result.stdout.trim(), 'NotFoundError', `${args.join(' ')}: ${result.stderr}`);
  }
});
