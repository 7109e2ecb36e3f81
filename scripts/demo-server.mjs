// The demo server behind `make demo`: serves the page (www/) and the browser build (pkg/web/),
// and is the page's signing proxy (scripts/signing-proxy.mjs) for two backends:
//
//   /api/emulator/…  → the bundled emulator, started in-process, signed with its demo key
//   /api/upstream/…  → UPSTREAM (default: the real endpoint), signed with the credentials in
//                      ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / _SECURITY_TOKEN, or sent to the
//                      token API with YUNXIAO_ACCESS_TOKEN (its edition: YUNXIAO_EDITION, or the
//                      package's default for UPSTREAM)
//
// Credentials never leave this process: the page sends unsigned requests and gets back the
// upstream's answer minus anything that is not the API's own (see signing-proxy.mjs).
//
//   node scripts/demo-server.mjs            PORT (8080), UPSTREAM, ALIBABA_CLOUD_* from the environment
//   import { startDemoServer } from './scripts/demo-server.mjs'   (tests)
//
// Plain Node 20: no dependencies beyond the built package and the emulator.

import http from 'node:http';
import { isIPv4 } from 'node:net';
import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainModule } from '../emulator/server.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WWW = path.join(ROOT, 'www');
const PKG_WEB = path.join(ROOT, 'pkg', 'web');

export const DEFAULT_UPSTREAM = 'https://devops.cn-hangzhou.aliyuncs.com';
/** The token API's endpoint (the package's default for a token). */
export const DEFAULT_TOKEN_UPSTREAM = 'https://openapi-rdc.aliyuncs.com';
/** The emulator's demo key (fake; see emulator/README.md). Used by this server only, never sent to the page. */
const EMULATOR_KEY = { accessKeyId: 'LTAI5tEmuDemoKey0001', accessKeySecret: 'EmuDemoSecret0001-not-a-real-secret' };
const SEEDED = { organizationId: '5ebbc0228123212b59a1b2c3', otherOrganizationId: '6f0a1b2c3d4e5f6071829304', pipelineId: '1234567' };

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// The page needs nothing else: no inline script or style, no third party. 'wasm-unsafe-eval'
// is what compiling the package's WebAssembly needs under a CSP.
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

