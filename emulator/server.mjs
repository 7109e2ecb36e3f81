// Local emulator of the Alibaba Cloud DevOps (Yunxiao) ListPipelineJobs API.
//
//   classic : POST /organization/{org}/pipeline/{pipeline}/jobs?category=DEPLOY  (V3 / V1 / STS signed)
//   token   : GET  /oapi/v1/flow/organizations/{org}/pipelines/{p}/listTasksByCategory/{cat}
//             GET  /oapi/v1/flow/pipelines/{p}/listTasksByCategory/{cat}          (region edition)
//   control : /_emulator/*  (never signed; see README.md)
//   fault injection: prefix any API path with /_s/{scenarioId}
//
// Plain Node 20, no dependencies. Facts come from docs/api/PROTOCOL.md.
// Usage: `node emulator/server.mjs --port 8090`, or `startEmulator()` from tests.

import http from 'node:http';
import { isIPv4 } from 'node:net';
import zlib from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { verifySignature, parseAuthorization, parseRawQuery, percentDecode } from './verify.mjs';

const SEED_PATH = fileURLToPath(new URL('./seed.json', import.meta.url));

const FIFTEEN_MINUTES = 15 * 60 * 1000;
const API_VERSION = '2021-06-25';
const API_ACTION = 'ListPipelineJobs';
const MAX_BODY_BYTES = 1 << 20;
const MAX_LOGGED_REQUESTS = 10_000;
const BIG_BATCH = 500; // jobs per chunk when streaming a `big` answer

const EXPOSED_HEADERS = 'x-acs-request-id, x-request-id, date, retry-after, x-acs-retry-after';

const STEP_ACTIONS = new Set([
  'normal', 'respond', 'json-normal-with', 'reset-before-headers', 'reset-mid-body', 'truncate',
  'hang-body', 'hang', 'trickle-headers', 'gzip', 'redirect', 'big',
]);

// Gateway (POP) error messages, worded like the real gateway's.
const GATEWAY = {
  IncompleteSignature: [400, 'The request signature does not conform to Aliyun standards.'],
  'InvalidAccessKeyId.NotFound': [404, 'Specified access key is not found.'],
  'InvalidTimeStamp.Expired': [400, 'Specified time stamp or date value is expired.'],
  'InvalidSecurityToken.Malformed': [400, 'Specified SecurityToken is malformed.'],
  'InvalidSecurityToken.Expired': [400, 'Specified SecurityToken is expired.'],
  SignatureDoesNotMatch: [400, 'Specified signature is not matched with our calculation. server string to sign is:'],
  SignatureNonceUsed: [400, 'Specified signature nonce was used already.'],
  'InvalidAction.NotFound': [404, 'Specified api is not found, please check your url and method.'],
  InvalidVersion: [400, 'Specified parameter Version is not valid.'],
  EmulatorScenarioNotFound: [404, 'No such emulator scenario; create it with POST /_emulator/scenarios.'],
  RequestEntityTooLarge: [413, 'The request body is too large.'],
};

export function loadSeed() {
  return JSON.parse(readFileSync(SEED_PATH, 'utf8'));
}

// ---------------------------------------------------------------------------
// JSON output. `{"$rawNumber": "9223372036854775807"}` in the seed is written as a
// bare number with exactly those digits: JS numbers cannot hold i64 values, and
// clients must be tested against what a Java backend really sends.

const RAW_MARK = '\u0000\u0001rawNumber:';
export function toJson(value) {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v) && typeof v.$rawNumber === 'string' && /^-?\d+$/.test(v.$rawNumber)
      ? RAW_MARK + v.$rawNumber
      : v,
  ).replace(/"\\u0000\\u0001rawNumber:(-?\d+)"/g, '$1');
}

function newRequestId() {
  return randomUUID().toUpperCase();
}

/**
 * A request's time stamp in ms, or NaN unless written exactly as PROTOCOL.md §1 says: V3's
 * `x-acs-date` as `YYYY-MM-DDTHH:MM:SSZ`, V1's `date` as RFC 1123 in GMT (weekday included).
 * Formatting the parsed time back and comparing refuses every other form, and any time zone
 * (Date.parse would read a date without one in the machine's own).
 */
export function parseStamp(algorithm, stamp) {
  if (typeof stamp !== 'string') return NaN;
  const t = Date.parse(stamp);
  if (!Number.isFinite(t)) return NaN;
  const written = algorithm === 'v3' ? new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z') : new Date(t).toUTCString();
  return written === stamp ? t : NaN;
}

/** A Host header naming this machine by a name a page could rebind: any DNS name but localhost. */
function rebindableHost(host) {
  const hostname = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  return !(hostname === 'localhost' || hostname.startsWith('[') || isIPv4(hostname));
}

