// The floor of issue 6: the least code that sends the same V3-signed ListPipelineJobs request
// as the package and the official SDKs (ACS3-HMAC-SHA256 over host + x-acs-*, PROTOCOL.md),
// with fetch, then JSON.parse. No validation, no retries, no error classes, no timeouts.
//
//   listPipelineJobs(org, pipeline, options)           node:crypto (the floor in Node)
//   listPipelineJobsWebCrypto(org, pipeline, options)  WebCrypto (runs in browsers too)
//   options: { endpoint, accessKeyId, accessKeySecret, category = 'DEPLOY', normalize = false }
//
// Without `normalize` it returns body.jobs as parsed. With it, the package's documented shape:
// { jobName, identifier, lastJobId (number|null), lastJobParams (object|null), lastJobParamsRaw }
// by a plain map (the floor of the "big answers" benchmark).
import { createHash, createHmac, randomBytes } from 'node:crypto';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
// Already in sorted order: host < x-acs-action < x-acs-content-sha256 < x-acs-date < ...
const SIGNED_HEADERS = 'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version';

// RFC 3986: only A-Za-z0-9-._~ stay literal.
const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function prepare(organizationId, pipelineId, options, nonce) {
  const url = new URL(options.endpoint ?? 'https://devops.cn-hangzhou.aliyuncs.com');
  const path = `/organization/${enc(organizationId)}/pipeline/${enc(String(pipelineId))}/jobs`;
  const query = `category=${enc(options.category ?? 'DEPLOY')}`;
  const date = `${new Date().toISOString().slice(0, 19)}Z`;
  const canonicalRequest =
    `POST\n${path}\n${query}\n` +
    `host:${url.host}\nx-acs-action:ListPipelineJobs\nx-acs-content-sha256:${EMPTY_SHA256}\n` +
    `x-acs-date:${date}\nx-acs-signature-nonce:${nonce}\nx-acs-version:2021-06-25\n\n` +
    `${SIGNED_HEADERS}\n${EMPTY_SHA256}`;
  const headers = {
    accept: 'application/json',
    'x-acs-action': 'ListPipelineJobs',
    'x-acs-content-sha256': EMPTY_SHA256,
    'x-acs-date': date,
    'x-acs-signature-nonce': nonce,
    'x-acs-version': '2021-06-25',
  };
  // fetch sends Host = url.host itself (and a browser would refuse to let us set it).
  return { href: `${url.origin}${path}?${query}`, headers, canonicalRequest };
}

const authorization = (accessKeyId, signature) =>
  `ACS3-HMAC-SHA256 Credential=${accessKeyId},SignedHeaders=${SIGNED_HEADERS},Signature=${signature}`;

async function send(href, headers, normalize) {
  const response = await fetch(href, { method: 'POST', headers });
  return finish(response.status, await response.text(), normalize);
}

/** Status + body text → jobs (or an Error naming the API's code). */
export function finish(status, text, normalize) {
  const body = JSON.parse(text);
  if (status < 200 || status > 299 || body.success === false) {
    throw new Error(`${status} ${body.errorCode ?? body.Code}: ${body.errorMessage ?? body.Message}`);
  }
  return normalize ? normalizeJobs(body.jobs) : body.jobs;
}

/** The signed request, node:crypto: { href, headers } (also used by bench/lib/floor-http.mjs). */
export function signedRequest(organizationId, pipelineId, options) {
  const req = prepare(organizationId, pipelineId, options, randomBytes(16).toString('hex'));
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(req.canonicalRequest).digest('hex')}`;
  const signature = createHmac('sha256', options.accessKeySecret).update(stringToSign).digest('hex');
  req.headers.authorization = authorization(options.accessKeyId, signature);
  return req;
}

export async function listPipelineJobs(organizationId, pipelineId, options) {
  const req = signedRequest(organizationId, pipelineId, options);
  return send(req.href, req.headers, options.normalize);
}

const utf8 = new TextEncoder();
const hex = (buffer) => {
  let s = '';
  for (const b of new Uint8Array(buffer)) s += b.toString(16).padStart(2, '0');
  return s;
};
let cachedKey = null; // [secret, CryptoKey]: importKey once per secret, not per call

export async function listPipelineJobsWebCrypto(organizationId, pipelineId, options) {
  const { subtle } = globalThis.crypto;
  const req = prepare(organizationId, pipelineId, options, hex(globalThis.crypto.getRandomValues(new Uint8Array(16))));
  const digest = await subtle.digest('SHA-256', utf8.encode(req.canonicalRequest));
  if (cachedKey?.[0] !== options.accessKeySecret) {
    const key = await subtle.importKey('raw', utf8.encode(options.accessKeySecret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    cachedKey = [options.accessKeySecret, key];
  }
  const signature = await subtle.sign('HMAC', cachedKey[1], utf8.encode(`ACS3-HMAC-SHA256\n${hex(digest)}`));
  req.headers.authorization = authorization(options.accessKeyId, hex(signature));
  return send(req.href, req.headers, options.normalize);
}

function parseParams(raw) {
  if (raw === undefined || raw === null || raw === '') return {};
  try {
    const value = JSON.parse(raw);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

/** The package's result shape by a plain map: what "bytes to normalized objects" costs in JS. */
export function normalizeJobs(jobs) {
  return (jobs ?? []).map((job) => ({
    jobName: job.jobName ?? '',
    identifier: job.identifier,
    lastJobId: job.lastJobId === undefined || job.lastJobId === null ? null : Number(job.lastJobId),
    lastJobParams: parseParams(job.lastJobParams),
    lastJobParamsRaw: job.lastJobParams ?? '',
  }));
}
