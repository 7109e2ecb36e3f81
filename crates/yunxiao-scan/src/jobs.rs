//! The jobs array of an answer: each job validated and written, in one pass, as the compact
//! JSON the JS side parses once:
//! `{"jobName":…,"identifier":…,"lastJobId":…,"lastJobParams":null,"lastJobParamsRaw":…}`.
//! String tokens are copied raw (escapes and all), so nothing is decoded; only non-ASCII
//! characters are written as `\uXXXX` escapes, keeping the result ASCII (see `push_ascii_token`).

use std::borrow::Cow;

use crate::json::{decode_string, Scanner, SyntaxError, Token};

/// The largest integer a JS number holds exactly: 2^53 − 1.
pub const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;

/// Why the jobs array was refused. The caller turns it into its own error, with a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobsError {
    Syntax(SyntaxError),
    /// `job: None` is the array itself; `field: ""` is the whole job.
    Invalid {
        job: Option<usize>,
        field: &'static str,
        reason: &'static str,
    },
    /// The normalised jobs would not fit in the memory that could be had (wasm memory ends at
    /// 4 GiB, sooner in some browsers): a failed allocation would abort the module for good.
    OutOfMemory,
}

impl From<SyntaxError> for JobsError {
    fn from(e: SyntaxError) -> Self {
        JobsError::Syntax(e)
    }
}

fn invalid(job: usize, field: &'static str, reason: &'static str) -> JobsError {
    JobsError::Invalid { job: Some(job), field, reason }
}

/// Walks a jobs array, appending each normalised job to `out` (comma-separated, no brackets).
/// Returns how many jobs were written.
pub fn walk_jobs(scanner: &mut Scanner<'_>, out: &mut String) -> Result<usize, JobsError> {
    if !scanner.eat(b'[') {
        return Err(JobsError::Invalid { job: None, field: "", reason: "expected an array of jobs" });
    }
    if scanner.eat(b']') {
        return Ok(0);
    }
    let mut index = 0usize;
    loop {
        walk_job(scanner, out, index)?;
        index += 1;
        if !scanner.eat(b',') {
            scanner.expect(b']', "expected ',' or ']' in the jobs array")?;
            return Ok(index);
        }
    }
}

/// The four documented fields, each with its bit in the "seen" mask.
const FIELDS: [&str; 4] = ["jobName", "identifier", "lastJobId", "lastJobParams"];

fn walk_job(scanner: &mut Scanner<'_>, out: &mut String, index: usize) -> Result<(), JobsError> {
    if !scanner.eat(b'{') {
        return Err(invalid(index, "", "expected a job object"));
    }
    let mut job_name: Option<&str> = None;
    let mut identifier: Option<&str> = None;
    let mut last_job_id: Option<u64> = None;
    let mut params_raw: Option<&str> = None;
    let mut seen: u8 = 0;
    if !scanner.eat(b'}') {
        loop {
            let key = decode_string(scanner.key()?).unwrap_or(Cow::Borrowed(""));
            if let Some(field) = FIELDS.iter().position(|f| *f == key) {
                let name = FIELDS.get(field).copied().unwrap_or("");
                let bit = 1u8 << field;
                if seen & bit != 0 {
                    return Err(invalid(index, name, "the field appears twice"));
                }
                seen |= bit;
                let token = scanner.scalar()?;
                let is_null = token == Some(Token::Literal("null"));
                match (field, token) {
                    (_, _) if is_null && field != 1 => {}
                    (0, Some(Token::String(raw))) => job_name = Some(raw),
                    (0, _) => return Err(invalid(index, name, "expected a string")),
                    (1, Some(Token::String(raw))) if raw.len() > 2 => identifier = Some(raw),
                    (1, _) => return Err(invalid(index, name, "expected a non-empty string")),
                    (2, Some(token)) => {
                        last_job_id = Some(parse_job_id(token).map_err(|why| invalid(index, name, why))?)
                    }
                    (2, None) => return Err(invalid(index, name, "expected an integer")),
                    (_, Some(Token::String(raw))) => params_raw = Some(raw),
                    (_, _) => return Err(invalid(index, name, "expected a string holding JSON")),
                }
                if token.is_none() {
                    // Unreachable in practice (every container case returned above), but keep
                    // the scanner consistent if a branch is ever relaxed.
                    scanner.skip_value()?;
                }
            } else {
                scanner.skip_value()?;
            }
            if !scanner.eat(b',') {
                scanner.expect(b'}', "expected ',' or '}' in the job object")?;
                break;
            }
        }
    }
    let Some(identifier) = identifier else {
        return Err(invalid(index, "identifier", "the field is missing"));
    };
    // Room for the whole job first, without aborting if it cannot be had: every push below then
    // fits (the comma, the fixed text and id of 101 bytes at most, and the tokens).
    let job_name = job_name.unwrap_or("\"\"");
    let params_raw = params_raw.unwrap_or("\"\"");
    let fixed = 1 + JOB_TEXT_BYTES + MAX_DECIMAL_DIGITS;
    let tokens = ascii_token_bound(job_name) + ascii_token_bound(identifier) + ascii_token_bound(params_raw);
    reserve(out, fixed + tokens)?;
    if index > 0 {
        out.push(',');
    }
    out.push_str("{\"jobName\":");
    push_ascii_token(out, job_name);
    out.push_str(",\"identifier\":");
    push_ascii_token(out, identifier);
    out.push_str(",\"lastJobId\":");
    match last_job_id {
        Some(id) => push_decimal(out, id),
        None => out.push_str("null"),
    }
    out.push_str(",\"lastJobParams\":null,\"lastJobParamsRaw\":");
    push_ascii_token(out, params_raw);
    out.push('}');
    Ok(())
}

