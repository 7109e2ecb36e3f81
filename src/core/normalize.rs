//! Response validation and normalisation, over the bytes, in one pass.
//!
//! The output is one compact JSON text that JS turns into objects with a single `JSON.parse`:
//! crossing the JS↔wasm boundary once per response instead of once per field. String tokens
//! are copied raw (escapes and all), so nothing is decoded; only non-ASCII characters are written
//! as `\uXXXX` escapes (an ASCII result is a one-byte JS string: half the memory). `lastJobParams`
//! is written as `null` beside `lastJobParamsRaw`: the JS side parses the raw text into the object
//! (its own `JSON.parse` is the fastest parser there is for that, and the text is needed as a
//! JS string anyway), keeping the key order of the documented result.

use std::borrow::Cow;

use super::encode::find_str;
use super::error::{Error, Result};
use super::json::{decode_string, decode_string_lossy, Scanner, SyntaxError, Token};
use super::secret::Redactor;
use yunxiao_scan::jobs::{self, JobsError};

pub use yunxiao_scan::jobs::MAX_SAFE_INTEGER;

/// Fields of an error body, read leniently (whatever is there and well-formed).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorBody {
    pub success: Option<bool>,
    pub code: Option<String>,
    pub message: Option<String>,
    pub request_id: Option<String>,
}

/// A success answer, normalised: `{"requestId":…,"jobs":[…]}` as JSON text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Normalized {
    pub json: String,
    pub job_count: usize,
    /// Where the request id's JSON token starts in `json` (it runs to the closing `}`).
    request_id_at: usize,
}

impl Normalized {
    /// Replaces the request id with its redacted form when it holds a secret: a server that
    /// echoes a credential into its request id must not get it printed as one.
    pub fn redact_request_id(&mut self, redactor: &Redactor) {
        let end = self.json.len().saturating_sub(1);
        // Lossy: a lone surrogate escape must not hide the rest of the id from the search.
        let Some(decoded) = self.json.get(self.request_id_at..end).and_then(decode_string_lossy) else {
            return; // null
        };
        let clean = redactor.redact(&decoded);
        if clean != decoded {
            let token = request_id_json(Some(&clean)).unwrap_or_default();
            self.json.truncate(self.request_id_at);
            self.json.push_str(&token);
            self.json.push('}');
        }
    }
}

/// Normalises a 2xx body: the classic envelope or the token API's bare array.
/// `header_request_id` is used when the body names none.
/// A 200 with `success: false` comes back as the API error it reports.
pub fn normalize_success(body: &[u8], status: u16, header_request_id: Option<&str>) -> Result<Normalized> {
    let unmarked = without_bom(body);
    let text = match std::str::from_utf8(unmarked) {
        Ok(text) => text,
        Err(e) => {
            let at = e.valid_up_to() + (body.len() - unmarked.len());
            let detail = format!("the body is not valid UTF-8 (at byte {at})");
            return Err(Error::invalid_response("body", detail).with_request_id(header_request_id.map(str::to_owned)));
        }
    };
    let mut scanner = Scanner::new(text);
    if scanner.at_end() {
        let error = Error::invalid_response("body", "the body is empty");
        return Err(error.with_request_id(header_request_id.map(str::to_owned)));
    }
    let Some(mut writer) = Writer::with_capacity(text.len()) else {
        return Err(reported_or(body, status, header_request_id, out_of_memory()));
    };
    let parsed = match scanner.peek() {
        Some(b'[') => walk_jobs(&mut scanner, &mut writer, "").map(|()| None),
        Some(b'{') => walk_envelope(&mut scanner, &mut writer).map(Some),
        _ => Err(Step::Invalid(Error::invalid_response(
            "body", "expected a JSON object (or, from the token API, an array)",
        ))),
    }
    .and_then(|envelope| {
        scanner.finish().map_err(Step::Syntax)?;
        Ok(envelope)
    });
    match parsed {
        // `success: false`, or an error code without `success: true` (the token API's errors
        // have no `success` field): the API error the body reports, whatever the status.
        Ok(Some(Envelope { success, mut error, .. }))
            if success == Some(false) || (success.is_none() && error.code.is_some()) =>
        {
            // The code and message under the token API's other names (`code`, `message`,
            // `errorDescription`), as an error status's body is read.
            if error.message.is_none() || error.code.is_none() {
                let lenient = parse_error_body(body);
                error.message = error.message.or(lenient.message);
                error.code = error.code.or(lenient.code);
            }
            Err(api_error(status, &error))
        }
        // `{}` or `{"requestId":…}` says nothing about jobs: not an empty list. One with a
        // lower-case `code` (and no jobs) is the error it names, as with an error status.
        Ok(Some(Envelope { success: None, has_jobs: false, error, .. })) => {
            let lenient = parse_error_body(body);
            if lenient.code.is_some() {
                return Err(api_error(status, &lenient));
            }
            let detail = "the answer has neither a jobs field nor success: true";
            Err(Error::invalid_response("jobs", detail)
                .with_request_id(error.request_id.or_else(|| header_request_id.map(str::to_owned))))
        }
        Ok(envelope) => {
            let header_token = request_id_json(header_request_id);
            let (body_token, body_request_id) =
                envelope.map(|e| (e.request_id_token, e.error.request_id)).unwrap_or_default();
            writer.finish(body_token.as_deref().or(header_token.as_deref())).ok_or_else(|| {
                out_of_memory().with_request_id(body_request_id.or_else(|| header_request_id.map(str::to_owned)))
            })
        }
        Err(step) => Err(reported_or(body, status, header_request_id, step.into_error())),
    }
}

/// Whether the body stops inside its JSON value: it is not blank, and the first thing wrong with
/// it is that its bytes ran out (a string, number, literal, object or array left open, a `\u`
/// escape short of its digits, or a character's UTF-8 cut). An answer that declared no length
/// looks so when its connection was cut and nothing below said so (a close-delimited body;
/// WebKitGTK passes a chunked one cut by a close as complete).
pub fn ends_inside_json(body: &[u8]) -> bool {
    let unmarked = without_bom(body);
    let text = match std::str::from_utf8(unmarked) {
        Ok(text) => text,
        // Cut inside a character: judge the whole characters before it.
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(unmarked.get(..e.valid_up_to()).unwrap_or_default()).unwrap_or_default()
        }
        Err(_) => return false,
    };
    let mut scanner = Scanner::new(text);
    !scanner.at_end() && matches!(scanner.skip_value(), Err(e) if is_cut_at(text.as_bytes(), e.offset))
}

/// Whether a scanner that stopped at `offset` ran out of bytes: it stopped at the end, or at a
/// token that the end cut short, which it reports where the token starts (a literal: `nu`,
/// `fals`) or after the backslash (a `\u` escape with fewer than four hex digits: `u6`).
fn is_cut_at(text: &[u8], offset: usize) -> bool {
    let rest = text.get(offset..).unwrap_or_default();
    let word = |word: &[u8]| rest.len() < word.len() && word.starts_with(rest);
    let escape = || {
        offset.checked_sub(1).and_then(|before| text.get(before)) == Some(&b'\\')
            && rest.len() < 5
            && rest.first() == Some(&b'u')
            && rest.iter().skip(1).all(u8::is_ascii_hexdigit)
    };
    rest.is_empty() || word(b"true") || word(b"false") || word(b"null") || escape()
}

