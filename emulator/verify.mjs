// Independent server-side signature verification for the classic Alibaba Cloud
// OpenAPI (ROA style), written from docs/api/PROTOCOL.md §1 only.
//
// Deliberately shares no code with the client (src/, js/): if both sides were
// built from one helper, a shared misunderstanding would verify itself.
//
//   V3  Authorization: ACS3-HMAC-SHA256 Credential=<AK>,SignedHeaders=<a;b>,Signature=<hex>
//   V1  Authorization: acs <AK>:<base64 HMAC-SHA1>
//
// Everything here is pure (no I/O, no clock): the server decides about time
// stamps, keys, tokens and nonces; this module only answers "what would the
// server compute for this request, and does the client's signature match it".

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const V3_ALGORITHM = 'ACS3-HMAC-SHA256';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export function sha256Hex(data) {
  return createHash('sha256').update(data ?? '').digest('hex');
}

/** RFC 3986 percent-encoding: only A-Z a-z 0-9 - . _ ~ stay literal (UTF-8 first). */
export function rfc3986(value) {
  // encodeURIComponent leaves !'()* literal too; those must be escaped here.
  return encodeURIComponent(String(value)).replace(
    /[!'()*]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}

/** Percent-decode; a malformed escape leaves the text as it was (never throws). */
export function percentDecode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Split a raw query string ("a=1&b=x%20y&flag") into decoded [key, value] pairs.
 * '+' is NOT treated as a space: the SDKs encode space as %20 and '+' as %2B,
 * so a literal '+' on the wire means '+'.
 */
export function parseRawQuery(rawQuery) {
  const pairs = [];
  if (!rawQuery) return pairs;
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    pairs.push([percentDecode(key), percentDecode(value)]);
  }
  return pairs;
}

/** Accept query as [[k, v], ...], a plain object, or a raw string; return pairs. */
function toPairs(query) {
  if (query == null) return [];
  if (typeof query === 'string') return parseRawQuery(query.replace(/^\?/, ''));
  if (Array.isArray(query)) return query.map(([k, v]) => [String(k), v == null ? '' : String(v)]);
  return Object.entries(query).map(([k, v]) => [k, v == null ? '' : String(v)]);
}

// Sort by key only (code-unit order, like the SDKs' sorted()); stable for duplicate keys.
function sortPairs(pairs) {
  return [...pairs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Lower-case header names; join array values the way node:http does. */
export function normalizeHeaders(headers) {
  // No prototype: a client may sign a header named `constructor` or `__proto__`.
  const out = Object.create(null);
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Authorization header parsing

/**
 * Parse an Authorization header value.
 * Returns {algorithm: 'v3', accessKeyId, signedHeaders: [..], signature}
 *      or {algorithm: 'v1', accessKeyId, signature}
 *      or null when the value is missing or not in either shape.
 */
export function parseAuthorization(value) {
  if (typeof value !== 'string') return null;
  if (value.startsWith(V3_ALGORITHM + ' ')) {
    const fields = Object.create(null);
    for (const part of value.slice(V3_ALGORITHM.length + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq < 0) return null;
      const name = part.slice(0, eq).trim();
      if (name in fields) return null; // a field given twice: which one counts is anyone's guess
      fields[name] = part.slice(eq + 1).trim();
    }
    const { Credential: accessKeyId, SignedHeaders: signed, Signature: signature } = fields;
    if (!accessKeyId || !signed || !signature) return null;
    if (!/^[0-9a-fA-F]{64}$/.test(signature)) return null;
    // As sent: the list names the canonical request's lines, and a list other than the one
    // signed must not match (see verifySignature for its form).
    const signedHeaders = signed.split(';');
    if (signedHeaders.some((h) => h === '')) return null;
    return { algorithm: 'v3', accessKeyId, signedHeaders, signature };
  }
  if (value.startsWith('acs ')) {
    const rest = value.slice(4);
    const colon = rest.lastIndexOf(':');
    if (colon <= 0 || colon === rest.length - 1) return null;
    return {
      algorithm: 'v1',
      accessKeyId: rest.slice(0, colon).trim(),
      signature: rest.slice(colon + 1).trim(),
    };
  }
  return null;
}

// ---------------------------------------------------------------------------
// V3: ACS3-HMAC-SHA256

/** CanonicalQuery: keys sorted, each key=RFC3986(value) (empty value → "key="), joined by "&". */
export function canonicalQueryV3(query) {
  return sortPairs(toPairs(query))
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .join('&');
}

/**
 * Build the V3 canonical request.
 * @param {object} p
 * @param {string} p.method
 * @param {string} p.path           raw path exactly as sent (already percent-encoded)
 * @param {*}      p.query          pairs / object / raw string (decoded values)
 * @param {object} p.headers        request headers
 * @param {string[]} p.signedHeaders names as the client listed them (verifySignature refuses a
 *                                  list that is not lower-case, sorted and unique)
 * @param {string} p.hashedPayload  hex sha256 of the body
 */
export function canonicalRequestV3({ method, path, query, headers, signedHeaders, hashedPayload }) {
  const h = normalizeHeaders(headers);
  // A signed header the request does not carry contributes an empty value; the
  // signature will then simply not match, which is what a client bug deserves.
  const canonicalHeaders = signedHeaders.map((n) => `${n}:${(h[n] ?? '').trim()}\n`).join('');
  return [
    method.toUpperCase(),
    path,
    canonicalQueryV3(query),
    canonicalHeaders,
    signedHeaders.join(';'),
    hashedPayload,
  ].join('\n');
}

export function stringToSignV3(canonicalRequest) {
  return `${V3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`;
}

export function signV3(secret, stringToSign) {
  return createHmac('sha256', secret).update(stringToSign).digest('hex');
}

// ---------------------------------------------------------------------------
// V1: ROA HMAC-SHA1

/** CanonicalizedResource: path as sent, then "?" + sorted "k=v" (values NOT encoded; empty → "k"). */
export function canonicalResourceV1(path, query) {
  const pairs = sortPairs(toPairs(query));
  if (pairs.length === 0) return path;
  return path + '?' + pairs.map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join('&');
}

export function stringToSignV1({ method, path, query, headers }) {
  const h = normalizeHeaders(headers);
  const acsHeaders = Object.keys(h)
    .filter((n) => n.startsWith('x-acs-'))
    .sort()
    .map((n) => `${n}:${h[n]}\n`)
    .join('');
  return (
    [method.toUpperCase(), h.accept ?? '', h['content-md5'] ?? '', h['content-type'] ?? '', h.date ?? ''].join('\n') +
    '\n' +
    acsHeaders +
    canonicalResourceV1(path, query)
  );
}

export function signV1(secret, stringToSign) {
  return createHmac('sha1', secret).update(stringToSign).digest('base64');
}

// ---------------------------------------------------------------------------

function safeEqual(a, b) {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/**
 * Verify a request's signature.
 *
 * @param {object} req
 * @param {string} req.method
 * @param {string} req.path          raw path as sent (percent-encoded, no query)
 * @param {*}      req.query         raw query string, pairs or object (see toPairs)
 * @param {object} req.headers       all request headers (must include authorization)
 * @param {Buffer|string} [req.body] request body ('' if none)
 * @param {string} secret            the AccessKey secret
 * @returns {{ok: boolean, algorithm?: string, code?: string, reason?: string,
 *            canonicalRequest?: string, stringToSign?: string, expected?: string}}
 *   code is 'IncompleteSignature' (structurally unacceptable) or
 *   'SignatureDoesNotMatch'; stringToSign is the server's, for the error message.
 */
export function verifySignature(req, secret) {
  const headers = normalizeHeaders(req.headers);
  const auth = parseAuthorization(headers.authorization);
  if (!auth) return { ok: false, code: 'IncompleteSignature', reason: 'authorization header missing or unparseable' };

  if (auth.algorithm === 'v1') {
    const stringToSign = stringToSignV1({ method: req.method, path: req.path, query: req.query, headers });
    const expected = signV1(secret, stringToSign);
    const ok = safeEqual(expected, auth.signature);
    return ok
      ? { ok, algorithm: 'v1', stringToSign, expected }
      : { ok, algorithm: 'v1', code: 'SignatureDoesNotMatch', reason: 'signature mismatch', stringToSign, expected };
  }

  // V3: SignedHeaders as the protocol writes it, lower-case names sorted once each. Normalised
  // here, a list other than the one the client signed (capitalised, unsorted, doubled, spaced)
  // would still match: a client bug in the Authorization header would pass.
  const listed = auth.signedHeaders;
  if (listed.some((name, i) => name !== name.toLowerCase() || name !== name.trim() || (i > 0 && name <= listed[i - 1]))) {
    return { ok: false, algorithm: 'v3', code: 'SignatureDoesNotMatch', reason: 'SignedHeaders must be lower-case names, sorted, each once' };
  }
  // The protocol requires host and every x-acs-* header present to be signed, whatever else
  // the client chose to sign.
  const signed = new Set(listed);
  const mustSign = Object.keys(headers).filter((n) => n === 'host' || n.startsWith('x-acs-'));
  const unsigned = mustSign.filter((n) => !signed.has(n));
  if (unsigned.length) {
    return { ok: false, algorithm: 'v3', code: 'IncompleteSignature', reason: `headers present but not signed: ${unsigned.join(', ')}` };
  }
  if (!headers['x-acs-content-sha256']) {
    return { ok: false, algorithm: 'v3', code: 'IncompleteSignature', reason: 'x-acs-content-sha256 header missing' };
  }
  // The server hashes the body it actually received: a header that says otherwise (another
  // hash, upper-case hex, UNSIGNED-PAYLOAD) is refused whatever was signed. Replaced by the
  // body's hash before signing was checked, a header changed after signing would pass.
  const bodyHash = sha256Hex(req.body ?? '');
  if (headers['x-acs-content-sha256'] !== bodyHash) {
    return { ok: false, algorithm: 'v3', code: 'SignatureDoesNotMatch', reason: 'x-acs-content-sha256 does not match the body' };
  }
  const canonicalRequest = canonicalRequestV3({
    method: req.method,
    path: req.path,
    query: req.query,
    headers,
    signedHeaders: listed,
    hashedPayload: bodyHash,
  });
  const stringToSign = stringToSignV3(canonicalRequest);
  const expected = signV3(secret, stringToSign);
  // Lower-case hex, as the protocol writes it: exact, so a client that changes case is caught.
  const ok = safeEqual(expected, auth.signature);
  if (ok) return { ok, algorithm: 'v3', canonicalRequest, stringToSign, expected };
  return { ok, algorithm: 'v3', code: 'SignatureDoesNotMatch', reason: 'signature mismatch', canonicalRequest, stringToSign, expected };
}
