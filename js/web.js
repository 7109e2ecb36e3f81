// Browser / bundler entry: the wasm module initialises itself on first use.
import init, * as core from './glue.js';
import { describeCode, makeClient, reasonOf, signalLike } from './client.js';
import { NetworkError, TimeoutError } from './errors.js';

let ready = null; // the load in flight, or done
let loaded = false;
let abandon = () => {}; // gives up the load in flight: it then fails, and the next call starts another
let loadAgeMs = () => 0; // how long the load in flight has been going
// Where `initialize(input)` last said the wasm is, when that can be loaded again (an address,
// bytes, a compiled module; not a Response or a promise, whose body is read once): a load
// after a failed one (the next call's) loads from there, not from beside this file.
let namedSource;
const abandoned = new WeakSet(); // loads given up, so their waiters start another rather than fail
// A wait that runs out gives the load up only once the load has taken this many times the
// wait's limit: a slow load still completes for a later call, a hung one is retried. Timers
// run on the event loop's cached clock, which can lag performance.now(): a wait may end a
// little before its limit by the load's clock, so the comparison allows a tenth of a limit.
// Each load given up doubles that for the next (up to 16 times): a slow link whose load takes
// longer than three times every caller's limit still gets one through, rather than being
// started again for ever by callers with a short timeout.
const ABANDON_AFTER_LIMITS = 3;
const TIMER_SLACK_LIMITS = 0.1;
const MAX_PATIENCE_DOUBLINGS = 4;
let loadsGivenUp = 0;

/** A failed load as the package's own error (the original is its `cause`). */
function wasmUnavailable(error, fromBesideThisModule) {
  const detail = error instanceof Error ? error.message : String(error);
  // Chromium, Firefox and Safari all name the policy (or `unsafe-eval`) when a CSP refuses wasm.
  let hint = fromBesideThisModule ? 'serve glue_bg.wasm beside index.js, or pass its URL to initialize()' : 'check that what initialize() was given is glue_bg.wasm (its URL, bytes or Response)';
  if (/Content Security Policy|\bCSP\b|unsafe-eval/.test(detail)) hint = "the page's Content-Security-Policy must allow WebAssembly: add 'wasm-unsafe-eval' to its script-src (or default-src)";
  else if (withoutModuleUrl.has(error)) hint = 'bundle the package as an ES module (esbuild: --format=esm), or pass the wasm\'s URL to initialize(url)';
  // The browser build in Node (a `browser` export condition, as Jest's jsdom environment sets):
  // its fetch cannot read a file: URL.
  else if (fromBesideThisModule && typeof globalThis.process?.versions?.node === 'string') hint = "in Node, use the package's Node build (its `node` export condition), or pass the wasm's bytes to initialize()";
  const wrapped = new NetworkError({
    code: 'WasmUnavailable',
    message: `WasmUnavailable: the package's wasm could not be loaded (${detail}); ${hint}`,
    retryable: true,
  });
  Object.defineProperty(wrapped, 'cause', { value: error, configurable: true, writable: true });
  return wrapped;
}

/**
 * What wasm-bindgen's loader is given: the wasm's URL fetched here (beside this file unless
 * named), or what the caller passed, raced against `signal`. The loader waits on it, and
 * shares one load among callers: without the race, a fetch that hangs would hold every later
 * call, and `initialize`, for ever.
 */
function wasmSource(input, signal) {
  const where = input ?? besideThisModule();
  const isAddress = typeof where === 'string' || where instanceof URL || (typeof Request === 'function' && where instanceof Request);
  // Given up before it started (a newer initialize() in the same tick): no abort event will come.
  const givenUp = new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  // Our own fetch ends its body too when aborted; a caller's Response is read here, in the race.
  const given = isAddress
    ? fetch(where, { signal })
    : Promise.resolve(where).then((value) => {
      if (!(typeof Response === 'function' && value instanceof Response)) return value;
      // wasm-bindgen checks the status of a Response it fetched; one given is read here, so
      // checked here (a 404 page's bytes would be compiled, and fail as "not wasm").
      if (!value.ok) throw new Error(`the Response given is HTTP ${value.status} ${value.statusText}`.trimEnd());
      return Promise.race([value.arrayBuffer(), givenUp]);
    });
  return Promise.race([given, givenUp]);
}

