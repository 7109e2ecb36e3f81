//! The endpoint URL, parsed by hand and strictly: whatever we accept here ends up in the request
//! line and the signed `host` header, so anything ambiguous is refused before any request.

use super::encode::{find_str, quoted, replace_str, rsplit_once_ascii};
use super::error::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub scheme: Scheme,
    /// Lower-case host name or IPv4 address, or a bracketed IPv6 address.
    pub host: String,
    /// `None` when it is the scheme's default port.
    pub port: Option<u16>,
    /// A base path without a trailing slash: `""` or e.g. `"/proxy"`.
    pub base_path: String,
}

pub const DEFAULT_CLASSIC_ENDPOINT: &str = "https://devops.cn-hangzhou.aliyuncs.com";
pub const DEFAULT_TOKEN_ENDPOINT: &str = "https://openapi-rdc.aliyuncs.com";

/// How much of a refused endpoint its message shows.
pub const QUOTED_CHARS: usize = 80;

fn bad(text: &str, why: &str) -> Error {
    if text.contains('@') {
        // It may carry a password: say what is wrong without repeating it.
        return Error::invalid_option("endpoint", &format!("is not usable: {why}"));
    }
    // The endpoint is not a secret, but it may be long or hostile: show a bounded prefix.
    Error::invalid_option("endpoint", &format!("{} is not usable: {why}", quoted(text, QUOTED_CHARS)))
}

impl Endpoint {
    /// Parses `https://host[:port][/base]`, `http://...` or a bare `host[:port]` (→ https).
    /// Plain `http` is refused for non-loopback hosts unless `allow_insecure_http`.
    pub fn parse(text: &str, allow_insecure_http: bool) -> Result<Endpoint> {
        if text.is_empty() {
            return Err(bad(text, "it is empty"));
        }
        if let Some(c) = text.chars().find(|c| !c.is_ascii_graphic()) {
            let why = if c.is_ascii() {
                "it contains whitespace or a control character".to_owned()
            } else {
                "it contains a non-ASCII character (write international host names in punycode)".to_owned()
            };
            return Err(bad(text, &why));
        }
        if text.contains(['?', '#']) {
            return Err(bad(text, "an endpoint may not have a query or a fragment"));
        }
        if text.contains('\\') {
            return Err(bad(text, "it contains a backslash"));
        }
        let (scheme, rest) = match find_str(text, "://") {
            Some(at) => {
                let scheme = match text.get(..at).map(str::to_ascii_lowercase).as_deref() {
                    Some("https") => Scheme::Https,
                    Some("http") => Scheme::Http,
                    _ => return Err(bad(text, "the scheme must be https:// or http://")),
                };
                (scheme, text.get(at + 3..).unwrap_or(""))
            }
            None => (Scheme::Https, text),
        };
        let (authority, path) = match rest.find('/') {
            Some(at) => (rest.get(..at).unwrap_or(""), rest.get(at..).unwrap_or("")),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err(bad(text, "credentials in the URL are not supported"));
        }
        let (host, port) = split_host_port(text, authority)?;
        let host = validate_host(text, host)?;
        let default_port = match scheme {
            Scheme::Https => 443,
            Scheme::Http => 80,
        };
        let endpoint = Endpoint {
            scheme,
            host,
            port: port.filter(|&p| p != default_port),
            base_path: validate_base_path(text, path)?,
        };
        if scheme == Scheme::Http && !allow_insecure_http && !endpoint.is_loopback() {
            return Err(bad(
                text, "plain http:// is only allowed for loopback hosts; use https:// or set allowInsecureHttp: true",
            ));
        }
        Ok(endpoint)
    }

    /// localhost, `*.localhost` (RFC 6761 reserves it for loopback: browsers pin it there, and
    /// so does the Node entry's transport; a caller's own `fetch` may ask DNS), 127.0.0.0/8 and
    /// `[::1]`.
    pub fn is_loopback(&self) -> bool {
        let host = self.host.as_str();
        host == "localhost"
            || host.ends_with(".localhost")
            || host == "[::1]"
            || (host.starts_with("127.") && parse_ipv4(host).is_some())
    }

