// The package under Jest (README, "Bundling"): Jest runs test files in a vm context, where
// import() needs --experimental-vm-modules and, in its jsdom environment, the globals are a
// browser's (no TextDecoder). An app's Jest tests that call the package must still work, in the
// node and the jsdom environments, with no flag and no setup file.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AK, ORG, PIPELINE, appWithPackage, emulator, runNode } from './helpers.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const JEST = path.join(ROOT, 'node_modules/jest/bin/jest.js');
const app = appWithPackage(after, 'yunxiao-jest-');

// An app's test, as a user writes it: require the package, list the jobs, classify an error.
writeFileSync(path.join(app, 'app.test.cjs'), `
const { listPipelineJobs, errorCodeInfo, NotFoundError } = require('yunxiao-pipeline-jobs');
const { endpoint, credentials, organizationId, pipelineId } = JSON.parse(process.env.YX_JEST_CALL);

test('the package lists the jobs and classifies an error', async () => {
  const { jobs } = await listPipelineJobs(organizationId, pipelineId, { endpoint, ...credentials, maxRetries: 0 });
  expect(jobs.map((job) => job.lastJobId)).toEqual([1001, 1002, 9007199254740991, null]);
  await expect(listPipelineJobs(organizationId, '999999', { endpoint, ...credentials, maxRetries: 0 })).rejects.toBeInstanceOf(NotFoundError);
  expect((await errorCodeInfo('InvalidPipeline.NotFound')).className).toBe('NotFoundError');
});
`);

// The environments as Jest names them; jsdom's package is the workspace's (the app has none).
const ENVIRONMENTS = { node: 'node', jsdom: path.join(ROOT, 'node_modules/jest-environment-jsdom') };

// Before Node 20.16 there is no process.getBuiltinModule: the package then loads Node's modules
// by a require of its own (js/node-builtin.js), which Jest's vm context allows (import() it
// refuses). Tested on this Node by deleting it before Jest starts.
const WITHOUT_GET_BUILTIN = path.join(app, 'no-get-builtin.cjs');
writeFileSync(WITHOUT_GET_BUILTIN, 'delete process.getBuiltinModule;\n');
const NODES = { '': '', ', before Node 20.16 (no process.getBuiltinModule)': `--require ${WITHOUT_GET_BUILTIN}` };

for (const [environment, testEnvironment] of Object.entries(ENVIRONMENTS)) {
  for (const [node, nodeOptions] of Object.entries(NODES)) {
    test(`Jest's ${environment} environment${node}: an app's test calling the package passes`, async (t) => {
      const { url } = await emulator(t);
      // jest.config.cjs, as an app has it (Jest 30 looks for that name in the project even when
      // --config names another file).
      writeFileSync(path.join(app, 'jest.config.cjs'), `module.exports = ${JSON.stringify({ testEnvironment, testMatch: ['**/*.test.cjs'] })};\n`);
      const env = { ...process.env, NODE_OPTIONS: nodeOptions, YX_JEST_CALL: JSON.stringify({ endpoint: url, credentials: AK, organizationId: ORG, pipelineId: PIPELINE }) };
      const run = await runNode([JEST, '--ci', '--no-cache'], { cwd: app, env, timeout: 120_000 });
      // Jest reports on stderr; the credentials are the emulator's, never printed by the test.
      assert.equal(run.code, 0, run.stderr);
      // Without colours (FORCE_COLOR, as CI sets it, colours Jest's report).
      assert.match(run.stderr.replace(/\x1b\[[0-9;]*m/g, ''), /Tests:\s+1 passed, 1 total/);
    });
  }
}
