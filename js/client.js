// The public API over the wasm core, shared by the Node and browser entry points. Each entry
// passes in how to reach the core (`run`), where credentials may come from (`environment`),
// its default transport (`defaultFetch`) and how to adapt a caller's signal (`adaptSignal`).

import { YunxiaoError, errorFromRecord, invalidArgument } from './errors.js';

const AK_OPTIONS = ['accessKeyId', 'accessKeySecret', 'securityToken'];
const CREDENTIAL_OPTIONS = [...AK_OPTIONS, 'token'];
/** Every option the core reads (index.d.ts `Options`). */
const OPTION_NAMES = [
  'endpoint', ...AK_OPTIONS, 'token', 'edition', 'signatureVersion', 'timeoutMs', 'deadlineMs', 'maxRetries',
  'maxResponseBytes', 'signal', 'fetch', 'allowInsecureHttp', 'userAgent',
];

const given = (options, key) => options[key] !== undefined && options[key] !== null && options[key] !== '';

/** `true` when `object` or a prototype of it other than Object.prototype defines `name`. */
function definedBelowObjectPrototype(object, name) {
  for (let o = object; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    if (Object.prototype.hasOwnProperty.call(o, name)) return true;
  }
  return false;
}

/**
 * The options an object sets, as plain values in an object without a prototype. An option may
 * be an own property or come from the object's class (a getter); never from Object.prototype,
 * so a polluted prototype (say, an inherited `endpoint` or `fetch`) cannot redirect a signed
 * request. `undefined` and `null` mean "not given", as in the core. A getter or Proxy trap
 * that throws is an InvalidArgumentError naming the option, not a stray exception.
 */
function readOptions(value, what) {
  const options = Object.create(null);
  if (value === undefined || value === null) return options;
  let name = null;
  try {
    if (typeof value !== 'object' || Array.isArray(value)) throw invalidArgument(`${what} must be an object`);
    for (name of OPTION_NAMES) {
      if (!definedBelowObjectPrototype(value, name)) continue;
      const option = value[name];
      if (option !== undefined && option !== null) options[name] = option;
    }
  } catch (error) {
    if (error instanceof YunxiaoError) throw error;
    throw invalidArgument(name === null ? `reading the ${what} threw` : `reading option ${name} threw`);
  }
  return options;
}

/**
 * Merges option layers (later wins), then fills credentials from the environment only when
 * no layer gave any: explicit options always beat environment variables. Credentials go as a
 * group: a layer that gives any of them replaces all of an earlier layer's (and an AccessKey,
 * a token's edition), so a call's AccessKey never goes out with the client's STS token, nor
 * meets the client's token.
 */
function resolveOptions(layers, environment) {
  // Each layer went through readOptions: plain values only, so a later layer's "not given"
  // never erases an earlier layer's option.
  const merged = Object.create(null);
  for (const layer of layers) {
    if (CREDENTIAL_OPTIONS.some((k) => given(layer, k))) {
      for (const k of CREDENTIAL_OPTIONS) delete merged[k];
      // An earlier token's edition means nothing to a later AccessKey (and would be refused).
      if (!given(layer, 'token')) delete merged.edition;
    }
    Object.assign(merged, layer);
  }
  const explicit = CREDENTIAL_OPTIONS.some((k) => given(merged, k));
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
    for (const key of CREDENTIAL_OPTIONS) if (given(env, key)) merged[key] = env[key];
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
    return (async () => call(organizationId, pipelineId, cat, [readOptions(opts, 'options')]))();
  }

  class YunxiaoClient {
    #options;

    constructor(options) {
      this.#options = readOptions(options, 'client options');
    }

    listPipelineJobs(organizationId, pipelineId, category, callOptions) {
      const [cat, opts] = splitArgs(category, callOptions);
      return (async () => call(organizationId, pipelineId, cat, [this.#options, readOptions(opts, 'call options')]))();
    }
  }

  return { listPipelineJobs, YunxiaoClient };
}