/** glue_bg.wasm's address beside this module, or why there is none. */
function besideThisModule() {
  try {
    return new URL('glue_bg.wasm', import.meta.url);
  } catch (error) {
    // A script bundle (esbuild's default IIFE format leaves `import.meta` empty), or a module
    // loaded from a blob: or data: URL: nothing to resolve the file against. (The URL is not
    // quoted: webpack would write the builder's path into every bundle for a bare import.meta.url.)
    const unlocatable = new Error('glue_bg.wasm cannot be found beside this module, which has no URL a file can be resolved against (a script bundle, or a module from a blob: or data: URL)', { cause: error });
    withoutModuleUrl.add(unlocatable);
    throw unlocatable;
  }
}
const withoutModuleUrl = new WeakSet();

/**
 * Starts loading the wasm (from beside this file, or `input`), unless loaded or loading. Given
 * an input while another load is in flight, that load is given up and the input loaded instead
 * (the load in flight may be the one that hangs). Returns the load, unbounded.
 */
function startLoad(input) {
  if (loaded || (ready && input === undefined)) return ready;
  if (ready) abandon();
  const controller = new AbortController();
  const source = input ?? namedSource;
  // A failure to start is the load's failure (a WasmUnavailable), never a throw here.
  const start = () => {
    try {
      return init({ module_or_path: wasmSource(source, controller.signal) });
    } catch (error) {
      return Promise.reject(error);
    }
  };
  const next = (ready ? ready.catch(start) : start()).then(
    () => {
      loaded = true;
    },
    (error) => {
      if (ready === next) ready = null; // a later call may try again (e.g. after a network blip)
      throw wasmUnavailable(error, source === undefined); // a raw loader error: an earlier load's is caught by .catch(start)
    },
  );
  // Marked handled: `initialize()` called to start early and not awaited must not make a failed
  // load an unhandled rejection (the next call reports it). Awaited, it still rejects.
  next.catch(() => {});
  ready = next;
  const startedAt = performance.now(); // monotonic, like the timers it is compared with
  loadAgeMs = () => performance.now() - startedAt;
  abandon = () => {
    abandoned.add(next);
    controller.abort(new Error('it did not load in time, and was given up'));
  };
  return next;
}

/** Whether `input` can be loaded from again (see namedSource). */
function loadableAgain(input) {
  try {
    return !(typeof Response === 'function' && input instanceof Response) && typeof input?.then !== 'function';
  } catch {
    return false; // a hostile `then` getter: the load itself reports it
  }
}

/**
 * Optional: start loading the wasm early, or say where it is (see startLoad). Resolves once the
 * package is ready (a newer load replacing this one counts); rejects with a failed load's error,
 * or a TimeoutError after 10 s, as `errorCodeInfo` waits (the load goes on, for later calls): a
 * load that hangs must not hang a page's start-up for good.
 */
export function initialize(input) {
  if (input !== undefined) {
    namedSource = loadableAgain(input) ? input : undefined;
    loadsGivenUp = 0; // a new source: the patience earned by the old one's slowness goes
  }
  const load = startLoad(input);
  if (loaded) return load;
  const waited = untilLoaded({});
  waited.catch(() => {}); // see startLoad: not awaited, a failure is no unhandled rejection
  return waited;
}

/**
 * Waits for the wasm (the first calls only), bounded like the call itself: the caller's signal,
 * and its deadlineMs, or else its timeoutMs (default 10 s), so a load that hangs is no hang. A
 * wait that runs out on a load that has taken three times its limit gives that load up, so the
 * next call starts a fresh one.
 */