function redactHeaders(headers) {
  const out = { ...headers };
  if (typeof out.authorization === 'string') {
    const a = out.authorization;
    // Every field the verifier would read as Signature (it trims names and values).
    if (a.startsWith('ACS3-HMAC-SHA256 ') && /Signature/.test(a)) out.authorization = a.replace(/(^ACS3-HMAC-SHA256 |,)(\s*Signature\s*=)[^,]*/g, '$1$2[REDACTED]');
    else if (a.startsWith('acs ') && a.includes(':')) out.authorization = a.slice(0, a.lastIndexOf(':') + 1) + '[REDACTED]';
    else out.authorization = '[REDACTED]';
  }
  for (const name of ['x-acs-security-token', 'x-yunxiao-token']) if (name in out) out[name] = '[REDACTED]';
  return out;
}

// setTimeout fires at once (with a warning) above 2^31 − 1 ms: a "slow" step would not be slow.
const MAX_TIMER_MS = 2 ** 31 - 1;
const isTimerMs = (ms) => Number.isFinite(ms) && ms >= 0 && ms <= MAX_TIMER_MS;

function validateScenario(body) {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'body must be a JSON object';
  if (typeof body.id !== 'string' || !/^[A-Za-z0-9._~-]{1,100}$/.test(body.id)) return 'id must match [A-Za-z0-9._~-]{1,100}';
  if (body.steps !== undefined && !Array.isArray(body.steps)) return 'steps must be an array';
  if (body.after !== undefined && body.after !== 'normal' && body.after !== 'repeat-last') return 'after must be "normal" or "repeat-last"';
  if (body.clockOffsetMs !== undefined && !Number.isFinite(body.clockOffsetMs)) return 'clockOffsetMs must be a number';
  if (body.latencyMs !== undefined && !isTimerMs(body.latencyMs)) return `latencyMs must be from 0 to ${MAX_TIMER_MS}`;
  for (const [i, step] of (body.steps ?? []).entries()) {
    if (!step || typeof step !== 'object') return `steps[${i}] must be an object`;
    if (!STEP_ACTIONS.has(step.action)) return `steps[${i}].action must be one of ${[...STEP_ACTIONS].join(', ')}`;
    if (step.delayMs !== undefined && !isTimerMs(step.delayMs)) return `steps[${i}].delayMs must be from 0 to ${MAX_TIMER_MS}`;
    // 1xx answers are not final: node:http cannot send one as the answer (raw TCP tests can).
    if (step.action === 'respond' && step.status !== undefined && !(Number.isInteger(step.status) && step.status >= 200 && step.status <= 599)) return `steps[${i}].status must be an HTTP status from 200 to 599`;
    if (step.action === 'respond' && step.headers !== undefined) {
      if (typeof step.headers !== 'object' || step.headers === null || Array.isArray(step.headers)) return `steps[${i}].headers must be an object`;
      for (const [name, value] of Object.entries(step.headers)) {
        if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) return `steps[${i}].headers: invalid header name ${JSON.stringify(name)}`;
        if (!['string', 'number'].includes(typeof value) || !/^[\t\x20-\x7e\x80-\xff]*$/.test(String(value))) return `steps[${i}].headers.${name} must be a string of Latin-1 characters without CR/LF`;
        if (['content-length', 'transfer-encoding'].includes(name.toLowerCase())) return `steps[${i}].headers.${name} is set by the emulator from the body`;
      }
    }
    if (step.action === 'respond' && step.bodyBase64 !== undefined && typeof step.bodyBase64 !== 'string') return `steps[${i}].bodyBase64 must be a string`;
    if (step.contentType !== undefined && !(typeof step.contentType === 'string' && /^[\t\x20-\x7e\x80-\xff]*$/.test(step.contentType))) return `steps[${i}].contentType must be a string of Latin-1 characters without CR/LF`;
    if (step.action === 'trickle-headers' && step.intervalMs !== undefined && !isTimerMs(step.intervalMs)) return `steps[${i}].intervalMs must be from 0 to ${MAX_TIMER_MS}`;
    if (step.action === 'redirect') {
      if (typeof step.location !== 'string' || !step.location) return `steps[${i}].location is required`;
      if (!/^[\x21-\x7e]+$/.test(step.location)) return `steps[${i}].location must be printable ASCII without spaces`;
      if (step.status !== undefined && ![301, 302, 307, 308].includes(step.status)) return `steps[${i}].status must be 301, 302, 307 or 308`;
    }
    if (step.action === 'json-normal-with' && (typeof step.patch !== 'object' || step.patch === null)) return `steps[${i}].patch must be an object or array`;
    if (step.action === 'big' && step.count !== undefined && !(Number.isInteger(step.count) && step.count >= 0)) return `steps[${i}].count must be a non-negative integer`;
  }
  return null;
}

// ---------------------------------------------------------------------------

