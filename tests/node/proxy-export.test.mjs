// The signing proxy as the package ships it (yunxiao-pipeline-jobs/proxy): found through the
// package's exports, as an app finds it, and relaying a real, verified call from the emulator.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AK, ORG, PIPELINE, emulator } from './helpers.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const app = mkdtempSync(path.join(os.tmpdir(), 'yunxiao-proxy-'));
after(() => rmSync(app, { recursive: true, force: true }));
mkdirSync(path.join(app, 'node_modules'));
symlinkSync(path.join(ROOT, 'pkg'), path.join(app, 'node_modules/yunxiao-pipeline-jobs'));
const resolved = createRequire(path.join(app, 'app.mjs')).resolve('yunxiao-pipeline-jobs/proxy');

test('yunxiao-pipeline-jobs/proxy resolves to the shipped proxy, which signs with the package\'s own Node build', () => {
  assert.equal(resolved, path.join(ROOT, 'pkg/proxy/index.mjs'));
  const source = readFileSync(resolved, 'utf8');
  assert.match(source, /from '\.\.\/node\/index\.mjs'/);
  assert.doesNotMatch(source, /\.\.\/pkg\//);
  assert.doesNotMatch(source, /decodersForTests/, 'what only the tests use does not ship');
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'pkg/package.json'), 'utf8'));
  assert.ok(manifest.files.includes('proxy/'));
  assert.equal(manifest.exports['./proxy'].types, './proxy/index.d.mts');
  assert.ok(readFileSync(path.join(ROOT, 'pkg/proxy/index.d.mts'), 'utf8').includes('export function createSigningProxy'));
});

test('the shipped proxy relays a verified call, and refuses what allow does not name', async (t) => {
  const { createSigningProxy } = await import(pathToFileURL(resolved).href);
  const emu = await emulator(t);
  const forward = createSigningProxy({ upstream: emu.url, credentials: AK, allow: (call) => call.pipelineId === PIPELINE });
  const answer = await forward({ rawPath: `/organization/${ORG}/pipeline/${PIPELINE}/jobs`, rawQuery: 'category=DEPLOY' });
  assert.equal(answer.status, 200);
  assert.equal(JSON.parse(Buffer.from(answer.body).toString('utf8')).jobs.length, 4);
  const [request] = await emu.requests();
  assert.equal(request.verification?.ok, true, JSON.stringify(request.verification));
  const refused = await forward({ rawPath: `/organization/${ORG}/pipeline/1/jobs`, rawQuery: 'category=DEPLOY' });
  assert.equal(refused.status, 403);
  assert.equal((await emu.requests()).length, 1);
});