/// `error`, with the body's request id (or the header's), unless the body reports a failure of
/// its own (`success: false`): a body that reports failure is that failure, even if its other
/// fields are odd, or its size more than the result's room.
fn reported_or(body: &[u8], status: u16, header_request_id: Option<&str>, error: Error) -> Error {
    let error_body = parse_error_body(body);
    if error_body.success == Some(false) {
        return api_error(status, &error_body);
    }
    error.with_request_id(error_body.request_id.or_else(|| header_request_id.map(str::to_owned)))
}

/// Wasm memory ends at 4 GiB (sooner in some browsers), and an allocation that fails there aborts
/// the module for good: the result's room is taken so that failing to get it fails this call only.
fn out_of_memory() -> Error {
    Error::invalid_response("body", "normalising the answer needs more memory than the package could get")
}

/// The body without a leading UTF-8 byte order mark, which fetch's `json()` skips too.
fn without_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
}

/// The error for a non-2xx answer or a 2xx with `success: false`.
pub fn api_error(status: u16, body: &ErrorBody) -> Error {
    Error::from_api(status, body.code.as_deref(), body.message.as_deref()).with_request_id(body.request_id.clone())
}

/// Reads `errorCode`/`Code`/`code`, `errorMessage`/`Message`/`errorDescription`/`message`,
/// `requestId`/`RequestId` and `success` from whatever JSON object the body holds.
pub fn parse_error_body(body: &[u8]) -> ErrorBody {
    let mut out = ErrorBody::default();
    let Ok(text) = std::str::from_utf8(without_bom(body)) else {
        return out;
    };
    if is_xml_error_document(text) {
        return parse_xml_error(text);
    }
    let mut scanner = Scanner::new(text);
    if !scanner.eat(b'{') || scanner.eat(b'}') {
        return out;
    }
    // Lenient: stop quietly at the first thing that is not well-formed.
    let mut successes = 0u8;
    let _ = (|| -> std::result::Result<(), SyntaxError> {
        loop {
            let key = decode_string(scanner.key()?).unwrap_or(Cow::Borrowed(""));
            if key == "success" {
                successes = successes.saturating_add(1);
            }
            let token = scanner.scalar()?;
            match token {
                None => scanner.skip_value()?,
                // `null` (or a number) says neither: only the two words count.
                Some(Token::Literal(word)) if key == "success" && word != "null" => out.success = Some(word == "true"),
                Some(Token::String(raw)) => {
                    let (slot, is_message) = match key.as_ref() {
                        "errorCode" | "Code" => (Some(&mut out.code), false),
                        "code" if out.code.is_none() => (Some(&mut out.code), false),
                        "errorMessage" | "Message" => (Some(&mut out.message), true),
                        "errorDescription" | "message" if out.message.is_none() => (Some(&mut out.message), true),
                        "requestId" | "RequestId" => (Some(&mut out.request_id), false),
                        // As the official SDKs read it: when neither of those is there.
                        "requestid" if out.request_id.is_none() => (Some(&mut out.request_id), false),
                        _ => (None, false),
                    };
                    if let Some(slot) = slot {
                        if let Some(value) = server_text(raw, is_message) {
                            *slot = Some(value);
                        }
                    }
                }
                Some(_) => {}
            }
            if !scanner.eat(b',') {
                return Ok(());
            }
        }
    })();
    // `success` twice says nothing for sure: the strict reading's refusal stands.
    if successes > 1 {
        out.success = None;
    }
    out
}

/// The most of a server's text field (an error's code or message, a request id) read, in bytes
/// of its JSON token. Each is copied several times (decoded, redacted, put into a message), and
/// an answer of up to 100 MiB must not make copies of that size: a longer message is read up to
/// here (the call's message cuts it far shorter, marked as cut); a longer code or request id is
/// none (a request id that long in a success answer is refused).
const MAX_SERVER_TEXT_BYTES: usize = 1 << 20;

/// A server's text field, decoded (see MAX_SERVER_TEXT_BYTES); `None` if empty or not text.
fn server_text(raw: &str, is_message: bool) -> Option<String> {
    let decoded = if raw.len() <= MAX_SERVER_TEXT_BYTES {
        decode_string(raw).map(Cow::into_owned)
    } else if is_message {
        json_string_prefix(raw, MAX_SERVER_TEXT_BYTES)
            .and_then(|prefix| decode_string_lossy(&prefix).map(Cow::into_owned))
    } else {
        None
    };
    decoded.filter(|text| !text.is_empty())
}

/// The first at most `max` bytes of a JSON string token, cut outside any escape and closed with
/// a quote, so that it decodes (a surrogate pair the cut separates decodes lossily).
fn json_string_prefix(raw: &str, max: usize) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut end = 1; // after the opening quote
    loop {
        let step = match bytes.get(end) {
            Some(b'\\') if bytes.get(end + 1) == Some(&b'u') => 6,
            Some(b'\\') => 2,
            Some(b'"') | None => break,
            Some(_) => 1,
        };
        // Room for the closing quote within `max`.
        if end + step >= max {
            break;
        }
        end += step;
    }
    while !raw.is_char_boundary(end) {
        end -= 1;
    }
    let mut prefix = raw.get(..end)?.to_owned();
    prefix.push('"');
    Some(prefix)
}

/// An XML document whose root is `<Error>` (after an `<?xml …?>` prolog, if any): the gateway's
/// error, not any markup (an (X)HTML page of a proxy is classed by its status alone).
fn is_xml_error_document(text: &str) -> bool {
    let ascii_space = |c: char| c.is_ascii_whitespace();
    let mut start = text.trim_start_matches(ascii_space);
    if start.starts_with("<?xml") {
        let Some(end) = find_str(start, "?>") else {
            return false;
        };
        start = start.get(end + 2..).unwrap_or_default().trim_start_matches(ascii_space);
    }
    start.starts_with("<Error>") || start.starts_with("<Error ")
}

/// An XML error (`<Error><RequestId>…</RequestId><Code>…</Code><Message>…</Message></Error>`),
/// which the gateway may send and the official SDKs read (through an XML parser): the three
/// fields' text.
fn parse_xml_error(text: &str) -> ErrorBody {
    ErrorBody {
        code: xml_element(text, "<Code>", "</Code>"),
        message: xml_element(text, "<Message>", "</Message>"),
        request_id: xml_element(text, "<RequestId>", "</RequestId>"),
        success: None,
    }
}