export async function startEmulator(options = {}) {
  const opts = {
    port: 0,
    host: '127.0.0.1',
    cors: true,
    log: false,
    allowUnsigned: false,
    clockOffsetMs: 0,
    ...options,
  };
  const seed = structuredClone(opts.seed ?? loadSeed());

  const state = {
    seed,
    options: opts,
    scenarios: new Map(), // id -> {id, steps, after, clockOffsetMs, latencyMs, consumed}
    requests: [], // request log: {method, path, headers (redacted), at, scenario, step, status, ...}
    nonces: new Map(), // accessKeyId -> Map(nonce -> time seen)
    clockOffsetMs: opts.clockOffsetMs, // global offset, on top of any scenario's
  };

  const sockets = new Set();
  const timers = new Set(); // {handle, wake} of pending sleeps, so close() can end them
  let closing = false;

  const accessKeys = new Map((seed.accessKeys ?? []).map((k) => [k.id, k]));
  const tokens = new Map((seed.tokens ?? []).map((t) => [t.token, t]));

  // Sleep that wakes early when the client goes away or the server closes; callers
  // check ctx.aborted afterwards. This is what keeps slow answers from holding
  // sockets or timers open after a client abort (and tests from hanging).
  function sleep(ctx, ms) {
    if (!(ms > 0) || ctx.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const t = {};
      const wake = () => {
        clearTimeout(t.handle);
        timers.delete(t);
        ctx.wakers.delete(wake);
        resolve();
      };
      t.wake = wake;
      t.handle = setTimeout(wake, ms);
      timers.add(t);
      ctx.wakers.add(wake);
    });
  }

  function clock(ctx) {
    return Date.now() + state.clockOffsetMs + (ctx.scenario?.clockOffsetMs ?? 0);
  }

  function baseHeaders(ctx) {
    const h = { date: new Date(clock(ctx)).toUTCString() };
    if (opts.cors) {
      h['access-control-allow-origin'] = '*';
      h['access-control-expose-headers'] = EXPOSED_HEADERS;
    }
    return h;
  }

  // -- response builders (a "resp" is {status, headers, json|body|stream, ok}) --

  function popError(ctx, code, detail = '') {
    const [status, message] = GATEWAY[code];
    const requestId = newRequestId();
    return {
      status,
      headers: { 'content-type': 'application/json;charset=utf-8', 'x-acs-request-id': requestId },
      json: { RequestId: requestId, HostId: seed.hostId ?? 'devops.cn-hangzhou.aliyuncs.com', Code: code, Message: message + detail },
    };
  }

  function seedError(name) {
    const e = seed.errors?.[name] ?? { status: 400, message: name };
    return { status: e.status, code: e.code ?? name, message: e.message };
  }

  function classicError(name) {
    const e = seedError(name);
    const requestId = newRequestId();
    return {
      status: e.status,
      headers: { 'content-type': 'application/json;charset=utf-8', 'x-acs-request-id': requestId },
      json: { requestId, success: false, errorCode: e.code, errorMessage: e.message },
    };
  }

  function tokenError(name, status, message) {
    const e = status ? { status, code: name, message } : seedError(name);
    return {
      status: e.status,
      headers: { 'content-type': 'application/json;charset=utf-8', 'x-request-id': newRequestId() },
      json: { errorCode: e.code, errorMessage: e.message },
    };
  }

  // Organisation / membership / pipeline lookup shared by both APIs.
  // Returns {error: name} or {pipeline}.
  async function lookup(ctx, userId, orgId, pipelineId) {
    const org = Object.hasOwn(seed.organizations ?? {}, orgId) ? seed.organizations[orgId] : null;
    if (!org) return { error: 'InvalidOrganization.NotFound' };
    const user = seed.users?.[userId];
    if (!user || !(user.organizations ?? []).includes(orgId)) return { error: 'Forbidden.UserNotInCurrentOrganization' };
    const pipeline = Object.hasOwn(org.pipelines ?? {}, pipelineId) ? org.pipelines[pipelineId] : null;
    if (!pipeline) return { error: 'InvalidPipeline.NotFound' };
    if (pipeline.error) return { error: pipeline.error };
    // The "slow" pipeline: the wait is a timer, so other requests are unaffected.
    if (pipeline.delayMs) await sleep(ctx, pipeline.delayMs);
    return { pipeline };
  }

  // Verify a classic request's credentials. Returns {user, algorithm} ('v3', 'v1', or none when
  // unsigned) or {resp}.
  function authenticateClassic(ctx) {
    const { req } = ctx;
    const authHeader = req.headers.authorization;
    if (authHeader === undefined) {
      if (opts.allowUnsigned) return { user: seed.unsignedUser ?? 'u-demo' };
      return { resp: popError(ctx, 'IncompleteSignature', ' (no Authorization header)') };
    }
    const auth = parseAuthorization(authHeader);
    if (!auth) return { resp: popError(ctx, 'IncompleteSignature', ' (Authorization header is not ACS3-HMAC-SHA256 or acs)') };

    const key = accessKeys.get(auth.accessKeyId);
    if (!key) return { resp: popError(ctx, 'InvalidAccessKeyId.NotFound') };

    const now = clock(ctx);
    const stamp = auth.algorithm === 'v3' ? req.headers['x-acs-date'] : req.headers.date;
    const t = parseStamp(auth.algorithm, stamp);
    if (!Number.isFinite(t) || Math.abs(now - t) > FIFTEEN_MINUTES) {
      return { resp: popError(ctx, 'InvalidTimeStamp.Expired') };
    }
    if (auth.algorithm === 'v1' && (req.headers['x-acs-signature-method'] !== 'HMAC-SHA1' || req.headers['x-acs-signature-version'] !== '1.0')) {
      return { resp: popError(ctx, 'IncompleteSignature', ' (V1 needs x-acs-signature-method: HMAC-SHA1 and x-acs-signature-version: 1.0)') };
    }

    if (key.id.startsWith('STS.')) {
      if (req.headers['x-acs-security-token'] !== key.securityToken) return { resp: popError(ctx, 'InvalidSecurityToken.Malformed') };
      // PROTOCOL.md: the SDKs add the key id beside the token (strict here, so a client that
      // stops sending it fails its tests).
      if (req.headers['x-acs-accesskey-id'] !== auth.accessKeyId) {
        return { resp: popError(ctx, 'IncompleteSignature', ' (an STS request carries x-acs-accesskey-id: its AccessKey id)') };
      }
      if (key.expired) return { resp: popError(ctx, 'InvalidSecurityToken.Expired') };
    }

    const nonce = req.headers['x-acs-signature-nonce'];
    if (!nonce) return { resp: popError(ctx, 'IncompleteSignature', ' (x-acs-signature-nonce is required)') };

    const result = verifySignature(
      { method: req.method, path: ctx.rawPath, query: ctx.rawQuery, headers: req.headers, body: ctx.body },
      key.secret,
    );
    // Kept in the request log for debugging client signers, minus the STS token
    // (the canonical request / V1 string to sign carry it in clear).
    const scrub = (text) => text?.replace(/^x-acs-security-token:.*$/m, 'x-acs-security-token:[REDACTED]');
    ctx.log.verification = {
      algorithm: result.algorithm, ok: result.ok, reason: result.reason,
      canonicalRequest: scrub(result.canonicalRequest), stringToSign: scrub(result.stringToSign),
    };
    if (!result.ok) {
      // The server's string to sign, or why none was built (a header or list refused first).
      if (result.code === 'SignatureDoesNotMatch') return { resp: popError(ctx, 'SignatureDoesNotMatch', result.stringToSign ?? ` (${result.reason})`) };
      return { resp: popError(ctx, 'IncompleteSignature', ` (${result.reason})`) };
    }

    // Replay protection: only a request that verified consumes its nonce.
    let seen = state.nonces.get(key.id);
    if (!seen) state.nonces.set(key.id, (seen = new Map()));
    const realNow = Date.now();
    for (const [n, at] of seen) if (realNow - at > FIFTEEN_MINUTES) seen.delete(n);
    if (seen.has(nonce)) return { resp: popError(ctx, 'SignatureNonceUsed') };
    seen.set(nonce, realNow);

    if (key.error) return { resp: classicError(key.error) };
    return { user: key.user, algorithm: auth.algorithm };
  }

  async function handleClassic(ctx, orgId, pipelineId) {
    const auth = authenticateClassic(ctx);
    if (auth.resp) return auth.resp;
    // The API is named by its version header (signed or not) and its path; an action header
    // must agree. V3 (ACS3) requests carry one, as both official SDKs send it (PROTOCOL.md);
    // a V1 (ROA) request may leave it out, as the official ROA client, @alicloud/pop-core, does.
    if (ctx.req.headers['x-acs-version'] !== API_VERSION) {
      return popError(ctx, 'InvalidVersion', ` (x-acs-version must be ${API_VERSION})`);
    }
    const action = ctx.req.headers['x-acs-action'];
    if ((action !== undefined || auth.algorithm === 'v3') && action !== API_ACTION) return popError(ctx, 'InvalidAction.NotFound', ` (x-acs-action must be ${API_ACTION})`);
    const category = parseRawQuery(ctx.rawQuery).find(([k]) => k === 'category')?.[1];
    if (category !== 'DEPLOY') return classicError('InvalidParam.ParamNotPresent');
    const found = await lookup(ctx, auth.user, orgId, pipelineId);
    if (found.error) return classicError(found.error);
    const requestId = newRequestId();
    return {
      ok: true,
      api: 'classic',
      status: 200,
      headers: { 'content-type': 'application/json;charset=utf-8', 'x-acs-request-id': requestId },
      json: { requestId, success: true, errorCode: '', errorMessage: '', jobs: structuredClone(found.pipeline.jobs ?? []) },
    };
  }

  async function handleToken(ctx, orgId, pipelineId, category) {
    const token = ctx.req.headers['x-yunxiao-token'];
    const entry = typeof token === 'string' ? tokens.get(token) : undefined;
    if (!entry) {
      return tokenError('Unauthorized', 401, token ? 'The x-yunxiao-token is invalid.' : 'The x-yunxiao-token header is missing.');
    }
    if (category !== 'DEPLOY') return tokenError('InvalidParam.ParamNotPresent');
    // Region-edition deployments are bound to one organisation (seed.regionOrganizationId).
    const found = await lookup(ctx, entry.user, orgId ?? seed.regionOrganizationId, pipelineId);
    if (found.error) return tokenError(found.error);
    const tasks = (found.pipeline.jobs ?? []).map(({ identifier, jobName, lastJobId, lastJobParams }) => ({ identifier, jobName, lastJobId, lastJobParams }));
    return {
      ok: true,
      api: 'token',
      status: 200,
      headers: { 'content-type': 'application/json;charset=utf-8', 'x-request-id': newRequestId() },
      json: structuredClone(tasks),
    };
  }

  const CLASSIC_RE = /^\/organization\/([^/]+)\/pipeline\/([^/]+)\/jobs$/;
  const TOKEN_ORG_RE = /^\/oapi\/v1\/flow\/organizations\/([^/]+)\/pipelines\/([^/]+)\/listTasksByCategory\/([^/]+)$/;
  const TOKEN_REGION_RE = /^\/oapi\/v1\/flow\/pipelines\/([^/]+)\/listTasksByCategory\/([^/]+)$/;

  /** The emulator's normal answer to an API request (verification included). */
  async function normalResponse(ctx) {
    const { routePath } = ctx;
    const method = ctx.req.method;
    let m;
    if ((m = CLASSIC_RE.exec(routePath))) {
      if (method !== 'POST') return popError(ctx, 'InvalidAction.NotFound', ` (${method} ${routePath}; ListPipelineJobs is POST)`);
      return handleClassic(ctx, percentDecode(m[1]), percentDecode(m[2]));
    }
    const tm = TOKEN_ORG_RE.exec(routePath);
    const rm = tm ? null : TOKEN_REGION_RE.exec(routePath);
    if (tm || rm) {
      if (method !== 'GET') return tokenError('NotFound', 404, `No route for ${method} ${routePath}; listTasksByCategory is GET.`);
      return tm
        ? handleToken(ctx, percentDecode(tm[1]), percentDecode(tm[2]), percentDecode(tm[3]))
        : handleToken(ctx, null, percentDecode(rm[1]), percentDecode(rm[2]));
    }
    if (routePath.startsWith('/oapi/')) return tokenError('NotFound', 404, `No route for ${method} ${routePath}.`);
    return popError(ctx, 'InvalidAction.NotFound', ` (${method} ${routePath})`);
  }

  // -- sending ----------------------------------------------------------------

  function materialize(resp) {
    if (resp.body !== undefined) return Buffer.isBuffer(resp.body) ? resp.body : Buffer.from(String(resp.body));
    if (resp.json !== undefined) return Buffer.from(toJson(resp.json));
    return Buffer.alloc(0);
  }

  function headersFor(ctx, resp, extra = {}) {
    return { ...baseHeaders(ctx), ...resp.headers, ...extra };
  }

  function writeHead(ctx, status, headers) {
    ctx.log.status = status;
    ctx.res.writeHead(status, headers);
  }

  function waitDrainOrClose(ctx) {
    return new Promise((resolve) => {
      const done = () => {
        ctx.res.off('drain', done);
        ctx.wakers.delete(done);
        resolve();
      };
      ctx.res.on('drain', done);
      ctx.wakers.add(done);
    });
  }

  async function send(ctx, resp) {
    if (ctx.aborted || !resp) return;
    if (resp.stream) {
      writeHead(ctx, resp.status, headersFor(ctx, resp));
      for (const chunk of resp.stream) {
        if (ctx.aborted) return;
        if (!ctx.res.write(chunk)) await waitDrainOrClose(ctx);
      }
      if (!ctx.aborted) ctx.res.end();
      return;
    }
    const body = materialize(resp);
    writeHead(ctx, resp.status, headersFor(ctx, resp, { 'content-length': body.length }));
    ctx.res.end(body);
  }

  // Write the head plus `bytes` of the body (default: half), then call `then` once
  // those bytes have been handed to the kernel.
  function sendPartial(ctx, resp, bytes, then) {
    const body = materialize(resp);
    const n = Math.max(0, Math.min(body.length - 1, Number.isInteger(bytes) ? bytes : Math.floor(body.length / 2)));
    writeHead(ctx, resp.status, headersFor(ctx, resp, { 'content-length': body.length }));
    ctx.res.write(body.subarray(0, n), () => then?.());
  }

  // Generated lazily in batches so a huge `count` never sits in memory at once.
  function* bigStream(api, requestId, count) {
    const jobAt = (i) => ({ jobName: `任务 #${i}`, identifier: `big_${i}`, lastJobId: 1_000_000 + i, lastJobParams: `{"i":${i}}` });
    yield api === 'classic'
      ? `{"requestId":${JSON.stringify(requestId)},"success":true,"errorCode":"","errorMessage":"","jobs":[`
      : '[';
    for (let start = 0; start < count; start += BIG_BATCH) {
      const parts = [];
      for (let i = start; i < Math.min(count, start + BIG_BATCH); i++) parts.push(JSON.stringify(jobAt(i)));
      yield (start ? ',' : '') + parts.join(',');
    }
    yield api === 'classic' ? ']}' : ']';
  }

  // Serialize the status line and headers ourselves and write them to the raw
  // socket one byte per interval: node:http would send the head in one packet.
  function trickle(ctx, resp, intervalMs) {
    const body = materialize(resp);
    const headers = headersFor(ctx, resp, { 'content-length': body.length, connection: 'close' });
    let head = `HTTP/1.1 ${resp.status} ${http.STATUS_CODES[resp.status] ?? 'Unknown'}\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    const bytes = Buffer.from(head + '\r\n');
    ctx.log.status = resp.status;
    const socket = ctx.req.socket;
    let i = 0;
    const t = {};
    const stop = () => {
      clearInterval(t.handle);
      timers.delete(t);
      ctx.wakers.delete(stop);
    };
    t.wake = stop;
    t.handle = setInterval(() => {
      if (ctx.aborted || socket.destroyed) return stop();
      socket.write(bytes.subarray(i, i + 1));
      if (++i >= bytes.length) {
        stop();
        socket.end(body);
      }
    }, Math.max(1, intervalMs));
    timers.add(t);
    ctx.wakers.add(stop);
  }

  // -- scenario steps ---------------------------------------------------------

  function nextStep(scenario) {
    if (scenario.consumed < scenario.steps.length) return scenario.steps[scenario.consumed++];
    scenario.consumed++;
    if (scenario.after === 'repeat-last' && scenario.steps.length) return scenario.steps[scenario.steps.length - 1];
    return { action: 'normal' };
  }

  async function runStep(ctx, step) {
    const { req } = ctx;
    switch (step.action) {
      case 'normal':
        return send(ctx, await normalResponse(ctx));

      case 'respond': {
        const headers = Object.fromEntries(Object.entries(step.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
        let body;
        if (step.bodyBase64 !== undefined) body = Buffer.from(step.bodyBase64, 'base64');
        else if (step.body !== undefined) body = String(step.body);
        else if (step.json !== undefined) body = toJson(step.json);
        const type = step.contentType ?? (step.json !== undefined ? 'application/json;charset=utf-8' : body !== undefined ? 'text/plain;charset=utf-8' : undefined);
        if (type && !('content-type' in headers)) headers['content-type'] = type;
        const status = step.status ?? 200;
        // 204/304 cannot carry a body; node:http would drop it but keep a wrong length.
        if (status === 204 || status === 304) body = undefined;
        return send(ctx, { status, headers, body: body ?? '' });
      }

      case 'json-normal-with': {
        const resp = await normalResponse(ctx);
        if (resp?.ok) {
          const patch = step.patch;
          if (resp.api === 'classic') {
            // defineProperty, not Object.assign: a "__proto__" key in the patch must
            // become a real (serialized) key, not swap the envelope's prototype.
            for (const [k, v] of Object.entries(patch)) {
              Object.defineProperty(resp.json, k, { value: v, enumerable: true, writable: true, configurable: true });
            }
          } else resp.json = Array.isArray(patch) ? patch : resp.json.map((job) => ({ ...job, ...patch }));
        }
        return send(ctx, resp);
      }

      case 'reset-before-headers':
        ctx.log.outcome = 'reset';
        req.socket.resetAndDestroy();
        return;

      case 'reset-mid-body': {
        const resp = await normalResponse(ctx);
        if (ctx.aborted) return;
        ctx.log.outcome = 'reset';
        // A short pause after the partial body reaches the kernel: an RST that
        // overtakes unread data makes the peer discard it, and the client would see
        // a reset before headers instead.
        return sendPartial(ctx, resp, step.bytes, () => {
          const t = {};
          const fire = () => {
            clearTimeout(t.handle);
            timers.delete(t);
            if (!req.socket.destroyed) req.socket.resetAndDestroy();
          };
          t.wake = fire;
          t.handle = setTimeout(fire, 50);
          timers.add(t);
        });
      }

      case 'truncate': {
        const resp = await normalResponse(ctx);
        if (ctx.aborted) return;
        ctx.log.outcome = 'truncated';
        // Graceful FIN after a short body: the declared content-length is never met.
        return sendPartial(ctx, resp, step.bytes, () => req.socket.end());
      }

      case 'hang-body': {
        const resp = await normalResponse(ctx);
        if (ctx.aborted) return;
        ctx.log.outcome = 'hung';
        // Nothing else is scheduled: the socket stays open until the client gives up
        // or close() destroys it.
        return sendPartial(ctx, resp, step.bytes);
      }

      case 'hang':
        ctx.log.outcome = 'hung';
        return;

      case 'trickle-headers': {
        const resp = await normalResponse(ctx);
        if (ctx.aborted) return;
        return trickle(ctx, resp, step.intervalMs ?? 50);
      }

      case 'gzip': {
        const resp = await normalResponse(ctx);
        if (ctx.aborted) return;
        const gz = zlib.gzipSync(materialize(resp));
        return send(ctx, { ...resp, json: undefined, body: gz, headers: { ...resp.headers, 'content-encoding': 'gzip', vary: 'Accept-Encoding' } });
      }

      case 'redirect':
        return send(ctx, {
          status: step.status ?? 302,
          headers: { location: step.location, 'x-acs-request-id': newRequestId() },
          body: '',
        });

      case 'big': {
        const resp = await normalResponse(ctx);
        if (resp?.ok) {
          resp.stream = bigStream(resp.api, resp.json.requestId, step.count ?? 10_000);
          // Streamed with chunked encoding: the length is not known up front.
          delete resp.json;
        }
        return send(ctx, resp);
      }
    }
  }

  // -- control API --------------------------------------------------------------

  async function handleControl(ctx) {
    const { req, routePath } = ctx;
    const reply = (status, json) => send(ctx, { status, headers: { 'content-type': 'application/json;charset=utf-8' }, json });
    const method = req.method;
    if (routePath === '/_emulator/health' && method === 'GET') return reply(200, { ok: true });
    if (routePath === '/_emulator/reset' && method === 'POST') {
      state.scenarios.clear();
      state.requests.length = 0;
      state.nonces.clear();
      return reply(200, { ok: true });
    }
    if (routePath === '/_emulator/requests' && method === 'GET') {
      const scenario = parseRawQuery(ctx.rawQuery).find(([k]) => k === 'scenario')?.[1];
      const list = scenario === undefined ? state.requests : state.requests.filter((r) => r.scenario === scenario);
      return reply(200, list);
    }
    if (routePath === '/_emulator/scenarios' && method === 'POST') {
      let body;
      try {
        body = JSON.parse(ctx.body.toString('utf8') || 'null');
      } catch {
        return reply(400, { error: 'body is not JSON' });
      }
      const problem = validateScenario(body);
      if (problem) return reply(400, { error: problem });
      const scenario = {
        id: body.id,
        steps: body.steps ?? [],
        after: body.after ?? 'normal',
        clockOffsetMs: body.clockOffsetMs ?? 0,
        latencyMs: body.latencyMs ?? 0,
        consumed: 0,
      };
      state.scenarios.set(scenario.id, scenario); // re-posting an id replaces it
      return reply(201, { id: scenario.id, steps: scenario.steps.length, after: scenario.after });
    }
    const sm = /^\/_emulator\/scenarios\/([^/]+)$/.exec(routePath);
    if (sm) {
      const id = percentDecode(sm[1]);
      const scenario = state.scenarios.get(id);
      if (method === 'GET' && scenario) return reply(200, scenario);
      if (method === 'DELETE' && scenario) {
        state.scenarios.delete(id);
        return reply(200, { ok: true });
      }
      return reply(404, { error: `no scenario ${id}` });
    }
    return reply(404, { error: `no control route ${method} ${routePath}` });
  }

  // -- request entry ----------------------------------------------------------

  function readBody(req) {
    return new Promise((resolve) => {
      const chunks = [];
      let size = 0;
      req.on('data', (c) => {
        size += c.length;
        if (size <= MAX_BODY_BYTES) chunks.push(c);
      });
      req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks)));
      req.on('error', () => resolve(Buffer.alloc(0)));
      req.on('close', () => resolve(Buffer.concat(chunks)));
    });
  }

  async function handle(req, res) {
    // Absolute-form targets ("POST http://host/path") still carry the path we sign.
    let target = req.url ?? '/';
    if (!target.startsWith('/')) {
      try {
        const u = new URL(target);
        target = u.pathname + u.search;
      } catch {
        target = '/';
      }
    }
    const q = target.indexOf('?');
    const rawPath = q < 0 ? target : target.slice(0, q);
    const rawQuery = q < 0 ? '' : target.slice(q + 1);

    const ctx = {
      req, res, rawPath, rawQuery, routePath: rawPath, scenario: null, body: Buffer.alloc(0),
      aborted: false, wakers: new Set(), log: null,
    };
    const abort = () => {
      ctx.aborted = true;
      for (const wake of [...ctx.wakers]) wake();
    };
    res.on('close', () => {
      if (!res.writableFinished) abort();
    });
    res.on('error', () => {});

    const isControl = rawPath.startsWith('/_emulator/');
    const sm = isControl ? null : /^\/_s\/([^/]+)(\/.*)?$/.exec(rawPath);
    const scenarioId = sm ? percentDecode(sm[1]) : null;
    if (sm) ctx.routePath = sm[2] ?? '/';

    // Every API request is logged (preflights included); control requests are not.
    ctx.log = { method: req.method, path: target, headers: redactHeaders(req.headers), at: Date.now(), scenario: scenarioId, step: null, status: null };
    if (!isControl) {
      state.requests.push(ctx.log);
      if (state.requests.length > MAX_LOGGED_REQUESTS) state.requests.shift();
      if (opts.log) {
        res.on('close', () => {
          const l = ctx.log;
          console.error(`[emulator] ${req.method} ${target} -> ${l.status ?? l.outcome ?? 'aborted'}${l.step ? ` (${l.step})` : ''}`);
        });
      }
    }

    // Preflights are answered before anything else and never consume a scenario step.
    if (opts.cors && req.method === 'OPTIONS') {
      const requested = req.headers['access-control-request-headers'];
      writeHead(ctx, 204, {
        ...baseHeaders(ctx),
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': requested || '*',
        'access-control-max-age': '600',
        vary: 'Access-Control-Request-Headers',
        'content-length': 0,
      });
      res.end();
      return;
    }

    const body = await readBody(req);
    if (ctx.aborted) return;

    if (isControl) {
      // Only programs drive the control API. A browser always sends Origin on a cross-origin
      // request, so refusing it keeps any web page from resetting or reading the emulator.
      if (req.headers.origin !== undefined) {
        return send(ctx, { status: 403, headers: { 'content-type': 'text/plain' }, body: 'the control API does not answer browsers\n' });
      }
      // A same-origin request from a page whose DNS name was rebound to this machine carries no
      // Origin: its Host gives it away (an IP address or localhost cannot be rebound).
      if (rebindableHost(req.headers.host)) {
        return send(ctx, { status: 421, headers: { 'content-type': 'text/plain' }, body: 'the control API answers to localhost or an IP address only\n' });
      }
      ctx.body = body ?? Buffer.alloc(0);
      return handleControl(ctx);
    }

    if (body === null) return send(ctx, popError(ctx, 'RequestEntityTooLarge'));
    ctx.body = body;

    if (sm) {
      ctx.scenario = state.scenarios.get(scenarioId) ?? null;
      if (!ctx.scenario) return send(ctx, popError(ctx, 'EmulatorScenarioNotFound', ` (${scenarioId})`));
      const step = nextStep(ctx.scenario);
      ctx.log.step = step.action;
      await sleep(ctx, ctx.scenario.latencyMs);
      await sleep(ctx, step.delayMs);
      if (ctx.aborted) return;
      return runStep(ctx, step);
    }
    return send(ctx, await normalResponse(ctx));
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      // A bug in the emulator must surface as a 500, never crash the test process.
      console.error('[emulator] internal error:', err);
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('emulator internal error (details on its stderr)\n');
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('error', () => {}); // client resets are routine here
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (err, socket) => {
    if (socket.writable && !socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = server.address().port;
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;

  async function close() {
    if (closing) return;
    closing = true;
    const closed = new Promise((resolve) => server.close(() => resolve()));
    for (const t of [...timers]) t.wake();
    for (const socket of sockets) socket.destroy();
    server.closeAllConnections?.();
    await closed;
  }

  return { url: `http://${hostForUrl}:${port}`, port, close, state, server };
}

// ---------------------------------------------------------------------------
// CLI: node emulator/server.mjs [--port N] [--host H] [--log] [--allow-unsigned] [--no-cors]

/** True when the module at `moduleUrl` is the script Node was started with (symlinks resolved). */
export function isMainModule(moduleUrl) {
  if (!process.argv[1]) return false;
  try {
    return moduleUrl === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isMainModule(import.meta.url)) {
  const args = process.argv.slice(2);
  const value = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const port = Number(value('--port') ?? process.env.PORT ?? 8090);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid port: ${value('--port') ?? process.env.PORT}`);
    process.exit(2);
  }
  const emu = await startEmulator({
    port,
    host: value('--host') ?? '127.0.0.1',
    log: args.includes('--log'),
    allowUnsigned: args.includes('--allow-unsigned'),
    cors: !args.includes('--no-cors'),
  });
  console.log(`emulator listening on ${emu.url}`);
  const shutdown = () => emu.close().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
