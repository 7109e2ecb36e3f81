// The command line: `node emulator/server.mjs --port N` prints exactly one
// "emulator listening on http://127.0.0.1:PORT" line and exits cleanly on signals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { request } from './helpers.mjs';

const SERVER = fileURLToPath(new URL('../../emulator/server.mjs', import.meta.url));

async function launch(args, env = {}) {
  const child = spawn(process.execPath, [SERVER, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.setEncoding('utf8');
  const line = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line; stdout=${stdout}`)), 5000);
    child.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('\n')) {
        clearTimeout(timer);
        resolve(stdout.split('\n')[0]);
      }
    });
    child.on('exit', (code) => reject(new Error(`exited early with ${code}`)));
  });
  return { child, line };
}

for (const [signal, how] of [['SIGTERM', ['--port', '0']], ['SIGINT', null]]) {
  test(`CLI ${how ? '--port 0' : 'PORT=0'}: prints the listening line, serves, exits 0 on ${signal}`, async () => {
    const { child, line } = how ? await launch(how) : await launch([], { PORT: '0' });
    try {
      const m = /^emulator listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
      assert.ok(m, line);
      assert.notEqual(m[2], '0');
      const r = await request(m[1], { path: '/_emulator/health' });
      assert.deepEqual(r.json, { ok: true });
      const exited = once(child, 'exit');
      child.kill(signal);
      const [code] = await exited;
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
}
