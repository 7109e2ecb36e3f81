//! Percent-encoding as the official SDKs do it: RFC 3986, only `A-Za-z0-9-._~` stay literal.

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// `table[index]`; every caller masks `index` into range, so the fallback is never used.
fn table_byte(table: &[u8], index: u8) -> u8 {
    table.get(usize::from(index)).copied().unwrap_or(b'?')
}

/// `table[index]` as a char.
fn digit(table: &[u8], index: u8) -> char {
    char::from(table_byte(table, index))
}

/// Percent-encodes every byte of the UTF-8 text that is not RFC 3986 unreserved.
/// Built as bytes, runs of unreserved ones copied whole: `String::push` per byte cost about
/// 5 µs a call at `opt-level = "z"`, where it is a call per byte (the secrets' echoed forms are
/// encoded on every call).
pub fn percent_encode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut run_start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !is_unreserved(b) {
            out.extend_from_slice(bytes.get(run_start..i).unwrap_or_default());
            out.extend_from_slice(&[b'%', table_byte(HEX_UPPER, b >> 4), table_byte(HEX_UPPER, b & 0x0f)]);
            run_start = i + 1;
        }
    }
    out.extend_from_slice(bytes.get(run_start..).unwrap_or_default());
    ascii_string(out)
}

/// Lower-case hexadecimal of bytes (signatures and payload hashes).
pub fn hex_lower(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.extend_from_slice(&[table_byte(HEX, b >> 4), table_byte(HEX, b & 0x0f)]);
    }
    ascii_string(out)
}

/// Bytes the caller wrote as ASCII only, as a `String` (the check cannot fail for them).
pub fn ascii_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_default()
}

/// Standard base64 with padding (the V1 signature). Twelve lines instead of a dependency.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b0 = chunk.first().copied().unwrap_or(0);
        let b1 = chunk.get(1).copied();
        let b2 = chunk.get(2).copied();
        let n = (u32::from(b0) << 16) | (u32::from(b1.unwrap_or(0)) << 8) | u32::from(b2.unwrap_or(0));
        let sextet = |shift: u32| digit(ALPHABET, ((n >> shift) & 63) as u8);
        out.push(sextet(18));
        out.push(sextet(12));
        out.push(if b1.is_some() { sextet(6) } else { '=' });
        out.push(if b2.is_some() { sextet(0) } else { '=' });
    }
    out
}

