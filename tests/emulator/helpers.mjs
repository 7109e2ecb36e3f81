// Test helpers for the emulator tests: a small, independent request signer (written
// from PROTOCOL.md again; it deliberately does not import emulator/verify.mjs, so a
// shared mistake cannot verify itself) and a raw HTTP client on node:http (fetch would
// hide the host header, redirects and broken bodies).

import http from 'node:http';
import { createHash, createHmac, randomBytes } from 'node:crypto';

export const ORG_A = '5ebbc0228123212b59a1b2c3';
export const ORG_B = '6f0a1b2c3d4e5f6071829304';
export const AK = { id: 'LTAI5tEmuDemoKey0001', secret: 'EmuDemoSecret0001-not-a-real-secret' };
export const STS = { id: 'STS.EmuStsKey0002', secret: 'EmuStsSecret0002-not-real', token: 'EmuStsToken0002-not-a-real-token' };
export const STS_EXPIRED = { id: 'STS.EmuExpiredKey0003', secret: 'EmuExpiredSecret0003', token: 'EmuExpiredToken0003' };
export const NO_USER = { id: 'LTAI5tEmuNoUser0004', secret: 'EmuNoUserSecret0004' };
export const OUTSIDER = { id: 'LTAI5tEmuOutsider0005', secret: 'EmuOutsiderSecret0005' };
export const PAT = 'pt-EmuDemoToken0001-not-a-real-token';
export const PAT_OUTSIDER = 'pt-EmuOutsiderToken0005';

// The documented mapping (seed.json / README.md), pinned here on purpose.
export const ERROR_PIPELINES = [
  ['1000001', 400, 'InvalidCluster.NotFound'],
  ['1000002', 400, 'InvalidCodeUrl.NotSupportSVN'],
  ['1000003', 400, 'InvalidParam.ParamNotPresent'],
  ['1000004', 400, 'InvalidResource.NotFound'],
  ['1000005', 400, 'InvalidResourceRole.NotFoun'],
  ['1000006', 400, 'InvalidResourceRole.NotFound'],
  ['1000007', 400, 'InvalidUser.NotFound'],
  ['1000008', 403, 'Forbidden.UserNotAdminOrOwner'],
  ['1000009', 400, 'InvalidUser.ResourceMemberCouldNotDeleteOwner'],
  ['1000010', 400, 'InvalidUser.ResourceMemberNotExists'],
  ['1000011', 404, 'InvalidIdentifier.NotFound'],
  ['1000012', 404, 'InvalidPipelineRun.NotFound'],
  ['1000013', 403, 'Forbidden.AccessDenied'],
  ['1000014', 404, 'InvalidUser.UserNotInCurrentOrganization'],
  ['1000015', 404, 'InvalidWorkspace.NotFound'],
];

export const REQUEST_ID_RE = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const sorted = (obj) => Object.keys(obj).sort().map((k) => [k, obj[k]]);

export function classicPath(org, pipeline) {
  return `/organization/${enc(org)}/pipeline/${enc(pipeline)}/jobs`;
}

