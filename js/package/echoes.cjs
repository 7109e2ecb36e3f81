// Finding a secret a server echoes, for the signing proxy and the command line (which ships this
// file beside it; the proxy imports it from there): one rule for both, the package's own
// (src/core/secret.rs) written as regular expressions.
'use strict';

/**
 * A secret in any mix of the escapes a server may echo it with, as the package's redaction reads
 * them (src/core/secret.rs): each character as it is, its UTF-8 bytes percent-encoded (either hex
 * case, needed or not, once or twice), `/` as `\/`; letters in either case. Not other JSON escapes
 * (`\u0041`), which the package's redaction also reads: replaced in JSON text, one after an
 * escaped backslash would break it; the proxy and the command line refuse such an answer instead.
 */
function echoPattern(secret) {
  const hex = (byte) => byte.toString(16).padStart(2, '0');
  let pattern = '';
  for (const char of secret) {
    // Escapes first, so that a `%` in a secret is read as one where it can be.
    const forms = [];
    if (char.isWellFormed()) forms.push([...Buffer.from(char)].map((byte) => `%(?:25)?${hex(byte)}`).join(''));
    if (char === '/') forms.push('\\\\/');
    forms.push(char.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'));
    pattern += `(?:${forms.join('|')})`;
  }
  return new RegExp(pattern, 'gi');
}

/** The JSON escape (`\n`, `\u001b`) that covers position `at` of `text`, as [start, end), or null. */
function escapeAround(text, at) {
  for (let start = at; start >= Math.max(0, at - 5); start--) {
    if (text[start] !== '\\') continue;
    let before = 0;
    while (text[start - before - 1] === '\\') before++;
    if (before % 2 === 1) continue; // this backslash is itself escaped
    const end = start + (text[start + 1] === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(start + 2, start + 6)) ? 6 : 2);
    return end > at ? [start, end] : null;
  }
  return null;
}

/** [start, end) widened to whole JSON escapes at either end: a match that begins or ends inside
 *  one (`\n` + `abc…` for a secret `Nabc…`, `\u001` + `b…`, a secret's last `\` escaping a `\`)
 *  takes all of it, or what is left would break the JSON text it is in. */
function withEscapes(text, start, end) {
  return [Math.min(escapeAround(text, start)?.[0] ?? start, start), Math.max(escapeAround(text, end - 1)?.[1] ?? end, end)];
}

/** Whether `text` holds a match of one of the patterns. */
const holdsEcho = (text, patterns) => patterns.some((pattern) => {
  pattern.lastIndex = 0;
  return pattern.test(text);
});

/**
 * `text` with every match of the patterns replaced; matches that overlap (one secret's end sent
 * as another's start) as one, which replacing a secret at a time would not hide whole. See
 * `withEscapes` for escapes at their ends.
 */
function withoutEchoes(text, patterns) {
  const found = [];
  for (const pattern of patterns) {
    pattern.lastIndex = 0;
    for (let match; (match = pattern.exec(text)) !== null; pattern.lastIndex = match.index + 1) found.push(withEscapes(text, match.index, match.index + match[0].length));
  }
  if (found.length === 0) return text;
  found.sort((a, b) => a[0] - b[0]);
  let out = '';
  let copied = 0;
  let [start, end] = found[0];
  for (const [nextStart, nextEnd] of found) {
    if (nextStart <= end) {
      end = Math.max(end, nextEnd);
      continue;
    }
    out += `${text.slice(copied, start)}[REDACTED]`;
    [copied, start, end] = [end, nextStart, nextEnd];
  }
  return `${out}${text.slice(copied, start)}[REDACTED]${text.slice(end)}`;
}

/**
 * Some forms a server may echo a secret in, the secret first: as it is, percent-encoded (either
 * hex case, once or twice, as a string-to-sign quotes a query, `/` left as it is or not), or with
 * `/` JSON-escaped. The patterns above find every one of them; these are for what they cannot
 * read: the proxy's quick look for UTF-16, the command line's output as --json writes it.
 */
