// The signing proxy: how a web page uses this package without holding an AccessKey secret.
// The package ships this file as `yunxiao-pipeline-jobs/proxy` (scripts/build.sh points its
// imports below at the package's own Node build and at bin/echoes.cjs; types in
// js/package/proxy.d.mts).
//
// The page calls the package with `endpoint: location.origin + '/api/…'` and no credentials, so
// the package sends an unsigned ListPipelineJobs request to this server. Here it is signed by
// the same package running in Node, with credentials that live only in this process, and sent
// to the real endpoint. The upstream answer (status, request id, body) goes back to the page
// byte for byte, so the page's copy of the package still parses the real answer and throws the
// real error classes.
//
// With a Yunxiao personal access token instead of an AccessKey, the proxy calls the token API
// (adding `x-yunxiao-token`) and relays its answer the same way: the page's request is the
// same unsigned one, and its copy of the package reads either API's answer.
//
// The package's public API returns normalised results, not raw responses, so the raw answer is
// taken from the `fetch` option: `capturingFetch` reads the response once, keeps the bytes and
// hands the package an identical Response. The proxy never retries (`maxRetries: 0`) and keeps no
// timeout of its own below the page's: retries, timeouts and Cancel are decided by the page's
// copy of the package, exactly as if it called the API directly.

import { InvalidArgumentError, YunxiaoClient } from '../pkg/node/index.mjs';
import { echoedForms, echoPattern, fromUnits, holdsEcho, MAX_ESCAPE_LEVELS, revealsEchoWhenUnescaped, signatureOf, withoutEchoes } from '../js/package/echoes.cjs';

/** The one API the proxy forwards (raw, still percent-encoded path), optionally behind an emulator scenario prefix. */
const API_PATH = /^(?:\/_s\/([A-Za-z0-9._~-]{1,100}))?\/organization\/([^/]+)\/pipeline\/([^/]+)\/jobs$/;
/** Response headers worth relaying: what the package reads, plus the content type. */
const RELAYED_HEADERS = ['content-type', 'x-acs-request-id', 'x-request-id', 'date', 'retry-after', 'x-acs-retry-after'];
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
// The package's limit for maxResponseBytes (100 MiB).
const MAX_RESPONSE_BYTES_LIMIT = 100 * 1024 * 1024;
/** What the page's request gives the package; the package's refusal of anything else is the proxy's fault. */
const PAGE_ARGUMENTS = new Set(['organizationId', 'pipelineId', 'category']);
/** Unicode's White_Space at either end, which Rust's `str::trim` removes. */
const RUST_TRIMMED = /^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;
/** A category as the package sends it (after trimming and upper-casing), as src/core/request.rs checks it. */
const CATEGORY = /^[A-Z][A-Z0-9_]{0,63}$/;
/** How long a page is asked to wait after a ProxyBusy: a random wait in this range (ms), so that
 *  the calls turned away together do not all come back together. */
const BUSY_WAIT_MS = [500, 1500];

/** A mistake in createSigningProxy's options: an InvalidArgumentError, as the package's own options' are
 *  (`argument`: the option it names first). */
const refused = (reason) => new InvalidArgumentError({ code: 'InvalidArgument', message: `createSigningProxy: ${reason}`, argument: /^\w+/.exec(reason)[0] });

/**
 * Parses the part of an incoming URL after the proxy's base path. Returns
 * `{ organizationId, pipelineId, category, scenario }` or `{ error }` (a reason for a 4xx).
 * The category is the one the call sends: trimmed and upper-cased, as the package does (so an
 * `allow` rule sees what is signed: `deploy ` is `DEPLOY`), or an error when it is not one.
 */
