// The clients under test, each behind one shape: makeClient(name, endpoint, { normalize })
// → async (pipelineId) => jobs array. Loaded lazily so each child process loads only its own.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const BENCH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = path.resolve(BENCH, '..');
// run.mjs benchmarks a snapshot of pkg/ (others may rebuild pkg/ during a run).
export const PKG = process.env.BENCH_PKG_DIR ?? path.join(ROOT, 'pkg');
export const ORG = '5ebbc0228123212b59a1b2c3';
// Fake credentials (the static server checks nothing; the emulator knows these).
export const AK = { accessKeyId: 'LTAI5tEmuDemoKey0001', accessKeySecret: 'EmuDemoSecret0001-not-a-real-secret' };

export const CLIENTS = {
  package: 'yunxiao-pipeline-jobs (pkg/node/index.mjs)',
  floor: 'floor: minimal client, node:crypto',
  'floor-webcrypto': 'floor variant: minimal client, WebCrypto',
  'floor-http': 'floor variant: minimal client, node:http keep-alive (not fetch)',
  official: '@alicloud/openapi-client callApi (V3)',
};

/** endpoint: "http://127.0.0.1:PORT". `normalize` only changes the floors (the others always do what they do). */
export async function makeClient(name, endpoint, { normalize = false, fetch } = {}) {
  switch (name) {
    case 'package': {
      const { listPipelineJobs } = await import(path.join(PKG, 'node/index.mjs'));
      // Its Node transport is node:http, not the global fetch: a stub must be passed in.
      const options = { endpoint, ...AK, ...(fetch ? { fetch } : {}) };
      return async (pipelineId) => (await listPipelineJobs(ORG, pipelineId, options)).jobs;
    }
    case 'floor':
    case 'floor-webcrypto': {
      const floor = await import(path.join(BENCH, 'minimal-client.mjs'));
      const fn = name === 'floor' ? floor.listPipelineJobs : floor.listPipelineJobsWebCrypto;
      const options = { endpoint, ...AK, normalize };
      return (pipelineId) => fn(ORG, pipelineId, options);
    }
    case 'floor-http': {
      const { listPipelineJobsHttp } = await import(path.join(BENCH, 'lib/floor-http.mjs'));
      const options = { endpoint, ...AK, normalize };
      return (pipelineId) => listPipelineJobsHttp(ORG, pipelineId, options);
    }
    case 'official': {
      const require = createRequire(path.join(BENCH, 'lib/official-client.cjs'));
      const { createOfficialClient } = require('./official-client.cjs');
      const call = createOfficialClient({ endpoint: new URL(endpoint).host, protocol: 'http', ...AK });
      return async (pipelineId) => (await call(ORG, pipelineId)).jobs;
    }
    default:
      throw new Error(`unknown client ${name}`);
  }
}
