//! Secrets that must never reach a message, a log line or an error field.

use std::fmt;

/// A credential (AccessKey secret, security token, personal access token) or a signature.
/// `Debug` and `Display` print `[REDACTED]`, so a stray `{:?}` cannot leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The real value, for signing and for the one header that carries it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

pub const REDACTED: &str = "[REDACTED]";

/// Removes every known secret from text that came from elsewhere, e.g. a server message that
/// echoes its string-to-sign (which, for V1 with STS, contains the security token).
#[derive(Clone, Default, Debug)]
pub struct Redactor {
    needles: Vec<Secret>,
}

impl Redactor {
    /// Secrets shorter than this are not searched for: replacing every `y` in a message would
    /// mangle it and hide nothing (real AccessKey secrets and tokens are 16+ characters).
    pub const MIN_LEN: usize = 4;

    pub fn add(&mut self, secret: &Secret) {
        // HTTP trims header values, so a server echoes " token " as "token": look for both.
        let trimmed = secret.expose().trim_matches([' ', '\t']);
        for form in [secret.expose(), trimmed] {
            let needle = Secret::new(form);
            if form.len() >= Self::MIN_LEN && !self.needles.contains(&needle) {
                self.needles.push(needle);
            }
        }
    }

    /// `text` with every echo of a secret replaced by [`REDACTED`]. Echoes that overlap (the
    /// end of one secret sent as the start of another) are replaced as one: replaced one
    /// secret at a time, the first would take the shared part and leave the rest of the other.
    pub fn redact(&self, text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = String::new();
        // The text before `copied` is in `out`, or hidden; echoes found and not yet replaced.
        let mut copied = 0;
        let mut hiding: Option<(usize, usize)> = None;
        // An echo starts with a secret's first byte (either case) or an escape: every other byte
        // is passed over at once. The readings of the text an echo may take, kept between tries.
        let firsts: Vec<u8> = self.needles.iter().filter_map(|n| n.expose().bytes().next()).collect();
        let mut readings = (Vec::new(), Vec::new());
        for (at, &b) in bytes.iter().enumerate() {
            if b != b'%' && b != b'\\' && !firsts.iter().any(|first| first.eq_ignore_ascii_case(&b)) {
                continue;
            }
            let ends = self.needles.iter().filter_map(|n| echo_end(bytes, at, n.expose().as_bytes(), &mut readings));
            let Some(end) = ends.max() else {
                continue;
            };
            match &mut hiding {
                Some((_, hidden_end)) if at <= *hidden_end => *hidden_end = end.max(*hidden_end),
                _ => {
                    if let Some((start, hidden_end)) = hiding {
                        push_redacted(&mut out, text.get(copied..start));
                        copied = hidden_end;
                    }
                    hiding = Some((at, end));
                }
            }
        }
        let Some((start, hidden_end)) = hiding else {
            return text.to_owned();
        };
        push_redacted(&mut out, text.get(copied..start));
        out.push_str(text.get(hidden_end..).unwrap_or_default());
        out
    }
}

/// Echoes start and end on char boundaries (escapes are ASCII; a UTF-8 secret's bytes match only
/// whole chars of valid text), so the text before one always exists.
fn push_redacted(out: &mut String, before: Option<&str>) {
    out.push_str(before.unwrap_or_default());
    out.push_str(REDACTED);
}

/// Where an echo of `secret` starting at `start` ends: each of its bytes as it is or escaped
/// the ways a server may echo it (see [`each_echo_len`]), in any mix, so an encoder's every
/// choice is found: either hex case, `/` kept or not, unreserved characters escaped or not.
/// A `%` in a secret makes `%25` readable two ways, so every reading is followed (they are
/// almost always one) and the longest echo wins. (A secret escaped twice with the hex digits
/// of its escapes escaped too, `%25%32%46`, is not found: no encoder writes that.)
fn echo_end(text: &[u8], start: usize, secret: &[u8], (reached, next): &mut (Vec<usize>, Vec<usize>)) -> Option<usize> {
    reached.clear();
    reached.push(start);
    for &wanted in secret {
        next.clear();
        for &at in reached.iter() {
            each_echo_len(text.get(at..).unwrap_or_default(), wanted, |len| {
                if !next.contains(&(at + len)) {
                    next.push(at + len);
                }
            });
        }
        if next.is_empty() {
            return None;
        }
        core::mem::swap(reached, next);
    }
    reached.iter().copied().max()
}

