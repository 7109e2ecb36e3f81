// The public API over the wasm core, shared by the Node and browser entry points. Each entry
// passes in how to reach the core (`run`), where credentials may come from (`environment`),
// its default transport (`defaultFetch`) and how to adapt a caller's signal (`adaptSignal`).

import { errorFromRecord, invalidArgument } from './errors.js';

const AK_OPTIONS = ['accessKeyId', 'accessKeySecret', 'securityToken'];

const given = (options, key) => options[key] !== undefined && options[key] !== null && options[key] !== '';

function checkOptions(value, what) {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidArgument(`${what} must be an object`);
  return value;
}

/**
 * Merges option layers (later wins), then fills credentials from the environment only when
 * no layer gave any: explicit options always beat environment variables.
 */
function resolveOptions(layers, environment) {
  // Own properties only, into an object without a prototype: a polluted Object.prototype
  // (say, an inherited `endpoint` or `fetch`) can never redirect a signed request. A key set
  // to `undefined` means "not given" (as in the core), so it never erases an earlier layer.
  const merged = Object.create(null);
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) if (value !== undefined) merged[key] = value;
  }
  const explicit = AK_OPTIONS.some((k) => given(merged, k)) || given(merged, 'token');
  if (!explicit && environment) {
    const env = environment();
    const envAk = AK_OPTIONS.some((k) => given(env, k));
    if (envAk && given(env, 'token')) {
      throw invalidArgument(
        'both ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET and YUNXIAO_ACCESS_TOKEN are set: pass token or accessKeyId/accessKeySecret explicitly, or unset one',
      );
    }
    if (envAk && !(given(env, 'accessKeyId') && given(env, 'accessKeySecret'))) {
      throw invalidArgument(
        'the environment holds an incomplete AccessKey: set both ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN for STS), or pass credentials as options',
      );
    }
    for (const key of [...AK_OPTIONS, 'token']) if (given(env, key)) merged[key] = env[key];
  }
  return merged;
}

/** `lastJobParams`: the text parsed as a JSON object; `""` → `{}`; anything else → `null`. */
function parseParams(text) {
  if (text === '') return {};
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

export function makeClient({ run, environment, adaptSignal = (signal) => signal, defaultFetch }) {
  async function call(organizationId, pipelineId, category, layers) {
    const options = resolveOptions(layers, environment);
    if (options.fetch == null && defaultFetch) options.fetch = defaultFetch;
    if (options.signal != null) options.signal = adaptSignal(options.signal);
    const result = await run(organizationId, pipelineId, category, options);
    if (typeof result !== 'string') throw errorFromRecord(result);
    // JSON.parse defines "__proto__" keys as plain own properties: nothing is polluted.
    const parsed = JSON.parse(result);
    const jobs = parsed.jobs;
    for (let i = 0; i < jobs.length; i++) jobs[i].lastJobParams = parseParams(jobs[i].lastJobParamsRaw);
    return { requestId: parsed.requestId, jobs };
  }

  // `category` may be left out: listPipelineJobs(org, pipeline, { ...options }).
  const splitArgs = (category, options) =>
    category !== null && typeof category === 'object' && options === undefined ? [undefined, category] : [category, options];

  /**
   * Lists the jobs of a pipeline: `{ requestId, jobs: [{ jobName, identifier, lastJobId,
   * lastJobParams, lastJobParamsRaw }] }`. Throws a YunxiaoError subclass on failure.
   */
  function listPipelineJobs(organizationId, pipelineId, category, options) {
    const [cat, opts] = splitArgs(category, options);
    return (async () => call(organizationId, pipelineId, cat, [checkOptions(opts, 'options')]))();
  }

  class YunxiaoClient {
    #options;

    constructor(options) {
      this.#options = { ...checkOptions(options, 'client options') };
    }

    listPipelineJobs(organizationId, pipelineId, category, callOptions) {
      const [cat, opts] = splitArgs(category, callOptions);
      return (async () => call(organizationId, pipelineId, cat, [this.#options, checkOptions(opts, 'call options')]))();
    }
  }

  return { listPipelineJobs, YunxiaoClient };
}
