// Imported from npm like any dependency; the bundler picks the package's browser build.
import { listPipelineJobs, YunxiaoError } from 'yunxiao-pipeline-jobs';

// Which pipeline: ?org=…&pipeline=… (defaults: the emulator's seeded sample).
const query = new URLSearchParams(location.search);
const organizationId = query.get('org') ?? '5ebbc0228123212b59a1b2c3';
const pipelineId = query.get('pipeline') ?? '1234567';
// The signing proxy's base path on this origin; /api/upstream is "your Yunxiao" in `make demo`.
const endpoint = new URL(import.meta.env.VITE_YUNXIAO_API ?? '/api/emulator', location.href).href;

const status = document.getElementById('status');
const list = document.getElementById('jobs');

try {
  const { requestId, jobs } = await listPipelineJobs(organizationId, pipelineId, 'DEPLOY', { endpoint });
  list.replaceChildren(...jobs.map((job) => {
    const item = document.createElement('li');
    item.dataset.identifier = job.identifier;
    item.textContent = `${job.jobName} (${job.identifier}), last job ${job.lastJobId ?? 'never'}: ${job.lastJobParamsRaw || 'no parameters'}`;
    return item;
  }));
  status.textContent = `${jobs.length} jobs, request id ${requestId}`;
  status.dataset.state = 'ok';
} catch (error) {
  status.textContent = error instanceof YunxiaoError ? `${error.name} ${error.code}: ${error.message}` : String(error);
  status.dataset.state = 'error';
}