/// The element's text, decoded by `xml_text`. It ends at the first closing tag, even one inside a
/// CDATA section (which no error document holds).
fn xml_element(text: &str, open: &str, close: &str) -> Option<String> {
    let rest = text.get(find_str(text, open)? + open.len()..)?;
    let value = xml_text(rest.get(..find_str(rest, close)?)?);
    // XML's white space only: a decoded no-break space is the text's own.
    let value = value.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'));
    (!value.is_empty()).then(|| value.to_owned())
}

/// Element text as an XML parser reads it: line breaks read as LF, the five predefined entities
/// and character references decoded (`&lt;` → `<`, `&#x4E2D;` → `中`, leading zeros and all), a
/// CDATA section taken literally, comments and processing instructions left out. What is
/// not one of those (an unknown entity, a reference to a character XML forbids, a stray `&` or
/// `<`, a section never closed) stays as it is. Linear in the text's length.
fn xml_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    // Once one section of a kind is found unclosed, none after it can close: not searching
    // again keeps a text of many `<![CDATA[` (or `<!--`, `<?`) linear.
    let mut can_close = [true; 3];
    while let Some(at) = rest.bytes().position(|b| b == b'&' || b == b'<') {
        push_line_breaks_as_lf(&mut out, rest.get(..at).unwrap_or_default());
        rest = rest.get(at..).unwrap_or_default();
        let mut used = 1;
        let sections = [("<![CDATA[", "]]>"), ("<!--", "-->"), ("<?", "?>")];
        let section = sections.iter().zip(&mut can_close).find(|((open, _), can)| **can && rest.starts_with(open));
        if let Some(((open, close), can_close)) = section {
            let inside = rest.get(open.len()..).unwrap_or_default();
            match find_str(inside, close) {
                Some(end) => {
                    if *open == "<![CDATA[" {
                        push_line_breaks_as_lf(&mut out, inside.get(..end).unwrap_or_default());
                    }
                    used = open.len() + end + close.len();
                }
                None => *can_close = false,
            }
        } else if rest.starts_with('&') {
            // The name runs to the first byte no name or reference has; a run stops at the next
            // `&`, so a text of many `&` stays linear.
            let name_len = rest.bytes().skip(1).position(|b| !(b.is_ascii_alphanumeric() || b == b'#')).unwrap_or(0);
            let name = rest.get(1..1 + name_len).filter(|_| rest.as_bytes().get(1 + name_len) == Some(&b';'));
            if let Some((name, c)) = name.and_then(|name| Some((name, xml_entity(name)?))) {
                out.push(c);
                used = name.len() + 2;
            }
        }
        if used == 1 {
            out.push_str(rest.get(..1).unwrap_or_default());
        }
        rest = rest.get(used..).unwrap_or_default();
    }
    push_line_breaks_as_lf(&mut out, rest);
    out
}

/// `text` with each CR LF, and each CR alone, as one LF: an XML parser reads a document's line
/// breaks so (XML 1.0 §2.11). A character reference `&#13;` stays a CR.
fn push_line_breaks_as_lf(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(at) = rest.bytes().position(|b| b == b'\r') {
        out.push_str(rest.get(..at).unwrap_or_default());
        out.push('\n');
        rest = rest.get(at + 1..).unwrap_or_default();
        rest = rest.strip_prefix('\n').unwrap_or(rest);
    }
    out.push_str(rest);
}

/// The character an entity's name (between `&` and `;`) stands for, if XML defines it.
fn xml_entity(name: &str) -> Option<char> {
    let (digits, radix) = match name {
        "lt" => return Some('<'),
        "gt" => return Some('>'),
        "amp" => return Some('&'),
        "quot" => return Some('"'),
        "apos" => return Some('\''),
        _ => match name.strip_prefix("#x") {
            Some(hex) => (hex, 16),
            None => (name.strip_prefix('#')?, 10),
        },
    };
    // Digit by digit (`from_str_radix` would take a sign); leading zeros any number of them.
    let code = digits
        .bytes()
        .try_fold(0u32, |code, b| code.checked_mul(radix)?.checked_add(char::from(b).to_digit(radix)?))?;
    // XML's `Char`: no other control character, no surrogate, no U+FFFE or U+FFFF.
    let allowed = matches!(code, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x1_0000..=0x10_FFFF);
    char::from_u32(code).filter(|_| allowed && !digits.is_empty())
}

enum Step {
    Syntax(SyntaxError),
    Invalid(Error),
}

impl From<SyntaxError> for Step {
    fn from(e: SyntaxError) -> Self {
        Step::Syntax(e)
    }
}

impl Step {
    fn into_error(self) -> Error {
        match self {
            Step::Invalid(e) => e,
            Step::Syntax(e) => Error::invalid_response(
                "body",
                format!("the body is not valid JSON: {} at byte {}", e.reason, e.offset),
            ),
        }
    }
}

type StepResult<T> = std::result::Result<T, Step>;

fn invalid(path: String, detail: &str) -> Step {
    Step::Invalid(Error::invalid_response(path, detail))
}

struct Envelope {
    success: Option<bool>,
    /// Whether the body has a `jobs` field at all (`null` counts).
    has_jobs: bool,
    error: ErrorBody,
    /// The body's requestId as a raw JSON string token.
    request_id_token: Option<String>,
}

/// The output under construction: `{"jobs":[…],"requestId":…}`. Jobs come first so they can
/// be written as they are read, whichever order the body has.
struct Writer {
    out: String,
    jobs: usize,
}

impl Writer {
    /// `None` when the room cannot be had (see `out_of_memory`). Each job takes more room as it
    /// needs it, the same way.
    fn with_capacity(body_len: usize) -> Option<Self> {
        let mut out = String::new();
        // Typical answers fit: non-ASCII job names, escaped (see `jobs::push_ascii_token`), make
        // the result of the benchmark's answer 1.33 times its body. Room never written costs
        // no resident memory.
        out.try_reserve(body_len.saturating_add(body_len / 2).saturating_add(64)).ok()?;
        out.push_str("{\"jobs\":[");
        Some(Writer { out, jobs: 0 })
    }

    /// `request_id` is a raw JSON string token, or `None` for null.
    fn finish(mut self, request_id: Option<&str>) -> Option<Normalized> {
        let tail = "],\"requestId\":".len() + request_id.map_or(4, str::len) + 1;
        self.out.try_reserve(tail).ok()?;
        self.out.push_str("],\"requestId\":");
        let request_id_at = self.out.len();
        self.out.push_str(request_id.unwrap_or("null"));
        self.out.push('}');
        Some(Normalized { json: self.out, job_count: self.jobs, request_id_at })
    }
}

/// A header's request id as a JSON string token, ASCII like the rest of the result.
fn request_id_json(header: Option<&str>) -> Option<String> {
    let id = header?;
    let mut out = String::with_capacity(id.len() + 2);
    out.push('"');
    for c in id.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_ascii_control() || !c.is_ascii() => jobs::push_escaped_char(&mut out, c),
            c => out.push(c),
        }
    }
    out.push('"');
    Some(out)
}