/// `"text"` for an error message, cut to `max_chars`, control characters shown as `\u{..}`
/// (a hand-rolled `{:?}`: Debug formatting costs kilobytes in the wasm).
pub fn quoted(text: &str, max_chars: usize) -> String {
    let mut out = String::from("\"");
    for c in text.chars().take(max_chars) {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    if text.chars().nth(max_chars).is_some() {
        out.push('…');
    }
    out.push('"');
    out
}

/// Where `needle` first occurs in `text`. A plain byte search: `str::find(&str)` brings in the
/// two-way searcher and, through its panic path, `Debug` formatting of strings, several KB of
/// wasm for a handful of short searches. A match of a UTF-8 needle always starts and ends on
/// a char boundary, so its offsets slice `text` safely.
pub fn find_str(text: &str, needle: &str) -> Option<usize> {
    let (bytes, needle) = (text.as_bytes(), needle.as_bytes());
    let Some(&first) = needle.first() else {
        return Some(0);
    };
    // Jump from one occurrence of the first byte to the next; compare only there.
    let mut from = 0;
    while let Some(skip) = bytes.get(from..)?.iter().position(|&b| b == first) {
        let at = from + skip;
        if bytes.get(at..at + needle.len()) == Some(needle) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// `text` with every `needle` replaced by `with` (`needle` must not be empty).
pub fn replace_str(text: &str, needle: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = find_str(rest, needle).filter(|_| !needle.is_empty()) {
        out.push_str(rest.get(..at).unwrap_or(""));
        out.push_str(with);
        rest = rest.get(at + needle.len()..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// `text` split around its last `byte` (ASCII), like `str::rsplit_once(char)` without the
/// reverse char searcher it brings into the wasm.
pub fn rsplit_once_ascii(text: &str, byte: u8) -> Option<(&str, &str)> {
    debug_assert!(byte.is_ascii());
    let at = text.bytes().rposition(|b| b == byte)?;
    Some((text.get(..at)?, text.get(at + 1..)?))
}

/// `items` joined by `sep`. (`[T]::join` weighs about 1 KB of wasm, for three short lists.)
pub fn join<S: AsRef<str>>(items: &[S], sep: &str) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(item.as_ref());
    }
    out
}

/// Sorts a handful of items (headers, query parameters, secrets) by `less`. An insertion sort:
/// the standard library's sorts weigh kilobytes per element type in the wasm, for lists that
/// never hold more than a dozen items here.
pub fn sort_small<T>(items: &mut [T], less: impl Fn(&T, &T) -> bool) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 {
            let ordered = match (items.get(j - 1), items.get(j)) {
                (Some(a), Some(b)) => !less(b, a),
                _ => true,
            };
            if ordered {
                break;
            }
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Decodes `%XX` sequences (used by tests and by the property checks); `None` if malformed.
pub fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hi = char::from(*bytes.get(i + 1)?).to_digit(16)?;
            let lo = char::from(*bytes.get(i + 2)?).to_digit(16)?;
            out.push(u8::try_from(hi * 16 + lo).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_search_and_replace_agree_with_std() {
        for (text, needle) in [
            ("", "ab"),
            ("ab", "ab"),
            ("xabyab", "ab"),
            ("aaa", "aa"),
            ("构建ab构建", "构建"),
            ("a%2e%2E", "%2e"),
            ("Signature=abc", "Signature="),
            ("no match here", "zz"),
            ("x", "xyz"),
        ] {
            assert_eq!(find_str(text, needle), text.find(needle), "{text:?} {needle:?}");
            assert_eq!(replace_str(text, needle, "[R]"), text.replace(needle, "[R]"), "{text:?} {needle:?}");
        }
        assert_eq!(find_str("abc", ""), Some(0));
        assert_eq!(replace_str("abc", "", "x"), "abc");
    }

    #[test]
    fn rsplit_once_ascii_agrees_with_std() {
        for text in ["", ":", "a:b", "a:b:c", "no colon", "构:建", "x:"] {
            assert_eq!(rsplit_once_ascii(text, b':'), text.rsplit_once(':'), "{text:?}");
        }
    }

    #[test]
    fn join_agrees_with_std() {
        for items in [&[][..], &["a"][..], &["a", "b", "c"][..], &["", ""][..]] {
            assert_eq!(join(items, ";"), items.join(";"));
        }
    }

    #[test]
    fn quoting_for_messages() {
        assert_eq!(quoted("a\"b\r\n", 10), "\"a\\\"b\\u{d}\\u{a}\"");
        assert_eq!(quoted("abcdef", 3), "\"abc…\"");
    }

    #[test]
    fn small_sort_is_a_stable_sort() {
        let mut items = vec![(3, 'a'), (1, 'b'), (3, 'c'), (0, 'd'), (1, 'e')];
        sort_small(&mut items, |a, b| a.0 < b.0);
        assert_eq!(items, vec![(0, 'd'), (1, 'b'), (1, 'e'), (3, 'a'), (3, 'c')]);
    }

    #[test]
    fn keeps_unreserved_and_encodes_the_rest() {
        assert_eq!(percent_encode("aZ09-._~"), "aZ09-._~");
        assert_eq!(percent_encode("org x/y"), "org%20x%2Fy");
        assert_eq!(percent_encode("a b+c/~*!'()"), "a%20b%2Bc%2F~%2A%21%27%28%29");
        assert_eq!(percent_encode("%2e%2e"), "%252e%252e");
        assert_eq!(percent_encode("../"), "..%2F");
        assert_eq!(percent_encode("流水线"), "%E6%B5%81%E6%B0%B4%E7%BA%BF");
        assert_eq!(percent_encode("\r\n\0"), "%0D%0A%00");
    }

    #[test]
    fn decode_round_trips() {
        for s in ["", "a b", "流水线/../%", "\u{1F600}\r\n"] {
            assert_eq!(percent_decode(&percent_encode(s)).as_deref(), Some(s.as_bytes()));
        }
        assert_eq!(percent_decode("%G0"), None);
        assert_eq!(percent_decode("%4"), None);
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (input, expected) in cases {
            assert_eq!(base64(input.as_bytes()), expected);
        }
        assert_eq!(base64(&[0xff, 0xfe, 0xfd]), "//79");
    }

    #[test]
    fn hex_is_lower_case() {
        assert_eq!(hex_lower(&[0x00, 0xab, 0xff]), "00abff");
    }
}
