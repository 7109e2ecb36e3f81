// A Node script using the package against the bundled emulator: `node examples/node-example.mjs`
// (after `make build`). Against the real API, drop `endpoint` and set
// ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET instead of passing keys.
import { listPipelineJobs, NotFoundError } from '../pkg/node/index.mjs';
import { startEmulator } from '../emulator/server.mjs';

const emulator = await startEmulator({ port: 0 });
const options = {
  endpoint: emulator.url,
  accessKeyId: 'LTAI5tEmuDemoKey0001',
  accessKeySecret: 'EmuDemoSecret0001-not-a-real-secret',
};
try {
  const { requestId, jobs } = await listPipelineJobs('5ebbc0228123212b59a1b2c3', '1234567', 'DEPLOY', options);
  console.table(jobs.map(({ jobName, identifier, lastJobId, lastJobParams }) => ({
    jobName, identifier, lastJobId, params: JSON.stringify(lastJobParams),
  })));
  console.log(`request id: ${requestId}`);

  await listPipelineJobs('5ebbc0228123212b59a1b2c3', '999999', 'DEPLOY', options);
} catch (error) {
  if (!(error instanceof NotFoundError)) throw error;
  console.log(`${error.name} ${error.code} (HTTP ${error.status}, request id ${error.requestId})`);
} finally {
  await emulator.close();
}