    /// The value of the `host` header: the host, plus the port when it is not the default.
    pub fn host_header(&self) -> String {
        match self.port {
            Some(port) => format!("{}:{port}", self.host),
            None => self.host.clone(),
        }
    }

    pub fn origin(&self) -> String {
        let scheme = match self.scheme {
            Scheme::Https => "https",
            Scheme::Http => "http",
        };
        format!("{scheme}://{}", self.host_header())
    }
}

fn split_host_port<'a>(text: &str, authority: &'a str) -> Result<(&'a str, Option<u16>)> {
    let (host, port_text) = if authority.starts_with('[') {
        match authority.find(']') {
            Some(end) => {
                let host = authority.get(..=end).unwrap_or("");
                match authority.get(end + 1..).unwrap_or("") {
                    "" => (host, None),
                    rest => match rest.strip_prefix(':') {
                        Some(port) => (host, Some(port)),
                        None => return Err(bad(text, "unexpected text after the IPv6 address")),
                    },
                }
            }
            None => return Err(bad(text, "unterminated IPv6 address")),
        }
    } else {
        match rsplit_once_ascii(authority, b':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port_text {
        None => None,
        Some(digits) => {
            let valid = !digits.is_empty() && digits.len() <= 5 && digits.bytes().all(|b| b.is_ascii_digit());
            match digits.parse::<u16>() {
                Ok(port) if valid && port != 0 => Some(port),
                _ => return Err(bad(text, "the port must be a number from 1 to 65535")),
            }
        }
    };
    Ok((host, port))
}

fn validate_host(text: &str, host: &str) -> Result<String> {
    if host.is_empty() {
        return Err(bad(text, "the host is missing"));
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        // Written the way fetch and node:http send it in the Host header (WHATWG URL, RFC
        // 5952): `[0:0:0:0:0:0:0:1]` is signed as `[::1]`, or the signature would not match.
        return parse_ipv6(inner).map(canonical_ipv6).ok_or_else(|| bad(text, "invalid IPv6 address"));
    }
    let host = host.to_ascii_lowercase();
    if host.len() > 253 {
        return Err(bad(text, "the host name is too long"));
    }
    for label in host.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Err(bad(text, "invalid host name"));
        }
    }
    // WHATWG URL parsing (what fetch does) reads `127.1`, `0x7f.0.0.1` or `010.0.0.1` as IPv4
    // addresses: a host that looks numeric must be a plain dotted quad, so both sides agree.
    let last = rsplit_once_ascii(&host, b'.').map_or(host.as_str(), |(_, last)| last);
    let numeric_looking = last.bytes().all(|b| b.is_ascii_digit())
        || (last.starts_with("0x") && last.get(2..).is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit())));
    if numeric_looking && parse_ipv4(&host).is_none() {
        return Err(bad(text, "a numeric host must be a dotted IPv4 address like 127.0.0.1"));
    }
    Ok(host)
}

fn parse_ipv4(host: &str) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut parts = host.split('.');
    for slot in out.iter_mut() {
        let part = parts.next()?;
        let canonical = !part.is_empty()
            && part.len() <= 3
            && part.bytes().all(|b| b.is_ascii_digit())
            && !(part.len() > 1 && part.starts_with('0'));
        if !canonical {
            return None;
        }
        *slot = part.parse().ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some(out)
}

/// The eight 16-bit pieces of an IPv6 address (`::` once at most, an IPv4 tail allowed).
fn parse_ipv6(text: &str) -> Option<[u16; 8]> {
    let (head, tail) = match find_str(text, "::") {
        Some(at) => (text.get(..at)?, Some(text.get(at + 2..)?)),
        None => (text, None),
    };
    let mut pieces = [0u16; 8];
    let before = ipv6_groups(head, tail.is_none(), &mut pieces)?;
    let Some(tail) = tail else {
        return (before == 8).then_some(pieces);
    };
    // `::` stands for one zero piece or more: the tail goes to the end.
    let mut rest = [0u16; 8];
    let after = ipv6_groups(tail, true, &mut rest)?;
    if before + after > 7 || find_str(tail, "::").is_some() {
        return None;
    }
    pieces.get_mut(8 - after..)?.copy_from_slice(rest.get(..after)?);
    Some(pieces)
}

