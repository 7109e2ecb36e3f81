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

/** The signature in an `authorization` header (V3, `…,Signature=hex`), or null. */
function signatureOf(authorization) {
  return /Signature=([0-9a-fA-F]+)$/.exec(typeof authorization === 'string' ? authorization : '')?.[1] ?? null;
}

module.exports = { echoPattern, holdsEcho, signatureOf, withoutEchoes };