fn walk_envelope(scanner: &mut Scanner<'_>, writer: &mut Writer) -> StepResult<Envelope> {
    scanner.expect(b'{', "expected an object")?;
    let mut envelope = Envelope { success: None, has_jobs: false, error: ErrorBody::default(), request_id_token: None };
    let mut request_id_token: Option<String> = None;
    let mut seen: u8 = 0;
    let mut once = |bit: u8, name: &str| -> StepResult<()> {
        if seen & bit != 0 {
            return Err(invalid(name.to_owned(), "the field appears twice"));
        }
        seen |= bit;
        Ok(())
    };
    if !scanner.eat(b'}') {
        loop {
            let key = decode_string(scanner.key()?).unwrap_or(Cow::Borrowed(""));
            match key.as_ref() {
                "jobs" => {
                    once(1, "jobs")?;
                    if !scanner.eat_null() {
                        walk_jobs(scanner, writer, "jobs")?;
                    }
                }
                "requestId" | "RequestId" => {
                    once(2, "requestId")?;
                    match scanner.scalar()? {
                        // `""` names no request: the header's, if any, is the answer's id.
                        Some(Token::String("\"\"")) | Some(Token::Literal("null")) => {}
                        Some(Token::String(raw)) if raw.len() > MAX_SERVER_TEXT_BYTES => {
                            return Err(invalid("requestId".into(), "longer than 1 MiB: no request id is"));
                        }
                        Some(Token::String(raw)) => {
                            let mut token = String::new();
                            token
                                .try_reserve(jobs::ascii_token_bound(raw))
                                .map_err(|_| Step::Invalid(out_of_memory()))?;
                            jobs::push_ascii_token(&mut token, raw);
                            request_id_token = Some(token);
                            envelope.error.request_id = decode_string(raw).map(Cow::into_owned);
                        }
                        _ => return Err(invalid("requestId".into(), "expected a string")),
                    }
                }
                "success" => {
                    once(4, "success")?;
                    match scanner.scalar()? {
                        Some(Token::Literal("true")) => envelope.success = Some(true),
                        Some(Token::Literal("false")) => envelope.success = Some(false),
                        Some(Token::Literal("null")) => {}
                        _ => return Err(invalid("success".into(), "expected true or false")),
                    }
                }
                "errorCode" | "Code" | "errorMessage" | "Message" => {
                    let token = scanner.scalar()?;
                    if token.is_none() {
                        scanner.skip_value()?;
                    }
                    if let Some(Token::String(raw)) = token {
                        // An empty value says nothing: it does not erase an earlier one.
                        let is_code = key.ends_with("ode");
                        let value = server_text(raw, !is_code);
                        let slot = if is_code { &mut envelope.error.code } else { &mut envelope.error.message };
                        if value.is_some() {
                            *slot = value;
                        }
                    }
                }
                _ => scanner.skip_value()?,
            }
            if !scanner.eat(b',') {
                scanner.expect(b'}', "expected ',' or '}' in the object")?;
                break;
            }
        }
    }
    envelope.request_id_token = request_id_token;
    envelope.has_jobs = seen & 1 != 0;
    Ok(envelope)
}