/// Reads colon-separated hex groups of 1–4 digits into `out` (the last may be a dotted IPv4
/// address); how many pieces, or `None`.
fn ipv6_groups(text: &str, ipv4_may_end: bool, out: &mut [u16; 8]) -> Option<usize> {
    let mut count = 0;
    if text.is_empty() {
        return Some(0);
    }
    let mut groups = text.split(':').peekable();
    while let Some(group) = groups.next() {
        if ipv4_may_end && groups.peek().is_none() && group.contains('.') {
            let [a, b, c, d] = parse_ipv4(group)?;
            *out.get_mut(count)? = u16::from_be_bytes([a, b]);
            *out.get_mut(count + 1)? = u16::from_be_bytes([c, d]);
            count += 2;
        } else {
            if group.is_empty() || group.len() > 4 {
                return None;
            }
            let mut piece = 0u16;
            for c in group.chars() {
                piece = piece << 4 | c.to_digit(16)? as u16;
            }
            *out.get_mut(count)? = piece;
            count += 1;
        }
    }
    Some(count)
}

/// `[…]` as WHATWG URL serialises it: lower-case hex without leading zeros, the first longest
/// run of two or more zero pieces written `::`.
fn canonical_ipv6(pieces: [u16; 8]) -> String {
    let (mut run_at, mut run_len) = (8, 1);
    let mut i = 0;
    while i < 8 {
        let start = i;
        while pieces.get(i) == Some(&0) {
            i += 1;
        }
        if i - start > run_len {
            (run_at, run_len) = (start, i - start);
        }
        i = i.max(start + 1);
    }
    let mut out = String::from("[");
    let mut i = 0;
    while i < 8 {
        if i == run_at {
            out.push_str(if i == 0 { "::" } else { ":" });
            i += run_len;
            continue;
        }
        let piece = pieces.get(i).copied().unwrap_or(0);
        let digits = (16 - piece.leading_zeros()).div_ceil(4).max(1);
        for shift in (0..digits).rev() {
            out.extend(char::from_digit(u32::from(piece >> (shift * 4)) & 0xf, 16));
        }
        if i < 7 {
            out.push(':');
        }
        i += 1;
    }
    out.push(']');
    out
}

