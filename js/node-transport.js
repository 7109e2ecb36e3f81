// Node's default transport: a fetch-shaped function over node:http(s) with keep-alive agents.
// On loopback it takes 0.6-0.7x of Node's fetch (undici) time per call, which is most of what a
// call costs. The wasm core drives it exactly like fetch (and a caller's `fetch` option still
// replaces it): it only needs method, headers, signal and redirect: "manual" (node:http never
// follows redirects), and reads status, headers.get() and a body reader.
//
// node:http(s), node:zlib and node:stream load on the first call, not at import: https pulls in
// TLS, which would triple the package's start-up time for programs that have not made a call yet.

import { nodeBuiltin } from './node-builtin.js';

const transports = {};

// A promise: a module that cannot load fails the call, not the import.
function load(protocol) {
  transports[protocol] ??= Promise.resolve().then(() => {
    const module = nodeBuiltin(protocol === 'https:' ? 'node:https' : 'node:http');
    const codecs = { zlib: nodeBuiltin('node:zlib'), Transform: nodeBuiltin('node:stream').Transform };
    return { module, agent: new module.Agent({ keepAlive: true }), codecs };
  });
  return transports[protocol];
}

export async function nodeFetch(url, init) {
  const target = new URL(url);
  const { module, agent, codecs } = await load(target.protocol);
  return new Promise((resolve, reject) => {
    // An object, not node:http's faster [name, value, ...] list (~6 % of a call's CPU): tracing
    // agents that wrap http.request (OpenTelemetry, Sentry) copy headers as an object, and
    // would turn a list into headers named 0, 1, 2... (bench/DESIGN.md).
    const headers = { ...init.headers, 'accept-encoding': 'gzip, deflate, br' };
    if (init.method !== 'GET') headers['content-length'] = '0';
    const options = { method: init.method, headers, agent, ...(isSubdomainOfLocalhost(target.hostname) ? { lookup: loopback } : {}) };
    const { signal } = init;
    let request;
    const send = (resends) => {
      const sent = module.request(target, options);
      request = sent;
      sent.on('response', (message) => {
        // Outside the executor a throw would be an uncaught exception: turn it into a rejection.
        try {
          resolve(toResponse(message, codecs));
        } catch (error) {
          message.destroy();
          reject(error);
        }
      });
      sent.on('error', (error) => {
        // A kept-alive connection the server had closed (its FIN on the way as the request went
        // out) ends with no answer: Node's "socket hang up". fetch (undici) sees that close
        // before reusing a connection; here the request is sent again, once, on another. Once:
        // a server that read the request and then closed would see it again, nonce and all
        // (the retry policy's attempts are signed afresh). Not after a reset: that is the retry
        // policy's to decide.
        if (sent.reusedSocket && !sent.res && resends < MAX_RESENDS && !signal?.aborted && isHangUp(error)) {
          try {
            send(resends + 1);
          } catch (thrown) {
            reject(thrown);
          }
        } else {
          reject(error);
        }
      });
      // A 101 answer to a request that asked for no upgrade: nothing more will come.
      sent.on('upgrade', (message, socket) => {
        socket.destroy();
        reject(new Error(`unexpected ${message.statusCode} ${message.statusMessage}`));
      });
      sent.end();
    };
    send(0);
    // The abort is wired by hand: node:http's `signal` option costs about 20 µs a request (it
    // tracks the end of the stream to unhook itself). The signal is the core's own, one per
    // attempt, so the listener goes when the attempt does; a late abort finds the request
    // finished, and destroy() then does nothing.
    if (signal) {
      // The error goes to whoever waits: the head's promise, or the body's reader (which, past
      // a decoder, is told the body was cut off; the core reports the abort or timeout either
      // way). The request is closed without one: `request.destroy(error)` would hand it to the
      // socket, and a socket whose answer had all arrived is no longer the request's: with no
      // listener left, that error would be an uncaught exception (an answer over
      // maxResponseBytes crashed the process).
      const abort = () => {
        const error = abortError(signal.reason);
        reject(error);
        request.res?.destroy(error);
        // Not yet given its socket by the agent, a request destroyed now hands that socket back
        // to the agent's pool when it comes (Node 24 and later), open: a connection nobody asked
        // for, held until the agent's idle timeout, and counted against the server's limits by
        // every call cancelled early. Close it when it comes instead.
        if (request.socket) request.destroy();
        else request.once('socket', (socket) => socket.destroy());
      };
      if (signal.aborted) abort();
      else signal.addEventListener('abort', abort, { once: true });
    }
  });
}