export function isoNoMillis(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Build signed headers for a classic request.
 * @param {object} o
 *   algorithm 'v3' | 'v1'; cred {id, secret, token?}; method; path (encoded, as sent);
 *   query (object of decoded values); host; body (string); now (ms);
 *   nonce; signOnly: 'all' | 'acs' (V3 header selection); extraHeaders (added before signing);
 *   mutate(headers) called after signing (to break things on purpose).
 */
export function sign(o) {
  const {
    algorithm = 'v3', cred = AK, method = 'POST', path, query = { category: 'DEPLOY' }, host = 'devops.cn-hangzhou.aliyuncs.com',
    body = '', now = Date.now(), nonce = randomBytes(16).toString('hex'), signOnly = 'all', extraHeaders = {}, omit = [],
  } = o;
  const headers = {
    host,
    'x-acs-version': '2021-06-25',
    'x-acs-action': 'ListPipelineJobs',
    'user-agent': 'emulator-tests',
    'x-acs-signature-nonce': nonce,
    accept: 'application/json',
    ...extraHeaders,
  };
  if (cred.token) {
    headers['x-acs-accesskey-id'] = cred.id;
    headers['x-acs-security-token'] = cred.token;
  }
  for (const name of omit) delete headers[name]; // left out before signing
  if (algorithm === 'v3') {
    headers['x-acs-date'] = isoNoMillis(now);
    headers['x-acs-content-sha256'] = createHash('sha256').update(body).digest('hex');
    const names = Object.keys(headers)
      .map((n) => n.toLowerCase())
      .filter((n) => signOnly === 'all' || n === 'host' || n.startsWith('x-acs-') || n === 'content-type')
      .sort();
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const canonical = [
      method,
      path,
      sorted(query).map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&'),
      names.map((n) => `${n}:${String(lower[n]).trim()}\n`).join(''),
      names.join(';'),
      headers['x-acs-content-sha256'],
    ].join('\n');
    const stringToSign = 'ACS3-HMAC-SHA256\n' + createHash('sha256').update(canonical).digest('hex');
    const sig = createHmac('sha256', cred.secret).update(stringToSign).digest('hex');
    headers.authorization = `ACS3-HMAC-SHA256 Credential=${cred.id},SignedHeaders=${names.join(';')},Signature=${sig}`;
    return { headers, stringToSign, canonical };
  }
  headers.date = new Date(now).toUTCString();
  headers['x-acs-signature-method'] = 'HMAC-SHA1';
  headers['x-acs-signature-version'] = '1.0';
  const acs = Object.keys(headers).filter((n) => n.startsWith('x-acs-')).sort().map((n) => `${n}:${headers[n]}\n`).join('');
  const q = sorted(query).map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join('&');
  const resource = q ? `${path}?${q}` : path;
  const stringToSign = `${method}\n${headers.accept ?? ''}\n\n${headers['content-type'] ?? ''}\n${headers.date}\n${acs}${resource}`;
  const sig = createHmac('sha1', cred.secret).update(stringToSign).digest('base64');
  headers.authorization = `acs ${cred.id}:${sig}`;
  return { headers, stringToSign };
}

export function queryString(query) {
  const s = sorted(query).map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
  return s ? `?${s}` : '';
}

/** Raw HTTP request; resolves {status, headers, text, json, raw(Buffer)}; rejects on socket errors. */
export function request(baseUrl, { method = 'GET', path = '/', headers = {}, body, timeoutMs = 10_000, signal } = {}) {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path, headers, agent: false, signal },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('aborted', () => reject(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
        res.on('end', () => {
          if (!res.complete) return reject(Object.assign(new Error('response incomplete'), { code: 'INCOMPLETE' }));
          const raw = Buffer.concat(chunks);
          const text = raw.toString('utf8');
          let json;
          try {
            json = JSON.parse(text);
          } catch {}
          resolve({ status: res.statusCode, headers: res.headers, text, json, raw });
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('client timeout'), { code: 'TIMEOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}

/** Sign and send a classic ListPipelineJobs call. */
export function callClassic(baseUrl, { org = ORG_A, pipeline = '1234567', prefix = '', query = { category: 'DEPLOY' }, mutate, ...signOpts } = {}) {
  const url = new URL(baseUrl);
  const path = prefix + classicPath(org, pipeline);
  const signed = sign({ path, query, host: url.host, ...signOpts });
  if (mutate) mutate(signed.headers);
  return request(baseUrl, { method: signOpts.method ?? 'POST', path: path + queryString(query), headers: signed.headers, body: signOpts.body }).then((r) => ({ ...r, signed }));
}

export function callToken(baseUrl, { org = ORG_A, pipeline = '1234567', category = 'DEPLOY', token = PAT, region = false, prefix = '' } = {}) {
  const path = region
    ? `${prefix}/oapi/v1/flow/pipelines/${enc(pipeline)}/listTasksByCategory/${enc(category)}`
    : `${prefix}/oapi/v1/flow/organizations/${enc(org)}/pipelines/${enc(pipeline)}/listTasksByCategory/${enc(category)}`;
  const headers = token === null ? {} : { 'x-yunxiao-token': token };
  return request(baseUrl, { method: 'GET', path, headers });
}

export async function postJson(baseUrl, path, value) {
  return request(baseUrl, { method: 'POST', path, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
}

export async function scenario(baseUrl, def) {
  const r = await postJson(baseUrl, '/_emulator/scenarios', def);
  if (r.status !== 201) throw new Error(`scenario rejected: ${r.status} ${r.text}`);
  return `/_s/${def.id}`;
}