export function parseProxiedCall(rawPath, rawQuery) {
  const match = API_PATH.exec(rawPath);
  if (!match) return { error: 'only POST …/organization/{organizationId}/pipeline/{pipelineId}/jobs?category=… is forwarded' };
  let organizationId;
  let pipelineId;
  try {
    organizationId = decodeURIComponent(match[2]);
    pipelineId = decodeURIComponent(match[3]);
  } catch {
    return { error: 'the path is not valid percent-encoding' };
  }
  // As a path segment, `.` and `..` would name another path of the upstream.
  if (match[1] === '.' || match[1] === '..') return { error: 'a scenario id must not be "." or ".."' };
  const query = new URLSearchParams(rawQuery);
  const keys = [...query.keys()];
  if (keys.length !== 1 || keys[0] !== 'category') return { error: 'the query must be exactly ?category=…' };
  // Trimmed of what Rust's `str::trim` trims (JS's `trim` differs: U+FEFF, U+0085), ASCII letters
  // upper-cased (`toUpperCase` would turn `ı` into `I`): as the package does.
  const category = query.get('category').replace(RUST_TRIMMED, '').replace(/[a-z]+/g, (letters) => letters.toUpperCase());
  if (!CATEGORY.test(category)) return { error: 'the category must match ^[A-Z][A-Z0-9_]*$ after trimming and upper-casing, with at most 64 characters (e.g. DEPLOY)' };
  return { organizationId, pipelineId, category, scenario: match[1] ?? null };
}

/**
 * Whether the credentials object can authorise a call: an AccessKey pair (with or without an
 * STS token), or a Yunxiao personal access token (`token`, with an optional `edition`).
 */
export function canSign(credentials) {
  return Boolean((credentials?.accessKeyId && credentials?.accessKeySecret) || credentials?.token);
}

/**
 * The package's options for these credentials. With a token, the call goes to the token API
 * (`GET …/oapi/v1/flow/…`, `x-yunxiao-token`) whatever the page sent: its answer (a bare array,
 * `x-request-id`) is one the page's copy of the package reads as well.
 */
function credentialOptions(credentials) {
  if (credentials.token) return { token: credentials.token, edition: credentials.edition || undefined };
  return {
    accessKeyId: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    securityToken: credentials.securityToken || undefined,
  };
}

/**
 * A forwarder for one upstream. `forward({ rawPath, rawQuery, signal })` resolves to
 * `{ status, headers, body }` to send back, or `null` when `signal` aborted (the page went away).
 *
 * - upstream: base URL of the real API (or of the emulator standing in for it)
 * - credentials: { accessKeyId, accessKeySecret, securityToken? } or { token, edition? }: only
 *   ever used here
 * - scenarios: accept the emulator's `/_s/{id}` prefix (emulator only)
 * - timeoutMs: a safety net above the page's own timeout (the page's package times out first)
 * - allow: `({ organizationId, pipelineId, category }) => boolean` (or a promise of one): which
 *   calls to sign (the category as sent: upper-cased); others get a 403 `ProxyForbidden`. The
 *   proxy signs for whoever reaches it: authenticate callers before `forward`, and name the
 *   pipelines they may list here.
 * - maxConcurrentCalls: calls to the upstream at once; past it a 503 `ProxyBusy` asking for a
 *   wait of 0.5 to 1.5 s (random), which the page's package waits out and retries. Each call
 *   holds its answer (up to maxResponseBytes) several times over while it is read and
 *   redacted: this bounds that. An answer `forward` has returned is the caller's to send: a
 *   client slow to read it keeps it alive after its place is free.
 */
