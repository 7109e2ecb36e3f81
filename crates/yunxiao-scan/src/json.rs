//! A strict, non-recursive JSON scanner over a UTF-8 `&str`.
//!
//! It never builds a tree: callers walk the shapes they know and `skip_value` the rest, and
//! string tokens are handed back raw (quotes and escapes included) so they can be copied into
//! the output verbatim. Nesting depth costs one byte of heap per level, never stack.

use std::borrow::Cow;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub offset: usize,
    pub reason: &'static str,
}

pub type Result<T> = std::result::Result<T, SyntaxError>;

/// Bytes that end a run of ordinary string content: `"`, `\\` and control characters.
/// A table lookup per byte instead of three comparisons: strings are most of a big answer.
// Indexing in a const initialiser is checked at compile time: it cannot panic at run time.
#[allow(clippy::indexing_slicing)]
static STRING_STOP: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// The length of the leading run of ordinary string bytes (none of `"`, `\\`, or a control
/// character), or `None` if the run reaches the end. Eight bytes at a time while no byte of the
/// word stops the run, then byte by byte: strings are most of a big answer.
fn ordinary_run(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Word-wide tests, exact as yes/no ("Bit Twiddling Hacks": haszero, hasless): some byte of
    // `v` is 0; some byte of `v` is below `n` (n <= 0x80).
    let has_less = |v: u64, n: u64| v.wrapping_sub(ONES * n) & !v & HIGH;
    let has_byte = |v: u64, b: u8| has_less(v ^ (ONES * u64::from(b)), 1);
    let mut at = 0;
    for chunk in bytes.chunks_exact(8) {
        // `chunks_exact` gives 8 bytes; the fallback (never taken) would stop the run.
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or([b'"'; 8]));
        let stop = has_byte(w, b'"') | has_byte(w, b'\\') | has_less(w, 0x20);
        if stop != 0 {
            break;
        }
        at += 8;
    }
    let tail = bytes.get(at..).unwrap_or(&[]);
    tail.iter().position(|&b| STRING_STOP.get(usize::from(b)).copied().unwrap_or(true)).map(|i| at + i)
}