fn validate_base_path(text: &str, path: &str) -> Result<String> {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(String::new());
    }
    let bytes = trimmed.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let ok = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/');
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return Err(bad(text, "invalid percent-escape in the path"));
            }
            i += 3;
            continue;
        }
        if !ok {
            return Err(bad(text, "the base path may hold only letters, digits, - . _ ~ / and %XX"));
        }
        i += 1;
    }
    for segment in trimmed.split('/').skip(1) {
        let lower = segment.to_ascii_lowercase();
        let dots = replace_str(&lower, "%2e", ".");
        if segment.is_empty() || dots == "." || dots == ".." {
            return Err(bad(text, "the base path may not have empty, '.' or '..' segments"));
        }
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Endpoint {
        match Endpoint::parse(text, false) {
            Ok(e) => e,
            Err(e) => panic!("{text}: {e}"),
        }
    }

    fn refused(text: &str) -> String {
        match Endpoint::parse(text, false) {
            Ok(e) => panic!("{text} accepted as {e:?}"),
            Err(e) => {
                assert_eq!(e.code, "InvalidArgument");
                e.message()
            }
        }
    }

    #[test]
    fn plain_http_only_for_loopback_names_and_addresses() {
        for text in
            ["http://localhost", "http://a.localhost:8080", "http://127.0.0.1", "http://127.1.2.3", "http://[::1]"]
        {
            ok(text);
        }
        for text in
            ["http://notlocalhost", "http://localhost.example.com", "http://127.example.com", "http://127.0.0.1.nip.io"]
        {
            assert!(refused(text).contains("http"), "{text}");
        }
    }

    #[test]
    fn host_labels_and_ports_have_bounds() {
        ok(&format!("https://{}.com", "a".repeat(63)));
        refused(&format!("https://{}.com", "a".repeat(64)));
        ok("https://x.com:65535");
        refused("https://x.com:0000080");
    }

    #[test]
    fn default_endpoint() {
        let e = ok(DEFAULT_CLASSIC_ENDPOINT);
        assert_eq!(e.origin(), "https://devops.cn-hangzhou.aliyuncs.com");
        assert_eq!(e.host_header(), "devops.cn-hangzhou.aliyuncs.com");
        assert_eq!(e.base_path, "");
    }

    #[test]
    fn bare_host_means_https_and_case_is_folded() {
        let e = ok("DevOps.CN-Hangzhou.aliyuncs.com");
        assert_eq!(e.origin(), "https://devops.cn-hangzhou.aliyuncs.com");
        assert_eq!(ok("HTTPS://example.com/").origin(), "https://example.com");
    }

    #[test]
    fn ports_and_base_paths() {
        assert_eq!(ok("https://example.com:443").port, None);
        let e = ok("http://127.0.0.1:8090/_s/slow/");
        assert_eq!(e.host_header(), "127.0.0.1:8090");
        assert_eq!(e.base_path, "/_s/slow");
        assert_eq!(ok("http://localhost:80").port, None);
        assert_eq!(ok("http://[::1]:9000").host_header(), "[::1]:9000");
    }

    #[test]
    fn ipv6_hosts_are_written_as_fetch_sends_them() {
        for (given, sent) in [
            ("[::1]", "[::1]"),
            ("[0:0:0:0:0:0:0:1]", "[::1]"),
            ("[::0001]", "[::1]"),
            ("[0000::1]", "[::1]"),
            ("[2001:DB8:0:0:1:0:0:1]", "[2001:db8::1:0:0:1]"),
            ("[2001:db8:0:0:0:1:0:0]", "[2001:db8::1:0:0]"),
            ("[1:0:2:3:4:5:6:7]", "[1:0:2:3:4:5:6:7]"),
            ("[1:2:3:4:5:6:7::]", "[1:2:3:4:5:6:7:0]"),
            ("[::]", "[::]"),
            ("[::ffff:127.0.0.1]", "[::ffff:7f00:1]"),
            ("[fe80::a:b]", "[fe80::a:b]"),
        ] {
            assert_eq!(ok(&format!("https://{given}:8443")).host_header(), format!("{sent}:8443"), "{given}");
        }
        for text in ["http://[0:0:0:0:0:0:0:1]", "http://[::0:1]"] {
            assert!(ok(text).is_loopback(), "{text}");
        }
        for bad in [
            "[]", "[:]", "[:::]", "[1::2::3]", "[12345::]", "[::g]", "[1:2:3:4:5:6:7:8:9]", "[1:2:3:4:5:6:7]",
            "[1:2:3:4:5:6:7:8::]", "[::1.2.3]", "[::01.2.3.4]", "[1.2.3.4::]", "[::+1]", "[1:]", "[:1]",
        ] {
            refused(&format!("https://{bad}"));
        }
    }

    #[test]
    fn loopback_only_for_plain_http() {
        for text in ["http://localhost:1", "http://a.localhost", "http://127.9.8.7", "http://[::1]"] {
            assert!(ok(text).is_loopback(), "{text}");
        }
        let msg = refused("http://devops.cn-hangzhou.aliyuncs.com");
        assert!(msg.contains("allowInsecureHttp"), "{msg}");
        assert!(Endpoint::parse("http://example.com", true).is_ok());
        refused("http://localhost.example.com");
    }

    #[test]
    fn ambiguous_forms_are_refused() {
        for text in [
            "", "ftp://x.com", "https://user:pw@x.com", "https://x.com?a=1", "https://x.com#f", "https://x.com/a/../b",
            "https://x.com/a/%2E%2e/b", "https://x.com/a//b", "https://", "https://x.com:0", "https://x.com:65536",
            "https://x.com:8a", "http://127.1", "http://0x7f.0.0.1", "http://0177.0.0.1", "https://x .com",
            "https://bücher.de", "https://x.com\\@evil.com", "https://-x.com", "https://x..com", "https://[::1",
            "https://x.com/a b", "https://x.com/%zz", "https://x.com\r\nX-Evil: 1",
        ] {
            refused(text);
        }
    }
}