const LOOPBACK_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Fault scenarios the demo registers in its emulator, so each error class can be shown. */
function scenarios(seed) {
  // The seed's edge-case jobs (emoji, RTL, odd parameters), minus the id beyond 2^53 that
  // makes the whole answer an InvalidResponseError (that one has its own example).
  const edgeJobs = seed.organizations[SEEDED.organizationId].pipelines['3456789'].jobs
    .filter((job) => typeof job.lastJobId !== 'object' || job.lastJobId === null);
  // With a request id, as the real gateway's errors have (one per scenario, made at start).
  const fail = (status, Code, Message, headers = {}) => {
    const RequestId = randomUUID().toUpperCase();
    return [{ action: 'respond', status, headers: { 'x-acs-request-id': RequestId, ...headers }, json: { RequestId, Code, Message } }];
  };
  return [
    { id: 'unusual', steps: [{ action: 'json-normal-with', patch: { jobs: [...edgeJobs, INEXACT_PARAMS_JOB] } }] },
    { id: 'bad-key', steps: fail(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.') },
    { id: 'throttled', steps: fail(429, 'Throttling.User', 'Request was denied due to user flow control.', { 'x-acs-retry-after': '400' }) },
    { id: 'unavailable', steps: fail(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.') },
  ].map((scenario) => ({ ...scenario, after: 'repeat-last' }));
}

/** Parameters that are a JSON object JavaScript cannot hold exactly (a 19-digit number). */
const INEXACT_PARAMS_JOB = { jobName: 'params with a 19-digit number', identifier: 'edge_inexact_params', lastJobId: 46, lastJobParams: '{"runId":1234567890123456789}' };

/** The emulator examples the page offers (the page itself knows nothing about the seed). */
const EXAMPLES = [
  { id: 'seeded', label: 'Seeded pipeline', hint: '4 jobs' },
  { id: 'unusual', label: 'Unusual data', hint: 'emoji, RTL, odd parameters', scenario: 'unusual' },
  { id: 'empty', label: 'No jobs', hint: 'empty state', pipelineId: '2345678' },
  { id: 'slow', label: 'Slow backend', hint: 'answers after 3 s: try Cancel', pipelineId: '7654321' },
  { id: 'not-found', label: 'Missing pipeline', hint: 'NotFoundError', pipelineId: '999999' },
  { id: 'forbidden', label: 'Another organization', hint: 'ForbiddenError', organizationId: SEEDED.otherOrganizationId },
  { id: 'bad-request', label: 'Unknown cluster', hint: 'BadRequestError', pipelineId: '1000001' },
  { id: 'bad-key', label: 'Rejected key', hint: 'AuthenticationError', scenario: 'bad-key' },
  { id: 'throttled', label: 'Throttled', hint: 'ThrottlingError, retryable', scenario: 'throttled' },
  { id: 'unavailable', label: 'Server down', hint: 'ServerError, retryable', scenario: 'unavailable' },
  { id: 'big-id', label: 'Id beyond 2^53', hint: 'InvalidResponseError: never rounded', pipelineId: '3456789' },
].map((example) => ({ organizationId: SEEDED.organizationId, pipelineId: SEEDED.pipelineId, scenario: null, ...example }));

/** Reads the server's options from the environment (what `make demo` uses). */
export function optionsFromEnv(env = process.env) {
  const credentials = {
    accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID || undefined,
    accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET || undefined,
    securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN || undefined,
    token: env.YUNXIAO_ACCESS_TOKEN || undefined,
    edition: env.YUNXIAO_EDITION || undefined,
  };
  const port = env.PORT === undefined || env.PORT === '' ? 8080 : Number(env.PORT);
  const upstream = env.UPSTREAM || null;
  return { port, upstream, credentials, emulator: upstream === null, log: true };
}

/**
 * Starts the demo server. Options:
 * - port (8080; 0 = ephemeral), host ('127.0.0.1')
 * - emulator: start the bundled emulator in-process and offer it as a backend (default true)
 * - upstream: base URL for the "your Yunxiao" backend (default DEFAULT_UPSTREAM when credentials are
 *   given, DEFAULT_TOKEN_UPSTREAM for a token)
 * - credentials: { accessKeyId, accessKeySecret, securityToken } or { token, edition } for the upstream
 *   (edition: the token API's, 'center' or 'region'; the package's default when absent)
 * - log: one line per proxied call on stderr
 * Returns { url, emulator (startEmulator's handle or null), backends, close() }.
 */
export async function startDemoServer(options = {}) {
  const { port = 8080, host = '127.0.0.1', emulator: withEmulator = true, credentials = null, log = false } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${port}`);
  if (!existsSync(path.join(PKG_WEB, 'index.js'))) throw new Error('pkg/web/index.js is missing: run `make build` first');
  if (credentials?.token && (credentials.accessKeyId || credentials.accessKeySecret || credentials.securityToken)) {
    // Before anything starts: which one was meant is not ours to guess.
    throw new Error('an AccessKey (ALIBABA_CLOUD_ACCESS_KEY_ID, _SECRET, _SECURITY_TOKEN) and an access token (YUNXIAO_ACCESS_TOKEN) are both set: give one');
  }
  checkEdition(credentials);
  const { createSigningProxy, canSign } = await import('./signing-proxy.mjs');
  const hasCredentials = canSign(credentials);
  const defaultUpstream = credentials?.token ? DEFAULT_TOKEN_UPSTREAM : DEFAULT_UPSTREAM;
  const upstream = options.upstream ?? (hasCredentials ? defaultUpstream : null);
  if (upstream !== null) checkUpstream(upstream);

  let emulator = null;
  const backends = {};
  if (withEmulator) {
    const { startEmulator, loadSeed } = await import('../emulator/server.mjs');
    emulator = await startEmulator({ port: 0, cors: false }); // only this server talks to it
    for (const scenario of scenarios(loadSeed())) {
      const response = await fetch(`${emulator.url}/_emulator/scenarios`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(scenario),
      });
      if (response.status !== 201) throw new Error(`emulator refused scenario ${scenario.id}: HTTP ${response.status}`);
    }
    backends.emulator = {
      forward: createSigningProxy({ upstream: emulator.url, credentials: EMULATOR_KEY, scenarios: true }),
      info: { available: true, ...SEEDED, examples: EXAMPLES },
    };
  } else {
    backends.emulator = { forward: null, info: { available: false, reason: 'The emulator is off because UPSTREAM is set.' } };
  }
  if (upstream !== null && hasCredentials) {
    backends.upstream = {
      forward: createSigningProxy({ upstream, credentials }),
      info: { available: true, host: new URL(upstream).host, by: credentials.token ? 'token' : 'AccessKey' },
    };
  } else {
    backends.upstream = {
      forward: null,
      info: {
        available: false,
        reason: 'Start the demo with ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or YUNXIAO_ACCESS_TOKEN, in its environment to use your own Yunxiao.',
      },
    };
  }
  const config = JSON.stringify({ backends: Object.fromEntries(Object.entries(backends).map(([k, v]) => [k, v.info])) });

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error) => {
      console.error('[demo] internal error:', error);
      if (!res.headersSent) send(res, 500, { 'content-type': 'text/plain; charset=utf-8' }, 'internal error');
      else res.destroy();
    });
  });

  async function handle(req, res) {
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const rawPath = q < 0 ? target : target.slice(0, q);
    const rawQuery = q < 0 ? '' : target.slice(q + 1);

    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 must not reach the proxy.
    const hostname = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    if (!LOOPBACK_HOSTNAMES.has(hostname)) return send(res, 421, {}, 'this server only answers to loopback host names\n');

    const api = /^\/api\/([a-z]+)(\/.*)$/.exec(rawPath);
    if (api) return proxy(req, res, api[1], api[2], rawQuery);
    if (rawPath === '/api' || rawPath.startsWith('/api/')) return send(res, 404, {}, 'no such API\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { allow: 'GET, HEAD' }, 'method not allowed\n');
    if (rawPath === '/config.json') return send(res, 200, { 'content-type': MIME['.json'], 'cache-control': 'no-store' }, config, req.method);
    return serveStatic(req, res, rawPath);
  }

  async function proxy(req, res, backendName, rawPath, rawQuery) {
    const deny = (status, code, message, extra = {}) =>
      send(res, status, { 'content-type': 'application/json;charset=utf-8', ...extra }, JSON.stringify({ Code: code, Message: message }));
    if (req.method !== 'POST') return deny(405, 'ProxyMethodNotAllowed', 'only POST is forwarded', { allow: 'POST' });
    // Cross-site requests (CSRF from another page in the same browser) are refused: the
    // package's own requests are same-origin (or come through a dev server's proxy, which
    // keeps Origin and Host consistent).
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}`) return deny(403, 'ProxyCrossOrigin', 'cross-origin requests are not forwarded');
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return deny(403, 'ProxyCrossOrigin', 'cross-site requests are not forwarded');
    const backend = Object.hasOwn(backends, backendName) ? backends[backendName] : null;
    if (!backend) return deny(404, 'ProxyUnknownBackend', `no backend "${backendName}"`);
    if (!backend.forward) return deny(503, 'ProxyBackendOff', backend.info.reason);
    if (!(await drainSmallBody(req))) return deny(413, 'ProxyBodyTooLarge', 'ListPipelineJobs has no request body');

    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort(); // the page cancelled: cancel upstream too
    });
    const started = Date.now();
    const answer = await backend.forward({ rawPath, rawQuery, signal: controller.signal });
    if (log) console.error(`[demo] ${backendName} ${rawPath}?${rawQuery} -> ${answer?.status ?? 'cancelled'} (${Date.now() - started} ms)`);
    if (answer === null || res.destroyed) return;
    send(res, answer.status, { ...answer.headers, 'cache-control': 'no-store' }, answer.body);
  }

  async function serveStatic(req, res, rawPath) {
    let decoded;
    try {
      decoded = decodeURIComponent(rawPath);
    } catch {
      return send(res, 400, {}, 'bad path\n');
    }
    if (decoded.includes('\0')) return send(res, 400, {}, 'bad path\n');
    // Normalise first ("/pkg/web/../x" is "/x"), then route: www/ at the root, pkg/web/ below /pkg/web/.
    const clean = path.posix.normalize(decoded);
    let root = WWW;
    let rel = clean === '/' ? '/index.html' : clean;
    if (rel.startsWith('/pkg/web/')) {
      root = PKG_WEB;
      rel = rel.slice('/pkg/web'.length);
    }
    const file = path.join(root, rel);
    const type = MIME[path.extname(file)];
    if (!file.startsWith(root + path.sep) || type === undefined) return send(res, 404, {}, 'not found\n');
    let body;
    try {
      if (!(await stat(file)).isFile()) return send(res, 404, {}, 'not found\n');
      body = await readFile(file);
    } catch {
      return send(res, 404, {}, 'not found\n');
    }
    send(res, 200, { 'content-type': type, ...PAGE_HEADERS }, body, req.method);
  }

  const sockets = new Set();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  try {
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await emulator?.close();
    throw error;
  }
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${server.address().port}`;

  let closing = null;
  function close() {
    closing ??= (async () => {
      const closed = new Promise((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      await emulator?.close();
    })();
    return closing;
  }

  return { url, emulator, upstream: backends.upstream.info.available ? upstream : null, close };
}

// The token API's edition, when one is given: as the CLI's --edition, refused before anything starts.
function checkEdition(credentials) {
  const edition = credentials?.edition;
  if (edition === undefined || edition === null) return;
  if (edition !== 'center' && edition !== 'region') throw new Error(`YUNXIAO_EDITION must be center or region, not ${JSON.stringify(edition)}`);
  if (!credentials.token) throw new Error('YUNXIAO_EDITION applies to the token API only: set YUNXIAO_ACCESS_TOKEN too');
}

function checkUpstream(upstream) {
  // A user name and password are credentials, not shown: any `@` is refused before the value
  // is (`user:1234/rest@host` even parses as the host `user`, port 1234, and a path).
  if (String(upstream).includes('@')) throw new Error('UPSTREAM must not hold a user name or password (an @)');
  let url;
  try {
    url = new URL(upstream);
  } catch {
    throw new Error('UPSTREAM is not a URL (not repeated here: a mistyped one may hold a credential)');
  }
  const shown = `${url.origin}${url.pathname}`; // not its query or fragment either
  // An address, not a name that starts like one (127.attacker.example); URL writes IPv4 in full.
  // The package's and the proxy's rule (`*.localhost` is loopback too, RFC 6761).
  const host = url.hostname;
  const loopback = host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || (isIPv4(host) && host.startsWith('127.'));
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new Error(`UPSTREAM must be https:// (http:// only for a loopback host): ${shown}`);
  }
}