function echoedForms(secret) {
  const encode = (text) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  if (!secret.isWellFormed()) return [secret, secret.replaceAll('/', '\\/')]; // encodeURIComponent throws on a lone surrogate
  const encoded = encode(secret);
  const lower = encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
  // `/` left as it is too (Python's `quote`, path encoders).
  return [secret, encoded, lower, encode(encoded), encode(lower), encoded.replaceAll('%2F', '/'), lower.replaceAll('%2f', '/'), secret.replaceAll('/', '\\/')];
}

/** The unit a one-letter JSON escape stands for, by the letter's unit: `\b \f \n \r \t`, else itself. */
const escaped = (unit) => (unit === 0x62 ? 8 : unit === 0x66 ? 12 : unit === 0x6e ? 10 : unit === 0x72 ? 13 : unit === 0x74 ? 9 : unit);
const HEX4 = /^[0-9a-fA-F]{4}$/;

/**
 * `text` with every JSON string escape undone, read left to right as JSON.parse reads it (a lone
 * `\` at the end kept). One pass into a buffer of UTF-16 units: a regular expression's callback
 * per escape took 15 s and 2.7 GB on 31 MiB of backslashes (a hostile upstream's answer); this,
 * under 1 s.
 */
function jsonUnescaped(text) {
  const out = new Uint16Array(text.length);
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit !== 0x5c || i + 1 === text.length) {
      out[length++] = unit;
      continue;
    }
    const next = text.charCodeAt(i + 1);
    if (next === 0x75 && HEX4.test(text.slice(i + 2, i + 6))) {
      out[length++] = parseInt(text.slice(i + 2, i + 6), 16);
      i += 5;
    } else {
      out[length++] = escaped(next);
      i += 1;
    }
  }
  return fromUnits(out, length);
}

/**
 * The string of the first `length` units, lone surrogates kept as they are: a secret with a
 * character beyond U+FFFF may have its halves spelt at two levels of escapes, which JSON.parse
 * joins (a TextDecoder would make each half U+FFFD).
 */
function fromUnits(units, length) {
  let text = '';
  for (let at = 0; at < length; at += 8192) text += String.fromCharCode.apply(null, units.subarray(at, Math.min(length, at + 8192)));
  return text;
}

/** How many levels of JSON escapes are undone in looking for a secret (see below). */
const MAX_ESCAPE_LEVELS = 16;

/**
 * Whether `text`, read as a JSON string's content once more and again (JSON in a string in
 * JSON: `lastJobParams`), ever spells a secret (one of `patterns`): its escapes undone a level at
 * a time, each level checked (a further level can spoil what the one before spelt: `\u000` +
 * `CAIS…`). Escapes still left after MAX_ESCAPE_LEVELS count as one (no real answer nests so
 * deep; each level costs a pass over the text). On the text as sent, not on a parsed copy: with
 * a key given twice, JSON.parse keeps the last, and the package reads some fields' first.
 */
function revealsEchoWhenUnescaped(text, patterns) {
  for (let level = 0; text.includes('\\'); level++) {
    const next = jsonUnescaped(text);
    if (next === text) return false; // a lone backslash at the end
    if (level === MAX_ESCAPE_LEVELS) return true;
    text = next;
    if (holdsEcho(text, patterns)) return true;
  }
  return false;
}

/** The signature in an `authorization` header (V3, `…,Signature=hex`), or null. */
function signatureOf(authorization) {
  return /Signature=([0-9a-fA-F]+)$/.exec(typeof authorization === 'string' ? authorization : '')?.[1] ?? null;
}

module.exports = { echoPattern, echoedForms, fromUnits, holdsEcho, jsonUnescaped, MAX_ESCAPE_LEVELS, revealsEchoWhenUnescaped, signatureOf, withoutEchoes };