export function createSigningProxy(options) {
  if (options === null || typeof options !== 'object') throw refused('options must be an object: { upstream, credentials, … }');
  const {
    upstream,
    credentials,
    allow = () => true,
    scenarios = false,
    timeoutMs = 30_000,
    maxResponseBytes = 32 * 1024 * 1024,
    maxConcurrentCalls = 16,
    fetch: baseFetch = globalThis.fetch,
  } = options;
  if (!canSign(credentials)) throw refused('credentials need accessKeyId and accessKeySecret, or a token');
  const credentialProblem = problemWithCredentials(credentials);
  if (credentialProblem) throw refused(credentialProblem);
  if (typeof allow !== 'function') throw refused('allow must be a function');
  if (typeof baseFetch !== 'function') throw refused('fetch must be a function');
  if (!(Number.isInteger(maxConcurrentCalls) || maxConcurrentCalls === Infinity) || maxConcurrentCalls < 1) {
    throw refused('maxConcurrentCalls must be a positive integer (or Infinity)');
  }
  // The package's own limits for these, checked here too: wrong, they would fail every call
  // later as a 400 that reads like the page's fault.
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
    throw refused('timeoutMs must be an integer from 1 to 9007199254740991');
  }
  if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes < 1 || maxResponseBytes > MAX_RESPONSE_BYTES_LIMIT) {
    throw refused(`maxResponseBytes must be an integer from 1 to ${MAX_RESPONSE_BYTES_LIMIT}`);
  }
  const upstreamProblem = problemWithUpstream(String(upstream));
  if (upstreamProblem) throw refused(`upstream ${upstreamProblem}`);
  if (credentials.token && (credentials.accessKeyId || credentials.accessKeySecret || credentials.securityToken)) {
    throw refused('credentials hold both an AccessKey and a token (an STS token goes with an AccessKey): give one');
  }
  if (credentials.edition !== undefined && credentials.edition !== null && !(credentials.token && ['center', 'region'].includes(credentials.edition))) {
    throw refused('credentials.edition is center or region, and goes with a token only');
  }
  const base = String(upstream).replace(/\/+$/, '');
  // One client for all calls: it keeps the clock offset a clock-skew retry learns, so a server
  // whose clock is off pays that extra round trip once, not on every call. (The emulator's
  // scenarios, each with its own clock, share it: a call after another scenario's may pay it again.)
  const client = new YunxiaoClient({ ...credentialOptions(credentials), maxRetries: 0, timeoutMs, maxResponseBytes });
  const secrets = [credentials.accessKeySecret, credentials.securityToken, credentials.token].filter((s) => typeof s === 'string' && s.length > 0);
  const echoes = echoesOf(secrets);
  const redact = (text) => withoutEchoes(text, echoes.patterns);
  let callsInFlight = 0;

  return async function forward({ rawPath, rawQuery, signal }) {
    const call = parseProxiedCall(rawPath, rawQuery);
    if (call.error) return proxyError(400, 'ProxyInvalidRequest', call.error);
    if (call.scenario !== null && !scenarios) return proxyError(400, 'ProxyInvalidRequest', 'scenario prefixes are only accepted by the emulator backend');
    const { organizationId, pipelineId, category } = call;
    // Anything but `true` refuses, a throw too: a broken rule must not sign.
    if ((await Promise.resolve().then(() => allow({ organizationId, pipelineId, category })).catch(() => false)) !== true) {
      return proxyError(403, 'ProxyForbidden', 'this proxy does not sign calls for that pipeline');
    }
    // Checked and counted with no await between: calls that arrive together cannot all pass.
    if (callsInFlight >= maxConcurrentCalls) {
      const busy = proxyError(503, 'ProxyBusy', `this proxy is at its limit of ${maxConcurrentCalls} calls at once; try again`);
      // The package waits what x-acs-retry-after says; other clients read Retry-After (whole seconds).
      const [least, most] = BUSY_WAIT_MS;
      busy.headers['x-acs-retry-after'] = String(least + Math.floor(Math.random() * (most - least)));
      busy.headers['retry-after'] = '1';
      return busy;
    }
    callsInFlight++;
    try {
      return await signAndRelay(call, signal);
    } finally {
      callsInFlight--;
    }
  };

  /** The upstream call and its relayed answer (`forward` has checked and counted it). */
  async function signAndRelay(call, signal) {
    let captured = null;
    let tooLarge = false;
    const signatures = [];
    const capturingFetch = async (url, init) => {
      // The requests' signatures are secrets of the call's: an answer that echoes one is redacted
      // too, an earlier attempt's included (the clock-skew retry signs the request again).
      const signature = signatureOf(new Headers(init.headers).get('authorization'));
      if (signature !== null) signatures.push(signature);
      const response = await baseFetch(url, init);
      const body = await readCapped(response, maxResponseBytes).catch((error) => {
        if (error === TOO_LARGE) tooLarge = true;
        throw error;
      });
      const headers = new Headers();
      for (const name of RELAYED_HEADERS) {
        const value = response.headers.get(name);
        if (value !== null) headers.set(name, value);
      }
      captured = { status: response.status, headers, body };
      return new Response(NULL_BODY_STATUSES.has(response.status) ? null : body, { status: response.status, headers });
    };

    let failure = null;
    try {
      await client.listPipelineJobs(call.organizationId, call.pipelineId, call.category, {
        endpoint: call.scenario === null ? base : `${base}/_s/${call.scenario}`,
        fetch: capturingFetch,
        signal,
      });
    } catch (error) {
      failure = error; // the upstream's own errors are relayed as they came; see below
    }
    if (signal?.aborted) return null;
    if (captured !== null) return relay(captured, signatures.length === 0 ? echoes : echoesOf([...secrets, ...signatures]));
    // No upstream answer to relay: say why, in the gateway's error shape so the page's package
    // classifies it (5xx → ServerError, retryable; 400 → BadRequestError).
    if (tooLarge) return proxyError(502, 'ProxyResponseTooLarge', `the upstream answer is larger than ${maxResponseBytes} bytes`);
    // The package refused what the page asked (an id, the category): the page's fault. Anything
    // else it refused is this proxy's own upstream or credentials (creation checks only the
    // plain cases): the server's fault.
    if (failure?.code === 'InvalidArgument' && PAGE_ARGUMENTS.has(failure.argument)) {
      return proxyError(400, 'ProxyInvalidRequest', redact(failure.message));
    }
    if (failure?.code === 'InvalidArgument') {
      return proxyError(500, 'ProxyMisconfigured', `this proxy's upstream or credentials are refused: ${redact(failure.message)}`);
    }
    if (failure?.name === 'TimeoutError') return proxyError(504, 'ProxyUpstreamTimeout', `no answer from the upstream within ${timeoutMs} ms`);
    return proxyError(502, 'ProxyUpstreamUnreachable', redact(String(failure?.message ?? 'no answer from the upstream')));
  }
}