// Every other answer (errors, relayed API answers, JSON) is data, never a page: should one be
// opened as a document anyway, it can run nothing and cannot be framed.
const DATA_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
};

function send(res, status, headers, body = '', method = 'GET') {
  // A relayed 204 or 304 has a null body.
  const bytes = typeof body === 'string' ? Buffer.from(body) : body ?? Buffer.alloc(0);
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...DATA_HEADERS, ...headers, 'content-length': bytes.length });
  res.end(method === 'HEAD' ? undefined : bytes);
}

/** Reads and drops a request body; false if it is larger than a request of this API can be. */
function drainSmallBody(req) {
  return new Promise((resolve) => {
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > 1024 * 1024) req.destroy(); // not worth reading to the end
    });
    req.on('end', () => resolve(size <= 4096));
    req.on('close', () => resolve(size <= 4096));
    req.on('error', () => resolve(false));
  });
}

// ---------------------------------------------------------------------------

if (isMainModule(import.meta.url)) {
  const options = optionsFromEnv();
  let demo;
  try {
    demo = await startDemoServer(options);
  } catch (error) {
    const reason = error.code === 'EADDRINUSE' ? `port ${options.port} is in use (set PORT= to choose another)` : error.message;
    console.error(`demo: ${reason}`);
    process.exit(1);
  }
  const shutdown = () => demo.close().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  console.log(`yunxiao-pipeline-jobs demo: ${demo.url}/`);
  console.log(demo.emulator
    ? `  backend "bundled emulator": ${demo.emulator.url} (in-process; the demo key signs here, never in the page)`
    : '  backend "bundled emulator": off (UPSTREAM is set)');
  const authorisedBy = options.credentials.token
    ? `with YUNXIAO_ACCESS_TOKEN${options.credentials.edition ? `, the ${options.credentials.edition} edition` : ''}`
    : `signed here with ALIBABA_CLOUD_ACCESS_KEY_ID ${options.credentials.accessKeyId}`;
  console.log(demo.upstream
    ? `  backend "your Yunxiao": ${demo.upstream}, ${authorisedBy}`
    : '  backend "your Yunxiao": off (set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or YUNXIAO_ACCESS_TOKEN, to enable)');
  console.log('Ctrl-C stops it.');
}