async function untilLoaded(options) {
  // Only what the core would accept bounds the wait: anything else waits the default, and the
  // core then refuses it as it refuses it once loaded (an InvalidArgumentError).
  const signal = signalLike(options.signal) ? options.signal : null;
  if (signal?.aborted) throw reasonOf(signal);
  const deadlineMs = validMs(options.deadlineMs);
  const limitMs = deadlineMs ?? validMs(options.timeoutMs) ?? 10_000;
  let timer;
  let onAbort;
  let current = null;
  const stop = new Promise((resolve, reject) => {
    timer = setTimeout(() => {
      const patience = ABANDON_AFTER_LIMITS * 2 ** Math.min(loadsGivenUp, MAX_PATIENCE_DOUBLINGS) - TIMER_SLACK_LIMITS;
      if (!loaded && current !== null && ready === current && loadAgeMs() >= patience * limitMs) {
        loadsGivenUp++;
        abandon();
      }
      reject(deadlineMs === undefined
        ? new TimeoutError({ code: 'Timeout', message: `Timeout: the package's wasm did not load within ${limitMs} ms`, retryable: true })
        : new TimeoutError({
          code: 'DeadlineExceeded',
          message: `DeadlineExceeded: the deadline of ${deadlineMs} ms passed while the package's wasm loaded`,
          retryable: true,
        }));
    }, Math.min(limitMs, 2 ** 31 - 1));
    onAbort = () => reject(reasonOf(signal));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    // A newer load (initialize(url), or a fresh one after another wait gave the last one up)
    // replaces the one being waited on.
    while (!loaded) {
      current = ready ?? startLoad();
      try {
        await Promise.race([current, stop]);
      } catch (error) {
        const replaced = ready !== null && ready !== current;
        if (!loaded && (replaced || (ready === null && abandoned.has(current)))) continue;
        throw error;
      }
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

// What a browser says when fetch fails without an answer; a CORS refusal looks the same.
const BLOCKED = /Failed to fetch|NetworkError when attempting to fetch|Load failed/;

/** A time option the core accepts (an integer from 1 to 2^53 − 1), else undefined. */
const validMs = (ms) => (Number.isSafeInteger(ms) && ms >= 1 ? ms : undefined);

async function run(organizationId, pipelineId, category, options) {
  const deadlineMs = validMs(options.deadlineMs);
  if (!loaded) {
    const startedAt = performance.now();
    await untilLoaded(options);
    // The deadline bounds the whole call, the wait for the wasm included: the core gets what is left.
    if (deadlineMs !== undefined) options.deadlineMs = Math.max(1, deadlineMs - Math.ceil(performance.now() - startedAt));
  }
  const result = await core.runListPipelineJobs(organizationId, pipelineId, category, options);
  if (result?.code === 'DeadlineExceeded' && options.deadlineMs !== deadlineMs) {
    result.message = result.message.replace(`the deadline of ${options.deadlineMs} ms`, `the deadline of ${deadlineMs} ms`);
  }
  if (result?.className === 'NetworkError' && result.status === 0 && BLOCKED.test(result.message)) {
    result.message += ' — in a browser this is also how a CORS refusal looks (or a Content-Security-Policy whose connect-src leaves the endpoint out): the endpoint must allow this origin, or call it through a signing proxy on your own origin';
  }
  return result;
}

export const { listPipelineJobs, YunxiaoClient } = makeClient({ run, environment: null });

/** The source table's meaning of an API error code, or null. Needs the module loaded. */
export async function errorCodeInfo(code) {
  if (!loaded) await untilLoaded({});
  return describeCode(core.errorCodeInfo, code);
}
export {
  YunxiaoError, InvalidArgumentError, AuthenticationError, ForbiddenError, NotFoundError, BadRequestError,
  ThrottlingError, ServerError, NetworkError, TimeoutError, InvalidResponseError,
} from './errors.js';
