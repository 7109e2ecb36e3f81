// The public API over the wasm core, shared by the Node and browser entry points. Each entry
// passes in how to reach the core (`run`), where credentials may come from (`environment`),
// its default transport (`defaultFetch`, and the per-attempt controller it reads, if it brings
// one: `attemptController`) and how to adapt a caller's signal (`adaptSignal`).

import { YunxiaoError, errorFromRecord, invalidArgument } from './errors.js';

const AK_OPTIONS = ['accessKeyId', 'accessKeySecret', 'securityToken'];
const CREDENTIAL_OPTIONS = [...AK_OPTIONS, 'token'];
/** Every option the core reads (index.d.ts `Options`). */
const OPTION_NAMES = [
  'endpoint', ...AK_OPTIONS, 'token', 'edition', 'signatureVersion', 'timeoutMs', 'deadlineMs', 'maxRetries',
  'maxResponseBytes', 'signal', 'fetch', 'allowInsecureHttp', 'userAgent',
];

const given = (options, key) => options[key] !== undefined && options[key] !== null && options[key] !== '';

/** Prototypes looked through for an option: a Proxy can make the chain endless. */
const MAX_PROTOTYPE_DEPTH = 100;

/** `true` when `object` or a prototype of it other than Object.prototype defines `name`. */
function definedBelowObjectPrototype(object, name) {
  let depth = 0;
  for (let o = object; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    if (++depth > MAX_PROTOTYPE_DEPTH) throw invalidArgument(`the options' prototype chain is longer than ${MAX_PROTOTYPE_DEPTH}`, 'options');
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
    if (typeof value !== 'object' || Array.isArray(value)) throw invalidArgument(`${what} must be an object`, 'options');
    for (name of OPTION_NAMES) {
      if (!definedBelowObjectPrototype(value, name)) {
        // Read all the same, it has a value Object.prototype does not give (a Proxy with a
        // `get` trap only): refused, or the call would go out without it, to the default endpoint.
        let hidden;
        try {
          hidden = value[name];
        } catch {} // a strict Proxy that throws on names it lacks: not given
        if (hidden !== undefined && hidden !== null && hidden !== Object.prototype[name]) {
          throw invalidArgument(`option ${name} is not an own property nor a class getter (a Proxy with a get trap only?): pass a plain object`, name);
        }
        continue;
      }
      const option = value[name];
      if (option !== undefined && option !== null) options[name] = option;
    }
  } catch (error) {
    if (error instanceof YunxiaoError) throw error;
    throw invalidArgument(name === null ? `reading the ${what} threw` : `reading option ${name} threw`, name ?? 'options');
  }
  return options;
}

/**
 * Merges option layers (later wins), then fills credentials from the environment only when
 * no layer gave any: explicit options always beat environment variables. Credentials go as a
 * group: a layer that gives any of them replaces all of an earlier layer's (and an AccessKey,
 * a token's edition), so a call's AccessKey never goes out with the client's STS token, nor
 * meets the client's token. Returns the options and whether the environment filled them.
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
    // A credential set to "" is not given (an unset variable often arrives as one): it must
    // not erase an earlier layer's credential of the same name.
    for (const key in layer) if (layer[key] !== '' || !CREDENTIAL_OPTIONS.includes(key)) merged[key] = layer[key];
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
    return { options: merged, fromEnvironment: true };
  }
  return { options: merged, fromEnvironment: false };
}

/**
 * A refused credential that came from the environment is named by its variable too: the caller
 * passed no option of that name. (The core's message starts with the option it blames:
 * `accessKeySecret starts or ends…`.)
 */
function namingVariables(record, variables) {
  const option = record?.className === 'InvalidArgumentError' ? record.argument : undefined;
  const variable = typeof option === 'string' && variables[option];
  const named = `InvalidArgument: ${option}`;
  return variable && record.message.startsWith(named)
    ? { ...record, message: `${named} (from ${variable})${record.message.slice(named.length)}` }
    : record;
}

const isPlainObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
/** Nesting kept in `lastJobParams`: JSON.stringify and structuredClone recurse, and overflow the stack some thousands of levels down. */
const MAX_PARAMS_DEPTH = 1000;
/** Text that may hold a number JavaScript cannot keep exactly: one of 16+ digits, with an
 *  exponent, or a fraction of 300+ leading zeros (below the smallest double: 0). */
