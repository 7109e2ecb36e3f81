// "Imported from npm in web apps": pack pkg/ as npm would publish it, install the tarball into
// a copy of examples/vite-app, build it with the app's own Vite, serve the build with
// `vite preview` (its /api proxy pointing at the demo server's signing proxy) and load it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  ROOT, SEEDED_IDENTIFIERS, SECRETS, launchBrowser, startDemo, openPage, assertNoConsoleErrors, screenshot,
} from './helpers.mjs';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let work;
let browser;
let demo;
let preview;
before(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'yunxiao-vite-'));
  [browser, demo] = await Promise.all([launchBrowser(), startDemo()]);
});
after(async () => {
  if (preview && preview.exitCode === null) {
    preview.kill('SIGTERM');
    await once(preview, 'exit');
  }
  await browser?.close();
  await demo?.close();
  rmSync(work, { recursive: true, force: true });
});

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

test('the Vite example app, installed from the packed tarball, lists the jobs in Chromium', { timeout: 180_000 }, async () => {
  // npm pack, as `npm publish` would.
  const { stdout: packed } = await run(npm, ['pack', path.join(ROOT, 'pkg'), '--pack-destination', work, '--json'], { cwd: work });
  const tarball = path.join(work, JSON.parse(packed)[0].filename);
  const listed = JSON.parse(packed)[0].files.map((f) => f.path);
  for (const file of ['package.json', 'web/index.js', 'web/glue_bg.wasm', 'node/index.mjs', 'node/index.cjs', 'index.d.ts', 'index.d.mts', 'LICENSE-MIT', 'LICENSE-APACHE', 'README.md']) {
    assert.ok(listed.includes(file), `the tarball lacks ${file}: ${listed}`);
  }

  // A copy of the app (never its node_modules/dist), then install the tarball the way npm users do.
  const app = path.join(work, 'app');
  cpSync(path.join(ROOT, 'examples', 'vite-app'), app, {
    recursive: true,
    filter: (src) => !/[\\/](node_modules|dist)([\\/]|$)/.test(path.relative(path.join(ROOT, 'examples'), src)),
  });
  await run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: app, timeout: 150_000 });
  const installed = JSON.parse(readFileSync(path.join(app, 'node_modules', 'yunxiao-pipeline-jobs', 'package.json'), 'utf8'));
  assert.equal(installed.name, 'yunxiao-pipeline-jobs');

  const vite = path.join(app, 'node_modules', 'vite', 'bin', 'vite.js');
  await run(process.execPath, [vite, 'build'], { cwd: app });
  const assets = readdirSync(path.join(app, 'dist', 'assets'));
  assert.ok(assets.some((f) => f.endsWith('.wasm')), `Vite emitted the wasm: ${assets}`);

  const port = await freePort();
  preview = spawn(process.execPath, [vite, 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: app,
    env: { ...process.env, YUNXIAO_PROXY: demo.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  preview.stdout.setEncoding('utf8').on('data', (d) => { log += d; });
  preview.stderr.setEncoding('utf8').on('data', (d) => { log += d; });
  const url = `http://127.0.0.1:${port}/`;
  // Ask the server, not its log: when colour is on (FORCE_COLOR, as on CI) Vite's banner splits
  // the address with escape codes.
  let exited = null;
  preview.on('exit', (code) => { exited = code; });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited !== null) throw new Error(`vite preview exited with ${exited}: ${log}`);
    const answer = await fetch(url).catch(() => null);
    if (answer?.ok) break;
    if (Date.now() > deadline) throw new Error(`vite preview did not answer on ${url}: ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const { context, page, problems, requests } = await openPage(browser, url);
  try {
    await page.waitForSelector('#status[data-state]', { timeout: 15_000 });
    assert.equal(await page.getAttribute('#status', 'data-state'), 'ok', await page.innerText('#status'));
    const identifiers = await page.$$eval('#jobs li', (items) => items.map((li) => li.dataset.identifier));
    assert.deepEqual(identifiers, SEEDED_IDENTIFIERS);
    assert.match(await page.innerText('#status'), /^4 jobs, request id [0-9A-F-]{36}$/);
    await screenshot(page, 'vite-app');
    await Promise.all(requests.map((r) => r.ready));
    const sent = JSON.stringify(requests.map(({ url: u, headers, body }) => ({ u, headers, body })));
    for (const secret of SECRETS) assert.ok(!sent.includes(secret));
    assert.ok(requests.some((r) => r.url === `${url}api/emulator/organization/5ebbc0228123212b59a1b2c3/pipeline/1234567/jobs?category=DEPLOY`));
    assertNoConsoleErrors(problems);
  } finally {
    await context.close();
  }
});
