//! Secrets that must never reach a message, a log line or an error field.

use std::fmt;

use super::encode::{ascii_string, find_str, percent_encode, replace_str};

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
            for needle in echoed_forms(form) {
                let needle = Secret::new(needle);
                if needle.expose().len() >= Self::MIN_LEN && !self.needles.contains(&needle) {
                    self.needles.push(needle);
                }
            }
        }
        // Longest first, so a secret that contains another is removed whole.
        super::encode::sort_small(&mut self.needles, |a, b| a.expose().len() > b.expose().len());
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for needle in &self.needles {
            if find_str(&out, needle.expose()).is_some() {
                out = replace_str(&out, needle.expose(), REDACTED);
            }
        }
        out
    }
}

/// How a server may echo a secret (an STS token is base64: `+`, `/`, `=`): as it is, percent-
/// encoded (once or twice, as a string-to-sign quotes a query; with upper-case hex, as most
/// encoders write it, or lower-case, as .NET's UrlEncode does; with `/` left as it is, as
/// Python's `quote` and path encoders do) and with `/` JSON-escaped.
fn echoed_forms(secret: &str) -> [String; 8] {
    let encoded = percent_encode(secret);
    let lower = lower_case_hex(&encoded);
    [
        secret.to_owned(),
        percent_encode(&encoded),
        percent_encode(&lower), // `%2f` encoded again is `%252f`
        replace_str(&encoded, "%2F", "/"),
        replace_str(&lower, "%2f", "/"),
        encoded,
        lower,
        replace_str(secret, "/", "\\/"),
    ]
}

/// `%2F` → `%2f`: the two hex digits after each `%` in lower case; the other letters are the
/// secret's own. (Percent-encoded text is ASCII.)
fn lower_case_hex(encoded: &str) -> String {
    let mut bytes = encoded.as_bytes().to_vec();
    for i in 0..bytes.len() {
        if bytes.get(i) == Some(&b'%') {
            for digit in bytes.iter_mut().skip(i + 1).take(2) {
                digit.make_ascii_lowercase();
            }
        }
    }
    ascii_string(bytes)
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
    fn a_padded_secret_is_also_found_as_a_server_would_echo_it_trimmed() {
        let mut r = Redactor::default();
        r.add(&Secret::new(" sts-token-42\t"));
        assert_eq!(r.redact("echo <sts-token-42> < sts-token-42\t>"), "echo <[REDACTED]> <[REDACTED]>");
    }
}