pub struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    pub fn new(text: &'a str) -> Self {
        Scanner { text, pos: 0 }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn fail<T>(&self, reason: &'static str) -> Result<T> {
        Err(SyntaxError { offset: self.pos, reason })
    }

    pub fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes().get(self.pos) {
            self.pos += 1;
        }
    }

    /// The next non-whitespace byte, not consumed.
    pub fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.bytes().get(self.pos).copied()
    }

    /// Consumes `byte` (after whitespace) if it is next.
    pub fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub fn expect(&mut self, byte: u8, reason: &'static str) -> Result<()> {
        if self.eat(byte) {
            Ok(())
        } else {
            self.fail(reason)
        }
    }

    /// Only whitespace remains.
    pub fn finish(&mut self) -> Result<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => self.fail("unexpected data after the JSON value"),
        }
    }

    pub fn at_end(&mut self) -> bool {
        self.peek().is_none()
    }

    /// A string token, returned raw with its quotes. Escapes are checked, not decoded.
    pub fn string(&mut self) -> Result<&'a str> {
        if self.peek() != Some(b'"') {
            return self.fail("expected a string");
        }
        let start = self.pos;
        self.pos += 1;
        loop {
            // Fast path: run over ordinary bytes.
            let rest = self.bytes().get(self.pos..).unwrap_or(&[]);
            let Some(skip) = ordinary_run(rest) else {
                self.pos = self.bytes().len();
                return self.fail("unterminated string");
            };
            self.pos += skip;
            match self.bytes().get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(self.text.get(start..self.pos).unwrap_or(""));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    match self.bytes().get(self.pos) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.pos += 1,
                        Some(b'u') => {
                            let hex = self.bytes().get(self.pos + 1..self.pos + 5);
                            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                                return self.fail("invalid \\u escape");
                            }
                            self.pos += 5;
                        }
                        _ => return self.fail("invalid escape in string"),
                    }
                }
                _ => return self.fail("control character in string"),
            }
        }
    }

    /// A number token, checked against the JSON grammar, returned raw.
    pub fn number(&mut self) -> Result<&'a str> {
        self.skip_ws();
        let start = self.pos;
        let digits = |s: &mut Self| {
            let from = s.pos;
            while s.bytes().get(s.pos).is_some_and(u8::is_ascii_digit) {
                s.pos += 1;
            }
            s.pos - from
        };
        if self.bytes().get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        match self.bytes().get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return self.fail("invalid number"),
        }
        if self.bytes().get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if digits(self) == 0 {
                return self.fail("invalid number");
            }
        }
        if let Some(b'e' | b'E') = self.bytes().get(self.pos) {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.bytes().get(self.pos) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return self.fail("invalid number");
            }
        }
        Ok(self.text.get(start..self.pos).unwrap_or(""))
    }

    fn literal(&mut self) -> Result<&'a str> {
        self.skip_ws();
        let rest = self.bytes().get(self.pos..).unwrap_or(&[]);
        for word in ["true", "false", "null"] {
            // The whole word: `falsey` or `false_` is no `false` followed by something else.
            if rest.starts_with(word.as_bytes()) && rest.get(word.len()).map_or(true, ends_literal) {
                let start = self.pos;
                self.pos += word.len();
                return Ok(self.text.get(start..self.pos).unwrap_or(""));
            }
        }
        self.fail("invalid literal")
    }

    /// Consumes `null` if it is next.
    pub fn eat_null(&mut self) -> bool {
        self.skip_ws();
        if self.bytes().get(self.pos..).is_some_and(|r| r.starts_with(b"null") && r.get(4).map_or(true, ends_literal)) {
            self.pos += 4;
            true
        } else {
            false
        }
    }

    /// A scalar token (string, number, literal), raw; `None` when a container starts.
    pub fn scalar(&mut self) -> Result<Option<Token<'a>>> {
        match self.peek() {
            Some(b'"') => Ok(Some(Token::String(self.string()?))),
            Some(b'-' | b'0'..=b'9') => Ok(Some(Token::Number(self.number()?))),
            Some(b't' | b'f' | b'n') => Ok(Some(Token::Literal(self.literal()?))),
            Some(b'{' | b'[') => Ok(None),
            Some(_) => self.fail("expected a value"),
            None => self.fail("unexpected end of data"),
        }
    }

    /// An object key and its colon.
    pub fn key(&mut self) -> Result<&'a str> {
        let key = self.string()?;
        self.expect(b':', "expected ':' after an object key")?;
        Ok(key)
    }

    /// Validates and skips one whole value, however deeply nested, without recursion.
    pub fn skip_value(&mut self) -> Result<()> {
        let mut open: Vec<u8> = Vec::new();
        loop {
            match self.scalar()? {
                Some(_) => {}
                None => {
                    let container = self.bytes().get(self.pos).copied().unwrap_or(b'[');
                    self.pos += 1;
                    let close = if container == b'{' { b'}' } else { b']' };
                    if !self.eat(close) {
                        open.push(container);
                        if container == b'{' {
                            self.key()?;
                        }
                        continue;
                    }
                }
            }
            // A value is complete: close containers until one wants another element.
            loop {
                let Some(&top) = open.last() else {
                    return Ok(());
                };
                if self.eat(b',') {
                    if top == b'{' {
                        self.key()?;
                    }
                    break;
                }
                let close = if top == b'{' { b'}' } else { b']' };
                if self.eat(close) {
                    open.pop();
                } else {
                    return self.fail("expected ',' or a closing bracket");
                }
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token<'a> {
    String(&'a str),
    Number(&'a str),
    Literal(&'a str),
}

/// Decodes a raw string token (with quotes). `None` if it holds an escaped lone surrogate,
/// which UTF-8 cannot represent: callers treat that as "not usable as text".
/// Runs between escapes are copied whole: this sits on the hot path of big answers.
pub fn decode_string(raw: &str) -> Option<Cow<'_, str>> {
    decode(raw, false)
}

/// Like `decode_string`, but an escaped lone surrogate becomes U+FFFD (as in `String::from_utf16_lossy`):
/// for text that must be searched whatever it holds (a request id checked for secrets).
pub fn decode_string_lossy(raw: &str) -> Option<Cow<'_, str>> {
    decode(raw, true)
}

fn decode(raw: &str, lossy: bool) -> Option<Cow<'_, str>> {
    let bytes = raw.as_bytes();
    if bytes.len() < 2 || bytes.first() != Some(&b'"') || bytes.last() != Some(&b'"') {
        return None;
    }
    let inner = raw.get(1..raw.len() - 1)?;
    let Some(first) = backslash(inner) else {
        return Some(Cow::Borrowed(inner));
    };
    let mut out = String::with_capacity(inner.len());
    out.push_str(inner.get(..first)?);
    let mut rest = inner.get(first..)?;
    while let Some(after) = rest.strip_prefix('\\') {
        let mut chars = after.chars();
        match chars.next()? {
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'u' => {
                let unit = hex4(&mut chars)?;
                let code = if (0xD800..0xDC00).contains(&unit) {
                    // A high surrogate counts only with a low one right after it.
                    let mut ahead = chars.clone();
                    let low = match (ahead.next(), ahead.next()) {
                        (Some('\\'), Some('u')) => hex4(&mut ahead).filter(|low| (0xDC00..0xE000).contains(low)),
                        _ => None,
                    };
                    match low {
                        Some(low) => {
                            chars = ahead;
                            0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        }
                        None if lossy => 0xFFFD,
                        None => return None,
                    }
                } else if (0xDC00..0xE000).contains(&unit) && lossy {
                    0xFFFD
                } else {
                    unit
                };
                out.push(char::from_u32(code)?);
            }
            other => out.push(other),
        }
        rest = chars.as_str();
        let next = backslash(rest).unwrap_or(rest.len());
        out.push_str(rest.get(..next)?);
        rest = rest.get(next..)?;
    }
    Some(Cow::Owned(out))
}

fn backslash(text: &str) -> Option<usize> {
    text.bytes().position(|b| b == b'\\')
}

fn hex4(chars: &mut std::str::Chars<'_>) -> Option<u32> {
    let mut value = 0;
    for _ in 0..4 {
        value = value * 16 + chars.next()?.to_digit(16)?;
    }
    Some(value)
}

/// What may follow a literal in JSON: whitespace, a separator, a closing bracket (or the end).
fn ends_literal(byte: &u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b',' | b']' | b'}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(text: &str) -> bool {
        let mut s = Scanner::new(text);
        s.skip_value().is_ok() && s.finish().is_ok()
    }

    #[test]
    fn only_a_quoted_token_decodes() {
        for raw in ["", "\"", "abc", "\"abc", "abc\"", "'a'"] {
            assert_eq!(decode_string(raw), None, "{raw:?}");
            assert_eq!(decode_string_lossy(raw), None, "{raw:?}");
        }
        assert_eq!(decode_string("\"\"").as_deref(), Some(""));
    }

    #[test]
    fn agrees_with_serde_json_on_validity() {
        for text in [
            "{}", "[]", "0", "-0", "1.5e+3", "\"a\\u00e9\\n\"", "{\"a\":[1,{\"b\":null}],\"c\":true}", " [ 1 , 2 ] ",
            "01", "1.", ".5", "-", "1e", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "[1 2]", "\"\\x\"", "\"\\u12\"",
            "\"a\u{1}\"", "tru", "nul", "{\"a\":1}}", "[", "{", "\"abc", "{1:2}", "", "  ", "[[[]]]", "{\"\":{}}",
            "1 2", "NaN", "[-]", "falsey", "[truest]", "{\"a\":nullx}", "[null1]", "[true,false,null]",
        ] {
            let serde_ok = serde_json::from_str::<serde_json::Value>(text).is_ok();
            assert_eq!(valid(text), serde_ok, "{text:?}");
        }
    }

    #[test]
    fn the_word_wide_string_scan_stops_at_every_stop_byte_in_every_position() {
        // Ordinary filler of every kind (ASCII, DEL, UTF-8 lead and continuation bytes), then
        // each of the 256 byte values at each offset across three 8-byte words.
        let filler: Vec<u8> = (0..24).map(|i| [b'a', b' ', 0x7f, 0xe4, 0xb8, 0x80, b'~', 0xff][i % 8]).collect();
        for byte in 0..=255u8 {
            let stops = byte < 0x20 || byte == b'"' || byte == b'\\';
            for at in 0..filler.len() {
                let mut bytes = filler.clone();
                bytes[at] = byte;
                let expected = if stops { Some(at) } else { None };
                assert_eq!(ordinary_run(&bytes), expected, "byte {byte:#x} at {at}");
            }
        }
        assert_eq!(ordinary_run(b""), None);
    }

    #[test]
    fn lone_surrogate_escapes_are_valid_json() {
        // RFC 8259 grammar and JSON.parse accept them (serde_json does not).
        assert!(valid("[\"\\ud800\"]"));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 1_000_000;
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(valid(&text));
        let unclosed = "{\"a\":".repeat(depth);
        assert!(!valid(&unclosed));
    }

    #[test]
    fn decoding() {
        assert_eq!(decode_string("\"plain\"").unwrap(), "plain");
        assert_eq!(decode_string(r#""a\"b\\c\/d\u00e9\ud83d\ude00""#).unwrap(), "a\"b\\c/dé😀");
        assert_eq!(decode_string(r#""\ud800""#), None);
        assert_eq!(decode_string(r#""\udc00x""#), None);
        assert_eq!(decode_string(r#""\ud800\u0041""#), None);
        assert_eq!(decode_string_lossy(r#""\ud800 a""#).unwrap(), "\u{FFFD} a");
        assert_eq!(decode_string_lossy(r#""\udc00x""#).unwrap(), "\u{FFFD}x");
        // The escape after a lone high surrogate is still read as itself.
        assert_eq!(decode_string_lossy(r#""\ud800\u0041\ud800""#).unwrap(), "\u{FFFD}A\u{FFFD}");
        assert_eq!(decode_string_lossy(r#""\ud83d\ude00\/""#).unwrap(), "😀/");
    }

    #[test]
    fn whitespace_escapes_exponents_and_brackets_agree_with_serde_json() {
        for text in [
            "\r\n[\r1\r]\r\n", // CR is whitespace
            "[1,\u{c}2]",      // form feed is not
            "\"\\f\\b\"",      // every short escape
            "\"\\a\"",         // no other
            "\"\\u123g\"",     // \u takes four hex digits
            "\"\\u00zz\"",     // hex digits, not any alphanumeric
            "\"a\tb\"",        // a raw tab is a control character
            "1E5", "-2.5E-3", // upper-case exponent
            "{\"a\":1]", "[{\"a\":1]]", // a bracket does not close an object
        ] {
            let serde_ok = serde_json::from_str::<serde_json::Value>(text).is_ok();
            assert_eq!(valid(text), serde_ok, "{text:?}");
        }
    }

    #[test]
    fn surrogate_pairs_at_the_ends_of_their_ranges_decode() {
        for text in [r#""\udbff\udfff""#, r#""\ud800\udc00""#] {
            let expected = if text.contains("dbff") { "\u{10FFFF}" } else { "\u{10000}" };
            assert_eq!(decode_string(text).as_deref(), Some(expected), "{text}");
            assert_eq!(decode_string_lossy(text).as_deref(), Some(expected), "{text}");
        }
    }
}
