// A module Web Worker that uses the package (the `worker` export condition's build: the browser
// one): no window, no document. Told what to call by a message; answers with plain data.
import * as pkg from '/pkg/web/index.js';

self.onmessage = async ({ data: { config, pipelineId } }) => {
  const secret = config.credentials.accessKeySecret;
  try {
    const { requestId, jobs } = await pkg.listPipelineJobs(config.organizationId, pipelineId, 'DEPLOY', { endpoint: config.endpoint, ...config.credentials });
    self.postMessage({ requestId, jobs: jobs.map(({ identifier, lastJobId, lastJobParams }) => ({ identifier, lastJobId, lastJobParams })) });
  } catch (error) {
    self.postMessage({
      error: { name: error.name, code: error.code, status: error.status, message: String(error.message).split(secret).join('[secret]') },
      instanceOf: { YunxiaoError: error instanceof pkg.YunxiaoError, NotFoundError: error instanceof pkg.NotFoundError },
    });
  }
};