/// Room for `needed` more bytes, or OutOfMemory. Growth doubles the capacity, which for a big
/// result needs room for both the old and the new at once: when that cannot be had, an eighth
/// more is tried, then just what is needed.
fn reserve(out: &mut String, needed: usize) -> Result<(), JobsError> {
    out.try_reserve(needed)
        .or_else(|_| out.try_reserve_exact(needed.max(out.capacity() / 8)))
        .or_else(|_| out.try_reserve_exact(needed))
        .map_err(|_| JobsError::OutOfMemory)
}

/// Appends a raw JSON string token with each non-ASCII character written as a `\uXXXX` escape
/// (two, a surrogate pair, beyond U+FFFF): the same string to `JSON.parse`, and the result stays
/// ASCII, which V8 holds as a one-byte string, half the memory of the two-byte string that one
/// CJK character makes of the whole result (bench/DESIGN.md, "Peak memory"). Escapes already in
/// the token are kept as they are.
pub fn push_ascii_token(out: &mut String, raw: &str) {
    let mut rest = raw;
    // `split_at_checked`: the panicking `split_at` would bring 4 KB of panic formatting into the wasm.
    while let Some((ascii, from)) = rest.bytes().position(|b| !b.is_ascii()).and_then(|at| rest.split_at_checked(at)) {
        out.push_str(ascii);
        let mut chars = from.chars();
        if let Some(c) = chars.next() {
            push_escaped_char(out, c);
        }
        rest = chars.as_str();
    }
    out.push_str(rest);
}

/// `c` as one `\uXXXX` escape, or two (a surrogate pair) beyond U+FFFF. By hand: `encode_utf16`
/// would bring its panic's formatting into the wasm.
pub fn push_escaped_char(out: &mut String, c: char) {
    let code = u32::from(c);
    if code < 0x1_0000 {
        push_escaped_unit(out, code);
    } else {
        let offset = code - 0x1_0000;
        push_escaped_unit(out, 0xD800 | (offset >> 10));
        push_escaped_unit(out, 0xDC00 | (offset & 0x3FF));
    }
}

fn push_escaped_unit(out: &mut String, unit: u32) {
    out.push_str("\\u");
    for shift in [12, 8, 4, 0] {
        let digit = HEX_DIGITS.get((unit >> shift & 0xF) as usize).copied().unwrap_or(b'0');
        out.push(char::from(digit));
    }
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// The most bytes `push_ascii_token` writes for `raw`: a non-ASCII character of n UTF-8 bytes
/// becomes 6 (n = 2, 3) or 12 (n = 4) bytes, at most three times as many.
pub fn ascii_token_bound(raw: &str) -> usize {
    if raw.is_ascii() {
        raw.len()
    } else {
        raw.len().saturating_mul(3)
    }
}

/// The bytes of a written job besides its tokens and id: `{"jobName":` `,"identifier":`
/// `,"lastJobId":` `,"lastJobParams":null,"lastJobParamsRaw":` `}`.
const JOB_TEXT_BYTES: usize = 11 + 14 + 13 + 41 + 1;
/// u64::MAX has 20 digits.
const MAX_DECIMAL_DIGITS: usize = 20;

/// `n` in decimal, without `core::fmt` (once per job of a big answer).
fn push_decimal(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        if let Some(slot) = digits.get_mut(at) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || at == 0 {
            break;
        }
    }
    for &digit in digits.get(at..).unwrap_or(&[]) {
        out.push(char::from(digit));
    }
}

