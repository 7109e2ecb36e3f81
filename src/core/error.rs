//! The one error type of the crate, and how a server answer is classified into it.
//! The `wasm` layer turns it into the matching JS class in exactly one place.

use super::codes;
use super::encode::find_str;
use super::secret::REDACTED;
use std::fmt;

/// Which exception class a failure becomes. The names are the JS class names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    InvalidArgument,
    Authentication,
    Forbidden,
    NotFound,
    BadRequest,
    Throttling,
    Server,
    Network,
    Timeout,
    InvalidResponse,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 10] = [
        ErrorKind::InvalidArgument,
        ErrorKind::Authentication,
        ErrorKind::Forbidden,
        ErrorKind::NotFound,
        ErrorKind::BadRequest,
        ErrorKind::Throttling,
        ErrorKind::Server,
        ErrorKind::Network,
        ErrorKind::Timeout,
        ErrorKind::InvalidResponse,
    ];

    pub fn class_name(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "InvalidArgumentError",
            ErrorKind::Authentication => "AuthenticationError",
            ErrorKind::Forbidden => "ForbiddenError",
            ErrorKind::NotFound => "NotFoundError",
            ErrorKind::BadRequest => "BadRequestError",
            ErrorKind::Throttling => "ThrottlingError",
            ErrorKind::Server => "ServerError",
            ErrorKind::Network => "NetworkError",
            ErrorKind::Timeout => "TimeoutError",
            ErrorKind::InvalidResponse => "InvalidResponseError",
        }
    }

    /// Whether trying again may help: the network, a timeout, throttling and 5xx.
    pub fn retryable(self) -> bool {
        matches!(self, ErrorKind::Throttling | ErrorKind::Server | ErrorKind::Network | ErrorKind::Timeout)
    }
}

/// A failed call. Every text in it is free of secrets (see `secret::Redactor`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    /// The API's `errorCode` (or POP `Code`); for failures without one: `InvalidArgument`,
    /// `NetworkError`, `Timeout`, `InvalidResponse`, or `HTTP_<status>`.
    pub code: String,
    /// HTTP status of the response; 0 when there was none.
    pub status: u16,
    pub request_id: Option<String>,
    /// What went wrong, without the code and request id (`message()` adds them).
    pub detail: String,
    /// For `InvalidResponse`: where in the body, e.g. `jobs[3].lastJobId`.
    pub path: Option<String>,
    /// For what is retried after an answer (throttling, 5xx, a 408): how long it asked us to wait.
    pub retry_after_ms: Option<u64>,
    /// How many requests were sent for this call (0 for bad arguments).
    pub attempts: u32,
    /// For `InvalidArgument`: the argument or option refused (`pipelineId`, `endpoint`), when
    /// one is to blame. JS reads this, never the message's wording.
    pub argument: Option<&'static str>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    fn new(kind: ErrorKind, code: impl Into<String>, detail: impl Into<String>) -> Self {
        Error {
            kind,
            code: code.into(),
            status: 0,
            request_id: None,
            detail: detail.into(),
            path: None,
            retry_after_ms: None,
            attempts: 0,
            argument: None,
        }
    }

    pub fn invalid_argument(detail: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidArgument, "InvalidArgument", detail)
    }

    /// A refused argument or option, named first in the message: `pipelineId must not be empty`.
    pub fn invalid_option(argument: &'static str, problem: &str) -> Self {
        Error::invalid_argument(format!("{argument} {problem}")).blaming(argument)
    }

    /// Names the argument or option this refusal is about.
    pub fn blaming(mut self, argument: &'static str) -> Self {
        self.argument = Some(argument);
        self
    }

    pub fn network(detail: impl Into<String>) -> Self {
        Error::new(ErrorKind::Network, "NetworkError", detail)
    }

    pub fn timeout(detail: impl Into<String>) -> Self {
        Error::new(ErrorKind::Timeout, "Timeout", detail)
    }

    pub fn invalid_response(path: impl Into<String>, detail: impl Into<String>) -> Self {
        let mut err = Error::new(ErrorKind::InvalidResponse, "InvalidResponse", detail);
        err.path = Some(path.into());
        err
    }

    /// An error answer from the server, classified by its code first and its status second.
    pub fn from_api(status: u16, code: Option<&str>, server_message: Option<&str>) -> Self {
        let kind = classify(status, code);
        let code = match code {
            Some(code) if !code.is_empty() => code.to_owned(),
            _ => format!("HTTP_{status}"),
        };
        let detail = match server_message.map(str::trim).filter(|m| !m.is_empty()) {
            Some(message) => message.to_owned(),
            None => {
                codes::describe(&code).map(|info| info.en.to_owned()).unwrap_or_else(|| default_detail(kind, status))
            }
        };
        let mut err = Error::new(kind, code, detail);
        err.status = status;
        err
    }

    pub fn retryable(&self) -> bool {
        self.kind.retryable()
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        if self.request_id.is_none() {
            self.request_id = request_id;
        }
        self
    }

    /// The English message: `Code: detail (HTTP 404, request id ABC)`.
    pub fn message(&self) -> String {
        // The code and request id are the server's text too: cut like its message.
        let mut out = format!("{}: {}", shortened(self.code.clone()), self.detail);
        let mut facts = Vec::new();
        if self.status != 0 {
            facts.push(format!("HTTP {}", self.status));
        }
        if let Some(path) = &self.path {
            facts.push(format!("at {path}"));
        }
        if let Some(id) = &self.request_id {
            facts.push(format!("request id {}", shortened(id.clone())));
        }
        if self.attempts > 1 {
            facts.push(format!("after {} attempts", self.attempts));
        }
        if !facts.is_empty() {
            out.push_str(" (");
            out.push_str(&super::encode::join(&facts, ", "));
            out.push(')');
        }
        out
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.class_name(), self.message())
    }
}