const MAYBE_INEXACT = /[:,[]\s*-?(?:\d{16}|\d[\d.]*[eE]|0\.0{300})/;

/**
 * `lastJobParams`: the text parsed as a JSON object; `""` → `{}`; anything else → `null`, and
 * so is an object that nests deeper than 1000 levels, or holds an integer beyond 2^53 or a
 * number beyond a double's range (1e400, or 1e-400, which would become 0): JSON.parse would
 * round it silently (`lastJobParamsRaw` keeps the exact text).
 */
function parseParams(text) {
  if (text === '') return {};
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isPlainObject(value) || tooDeep(text)) return null;
  return MAYBE_INEXACT.test(text) && (holdsInexactNumber(value) || underflows(text)) ? null : value;
}

/** In valid JSON text, the index of the quote that closes the string opened at `i`. */
function endOfString(text, i) {
  for (i++; text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++; // escapes and all
  return i;
}

/** A number literal in the text (not in a string) that is not zero but parses to 0, as 1e-400 does. */
function underflows(text) {
  const number = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = endOfString(text, i);
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      number.lastIndex = i;
      const literal = number.exec(text)[0];
      if (Number(literal) === 0 && /[1-9]/.test(literal.split(/[eE]/)[0])) return true;
      i += literal.length - 1;
    }
  }
  return false;
}

/** Valid JSON text nesting deeper than MAX_PARAMS_DEPTH (each level takes two characters at least). */
function tooDeep(text) {
  if (text.length <= 2 * MAX_PARAMS_DEPTH) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = endOfString(text, i);
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_PARAMS_DEPTH) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/** An integer JSON.parse may have rounded (beyond 2^53), or a number out of a double's range. */
function holdsInexactNumber(value) {
  if (typeof value === 'number') return !Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value));
  if (value === null || typeof value !== 'object') return false;
  for (const key in value) if (holdsInexactNumber(value[key])) return true;
  return false;
}

/** `errorCodeInfo` over the core's table: no code is near 256 characters, and a string of
 *  hundreds of MB would not even fit in the wasm's memory to be looked up. */
export const describeCode = (describe, code) => (typeof code === 'string' && code.length <= 256 ? describe(code) : null);

/** A signal's reason; `undefined` if its getter throws (as the core reads it). */
export function reasonOf(signal) {
  try {
    return signal.reason;
  } catch {
    return undefined;
  }
}

/** What the core takes for a signal: a boolean `aborted` and an `addEventListener` (an
 *  AbortSignal of this realm, another's, or a polyfill). A getter that throws: no signal. */
export function signalLike(value) {
  try {
    return value !== null && typeof value === 'object' && typeof value.aborted === 'boolean' &&
      typeof value.addEventListener === 'function' && typeof value.removeEventListener === 'function';
  } catch {
    return false;
  }
}

/** No adapting: the caller's signal as it is. */
const signalAsIs = (signal) => ({ signal, release() {} });

/**
 * A signal that aborts when any of `signals` does, with that one's reason. `release()` takes its
 * listeners off them all: a client's signal outlives its calls. What is not a signal goes to
 * the core as it is, which refuses it.
 */
function anySignal(signals) {
  const odd = signals.find((signal) => !signalLike(signal));
  if (odd) return signalAsIs(odd);
  const controller = new AbortController();
  const listeners = signals.map((signal) => () => controller.abort(reasonOf(signal)));
  const each = (method) => signals.forEach((signal, i) => signal[method]('abort', listeners[i]));
  try {
    const aborted = signals.findIndex((signal) => signal.aborted);
    if (aborted >= 0) listeners[aborted]();
    else each('addEventListener');
  } catch {
    throw invalidArgument('a signal threw when read or listened to', 'signal');
  }
  return { signal: controller.signal, release: () => { try { each('removeEventListener'); } catch {} } };
}