/// A JSON integer or a digit string, 0 ..= 2^53 − 1; anything else is refused, never rounded.
pub fn parse_job_id(token: Token<'_>) -> Result<u64, &'static str> {
    let digits: Cow<'_, str> = match token {
        Token::Number(n) => Cow::Borrowed(n),
        Token::String(raw) => decode_string(raw).ok_or("expected an integer or a digit string")?,
        Token::Literal(_) => return Err("expected an integer or a digit string"),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(if digits.starts_with('-') {
            "expected a non-negative integer"
        } else {
            "expected an integer or a digit string"
        });
    }
    match digits.parse::<u64>() {
        Ok(id) if id <= MAX_SAFE_INTEGER => Ok(id),
        _ => Err("the id is above 2^53-1 and cannot be represented exactly in JavaScript"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(text: &str) -> Result<(String, usize), JobsError> {
        let mut out = String::new();
        let count = walk_jobs(&mut Scanner::new(text), &mut out)?;
        Ok((out, count))
    }

    #[test]
    fn ids_are_written_exactly() {
        for (id, text) in [(0u64, "0"), (7, "7"), (10, "10"), (MAX_SAFE_INTEGER, "9007199254740991")] {
            let (out, count) = walk(&format!(r#"[{{"identifier":"a","lastJobId":{id}}}]"#)).unwrap();
            assert_eq!(count, 1);
            assert!(out.contains(&format!(r#""lastJobId":{text},"#)), "{out}");
        }
    }

    /// The room taken before a job is written is enough for all of it: a push that outgrew it
    /// would allocate without the chance to fail cleanly. The fixed text is counted exactly.
    #[test]
    fn each_job_fits_in_the_room_taken_for_it() {
        let params = r#""{\"k\":1}""#;
        let names = [(r#""na\"me""#, r#""na\"me""#), ("\"构😀é\"", r#""\u6784\ud83d\ude00\u00e9""#)];
        for (name, written) in names {
            for (id, id_text) in [("", "null"), (r#","lastJobId":9007199254740991"#, "9007199254740991")] {
                let text = format!(r#"[{{"identifier":"a","jobName":{name},"lastJobParams":{params}{id}}}]"#);
                let mut out = String::new();
                walk_jobs(&mut Scanner::new(&text), &mut out).unwrap();
                assert!(out.contains(written), "{out}");
                let tokens = written.len() + r#""a""#.len() + params.len();
                assert_eq!(out.len(), JOB_TEXT_BYTES + tokens + id_text.len(), "{out}");
                let bound = ascii_token_bound(name) + r#""a""#.len() + params.len();
                assert_eq!(out.capacity(), 1 + JOB_TEXT_BYTES + MAX_DECIMAL_DIGITS + bound, "grown while written");
            }
        }
    }

    #[test]
    fn escapes_cover_every_utf8_length() {
        let mut out = String::new();
        push_ascii_token(&mut out, "\"a\\u00e9é߿ࠀ\u{FFFF}𐀀\u{10FFFF}\"");
        assert_eq!(out, r#""a\u00e9\u00e9\u07ff\u0800\uffff\ud800\udc00\udbff\udfff""#);
        for c in ['é', '߿', 'ࠀ', '\u{FFFF}', '𐀀', '\u{10FFFF}'] {
            let mut one = String::new();
            push_ascii_token(&mut one, c.encode_utf8(&mut [0; 4]));
            assert!(one.len() <= ascii_token_bound(c.encode_utf8(&mut [0; 4])), "{c:?}");
        }
    }

    #[test]
    fn refusals_name_the_job_and_the_field() {
        let refused = |text: &str| match walk(text) {
            Err(JobsError::Invalid { job, field, reason }) => (job, field, reason),
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(refused("{}"), (None, "", "expected an array of jobs"));
        assert_eq!(refused(r#"[{"identifier":"a"},1]"#), (Some(1), "", "expected a job object"));
        assert_eq!(
            refused(r#"[{"identifier":"a","identifier":"b"}]"#),
            (Some(0), "identifier", "the field appears twice")
        );
        assert_eq!(refused(r#"[{"jobName":"x"}]"#), (Some(0), "identifier", "the field is missing"));
        assert_eq!(
            refused(r#"[{"identifier":"a","lastJobId":9007199254740992}]"#),
            (Some(0), "lastJobId", "the id is above 2^53-1 and cannot be represented exactly in JavaScript")
        );
        // An escaped key is the same key.
        assert_eq!(
            refused(r#"[{"identifier":"a","identifie\u0072":"b"}]"#),
            (Some(0), "identifier", "the field appears twice")
        );
    }

    #[test]
    fn more_refusals_name_the_job_and_the_field() {
        let refused = |text: &str| match walk(text) {
            Err(JobsError::Invalid { job, field, reason }) => (job, field, reason),
            other => panic!("{text}: {other:?}"),
        };
        let digits = "expected an integer or a digit string";
        assert_eq!(
            refused(r#"[{"identifier":"a","lastJobId":1,"lastJobId":2}]"#),
            (Some(0), "lastJobId", "the field appears twice")
        );
        assert_eq!(refused(r#"[{"identifier":null}]"#), (Some(0), "identifier", "expected a non-empty string"));
        assert_eq!(
            refused(r#"[{"identifier":"a","lastJobParams":5}]"#),
            (Some(0), "lastJobParams", "expected a string holding JSON")
        );
        assert_eq!(refused(r#"[{"identifier":"a","lastJobId":"+5"}]"#), (Some(0), "lastJobId", digits));
        assert_eq!(refused(r#"[{"identifier":"a","lastJobId":""}]"#), (Some(0), "lastJobId", digits));
        // The array must be closed.
        for text in [r#"[{"identifier":"a"}"#, r#"[{"identifier":"a"}}"#] {
            assert!(matches!(walk(text), Err(JobsError::Syntax(_))), "{text}");
        }
    }
}