/// Walks the jobs array (in the speed-compiled crate), writing each normalised job.
/// `prefix` is `jobs` or `` (the token API's bare array): refusals name their path under it.
fn walk_jobs(scanner: &mut Scanner<'_>, writer: &mut Writer, prefix: &str) -> StepResult<()> {
    match jobs::walk_jobs(scanner, &mut writer.out) {
        Ok(count) => {
            writer.jobs = count;
            Ok(())
        }
        Err(JobsError::Syntax(e)) => Err(Step::Syntax(e)),
        Err(JobsError::OutOfMemory) => Err(Step::Invalid(out_of_memory())),
        Err(JobsError::Invalid { job: None, reason, .. }) => {
            let path = if prefix.is_empty() { "body" } else { prefix };
            Err(invalid(path.to_owned(), reason))
        }
        Err(JobsError::Invalid { job: Some(index), field, reason }) => {
            let path =
                if field.is_empty() { format!("{prefix}[{index}]") } else { format!("{prefix}[{index}].{field}") };
            Err(invalid(path, reason))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ErrorKind;
    use serde_json::{json, Value};

    fn ok(body: &str) -> Value {
        let n = normalize_success(body.as_bytes(), 200, Some("HDR-1")).unwrap();
        let value: Value = serde_json::from_str(&n.json).unwrap();
        assert_eq!(value["jobs"].as_array().unwrap().len(), n.job_count);
        value
    }

    fn err(body: &[u8]) -> Error {
        normalize_success(body, 200, None).unwrap_err()
    }

    #[test]
    fn the_headers_request_id_is_written_as_a_json_string() {
        let n = normalize_success(br#"{"jobs":[]}"#, 200, Some(r#"a"b\c"#)).unwrap();
        let value: Value = serde_json::from_str(&n.json).unwrap();
        assert_eq!(value, json!({ "jobs": [], "requestId": r#"a"b\c"# }));
    }

    #[test]
    fn a_request_id_null_or_empty_gives_way_to_the_headers_and_twice_is_refused() {
        assert_eq!(ok(r#"{"requestId":null,"jobs":[]}"#)["requestId"], "HDR-1");
        assert_eq!(ok(r#"{"requestId":"","jobs":[]}"#)["requestId"], "HDR-1");
        assert_eq!(err(br#"{"requestId":"A","requestId":"B","jobs":[]}"#).path.as_deref(), Some("requestId"));
    }

    #[test]
    fn an_invalid_answer_names_the_bodys_request_id_before_the_headers() {
        let e = normalize_success(br#"{"requestId":"BODY","jobs":{}}"#, 200, Some("HDR")).unwrap_err();
        assert_eq!(e.request_id.as_deref(), Some("BODY"));
    }

    #[test]
    fn a_last_job_id_that_is_an_object_or_array_is_refused() {
        for body in [
            &br#"{"jobs":[{"identifier":"a","lastJobId":{}}]}"#[..],
            br#"{"jobs":[{"identifier":"a","lastJobId":[1]}]}"#,
        ] {
            assert_eq!(err(body).path.as_deref(), Some("jobs[0].lastJobId"), "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn an_error_bodys_primary_fields_win_over_their_lower_case_echoes() {
        let b =
            parse_error_body(br#"{"Code":"Throttling.User","code":"Other","errorMessage":"real","message":"generic"}"#);
        assert_eq!((b.code.as_deref(), b.message.as_deref()), (Some("Throttling.User"), Some("real")));
    }

    /// The worst case behind the cap on `maxResponseBytes` (src/wasm/options.rs): the smallest
    /// job the API can send grows the most when normalised, and the result of the biggest
    /// allowed body must still fit in one JavaScript string (V8: 0x1fffffe8 UTF-16 units; a
    /// UTF-8 byte count is an upper bound of that).
    #[test]
    fn the_biggest_allowed_body_normalises_to_a_javascript_string() {
        const MAX_RESPONSE_BYTES: usize = 100 << 20;
        const MAX_JS_STRING_UNITS: usize = 0x1fff_ffe8;
        for job in
            [r#"{"identifier":"a"}"#, r#"{"identifier":"a","lastJobId":1}"#, r#"{"identifier":"a","lastJobParams":""}"#]
        {
            let jobs = vec![job; 10_000].join(",");
            for body in [format!("[{jobs}]"), format!(r#"{{"success":true,"jobs":[{jobs}]}}"#)] {
                let out = normalize_success(body.as_bytes(), 200, None).unwrap();
                let ratio = out.json.len() as f64 / body.len() as f64;
                assert!(
                    ratio * (MAX_RESPONSE_BYTES as f64) < MAX_JS_STRING_UNITS as f64 * 0.97,
                    "{job}: ratio {ratio}"
                );
            }
        }
    }

    #[test]
    fn a_duplicated_success_is_refused_whichever_value_comes_last() {
        for body in [
            r#"{"success":true,"success":false,"jobs":[]}"#, r#"{"success":false,"success":true,"jobs":[]}"#,
            r#"{"success":null,"success":false,"jobs":[]}"#, r#"{"success":false,"success":null,"jobs":[]}"#,
        ] {
            let e = err(body.as_bytes());
            assert_eq!((e.kind, e.path.as_deref()), (ErrorKind::InvalidResponse, Some("success")), "{body}");
        }
    }

    #[test]
    fn an_empty_error_code_or_message_does_not_erase_an_earlier_one() {
        let e = err(br#"{"success":false,"errorCode":"InvalidPipeline.NotFound","errorCode":"","errorMessage":"gone","Message":""}"#);
        assert_eq!((e.kind, e.code.as_str()), (ErrorKind::NotFound, "InvalidPipeline.NotFound"));
        assert!(e.message().contains("gone"), "{}", e.message());
    }

    #[test]
    fn a_json_string_prefix_is_cut_outside_escapes_and_characters() {
        let raw = r#""ab\u00e9\n中\ud83d\ude00""#;
        let cuts: Vec<_> = (0..=raw.len()).map(|max| json_string_prefix(raw, max).unwrap()).collect();
        for (max, prefix) in cuts.iter().enumerate() {
            assert!(prefix.len() <= max.max(2), "{max}: {prefix}");
            assert!(decode_string_lossy(prefix).is_some(), "{max}: {prefix}");
        }
        assert_eq!((cuts[9].as_str(), cuts[10].as_str()), (r#""ab""#, r#""ab\u00e9""#));
        assert_eq!(cuts[14], r#""ab\u00e9\n""#, "not into 中");
        assert_eq!(decode_string_lossy(&cuts[23]).unwrap(), "abé\n中\u{FFFD}", "a surrogate pair cut in two");
    }

    #[test]
    fn a_servers_text_past_1_mib_is_cut_if_a_message_and_dropped_if_a_code_or_id() {
        let huge = format!("\"{}\"", "é".repeat(MAX_SERVER_TEXT_BYTES));
        let message = server_text(&huge, true).unwrap();
        assert_eq!(message.len(), MAX_SERVER_TEXT_BYTES - 2, "whole characters, and room for the quotes");
        assert_eq!(server_text(&huge, false), None);
        let body =
            format!(r#"{{"success":false,"Code":{huge},"errorCode":"Kept","Message":{huge},"RequestId":{huge}}}"#);
        let error = parse_error_body(body.as_bytes());
        assert_eq!((error.code.as_deref(), error.request_id), (Some("Kept"), None));
        assert!(error.message.unwrap().starts_with("éé"));
        let e = err(format!(r#"{{"requestId":{huge},"jobs":[]}}"#).as_bytes());
        assert_eq!((e.path.as_deref(), e.detail.as_str()), (Some("requestId"), "longer than 1 MiB: no request id is"));
        let e = err(
            format!(r#"{{"success":false,"errorCode":"Forbidden.AccessDenied","errorMessage":{huge}}}"#).as_bytes()
        );
        assert_eq!(e.kind, ErrorKind::Forbidden);
        assert!(e.detail.len() < MAX_SERVER_TEXT_BYTES, "read up to the cut");
        assert!(e.detail.contains("éé"), "a 2xx's long message is cut, not dropped: {}", &e.detail[..80]);
        // In a 2xx envelope too, a code past 1 MiB is none (it would name a class by a prefix).
        let e = err(format!(r#"{{"success":false,"errorCode":{huge},"errorMessage":"m"}}"#).as_bytes());
        assert_eq!(e.code, "HTTP_200", "{}", e.message());
        let at_limit = format!("\"{}\"", "r".repeat(MAX_SERVER_TEXT_BYTES - 2));
        let ok = normalize_success(format!(r#"{{"requestId":{at_limit},"jobs":[]}}"#).as_bytes(), 200, None).unwrap();
        assert_eq!(
            ok.json.len(),
            r#"{"jobs":[],"requestId":}"#.len() + MAX_SERVER_TEXT_BYTES,
            "a request id of 1 MiB exactly is kept"
        );
    }

    /// An ASCII result is a one-byte JS string (half the memory of a two-byte one): every
    /// non-ASCII character is escaped, to the same strings.
    #[test]
    fn the_result_is_ascii_and_holds_the_same_strings() {
        let body = r#"{"requestId":"请求-é","jobs":[{"jobName":"构建 😀 ü\u00e9","identifier":"id_é","lastJobParams":"{\"分支\":\"主\"}"}]}"#;
        for header in [None, Some("头-😀")] {
            let n = normalize_success(body.as_bytes(), 200, header).unwrap();
            assert!(n.json.is_ascii(), "{}", n.json);
            let value: Value = serde_json::from_str(&n.json).unwrap();
            let job = &value["jobs"][0];
            assert_eq!((job["jobName"].as_str(), job["identifier"].as_str()), (Some("构建 😀 üé"), Some("id_é")));
            assert_eq!(job["lastJobParamsRaw"], r#"{"分支":"主"}"#);
            assert_eq!(value["requestId"], "请求-é");
        }
        let n = normalize_success(br#"{"jobs":[]}"#, 200, Some("头-😀\u{1}\u{7f}")).unwrap();
        assert_eq!(n.json, r#"{"jobs":[],"requestId":"\u5934-\ud83d\ude00\u0001\u007f"}"#);
    }

    #[test]
    fn a_request_id_that_echoes_a_secret_is_redacted() {
        let mut redactor = Redactor::default();
        redactor.add(&crate::core::secret::Secret::new("pt-secret-token"));
        let mut n = normalize_success(br#"{"requestId":"id pt-secret-token","jobs":[]}"#, 200, None).unwrap();
        n.redact_request_id(&redactor);
        assert_eq!(n.json, r#"{"jobs":[],"requestId":"id [REDACTED]"}"#);
        let mut plain = normalize_success(br#"{"requestId":"R-1","jobs":[]}"#, 200, None).unwrap();
        plain.redact_request_id(&redactor);
        assert_eq!(plain.json, r#"{"jobs":[],"requestId":"R-1"}"#);
        // A lone surrogate escape beside the secret: the id is rewritten, the surrogate as U+FFFD.
        let mut lone = normalize_success(br#"{"requestId":"\ud800 pt-secret-token","jobs":[]}"#, 200, None).unwrap();
        lone.redact_request_id(&redactor);
        assert_eq!(lone.json, r#"{"jobs":[],"requestId":"\ufffd [REDACTED]"}"#);
        let mut none = normalize_success(br#"{"jobs":[]}"#, 200, None).unwrap();
        none.redact_request_id(&redactor);
        assert_eq!(none.json, r#"{"jobs":[],"requestId":null}"#);
    }

    #[test]
    fn envelope_is_normalised_in_order() {
        let v = ok(r#"{"requestId":"R1","success":true,"errorCode":"","jobs":[
            {"jobName":"构建","identifier":"a","lastJobId":123,"lastJobParams":"{\"x\":1}","extra":[1]},
            {"identifier":"b","lastJobId":"9007199254740991","lastJobParams":""},
            {"identifier":"c","lastJobId":null,"lastJobParams":"not json"},
            {"identifier":"d","lastJobParams":"[1]"}]}"#);
        assert_eq!(
            v,
            json!({"requestId":"R1","jobs":[
                {"jobName":"构建","identifier":"a","lastJobId":123,"lastJobParams":null,"lastJobParamsRaw":"{\"x\":1}"},
                {"jobName":"","identifier":"b","lastJobId":9007199254740991u64,"lastJobParams":null,"lastJobParamsRaw":""},
                {"jobName":"","identifier":"c","lastJobId":null,"lastJobParams":null,"lastJobParamsRaw":"not json"},
                {"jobName":"","identifier":"d","lastJobId":null,"lastJobParams":null,"lastJobParamsRaw":"[1]"}]})
        );
    }

    #[test]
    fn request_id_after_jobs_and_from_header() {
        let v = ok(r#"{"jobs":[{"identifier":"a"}],"requestId":"LATE"}"#);
        assert_eq!(v["requestId"], "LATE");
        assert_eq!(v["jobs"][0]["identifier"], "a");
        assert_eq!(ok(r#"{"success":true}"#), json!({"requestId":"HDR-1","jobs":[]}));
        assert_eq!(ok(r#"{"jobs":null}"#)["jobs"], json!([]));
    }

    #[test]
    fn bare_array_from_the_token_api() {
        let v = ok(r#"[{"identifier":"a","jobName":"n","lastJobId":1,"lastJobParams":"{}"}]"#);
        assert_eq!(v["requestId"], "HDR-1");
        assert_eq!(v["jobs"][0]["lastJobId"], 1);
        let e = normalize_success(br#"[{"identifier":"a","lastJobId":-1}]"#, 200, None).unwrap_err();
        assert_eq!(e.path.as_deref(), Some("[0].lastJobId"));
    }

    #[test]
    fn bad_fields_name_their_path() {
        let cases: &[(&str, &str)] = &[
            (
                r#"{"jobs":[{"identifier":"a"},{"identifier":"b"},{"identifier":"c"},{"identifier":"d","lastJobId":9007199254740992}]}"#,
                "jobs[3].lastJobId",
            ),
            (r#"{"jobs":[{"identifier":"a","lastJobId":1.5}]}"#, "jobs[0].lastJobId"),
            (r#"{"jobs":[{"identifier":"a","lastJobId":"12a"}]}"#, "jobs[0].lastJobId"),
            (r#"{"jobs":[{"identifier":"a","lastJobId":-3}]}"#, "jobs[0].lastJobId"),
            (r#"{"jobs":[{"identifier":"a","lastJobId":true}]}"#, "jobs[0].lastJobId"),
            (r#"{"jobs":[{"identifier":"a","lastJobId":99999999999999999999999}]}"#, "jobs[0].lastJobId"),
            (r#"{"jobs":[{"identifier":""}]}"#, "jobs[0].identifier"),
            (r#"{"jobs":[{"jobName":"x"}]}"#, "jobs[0].identifier"),
            (r#"{"jobs":[{"identifier":null}]}"#, "jobs[0].identifier"),
            (r#"{"jobs":[{"identifier":"a","jobName":5}]}"#, "jobs[0].jobName"),
            (r#"{"jobs":[{"identifier":"a","lastJobParams":{}}]}"#, "jobs[0].lastJobParams"),
            (r#"{"jobs":[{"identifier":"a","identifier":"b"}]}"#, "jobs[0].identifier"),
            (r#"{"jobs":[7]}"#, "jobs[0]"),
            (r#"{"jobs":{}}"#, "jobs"),
            (r#"{"jobs":[],"jobs":[]}"#, "jobs"),
            (r#"{"requestId":1}"#, "requestId"),
            (r#"{"jobs":[{"identifier":"a"}"#, "body"),
            (r#"<html>502</html>"#, "body"),
            (r#""text""#, "body"),
            ("", "body"),
        ];
        for (body, path) in cases {
            let e = err(body.as_bytes());
            assert_eq!(e.kind, ErrorKind::InvalidResponse, "{body}");
            assert_eq!(e.path.as_deref(), Some(*path), "{body}: {}", e.message());
        }
    }

    #[test]
    fn invalid_utf8_is_an_invalid_response() {
        let e = err(b"{\"jobs\":[{\"identifier\":\"\xff\"}]}");
        assert_eq!(e.kind, ErrorKind::InvalidResponse);
        assert!(e.message().contains("the body is not valid UTF-8 (at byte 24)"), "{}", e.message());
        // Counted in the body as sent: a byte order mark before it counts too.
        let e = err(b"\xef\xbb\xbf{\"jobs\":[{\"identifier\":\"\xff\"}]}");
        assert!(e.message().contains("the body is not valid UTF-8 (at byte 27)"), "{}", e.message());
    }

    #[test]
    fn early_failures_keep_the_header_request_id() {
        for body in [&b""[..], b"  ", b"\xff"] {
            let e = normalize_success(body, 200, Some("HDR-2")).unwrap_err();
            assert_eq!(e.request_id.as_deref(), Some("HDR-2"));
        }
        assert!(err(b" \r\n").message().contains("the body is empty"));
    }

    #[test]
    fn success_false_without_a_code_says_so() {
        let e = err(br#"{"requestId":"R8","success":false,"jobs":[]}"#);
        assert!(e.message().contains("reported a failure without an error code"), "{}", e.message());
        // Its code under the lower-case name is read, as in an error status's body.
        let e = err(br#"{"success":false,"code":"Throttling.User","message":"slow down"}"#);
        assert_eq!(
            (e.kind, e.code.as_str(), e.detail.as_str()),
            (ErrorKind::Throttling, "Throttling.User", "slow down")
        );
        assert_eq!(
            err(br#"{"success":false,"errorCode":"Forbidden.AccessDenied","code":"Other"}"#).code,
            "Forbidden.AccessDenied"
        );
    }

    #[test]
    fn an_error_body_must_be_an_object() {
        for body in [&br#""errorCode":"X"}"#[..], br#"errorCode":"X"}"#, b"{}"] {
            assert_eq!(parse_error_body(body).code, None, "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn success_false_is_the_reported_error() {
        let e = err(br#"{"requestId":"R9","success":false,"errorCode":"InvalidPipeline.NotFound","errorMessage":"no such pipeline","jobs":[{"lastJobId":"x"}]}"#);
        assert_eq!((e.kind, e.code.as_str(), e.status), (ErrorKind::NotFound, "InvalidPipeline.NotFound", 200));
        assert_eq!(e.request_id.as_deref(), Some("R9"));
        let e = err(br#"{"success":false,"Code":"Throttling.User"}"#);
        assert_eq!(e.kind, ErrorKind::Throttling);
    }

    #[test]
    fn an_error_code_without_success_true_is_the_reported_error() {
        // The token API's errors have no `success` field, even when a proxy answers 200.
        let e = err(br#"{"errorCode":"Forbidden.NoPermission","errorMessage":"no permission"}"#);
        assert_eq!((e.kind, e.code.as_str(), e.status), (ErrorKind::Forbidden, "Forbidden.NoPermission", 200));
        let e = err(br#"{"Code":"ServiceUnavailable","RequestId":"R1","jobs":[]}"#);
        assert_eq!((e.kind, e.request_id.as_deref()), (ErrorKind::Server, Some("R1")));
        // An empty code is no error; `success: true` wins over a stray code.
        assert_eq!(ok(r#"{"success":true,"errorCode":"","jobs":[]}"#)["jobs"], json!([]));
        assert_eq!(ok(r#"{"success":true,"errorCode":"Odd"}"#)["jobs"], json!([]));
    }

    #[test]
    fn a_200_error_body_is_read_as_an_error_status_body_is() {
        let e = err(br#"{"code":"Throttling.User","message":"slow down"}"#);
        assert_eq!(
            (e.kind, e.code.as_str(), e.detail.as_str()),
            (ErrorKind::Throttling, "Throttling.User", "slow down")
        );
        let e = err(br#"{"errorCode":"Unauthorized","errorDescription":"bad token"}"#);
        assert_eq!((e.kind, e.detail.as_str()), (ErrorKind::Authentication, "bad token"));
        // A lower-case code beside jobs is data, not an error.
        assert_eq!(ok(r#"{"code":"OK","jobs":[]}"#)["jobs"], json!([]));
        // Not JSON: `falsey` is no `false`.
        for body in [
            &br#"{"success":falsey,"jobs":[]}"#[..],
            br#"{"success":false_}"#,
            br#"{"success":false$}"#,
            br#"{"success":false-1}"#,
        ] {
            assert_eq!(err(body).kind, ErrorKind::InvalidResponse, "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn an_answer_that_says_nothing_about_jobs_is_invalid() {
        for body in [&br#"{}"#[..], br#"{"requestId":"R2"}"#, br#"{"success":null}"#, br#"{"errorCode":""}"#] {
            let e = err(body);
            assert_eq!(
                (e.kind, e.path.as_deref()),
                (ErrorKind::InvalidResponse, Some("jobs")),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        assert_eq!(err(br#"{"requestId":"R2"}"#).request_id.as_deref(), Some("R2"));
        // `jobs: null` and `success: true` alone still mean "no jobs".
        assert_eq!(ok(r#"{"jobs":null}"#)["jobs"], json!([]));
        assert_eq!(ok(r#"{"success":true}"#)["jobs"], json!([]));
    }

    #[test]
    fn a_byte_order_mark_is_skipped_as_fetch_json_does() {
        let body = b"\xEF\xBB\xBF{\"requestId\":\"R\",\"success\":true,\"jobs\":[{\"identifier\":\"a\"}]}";
        assert_eq!(normalize_success(body, 200, None).unwrap().job_count, 1);
        assert_eq!(parse_error_body(b"\xEF\xBB\xBF{\"Code\":\"X\"}").code.as_deref(), Some("X"));
        // Only one, and only at the start.
        assert_eq!(err(b"\xEF\xBB\xBF\xEF\xBB\xBF{}").kind, ErrorKind::InvalidResponse);
    }

    #[test]
    fn success_null_is_no_verdict() {
        // Before, `null` read as `false`: a malformed answer became BadRequest HTTP_200.
        let e = err(br#"{"success":null,"jobs":{}}"#);
        assert_eq!((e.kind, e.path.as_deref()), (ErrorKind::InvalidResponse, Some("jobs")));
        assert_eq!(parse_error_body(br#"{"success":null}"#).success, None);
        assert_eq!(parse_error_body(br#"{"success":false}"#).success, Some(false));
    }

    #[test]
    fn prototype_keys_stay_data() {
        let v = ok(
            r#"{"__proto__":{"x":1},"jobs":[{"__proto__":1,"constructor":2,"identifier":"a","lastJobParams":"{\"__proto__\":{\"polluted\":true}}"}]}"#,
        );
        assert_eq!(v["jobs"][0]["lastJobParamsRaw"], "{\"__proto__\":{\"polluted\":true}}");
    }

    #[test]
    fn deeply_nested_params_and_unknown_fields() {
        let depth = 200_000;
        let params = format!("{}1{}", "{\\\"a\\\":".repeat(depth), "}".repeat(depth));
        let unknown = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let body = format!(r#"{{"x":{unknown},"jobs":[{{"identifier":"a","lastJobParams":"{params}"}}]}}"#);
        let n = normalize_success(body.as_bytes(), 200, None).unwrap();
        assert!(n.json.contains("\"lastJobParamsRaw\":\"{\\\"a\\\":{\\\"a\\\":"), "{}", &n.json[..200]);
    }

    #[test]
    fn params_text_is_copied_raw_escapes_and_all() {
        let body = r#"{"jobs":[{"identifier":"a","lastJobParams":"{\"k\":\"\ud800\u00e9\"}"}]}"#;
        let n = normalize_success(body.as_bytes(), 200, None).unwrap();
        assert!(n.json.contains(r#""lastJobParams":null,"lastJobParamsRaw":"{\"k\":\"\ud800\u00e9\"}""#), "{}", n.json);
    }

    #[test]
    fn a_body_ends_inside_its_json_when_its_bytes_run_out_first() {
        for body in [
            &br#"{"jobs":[{"identifier":"a""#[..],
            br#"{"jobs":[{"identifier":"a"}"#,
            br#"{"jobs":[{"identifier":"a","lastJobId":12"#,
            br#"{"jobs":[{"identifier":"a\"#,
            br#"{"jobs":"#,
            // Cut inside a literal or a \u escape: the scanner stops where the token starts.
            br#"{"jobs":[{"identifier":"a","lastJobId":nu"#,
            br#"{"success":tr"#,
            br#"{"jobs":[{"identifier":"a","jobName":"\u67"#,
            br#"{"jobs":[{"identifier":"a","jobName":"\u"#,
            b"\xEF\xBB\xBF[  ",
            "{\"jobs\":[{\"jobName\":\"构".as_bytes(),
            // Cut inside a character's UTF-8 (构 is E6 9E 84).
            b"{\"jobs\":[{\"jobName\":\"\xE6\x9E",
        ] {
            assert!(ends_inside_json(body), "{}", String::from_utf8_lossy(body));
        }
        for body in [
            &b""[..],
            b"   ",
            b"\xEF\xBB\xBF",
            br#"{"jobs":[]}"#,
            br#"{"jobs":[}"#,
            br#"{"jobs":[]} {"#,
            b"<html>",
            // A literal or escape that is wrong, not cut short.
            br#"{"success":tru "#,
            br#"{"success":nul}"#,
            br#"{"success":u"#,
            br#"{"success":xyz"#,
            br#"{"jobName":"\u67g"#,
            br#"{"jobName":"\u12 "#,
            // Invalid UTF-8 that is not a cut character, and a cut character after the value.
            b"{\"jobs\":[\xFF",
            b"{\"jobs\":[]}\xE6\x9E",
            b"\xE6",
        ] {
            assert!(!ends_inside_json(body), "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn error_bodies_are_read_leniently() {
        let b = parse_error_body(br#"{"RequestId":"R","Code":"SignatureDoesNotMatch","Message":"m","HostId":"h"}"#);
        assert_eq!(b.code.as_deref(), Some("SignatureDoesNotMatch"));
        assert_eq!(b.request_id.as_deref(), Some("R"));
        let b = parse_error_body(br#"{"errorCode":"Unauthorized","errorDescription":"bad token"}"#);
        assert_eq!((b.code.as_deref(), b.message.as_deref()), (Some("Unauthorized"), Some("bad token")));
        assert_eq!(parse_error_body(b"<html>"), ErrorBody::default());
        let b = parse_error_body(br#"{"errorCode":"X","junk"#);
        assert_eq!(b.code.as_deref(), Some("X"));
        let b = parse_error_body(br#"{"requestid":"r-lower","code":"X"}"#);
        assert_eq!(b.request_id.as_deref(), Some("r-lower"));
        for body in [&br#"{"requestid":"r-lower","RequestId":"R"}"#[..], br#"{"RequestId":"R","requestid":"r-lower"}"#]
        {
            assert_eq!(parse_error_body(body).request_id.as_deref(), Some("R"));
        }
    }

    #[test]
    fn xml_error_bodies_are_read_as_the_official_sdks_read_them() {
        let xml = b"\n <?xml version='1.0' encoding='UTF-8'?><Error><RequestId>R-X</RequestId><HostId>h</HostId>\
            <Code> SignatureDoesNotMatch </Code><Message>a &lt;b&gt; 'c'</Message></Error>";
        let b = parse_error_body(xml);
        assert_eq!(b.code.as_deref(), Some("SignatureDoesNotMatch"));
        assert_eq!(b.message.as_deref(), Some("a <b> 'c'"));
        assert_eq!(b.request_id.as_deref(), Some("R-X"));
        // Unclosed, empty or absent elements name nothing; an HTML page is no error body.
        assert_eq!(parse_error_body(b"<Error><Code>X"), ErrorBody::default());
        assert_eq!(parse_error_body(b"<Error><Code>X</Code></Error>").code.as_deref(), Some("X"));
        assert_eq!(parse_error_body(b"<Error><Code></Code></Error>"), ErrorBody::default());
        assert_eq!(parse_error_body(b"<html><body>502 Bad Gateway</body></html>"), ErrorBody::default());
        // Markup that is no XML error document names nothing, whatever elements it holds.
        assert_eq!(
            parse_error_body(b"<!DOCTYPE html><html><Code>SignatureDoesNotMatch</Code></html>"),
            ErrorBody::default()
        );
        let xhtml = b"<?xml version=\"1.0\"?>\n<!DOCTYPE html><html><Code>InvalidPipeline.NotFound</Code></html>";
        assert_eq!(parse_error_body(xhtml), ErrorBody::default());
        // A root with attributes (a namespace) is still the error document.
        let b = parse_error_body(b"<Error xmlns=\"http://example.com/doc\"><Code>AccessDenied</Code></Error>");
        assert_eq!(b.code.as_deref(), Some("AccessDenied"));
    }

    #[test]
    fn xml_text_is_decoded_as_an_xml_parser_decodes_it() {
        // The cases the signing proxy's mirror of this reader is held to as well.
        let doc: serde_json::Value = serde_json::from_str(include_str!("../../tests/fixtures/xml-text.json")).unwrap();
        for case in doc["cases"].as_array().unwrap() {
            let (raw, read) = (case[0].as_str().unwrap(), case[1].as_str().unwrap());
            assert_eq!(xml_text(raw), read, "{raw:?}");
        }
        // Through the error document: only XML's white space is trimmed, and text of nothing
        // else is none.
        let message = |inner: &str| {
            let body = format!("<Error><Code>X</Code><Message>{inner}</Message></Error>");
            parse_error_body(body.as_bytes()).message
        };
        assert_eq!(message("&quot;a&quot; &amp;&amp; &apos;b&apos;").as_deref(), Some("\"a\" && 'b'"));
        assert_eq!(message("  &#32;&#32;  ").as_deref(), None);
        assert_eq!(message("&#9;&#xA0;x&#160;\u{a0}").as_deref(), Some("\u{a0}x\u{a0}\u{a0}"));
        // Unclosed CDATA sections, many of them: kept, and read in linear time (a search for
        // `]]>` from each of them took seconds here).
        let unclosed = "<![CDATA[".repeat(20_000);
        assert_eq!(message(&format!("{unclosed}&lt;")), Some(format!("{unclosed}<")));
        // Unclosed comments and processing instructions stay, in linear time too.
        let unclosed = "<!--<?".repeat(20_000);
        assert_eq!(message(&format!("{unclosed}&lt;")), Some(format!("{unclosed}<")));
    }

    #[test]
    fn an_empty_request_id_in_the_body_gives_way_to_the_header() {
        let n = normalize_success(br#"{"requestId":"","jobs":[]}"#, 200, Some("HDR")).unwrap();
        assert_eq!(n.json, r#"{"jobs":[],"requestId":"HDR"}"#);
        let n = normalize_success(br#"{"requestId":"","jobs":[]}"#, 200, None).unwrap();
        assert_eq!(n.json, r#"{"jobs":[],"requestId":null}"#);
    }

    #[test]
    fn trailing_data_after_the_answer_is_refused() {
        for body in [&br#"{"jobs":[]} x"#[..], b"[] []", br#"{"success":true}}"#] {
            assert_eq!(err(body).path.as_deref(), Some("body"), "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn an_error_code_or_message_that_is_a_container_is_skipped() {
        assert_eq!(ok(r#"{"errorCode":{"x":1},"Message":[2],"jobs":[]}"#)["jobs"], json!([]));
    }

    #[test]
    fn jobs_that_only_start_with_null_are_no_null() {
        assert_eq!(err(br#"{"jobs":nullx}"#).path.as_deref(), Some("jobs"));
    }
}
