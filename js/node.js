// Node entry, bundled twice: to CommonJS (require) and to an ES module (import).
import { setMaxListeners } from 'node:events';
import * as core from './glue.cjs';
import { makeClient } from './client.js';
import { nodeFetch } from './node-transport.js';

// Each call listens for "abort" on its signal; Node warns past 10 listeners on one signal, which
// many concurrent calls sharing a signal would trigger. Calls listen to one relay per caller
// signal instead: the relay aborts with the caller's reason, unchanged.
const relays = new WeakMap();
function relaySignal(signal) {
  if (!(signal instanceof AbortSignal)) return signal; // the core refuses what is not a signal
  let relay = relays.get(signal);
  if (!relay) {
    relay = new AbortController();
    setMaxListeners(0, relay.signal);
    if (signal.aborted) relay.abort(signal.reason);
    else signal.addEventListener('abort', () => relay.abort(signal.reason), { once: true });
    relays.set(signal, relay);
  }
  return relay.signal;
}

function environment() {
  const env = process.env;
  return {
    accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID,
    accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
    securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN,
    token: env.YUNXIAO_ACCESS_TOKEN,
  };
}

export const { listPipelineJobs, YunxiaoClient } = makeClient({
  run: core.runListPipelineJobs,
  defaultFetch: nodeFetch,
  environment,
  adaptSignal: relaySignal,
});
/** Nothing to wait for: in Node the wasm is compiled when the package is imported. It exists so
 *  code written for the browser build (and the shared type declarations) works here too. */
export const initialize = async () => {};
/** The source table's meaning of an API error code, or null. (Async, like the browser build.) */
export const errorCodeInfo = async (code) => (typeof code === 'string' ? core.errorCodeInfo(code) : null);
export {
  YunxiaoError, InvalidArgumentError, AuthenticationError, ForbiddenError, NotFoundError, BadRequestError,
  ThrottlingError, ServerError, NetworkError, TimeoutError, InvalidResponseError,
} from './errors.js';