/// Calls `each` with every length of text at its start that may stand for the byte `wanted`:
/// the byte itself; percent-encoded once or twice (a string-to-sign quotes a query); `/`
/// JSON-escaped as `\/`; an ASCII byte JSON-escaped as `\u00XX`.
fn each_echo_len(text: &[u8], wanted: u8, mut each: impl FnMut(usize)) {
    // Letters in either case: a hex digest (a signature) is the same in upper case, and a
    // credential's letters re-cased would give most of it away.
    let is_wanted = |byte: Option<u8>| byte.is_some_and(|byte| byte.eq_ignore_ascii_case(&wanted));
    let digit = |i: usize| char::from(*text.get(i)?).to_digit(16);
    let hex_at = |i: usize| u8::try_from(digit(i)? << 4 | digit(i + 1)?).ok();
    if is_wanted(text.first().copied()) {
        each(1);
    }
    if text.first() == Some(&b'%') && is_wanted(hex_at(1)) {
        each(3);
    }
    if text.starts_with(b"%25") && is_wanted(hex_at(3)) {
        each(5);
    }
    if wanted == b'/' && text.starts_with(b"\\/") {
        each(2);
    }
    if wanted.is_ascii() && text.starts_with(b"\\u00") && is_wanted(hex_at(4)) {
        each(6);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?} {s}"), "[REDACTED] [REDACTED]");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn redactor_removes_every_occurrence_longest_first() {
        let mut r = Redactor::default();
        r.add(&Secret::new("tokn"));
        r.add(&Secret::new("tokn-123"));
        r.add(&Secret::new(""));
        r.add(&Secret::new("y"));
        assert_eq!(r.redact("a tokn-123 b tokn c y"), "a [REDACTED] b [REDACTED] c y");
    }

    #[test]
    fn a_secret_is_found_percent_encoded_and_json_escaped_too() {
        let token = "CAIS/Fake+Token=0001abcd";
        let mut r = Redactor::default();
        r.add(&Secret::new(token));
        for echoed in [
            "CAIS/Fake+Token=0001abcd", "CAIS%2FFake%2BToken%3D0001abcd", "CAIS%252FFake%252BToken%253D0001abcd",
            "CAIS%2fFake%2bToken%3d0001abcd", "CAIS%252fFake%252bToken%253d0001abcd", "CAIS\\/Fake+Token=0001abcd",
            // `/` left as it is (Python's `quote`), either hex case.
            "CAIS/Fake%2BToken%3D0001abcd", "CAIS/Fake%2bToken%3d0001abcd",
        ] {
            assert_eq!(r.redact(&format!("x {echoed} y")), "x [REDACTED] y", "{echoed}");
        }
    }

    #[test]
    fn a_secret_is_found_however_an_encoder_chose_to_escape_it() {
        let mut r = Redactor::default();
        r.add(&Secret::new("pt-Token_42/x"));
        for echoed in [
            // Unreserved characters escaped too, in part or all, either hex case.
            "pt%2DToken_42%2Fx", "%70%74%2d%54%6F%6b%65%6e%5F%34%32%2f%78", "pt-Tok%65n_42/x",
            // Twice, with the same freedom, and mixed with once.
            "pt%252DToken_42%252Fx", "p%74%252dToken_42\\/x",
            // JSON escapes of ASCII, as some writers put them in raw text.
            "\\u0070t-Token_42\\u002Fx", "pt\\u002dToken_42\\/x",
        ] {
            assert_eq!(r.redact(&format!("<{echoed}>{echoed}")), "<[REDACTED]>[REDACTED]", "{echoed}");
        }
        // Near misses stay as they are.
        for text in ["pt-Token_42/", "pt%2Token_42/x", "pt--Token_42/x", "pt%2G-Token_42/x", "pt\\u2dToken_42/x"] {
            assert_eq!(r.redact(text), text);
        }
    }

    #[test]
    fn a_secret_that_holds_a_percent_sign_is_found_as_it_is_and_encoded() {
        let mut r = Redactor::default();
        r.add(&Secret::new("ab%41cd"));
        // `%41` read as the secret's own three characters, or as one encoded `A` would miss it.
        for echoed in ["ab%41cd", "ab%2541cd", "ab%252541cd", "%61b%25%34%31cd"] {
            assert_eq!(r.redact(&format!("x {echoed} y")), "x [REDACTED] y", "{echoed}");
        }
        assert_eq!(r.redact("abAcd"), "abAcd");
    }

    #[test]
    fn a_non_ascii_secret_is_found_by_its_utf8_bytes() {
        let mut r = Redactor::default();
        r.add(&Secret::new("令牌-é42"));
        for echoed in ["令牌-é42", "%E4%BB%A4%E7%89%8C-%C3%A942", "令%e7%89%8c-é42"] {
            assert_eq!(r.redact(&format!("é {echoed} 令")), "é [REDACTED] 令", "{echoed}");
        }
    }

    #[test]
    fn a_secret_is_found_in_either_case() {
        let mut r = Redactor::default();
        r.add(&Secret::new("36792d296f70fe39"));
        r.add(&Secret::new("pt-AuditToken01"));
        assert_eq!(r.redact("sig 36792D296F70FE39, %33%36%37%39%32%44296f70fe39"), "sig [REDACTED], [REDACTED]");
        assert_eq!(r.redact("tok PT-AUDITTOKEN01 pt-audittoken01"), "tok [REDACTED] [REDACTED]");
    }

    #[test]
    fn secrets_sent_overlapping_are_hidden_whole() {
        let mut r = Redactor::default();
        r.add(&Secret::new("CAIS-token-XYZ7"));
        r.add(&Secret::new("7a9b8c6d5e4f3a2b1c0d"));
        // The signature starts with the token's last character, sent once for both.
        assert_eq!(r.redact("x CAIS-token-XYZ7a9b8c6d5e4f3a2b1c0d y"), "x [REDACTED] y");
        assert_eq!(r.redact("7a9b8c6d5e4f3a2b1c0dCAIS-token-XYZ7!"), "[REDACTED]!");
        // Apart, each is hidden on its own.
        assert_eq!(r.redact("CAIS-token-XYZ7 7a9b8c6d5e4f3a2b1c0d"), "[REDACTED] [REDACTED]");
    }

    #[test]
    fn a_padded_secret_is_also_found_as_a_server_would_echo_it_trimmed() {
        let mut r = Redactor::default();
        r.add(&Secret::new(" sts-token-42\t"));
        assert_eq!(r.redact("echo <sts-token-42> < sts-token-42\t>"), "echo <[REDACTED]> <[REDACTED]>");
    }
}
