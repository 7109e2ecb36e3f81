// The page the browser-build tests open. It loads the package as an app without a bundler does
// (pkg/web/index.js from a module script) and, from the test server, the emulator's address and
// credentials: never in a URL, so never in a driver's log or a test's message.
import * as pkg from '/pkg/web/index.js';

const config = await fetch('/config.json').then((response) => response.json());
const secrets = [config.credentials.accessKeySecret];
const redact = (text) => secrets.reduce((out, secret) => out.split(secret).join('[secret]'), String(text));

window.xbrowser = {
  pkg,
  /** listPipelineJobs against the emulator (or one of its scenarios: `endpoint`). */
  call(pipelineId, options = {}) {
    return pkg.listPipelineJobs(config.organizationId, pipelineId, 'DEPLOY', { endpoint: config.endpoint, ...config.credentials, ...options });
  },
  /** Another copy of the package, its wasm not yet loaded (a module's state is per URL). */
  freshCopy: (tag) => import(`/pkg/web/index.js?${tag}`),
  /** The same call from a module Web Worker (pages/worker.js): its answer, as plain data. */
  callInWorker(pipelineId) {
    const worker = new Worker('/worker.js', { type: 'module' });
    return new Promise((resolve, reject) => {
      worker.onmessage = ({ data }) => resolve(data);
      worker.onerror = (event) => reject(new Error(`the worker failed: ${event.message ?? 'no message'}`));
      worker.postMessage({ config, pipelineId });
    }).finally(() => worker.terminate());
  },
  /** What a test compares of a rejection: plain data that WebDriver can send back. */
  summarize(error) {
    if (!(error instanceof Error)) return { notAnError: typeof error };
    const { code, status, retryable, attempts, path } = error;
    return { name: error.name, code, status, retryable, attempts, path, message: redact(error.message) };
  },
};