impl std::error::Error for Error {}

fn default_detail(kind: ErrorKind, status: u16) -> String {
    match kind {
        ErrorKind::Server => format!("the server failed with HTTP {status}"),
        ErrorKind::Throttling => "too many requests".to_owned(),
        ErrorKind::Authentication => "the credentials were not accepted".to_owned(),
        ErrorKind::Forbidden => "not allowed".to_owned(),
        ErrorKind::NotFound => "not found".to_owned(),
        ErrorKind::Timeout => "the server timed out waiting for the request".to_owned(),
        // `success: false` with no code: the status says nothing either.
        ErrorKind::BadRequest if (200..300).contains(&status) => {
            "the answer reported a failure without an error code".to_owned()
        }
        _ => format!("the request failed with HTTP {status}"),
    }
}

/// Classification: by the API's code first, then by the HTTP status.
pub fn classify(status: u16, code: Option<&str>) -> ErrorKind {
    if let Some(kind) = code.and_then(classify_code) {
        return kind;
    }
    match status {
        401 => ErrorKind::Authentication,
        403 => ErrorKind::Forbidden,
        404 => ErrorKind::NotFound,
        // The server (or a proxy) gave up waiting for the request: sending it again may work.
        408 => ErrorKind::Timeout,
        429 => ErrorKind::Throttling,
        500..=599 => ErrorKind::Server,
        _ => ErrorKind::BadRequest,
    }
}

fn classify_code(code: &str) -> Option<ErrorKind> {
    let authentication = code.starts_with("InvalidAccessKeyId")
        || code.starts_with("InvalidSecurityToken")
        || code.starts_with("InvalidTimeStamp")
        || matches!(code, "SignatureDoesNotMatch" | "IncompleteSignature" | "SignatureNonceUsed" | "Unauthorized");
    if authentication {
        return Some(ErrorKind::Authentication);
    }
    if code.starts_with("Forbidden") || code == "InvalidUser.UserNotInCurrentOrganization" {
        return Some(ErrorKind::Forbidden);
    }
    if code.starts_with("Throttling") {
        return Some(ErrorKind::Throttling);
    }
    if codes::is_source_not_found(code) {
        return Some(ErrorKind::NotFound);
    }
    if codes::is_source_bad_request(code) {
        return Some(ErrorKind::BadRequest);
    }
    if matches!(code, "ServiceUnavailable" | "InternalError" | "InternalServerError" | "UnknownError")
        || code.starts_with("ServiceUnavailable")
    {
        return Some(ErrorKind::Server);
    }
    None
}

/// The most characters of a server's text in a message: a message of megabytes (a proxy's
/// page in `Message`) must not become an `error.message` of megabytes in every log line.
pub(crate) const MAX_SERVER_TEXT_CHARS: usize = 2_000;
pub(crate) const CUT_MARK: &str = "… (cut after 2,000 characters)";