export function makeClient({ run, environment, environmentNames = { __proto__: null }, adaptSignal = signalAsIs, defaultFetch, attemptController }) {
  async function call(organizationId, pipelineId, category, layers, clock) {
    const { options, fromEnvironment } = resolveOptions(layers, environment);
    // Internal, a client's only: the clock offset its skew retries learned, for its next calls.
    if (clock) options.clock = clock;
    if (options.fetch == null && defaultFetch) {
      options.fetch = defaultFetch;
      // An internal option: a caller's options never carry it (only OPTION_NAMES are copied).
      if (attemptController) options.attemptController = attemptController;
    }
    if (options.signal == null) return finish(await run(organizationId, pipelineId, category, options), fromEnvironment);
    // `adaptSignal` gives the signal the core is to watch, and what to do once it is done.
    // A client's signal (say, for shutting down) and a call's both apply: each distinct one is
    // adapted, and two are watched through one that aborts with either.
    const signals = [...new Set(layers.map((layer) => layer.signal).filter((signal) => signal !== undefined))];
    const watched = []; // released last first
    try {
      for (const signal of signals) watched.push(adaptSignal(signal));
      if (signals.length > 1) watched.push(anySignal(watched.map((adapted) => adapted.signal)));
      options.signal = watched.at(-1).signal;
      return finish(await run(organizationId, pipelineId, category, options), fromEnvironment);
    } finally {
      for (const adapted of watched.reverse()) adapted.release();
    }
  }

  function finish(result, fromEnvironment) {
    if (typeof result !== 'string') throw errorFromRecord(fromEnvironment ? namingVariables(result, environmentNames) : result);
    // JSON.parse defines "__proto__" keys as plain own properties: nothing is polluted.
    const parsed = JSON.parse(result);
    const jobs = parsed.jobs;
    for (let i = 0; i < jobs.length; i++) jobs[i].lastJobParams = parseParams(jobs[i].lastJobParamsRaw);
    return { requestId: parsed.requestId, jobs };
  }

  // `category` may be left out: listPipelineJobs(org, pipeline, { ...options }).
  const splitArgs = (category, options) =>
    category !== null && typeof category === 'object' && !Array.isArray(category) && options === undefined
      ? [undefined, category]
      : [category, options];

  /**
   * Lists the jobs of a pipeline: `{ requestId, jobs: [{ jobName, identifier, lastJobId,
   * lastJobParams, lastJobParamsRaw }] }`. Throws a YunxiaoError subclass on failure.
   */
  function listPipelineJobs(organizationId, pipelineId, category, options) {
    const [cat, opts] = splitArgs(category, options);
    return (async () => call(organizationId, pipelineId, cat, [readOptions(opts, 'options')]))();
  }

  // A property value, so that the class keeps its name through minification (see errors.js).
  const { YunxiaoClient } = { YunxiaoClient: class {
    #options;
    #clock = { offsetMs: 0 };

    constructor(options) {
      this.#options = readOptions(options, 'client options');
      // Bound to the client: it works detached (`const { listPipelineJobs } = client`) and
      // through a Proxy of the client (Vue's reactive(), MobX), whose `this` has no #options.
      // The method is looked up at each call: a subclass's override, or a stub put on the
      // prototype later (sinon, jest.spyOn), is what runs.
      const client = this;
      Object.defineProperty(this, 'listPipelineJobs', {
        value: (...args) => Object.getPrototypeOf(client).listPipelineJobs.apply(client, args),
        writable: true,
        configurable: true,
      });
    }

    listPipelineJobs(organizationId, pipelineId, category, callOptions) {
      const [cat, opts] = splitArgs(category, callOptions);
      return (async () => {
        // The prototype's method called on something else (`YunxiaoClient.prototype.listPipelineJobs()`): say so.
        if (!(this !== null && typeof this === 'object' && #options in this)) {
          throw invalidArgument('YunxiaoClient.prototype.listPipelineJobs was called on something that is not a YunxiaoClient: call client.listPipelineJobs(...)');
        }
        return call(organizationId, pipelineId, cat, [this.#options, readOptions(opts, 'call options')], this.#clock);
      })();
    }
  } };
  // The browser build lowers the private field, and its bundler then names the class anew.
  Object.defineProperty(YunxiaoClient, 'name', { value: 'YunxiaoClient' });

  return { listPipelineJobs, YunxiaoClient };
}