// node:http's error for a connection that ended before an answer (a reset is `read ECONNRESET`).
const isHangUp = (error) => error?.code === 'ECONNRESET' && error.message === 'socket hang up';
// How many times a request is sent again for it.
const MAX_RESENDS = 1;

/**
 * The core's per-attempt controller for this transport (js/client.js passes it as the internal
 * `attemptController` option with the default transport): all the core asks of it is `signal`
 * and `abort(reason)`, and only `nodeFetch` reads the signal (`aborted`, `reason`, one "abort"
 * listener). A real AbortController costs about 10 µs in Node, which makes every AbortSignal
 * transferable: some 7 % of a call's own CPU, profiled.
 */
export function attemptController() {
  let listener = null;
  const signal = {
    aborted: false,
    reason: undefined,
    addEventListener(type, fn) {
      if (type === 'abort') listener = fn;
    },
  };
  return {
    signal,
    abort(reason) {
      if (signal.aborted) return;
      signal.aborted = true;
      signal.reason = reason;
      // As an EventTarget does: a listener's throw is reported, not thrown at the aborter.
      try {
        listener?.();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    },
  };
}

/**
 * `*.localhost` is loopback by RFC 6761, as browsers resolve it, and the core lets it be
 * `http://` as such: it must not go to the system's resolver, which may ask a DNS server (and be
 * told any address). (`localhost` itself is left to the system: /etc/hosts names it.)
 */
const isSubdomainOfLocalhost = (hostname) => hostname.endsWith('.localhost');

function loopback(hostname, options, callback) {
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }]);
  else callback(null, '127.0.0.1', 4);
}

/** What fetch rejects with when its signal aborts (the core reports the abort by its own reason). */
function abortError(reason) {
  const error = new Error('the request was aborted', { cause: reason });
  error.name = 'AbortError';
  return error;
}

// As lenient as fetch (undici), so that what fetch reads this reads too: a body that stops
// short of its trailer still yields what it holds (the core then judges the JSON), and
// `deflate` may be zlib-wrapped or raw, as servers send both.
const syncFlush = (zlib) => ({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH });
// No prototype: a Content-Encoding of `constructor` or `__proto__` must find nothing here.
const DECODERS = {
  __proto__: null,
  gzip: ({ zlib }) => zlib.createGunzip(syncFlush(zlib)),
  'x-gzip': ({ zlib }) => zlib.createGunzip(syncFlush(zlib)),
  deflate: inflateEither,
  br: ({ zlib }) =>
    zlib.createBrotliDecompress({ flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH }),
};

/**
 * Inflates zlib-wrapped or raw deflate, told apart by the first byte (as undici does). The
 * inner inflater is paused while the reader is behind, as a pipe would (so a small body that
 * inflates to gigabytes waits for the size limit instead of filling memory), and destroyed
 * with this stream (an aborted call must not go on inflating).
 */
function inflateEither({ zlib, Transform }) {
  let inflate = null;
  let inflated = false; // the inflater's output has ended (early, if bytes follow the data)
  const either = new Transform({
    transform(chunk, encoding, done) {
      if (!inflate) {
        if (chunk.length === 0) return done();
        // A zlib header's first byte names method 8 (deflate) in its low four bits.
        inflate = (chunk[0] & 0x0f) === 8 ? zlib.createInflate(syncFlush(zlib)) : zlib.createInflateRaw(syncFlush(zlib));
        inflate.on('data', (data) => {
          if (!either.push(data)) inflate.pause();
        });
        inflate.on('end', () => (inflated = true));
        inflate.on('error', (error) => either.destroy(error));
      }
      // Done once the inflater has taken the chunk: while it is paused, that waits too.
      inflate.write(chunk, encoding, done);
    },
    final(done) {
      if (!inflate || inflated) return done();
      // Ends this stream only after the last of the inflater's output.
      inflate.once('end', () => done());
      inflate.end();
    },
    destroy(error, done) {
      inflate?.destroy();
      done(error);
    },
  });
  const read = either._read;
  either._read = function readResuming(size) {
    inflate?.resume();
    return read.call(this, size);
  };
  return either;
}

