// Finding a secret a server echoes, for the signing proxy and the command line (which ships this
// file beside it; the proxy imports it from there): one rule for both, the package's own
// (src/core/secret.rs) written as regular expressions.
'use strict';

const hex = (byte) => byte.toString(16).padStart(2, '0');
const regexEscaped = (char) => char.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

/**
 * How many characters of a secret its regular expression holds: V8 overflows its stack compiling
 * one of some 2,900 (an STS token can be that long; 1,150 astral characters), and its error
 * quotes the whole pattern. A longer secret is found by its first ones, then matched whole from
 * there (`matchEnd`).
 */
const REGEX_CHARS = 64;

/** One character of a secret in any of its forms (see `echoPattern`), as a regular expression. */
function charPattern(char) {
  // Escapes first, so that a `%` in a secret is read as one where it can be.
  const forms = [];
  if (char.isWellFormed()) forms.push([...Buffer.from(char)].map((byte) => `%(?:25)?${hex(byte)}`).join(''));
  if (char === '/') forms.push('\\\\/');
  forms.push(regexEscaped(char));
  return `(?:${forms.join('|')})`;
}

/** An ASCII letter's unit in lower case; any other unit as it is. */
const asciiLower = (unit) => (unit >= 0x41 && unit <= 0x5a ? unit | 0x20 : unit);

/**
 * The same forms for matching by hand: each escape spelt out (lower-case hex), and `itself(text,
 * at)`, where the character itself ends when it starts at `at`, or -1. ASCII compared by code,
 * letters in either case (what the `i` flag does for them); other characters by a sticky regular
 * expression, which folds case as the finder does.
 */
function charForms(char) {
  let escapes = [];
  if (char.isWellFormed()) {
    escapes = [''];
    for (const byte of Buffer.from(char)) escapes = escapes.flatMap((form) => [`${form}%${hex(byte)}`, `${form}%25${hex(byte)}`]);
  }
  if (char === '/') escapes.push('\\/');
  const unit = char.charCodeAt(0);
  if (char.length === 1 && unit < 0x80) {
    const wanted = asciiLower(unit);
    return { escapes, itself: (text, at) => (asciiLower(text.charCodeAt(at)) === wanted ? at + 1 : -1) };
  }
  const regex = new RegExp(regexEscaped(char), 'iy');
  return { escapes, itself: (text, at) => ((regex.lastIndex = at), regex.test(text) ? regex.lastIndex : -1) };
}

/** Whether `text` at `at` spells `form` (lower-case ASCII), ASCII letters in either case. */
function spellsAt(text, at, form) {
  if (at + form.length > text.length) return false;
  for (let k = 0; k < form.length; k++) {
    if (asciiLower(text.charCodeAt(at + k)) !== form.charCodeAt(k)) return false;
  }
  return true;
}

/**
 * Where a match of `chars` (each `charForms`) that starts at `start` in `text` can end, the
 * furthest, or -1: every way of reading each character followed at once (a set of positions,
 * never more than a few), so no backtracking and no recursion however long the secret.
 */
function matchEnd(text, start, chars) {
  let positions = [start];
  for (const { escapes, itself } of chars) {
    const next = [];
    const reach = (end) => next.includes(end) || next.push(end);
    for (const at of positions) {
      for (const form of escapes) if (spellsAt(text, at, form)) reach(at + form.length);
      const end = itself(text, at);
      if (end >= 0) reach(end);
    }
    if (next.length === 0) return -1;
    positions = next;
  }
  return Math.max(...positions);
}

/**
 * A secret in any mix of the escapes a server may echo it with, as the package's redaction reads
 * them (src/core/secret.rs): each character as it is, its UTF-8 bytes percent-encoded (either hex
 * case, needed or not, once or twice), `/` as `\/`; letters in either case. Not other JSON escapes
 * (`\u0041`), which the package's redaction also reads: replaced in JSON text, one after an
 * escaped backslash would break it; the proxy and the command line refuse such an answer instead.
 * Use it through `holdsEcho` and `withoutEchoes`.
 */
function echoPattern(secret) {
  const chars = [...secret];
  const finder = new RegExp(chars.slice(0, REGEX_CHARS).map(charPattern).join(''), 'gi');
  return { finder, chars: chars.length > REGEX_CHARS ? chars.map(charForms) : null };
}

/** The first echo of `pattern` in `text` that starts at `from` or later, as [start, end), or null. */
function nextEcho({ finder, chars }, text, from) {
  for (finder.lastIndex = from; ;) {
    let match;
    try {
      match = finder.exec(text); // compiled here, at its first use: deep in a stack, it may overflow
    } catch {
      throw new Error('a secret\'s pattern could not be compiled (the stack is too deep here): nothing redacted');
    }
    if (match === null) return null;
    if (chars === null) return [match.index, match.index + match[0].length];
    const end = matchEnd(text, match.index, chars);
    if (end >= 0) return [match.index, end];
    finder.lastIndex = match.index + 1;
  }
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
const holdsEcho = (text, patterns) => patterns.some((pattern) => nextEcho(pattern, text, 0) !== null);

/**
 * `text` with every match of the patterns replaced; matches that overlap (one secret's end sent
 * as another's start) as one, which replacing a secret at a time would not hide whole. See
 * `withEscapes` for escapes at their ends.
 */
function withoutEchoes(text, patterns) {
  const found = [];
  for (const pattern of patterns) {
    for (let echo = nextEcho(pattern, text, 0); echo !== null; echo = nextEcho(pattern, text, echo[0] + 1)) found.push(withEscapes(text, ...echo));
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