/**
 * What is plainly wrong with this upstream, by the package's endpoint rules (https, or http to
 * a loopback host; no user name, password, query or fragment), or null. The package checks the
 * rest (host name syntax, numeric hosts, the base path) on the first call: a 500
 * ProxyMisconfigured.
 */
function problemWithUpstream(text) {
  let url;
  try {
    url = new URL(text);
  } catch {
    return 'must be an http(s) URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
  // Any `@`: `user:1234/rest@host` parses as the host `user`, port 1234, and a path.
  if (url.username || url.password || text.includes('@')) return 'must not hold a user name or password (an @)';
  if (text.includes('?') || text.includes('#')) return 'must not hold a query or fragment';
  const host = url.hostname;
  const loopback = host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]';
  if (url.protocol === 'http:' && !loopback) return 'may be http:// only for a loopback host (localhost, 127.0.0.0/8, [::1]): use https://';
  return null;
}

/** The package's limit for a string option (src/wasm/options.rs, MAX_STRING_UNITS). */
const MAX_CREDENTIAL_UNITS = 16 * 1024;
/** White space the package refuses at either end of a credential (Rust's `is_ascii_whitespace`). */
const PADDED = /^[\t\n\f\r ]|[\t\n\f\r ]$/;
/** What the package sends as a header: printable ASCII. */
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/**
 * What is wrong with the credentials' values by the package's rules (each sent one printable
 * ASCII, none with white space at either end), or null: found here, not as a 500 on every call.
 * Names the field, never its value.
 */
function problemWithCredentials(credentials) {
  for (const name of ['accessKeyId', 'accessKeySecret', 'securityToken', 'token']) {
    const value = credentials[name];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') return `credentials.${name} must be a string`;
    if (value.length > MAX_CREDENTIAL_UNITS) return `credentials.${name} is longer than ${MAX_CREDENTIAL_UNITS} characters`;
    if (!value.isWellFormed()) return `credentials.${name} contains an unpaired UTF-16 surrogate`;
    if (PADDED.test(value)) return `credentials.${name} starts or ends with white space: remove it`;
    if (name !== 'accessKeySecret' && !PRINTABLE_ASCII.test(value)) return `credentials.${name} must be printable ASCII`;
  }
  return null;
}

