// Shared helpers for the Node suites: an emulator per suite, seeded ids and credentials.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../../emulator/server.mjs';

export const ORG = '5ebbc0228123212b59a1b2c3';
export const OTHER_ORG = '6f0a1b2c3d4e5f6071829304';
export const PIPELINE = '1234567';
export const AK = { accessKeyId: 'LTAI5tEmuDemoKey0001', accessKeySecret: 'EmuDemoSecret0001-not-a-real-secret' };
export const STS = {
  accessKeyId: 'STS.EmuStsKey0002',
  accessKeySecret: 'EmuStsSecret0002-not-real',
  securityToken: 'EmuStsToken0002-not-a-real-token',
};
export const TOKEN = 'pt-EmuDemoToken0001-not-a-real-token';
export const SECRETS = [AK.accessKeySecret, STS.accessKeySecret, STS.securityToken, TOKEN];

/**
 * Runs this Node with `args`: `{ code, stdout, stderr }`. Asynchronous, not spawnSync: an
 * emulator of the test's own answers from this process, whose event loop must stay free.
 */
export function runNode(args, options = {}) {
  return new Promise((resolve) => {
    execFile(process.execPath, args, options, (error, stdout, stderr) => resolve({ code: error ? error.code ?? 1 : 0, stdout, stderr }));
  });
}

export async function emulator(t, options = {}) {
  const emu = await startEmulator({ port: 0, ...options });
  t.after(() => emu.close());
  const control = async (path, body) => {
    const response = await fetch(`${emu.url}/_emulator/${path}`, body === undefined ? {} : {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`emulator control ${path}: HTTP ${response.status}`);
    return response.status === 204 ? null : response.json();
  };
  return {
    url: emu.url,
    emu,
    /** Registers a scenario; returns the endpoint that selects it. */
    async scenario(id, steps, extra = {}) {
      await control('scenarios', { id, steps, ...extra });
      return `${emu.url}/_s/${id}`;
    },
    requests: (scenario) => control(`requests${scenario ? `?scenario=${encodeURIComponent(scenario)}` : ''}`),
  };
}

/** Awaits a rejection and returns it (fails the test if the promise resolves). */
export async function rejection(promise) {
  try {
    const value = await promise;
    throw Object.assign(new Error(`expected a rejection, got ${JSON.stringify(value)}`), { resolvedInstead: true });
  } catch (error) {
    if (error?.resolvedInstead) throw error;
    return error;
  }
}

/**
 * A scratch app directory with the built package installed (node_modules/yunxiao-pipeline-jobs
 * linked to pkg/), as an app that depends on it has it; removed by `after` (node:test's).
 */
export function appWithPackage(after, prefix) {
  const app = mkdtempSync(path.join(os.tmpdir(), prefix));
  after(() => rmSync(app, { recursive: true, force: true }));
  mkdirSync(path.join(app, 'node_modules'));
  symlinkSync(fileURLToPath(new URL('../../pkg', import.meta.url)), path.join(app, 'node_modules/yunxiao-pipeline-jobs'));
  return app;
}