/// The text cut after MAX_SERVER_TEXT_CHARS characters and marked as cut, unless the cut
/// would save less than the mark's own length. A redaction mark the cut would split is kept
/// whole.
pub(crate) fn shortened(text: String) -> String {
    // One plain loop: `nth`, `count` and the panicking `split_at` each bring their own code
    // (their fast paths, or 4 KB of panic formatting) into the wasm.
    let (mut chars, mut cut) = (0usize, text.len());
    for (at, _) in text.char_indices() {
        if chars == MAX_SERVER_TEXT_CHARS {
            cut = at;
        }
        chars += 1;
    }
    if chars <= MAX_SERVER_TEXT_CHARS + CUT_MARK.chars().count() {
        return text;
    }
    // A mark that starts less than its length before the cut runs past it: cut after it.
    let mut before = cut.saturating_sub(REDACTED.len() - 1);
    let mut end = (cut + REDACTED.len()).min(text.len());
    while !text.is_char_boundary(before) {
        before -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let window = text.get(before..end).unwrap_or_default();
    if let Some(start) = find_str(window, REDACTED).map(|at| before + at).filter(|&start| start < cut) {
        cut = start + REDACTED.len();
    }
    match text.get(..cut) {
        Some(kept) => format!("{kept}{CUT_MARK}"),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_of_the_source_table_has_its_class() {
        for info in codes::SOURCE_TABLE {
            let expected = match (info.code, info.http_status) {
                ("InvalidUser.UserNotInCurrentOrganization", _) => ErrorKind::Forbidden,
                (_, 400) => ErrorKind::BadRequest,
                (_, 403) => ErrorKind::Forbidden,
                (_, 404) => ErrorKind::NotFound,
                _ => unreachable!(),
            };
            assert_eq!(classify(info.http_status, Some(info.code)), expected, "{}", info.code);
            // The code decides, whatever status carries it (e.g. a 200 with success:false).
            assert_eq!(classify(200, Some(info.code)), expected, "{} on 200", info.code);
        }
    }

    #[test]
    fn gateway_codes_beat_their_status() {
        assert_eq!(classify(404, Some("InvalidAccessKeyId.NotFound")), ErrorKind::Authentication);
        assert_eq!(classify(400, Some("SignatureDoesNotMatch")), ErrorKind::Authentication);
        assert_eq!(classify(400, Some("IncompleteSignature")), ErrorKind::Authentication);
        assert_eq!(classify(400, Some("InvalidSecurityToken.Expired")), ErrorKind::Authentication);
        assert_eq!(classify(400, Some("Throttling.User")), ErrorKind::Throttling);
        assert_eq!(classify(400, Some("Throttling")), ErrorKind::Throttling);
        assert_eq!(classify(200, Some("ServiceUnavailable")), ErrorKind::Server);
        assert_eq!(classify(400, Some("Forbidden.Whatever")), ErrorKind::Forbidden);
    }

    #[test]
    fn unknown_codes_fall_back_to_the_status() {
        assert_eq!(classify(401, None), ErrorKind::Authentication);
        assert_eq!(classify(403, Some("Nope")), ErrorKind::Forbidden);
        assert_eq!(classify(404, None), ErrorKind::NotFound);
        assert_eq!(classify(429, None), ErrorKind::Throttling);
        assert_eq!(classify(408, None), ErrorKind::Timeout);
        assert_eq!(classify(408, Some("Throttling.User")), ErrorKind::Throttling);
        assert_eq!(classify(418, Some("Teapot")), ErrorKind::BadRequest);
        assert_eq!(classify(400, None), ErrorKind::BadRequest);
        assert_eq!(classify(500, None), ErrorKind::Server);
        assert_eq!(classify(502, Some("Weird")), ErrorKind::Server);
        assert_eq!(classify(599, None), ErrorKind::Server);
        assert_eq!(classify(200, Some("SomethingNew")), ErrorKind::BadRequest);
    }

    #[test]
    fn retryable_kinds() {
        let retryable: Vec<_> = ErrorKind::ALL.iter().filter(|k| k.retryable()).collect();
        assert_eq!(retryable, [&ErrorKind::Throttling, &ErrorKind::Server, &ErrorKind::Network, &ErrorKind::Timeout]);
    }

    #[test]
    fn a_long_code_and_request_id_are_cut_in_the_message_but_kept_whole_as_properties() {
        let code = "C".repeat(100_000);
        let id = "R".repeat(100_000);
        let err = Error::from_api(400, Some(&code), Some("m")).with_request_id(Some(id.clone()));
        let cut = |text: &str| format!("{}{CUT_MARK}", &text[..MAX_SERVER_TEXT_CHARS]);
        assert_eq!(err.message(), format!("{}: m (HTTP 400, request id {})", cut(&code), cut(&id)));
        assert_eq!((err.code.len(), err.request_id.map(|id| id.len())), (100_000, Some(100_000)));
    }

    #[test]
    fn a_success_status_that_reports_failure_without_a_code_says_so() {
        let err = Error::from_api(200, None, None);
        assert_eq!((err.kind, err.code.as_str()), (ErrorKind::BadRequest, "HTTP_200"));
        assert_eq!(err.message(), "HTTP_200: the answer reported a failure without an error code (HTTP 200)");
        for status in [201, 299] {
            assert!(Error::from_api(status, None, None).detail.contains("without an error code"), "{status}");
        }
        assert_eq!(Error::from_api(300, None, None).detail, "the request failed with HTTP 300");
    }

    #[test]
    fn message_carries_code_status_and_request_id() {
        let err = Error::from_api(404, Some("InvalidPipeline.NotFound"), Some("The pipeline is not found."))
            .with_request_id(Some("REQ-1".into()));
        assert_eq!(err.message(), "InvalidPipeline.NotFound: The pipeline is not found. (HTTP 404, request id REQ-1)");
        assert_eq!(err.kind.class_name(), "NotFoundError");
    }

    #[test]
    fn a_cut_falls_between_characters_and_keeps_a_redaction_mark_whole() {
        // Two- and three-byte characters: the window around the cut starts, or ends, inside one.
        for c in ["é", "中"] {
            let cut = shortened(c.repeat(3_000));
            assert_eq!(cut, format!("{}{CUT_MARK}", c.repeat(MAX_SERVER_TEXT_CHARS)));
        }
        let with_mark_at = |at: usize| format!("{}{REDACTED}{}", "x".repeat(at), "y".repeat(3_000));
        let kept = |at: usize| shortened(with_mark_at(at)).strip_suffix(CUT_MARK).map(str::to_owned);
        assert_eq!(kept(1_989).as_deref(), Some(&with_mark_at(1_989)[..2_000]), "ends before the cut");
        assert_eq!(kept(1_999).as_deref(), Some(&with_mark_at(1_999)[..2_009]), "across the cut: kept whole");
        assert_eq!(kept(2_000).as_deref(), Some(&with_mark_at(2_000)[..2_000]), "from the cut on: left out");
    }

    #[test]
    fn server_failure_codes_are_server_errors_whatever_the_status() {
        for code in
            ["InternalError", "InternalServerError", "UnknownError", "ServiceUnavailable", "ServiceUnavailable.Busy"]
        {
            for status in [200, 400, 500] {
                assert_eq!(Error::from_api(status, Some(code), None).kind, ErrorKind::Server, "{code} {status}");
            }
        }
    }

    #[test]
    fn missing_code_and_message_get_useful_defaults() {
        let err = Error::from_api(502, None, None);
        assert_eq!(err.code, "HTTP_502");
        assert_eq!(err.message(), "HTTP_502: the server failed with HTTP 502 (HTTP 502)");
        assert_eq!(Error::from_api(500, Some(""), None).code, "HTTP_500");
        for (status, detail) in [
            (429, "too many requests"),
            (401, "the credentials were not accepted"),
            (403, "not allowed"),
            (404, "not found"),
        ] {
            assert_eq!(Error::from_api(status, None, None).detail, detail);
        }
        // One attempt is not worth saying; Display is the class and the message.
        let mut once = Error::from_api(404, None, None);
        once.attempts = 1;
        assert!(!once.message().contains("attempt"), "{}", once.message());
        once.attempts = 2;
        assert_eq!(once.to_string(), "NotFoundError: HTTP_404: not found (HTTP 404, after 2 attempts)");
        let err = Error::from_api(404, Some("InvalidWorkspace.NotFound"), Some("  "));
        assert_eq!(err.detail, "The workspace is not found.");
    }
}
