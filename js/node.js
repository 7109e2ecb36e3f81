// Node entry, bundled twice: to CommonJS (require) and to an ES module (import).
import * as core from './glue.cjs';
import { describeCode, makeClient, reasonOf } from './client.js';
import { nodeBuiltin } from './node-builtin.js';
import { attemptController, nodeFetch } from './node-transport.js';

const { setMaxListeners } = nodeBuiltin('node:events');

// Each call listens for "abort" on its signal; Node warns past 10 listeners on one signal, which
// many concurrent calls sharing a signal would trigger. Calls listen to one relay per caller
// signal instead: the relay aborts with the caller's reason, unchanged. The relay's listener on
// the caller's signal goes when the last call using it settles: left there, it would keep an
// `AbortSignal.any()` or `AbortSignal.timeout()` signal (and the relay) alive for good.
const relays = new WeakMap();

/** An AbortSignal whose `aborted` can be read (a Proxy's trap or a getter may throw). */
function isAbortSignal(value) {
  try {
    return value instanceof AbortSignal && typeof value.aborted === 'boolean';
  } catch {
    return false;
  }
}
function relaySignal(signal) {
  // What is not a signal (or throws when asked) goes to the core as it is, which refuses it.
  if (!isAbortSignal(signal)) return { signal, release() {} };
  let relay = relays.get(signal);
  if (!relay) {
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    const forward = () => controller.abort(reasonOf(signal));
    relay = { controller, forward, users: 0 };
    if (signal.aborted) forward();
    else signal.addEventListener('abort', forward, { once: true });
    relays.set(signal, relay);
  }
  relay.users++;
  const used = relay;
  return {
    signal: used.controller.signal,
    release() {
      if (--used.users > 0) return;
      signal.removeEventListener('abort', used.forward);
      relays.delete(signal);
    },
  };
}

// The credential options the environment may give, by variable (no prototype: looked up by a
// name from a message).
const ENVIRONMENT_NAMES = {
  __proto__: null,
  accessKeyId: 'ALIBABA_CLOUD_ACCESS_KEY_ID',
  accessKeySecret: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  securityToken: 'ALIBABA_CLOUD_SECURITY_TOKEN',
  token: 'YUNXIAO_ACCESS_TOKEN',
};

/** The credential options the environment gives (unset ones undefined). */
function environment() {
  const values = {};
  for (const option in ENVIRONMENT_NAMES) values[option] = process.env[ENVIRONMENT_NAMES[option]];
  return values;
}

export const { listPipelineJobs, YunxiaoClient } = makeClient({
  run: core.runListPipelineJobs,
  defaultFetch: nodeFetch,
  attemptController,
  environment,
  environmentNames: ENVIRONMENT_NAMES,
  adaptSignal: relaySignal,
});
/** Nothing to wait for: in Node the wasm is compiled when the package is imported. It exists so
 *  code written for the browser build (and the shared type declarations) works here too. */
export const initialize = async () => {};
/** The source table's meaning of an API error code, or null. (Async, like the browser build.) */
export const errorCodeInfo = async (code) => describeCode(core.errorCodeInfo, code);
export {
  YunxiaoError, InvalidArgumentError, AuthenticationError, ForbiddenError, NotFoundError, BadRequestError,
  ThrottlingError, ServerError, NetworkError, TimeoutError, InvalidResponseError,
} from './errors.js';
