// Browser / bundler entry: the wasm module initialises itself on first use.
import init, * as core from './glue.js';
import { makeClient } from './client.js';

let ready = null;

/** Optional: start loading the wasm early (it loads on first use anyway). */
export function initialize(input) {
  ready ??= init(input === undefined ? undefined : { module_or_path: input }).catch((error) => {
    ready = null; // let a later call try again (e.g. after a network blip)
    throw error;
  });
  return ready;
}

async function run(...args) {
  await initialize();
  return core.runListPipelineJobs(...args);
}

export const { listPipelineJobs, YunxiaoClient } = makeClient({ run, environment: null });

/** The source table's meaning of an API error code, or null. Needs the module loaded. */
export async function errorCodeInfo(code) {
  await initialize();
  return typeof code === 'string' ? core.errorCodeInfo(code) : null;
}
export {
  YunxiaoError, InvalidArgumentError, AuthenticationError, ForbiddenError, NotFoundError, BadRequestError,
  ThrottlingError, ServerError, NetworkError, TimeoutError, InvalidResponseError,
} from './errors.js';