/** How an upstream may echo these secrets: `patterns` that find each in any mix of escapes and
 *  either case (see `echoPattern`), and `forms`, each spelt whole, for a quick UTF-16 check. */
function echoesOf(secrets) {
  return { forms: [...new Set(secrets.flatMap(echoedForms))], patterns: secrets.map(echoPattern) };
}

/** Whether `bytes`, read as UTF-16 any way it can be (little- or big-endian, from either of the
 *  first two bytes), hold an echo: one reading at a time, each dropped before the next. (Only
 *  worth reading when they hold a zero byte, as UTF-16 of ASCII does.) */
function holdsEchoAsUtf16(bytes, echoes) {
  for (const from of [0, 1]) {
    const even = Buffer.from(bytes.subarray(from, from + ((bytes.length - from) & ~1)));
    if (holdsEcho(even.toString('utf16le'), echoes.patterns) || holdsEcho(even.swap16().toString('utf16le'), echoes.patterns)) return true;
  }
  return false;
}

/** The captured answer with the secrets' `echoes` (see `echoesOf`) removed. */
function relay({ status, headers, body }, echoes) {
  const { forms } = echoes;
  const redact = (text) => withoutEchoes(text, echoes.patterns);
  let bytes = Buffer.from(body);
  // Redaction reads the body as UTF-8 (as the API sends it). A secret in UTF-16 would pass
  // unseen: such an answer is not relayed at all.
  const utf16 = forms.some((form) => bytes.includes(Buffer.from(form, 'utf16le')) || bytes.includes(Buffer.from(form, 'utf16le').swap16())) ||
    (bytes.includes(0) && holdsEchoAsUtf16(bytes, echoes));
  if (utf16) return proxyError(502, 'ProxyUpstreamEchoedSecret', 'the upstream answer held a credential in UTF-16, which is not relayed');
  const out = {};
  for (const [name, value] of headers) out[name] = redact(value);
  const text = bytes.toString('utf8');
  const clean = redact(text);
  // Written with JSON escapes (`\u003d` for `=`, as some JSON writers do), a secret passes the
  // redaction above, and the page's JSON.parse would then spell it out: not relayed either.
  // Escapes escaped too: `lastJobParams` is JSON text inside a JSON string, parsed twice.
  // The headers relayed too: the page reads the request id (into results and errors) as text.
  if (revealsEchoWhenUnescaped(clean, echoes.patterns) || Object.values(out).some((value) => revealsEchoWhenUnescaped(value, echoes.patterns))) {
    return proxyError(502, 'ProxyUpstreamEchoedSecret', `the upstream answer held a credential written with JSON escapes (or escapes nested past ${MAX_ESCAPE_LEVELS} levels), which is not relayed`);
  }
  // The page's package reads an XML error's code, message and request id as an XML parser does
  // (character references, entities, CDATA): a secret written with those would be spelt out there.
  const readFromXml = XML_FIELDS.map((name) => xmlElementText(clean, name));
  if (readFromXml.some((read) => holdsEcho(read, echoes.patterns))) {
    return proxyError(502, 'ProxyUpstreamEchoedSecret', 'the upstream answer held a credential written with XML escapes, which is not relayed');
  }
  if (clean !== text) bytes = Buffer.from(clean, 'utf8'); // a server that echoes a secret
  // No body at all for these (`new Response(body, { status: 204 })` throws on an empty one).
  return { status, headers: out, body: NULL_BODY_STATUSES.has(status) ? null : bytes };
}