/** What a reader is told when the answer stops before its body ends. */
const CUT_OFF = 'the connection closed before the body ended';

// Stacked codings decoded at most (each is one more decoder per answer).
const MAX_CODINGS = 5;

function toResponse(message, codecs) {
  // `gzip, br`: applied in that order, so undone last-first. A body with a coding this table
  // does not know (or too many) is passed on as sent, as fetch does; the core then finds it
  // is not JSON.
  const codings = String(message.headers['content-encoding'] ?? '')
    .toLowerCase()
    .split(',')
    .map((coding) => coding.trim())
    .filter((coding) => coding !== '' && coding !== 'identity');
  const decodable = codings.length <= MAX_CODINGS && codings.every((coding) => DECODERS[coding]);
  let stream = message;
  const notDecoding = new WeakSet(); // errors a decoder is handed (from upstream, or a cut-off), not its own
  let decodeFailure = null; // the first decoder's own failure: what the reader must be told
  for (const coding of decodable ? codings.reverse() : []) {
    const decoder = DECODERS[coding](codecs);
    stream.on('error', (error) => {
      if (error instanceof Error) notDecoding.add(error);
      decoder.destroy(error); // pipe() does not forward errors
    });
    decoder.on('error', (error) => {
      // Say what failed: the reader would otherwise see only zlib's words ("incorrect header check").
      if (error instanceof Error && !notDecoding.has(error)) {
        error.message = `the ${coding} body could not be decoded (${error.message})`;
        notDecoding.add(error);
        decodeFailure ??= error;
      }
      message.destroy(); // nor close what feeds a failed decoder
    });
    stream.pipe(decoder);
    stream = decoder;
  }
  // A body cut short would leave the reader (or the decoder) waiting: end it with an error.
  // Closing the message after a decoder failed lands here too: the failure is the news.
  message.on('aborted', () => {
    const cutOff = decodeFailure ?? new Error(CUT_OFF);
    notDecoding.add(cutOff);
    stream.destroy(cutOff);
  });
  let iterator = null;
  return {
    status: message.statusCode,
    headers: {
      get(name) {
        const value = message.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : String(value);
      },
    },
    body: {
      getReader() {
        iterator ??= stream[Symbol.asyncIterator]();
        return {
          async read() {
            const { done, value } = await iterator.next();
            return done ? { done: true, value: undefined } : { done: false, value: new Uint8Array(value.buffer, value.byteOffset, value.byteLength) };
          },
        };
      },
    },
    async arrayBuffer() {
      // Events rather than `for await`: for a small body, the async iterator costs more than
      // the reading itself.
      const chunks = [];
      await new Promise((resolve, reject) => {
        if (stream.destroyed) {
          reject(stream.errored ?? new Error('the body stream was closed before it was read'));
          return;
        }
        stream.on('data', (chunk) => chunks.push(chunk));
        stream.on('end', resolve);
        stream.on('error', reject);
        // Closed with neither an end nor an error (destroyed without a reason): cut short. Every
        // body closes after its end too, and an Error made then for nothing (its stack trace)
        // cost ~12 µs a call, profiled.
        stream.on('close', () => {
          if (!stream.readableEnded && !stream.errored) reject(new Error(CUT_OFF));
        });
      });
      const all = Buffer.concat(chunks);
      // A body of more than a few KB has a buffer of its own: hand it over rather than copy
      // it (a small one shares Node's pool, so only its own bytes are copied out).
      const own = all.byteOffset === 0 && all.byteLength === all.buffer.byteLength;
      return own ? all.buffer : all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
    },
  };
}