// What the page's package reads from an XML error, and how: a mirror of src/core/normalize.rs
// (`parse_xml_error`, `xml_element`, `xml_text`, `xml_entity`). A change there must come here.
const XML_FIELDS = ['Code', 'Message', 'RequestId'];
const XML_ENTITIES = { __proto__: null, lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
/** How an entity's name or a character reference can start (`&lt;`, `&gt;`, `&amp;`…, `&#`). */
const ENTITY_START = new Set(['l', 'g', 'a', 'q', '#']);

/** The first `<name>` element's text, up to the first closing tag after it, decoded. */
function xmlElementText(text, name) {
  const from = text.indexOf(`<${name}>`);
  if (from < 0) return '';
  const start = from + name.length + 2;
  const end = text.indexOf(`</${name}>`, start);
  return end < 0 ? '' : xmlText(text.slice(start, end));
}

/**
 * Line breaks read as LF (CR LF and a lone CR: XML 1.0 §2.11), entities and references decoded,
 * CDATA sections unwrapped; what is none of those kept as it is. Once a CDATA section is found
 * unclosed, none after it closes. One pass into a buffer of
 * UTF-16 units (never longer than the text): a string grown a character at a time took 10 s
 * on 31 MiB of `&`.
 */
function xmlText(raw) {
  if (!/[&<\r]/.test(raw)) return raw;
  const out = new Uint16Array(raw.length);
  let length = 0;
  const put = (text) => {
    for (let k = 0; k < text.length; k++) out[length++] = text.charCodeAt(k);
  };
  // CDATA is text; comments and processing instructions are not. Once one of a kind is found
  // unclosed, none after it can close: not searching again keeps the reading linear.
  const sections = [['<![CDATA[', ']]>', true], ['<!--', '-->', false], ['<?', '?>', false]].map(([open, close, isText]) => ({ open, close, isText, canClose: true }));
  for (let i = 0; i < raw.length;) {
    const unit = raw.charCodeAt(i);
    const section = unit === 0x3c ? sections.find((s) => s.canClose && raw.startsWith(s.open, i)) : undefined;
    if (section) {
      const end = raw.indexOf(section.close, i + section.open.length);
      if (end >= 0) {
        if (section.isText) put(raw.slice(i + section.open.length, end).replace(/\r\n?/g, '\n'));
        i = end + section.close.length;
        continue;
      }
      section.canClose = false;
    } else if (unit === 0x26 && ENTITY_START.has(raw[i + 1])) {
      // The name runs to the first character no name or reference has (leading zeros and all);
      // a run stops at the next `&`, so a text of many `&` stays linear.
      let end = i + 1;
      while (end < raw.length && /[0-9A-Za-z#]/.test(raw[end])) end++;
      const semicolon = raw.charCodeAt(end) === 0x3b ? end - i : -1;
      const decoded = semicolon > 1 ? xmlEntity(raw.slice(i + 1, i + semicolon)) : null;
      if (decoded !== null) {
        put(decoded);
        i += semicolon + 1;
        continue;
      }
    }
    if (unit === 0x0d) {
      out[length++] = 0x0a;
      i += raw.charCodeAt(i + 1) === 0x0a ? 2 : 1;
      continue;
    }
    out[length++] = unit;
    i++;
  }
  return fromUnits(out, length);
}

/** The character an entity's name stands for, if XML defines it (a Char XML allows), else null. */
function xmlEntity(name) {
  if (name in XML_ENTITIES) return XML_ENTITIES[name];
  const hex = name.startsWith('#x');
  const digits = hex ? name.slice(2) : name.startsWith('#') ? name.slice(1) : '';
  if (!(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) return null;
  const code = parseInt(digits, hex ? 16 : 10);
  const allowed = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
  return allowed ? String.fromCodePoint(code) : null;
}

/** The XML reader the secret checks rest on, for tests (tests/e2e/demo-server.test.mjs; not shipped). */
export const decodersForTests = { xmlText };

function proxyError(status, code, message) {
  return {
    status,
    headers: { 'content-type': 'application/json;charset=utf-8' },
    body: Buffer.from(JSON.stringify({ Code: code, Message: message })),
  };
}

const TOO_LARGE = new Error('response too large');

async function readCapped(response, limit) {
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw TOO_LARGE;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}
