//! One call as a pure state machine: the JS layer asks for each attempt's request, performs it,
//! and reports what happened; the core decides to finish, retry after a delay, or fail.
//! Time and randomness come in as arguments, so the schedule is tested without sleeping.

use super::error::{shortened, Error, ErrorKind};
use super::normalize::{self, Normalized};
use super::request::{self, find_header, Auth, CallTarget, HttpRequest};
use super::secret::{Redactor, Secret};
use super::time::parse_http_date;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (so at most `max_retries + 1` attempts, and one more
    /// when the clock-skew retry runs).
    pub max_retries: u32,
    /// Full-jitter backoff: the n-th retry waits `random(0, min(cap, base · 2^(n−1)))`.
    pub base_delay_ms: u64,
    pub max_delay_ms: u64,
    /// A server's `Retry-After` is honoured up to this.
    pub max_retry_after_ms: u64,
    /// Per attempt.
    pub timeout_ms: u64,
    /// Across all attempts and waits, when set.
    pub deadline_ms: Option<u64>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_delay_ms: 250,
            max_delay_ms: 8_000,
            max_retry_after_ms: 30_000,
            timeout_ms: 10_000,
            deadline_ms: None,
        }
    }
}

/// What came back for one attempt. Header names are lower-case.
pub struct Response<'a> {
    pub status: u16,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
    /// Why an error status's body was not read (too big to hold): the answer is then judged by
    /// its status alone, so a 503 is still a server error, retried as one.
    pub body_unread: Option<&'a str>,
}

impl Response<'_> {
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(self.headers, name)
    }

    fn request_id(&self) -> Option<&str> {
        request_id_in(self.headers)
    }
}

/// The request id an answer's headers carry: `x-acs-request-id` (classic API), else
/// `x-request-id` (token API). A blank one names no request, as an empty body `requestId` does.
pub fn request_id_in(headers: &[(String, String)]) -> Option<&str> {
    let named = |name| find_header(headers, name).filter(|id| !id.trim().is_empty());
    named("x-acs-request-id").or_else(|| named("x-request-id"))
}

#[derive(Debug)]
pub enum Outcome {
    Done(Normalized),
    Retry { delay_ms: u64 },
    Fail(Error),
}

pub struct Call {
    target: CallTarget,
    auth: Auth,
    policy: RetryPolicy,
    attempts: u32,
    started_ms: Option<i64>,
    /// The current attempt was given what was left of the deadline (no more than its timeout).
    attempt_ends_at_deadline: bool,
    /// Server clock minus ours, learnt from an `InvalidTimeStamp` answer.
    clock_offset_ms: i64,
    skew_retried: bool,
    redactor: Redactor,
}

impl Call {
    pub fn new(target: CallTarget, auth: Auth, policy: RetryPolicy) -> Call {
        let mut redactor = Redactor::default();
        match &auth {
            Auth::AccessKey(credentials, _) => {
                redactor.add(&credentials.access_key_secret);
                if let Some(token) = &credentials.security_token {
                    redactor.add(token);
                }
            }
            Auth::Token(token, _) => redactor.add(token),
            Auth::Unsigned => {}
        }
        Call {
            target,
            auth,
            policy,
            attempts: 0,
            started_ms: None,
            attempt_ends_at_deadline: false,
            clock_offset_ms: 0,
            skew_retried: false,
            redactor,
        }
    }

    /// Starts from the clock offset an earlier call learned (a client keeps it): with a local
    /// clock hours off, only the first call then pays the skew retry's extra round trip.
    pub fn with_clock_offset(mut self, offset_ms: i64) -> Self {
        self.clock_offset_ms = offset_ms;
        self
    }

    /// The server's clock minus ours, as the skew retry learned it (0 until then).
    pub fn clock_offset_ms(&self) -> i64 {
        self.clock_offset_ms
    }

    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// The next attempt's request, signed with a fresh date and the given fresh nonce.
    pub fn next_request(&mut self, now_ms: i64, nonce: &str) -> HttpRequest {
        self.started_ms.get_or_insert(now_ms);
        self.attempt_ends_at_deadline = self.remaining_ms(now_ms).is_some_and(|left| left <= self.policy.timeout_ms);
        self.attempts += 1;
        let request = request::build(&self.target, &self.auth, now_ms + self.clock_offset_ms, nonce);
        if let Some(signature) = request.header("authorization").and_then(signature_of) {
            self.redactor.add(&Secret::new(signature));
        }
        request
    }

    /// How long this attempt may take: the per-attempt timeout, or less near the deadline.
    pub fn attempt_timeout_ms(&self, now_ms: i64) -> u64 {
        match self.remaining_ms(now_ms) {
            Some(remaining) => remaining.min(self.policy.timeout_ms),
            None => self.policy.timeout_ms,
        }
    }

    fn remaining_ms(&self, now_ms: i64) -> Option<u64> {
        let deadline = self.policy.deadline_ms?;
        let elapsed = u64::try_from(now_ms - self.started_ms.unwrap_or(now_ms)).unwrap_or(0);
        Some(deadline.saturating_sub(elapsed))
    }

    /// `jitter` is a random number in [0, 1).
    pub fn on_response(&mut self, response: &Response<'_>, now_ms: i64, jitter: f64) -> Outcome {
        let status = response.status;
        if (200..300).contains(&status) {
            return match normalize::normalize_success(response.body, status, response.request_id()) {
                Ok(mut normalized) => {
                    normalized.redact_request_id(&self.redactor);
                    Outcome::Done(normalized)
                }
                Err(mut error) => {
                    // Only the server's text can be long (its message, for `success: false`).
                    error.detail = self.server_text(&error.detail);
                    let error = if error.status == 0 { error.with_status(status) } else { error };
                    // The body named no request id: the header's, as for any other answer.
                    let mut error = error.with_request_id(response.request_id().map(str::to_owned));
                    if error.kind == ErrorKind::InvalidResponse && error.path.as_deref() == Some("body") {
                        if response.header("content-length").is_none() && normalize::ends_inside_json(response.body) {
                            // Cut off, most likely: a network error, retried as one.
                            let detail = format!(
                                "{}; the answer declared no length, so it was most likely cut off",
                                error.detail
                            );
                            error = Error::network(detail).with_status(status).with_request_id(error.request_id);
                        } else {
                            note_content_encoding(&mut error, response);
                        }
                    }
                    if let Some(retry) = self.skew_retry(&error, response, now_ms) {
                        return retry;
                    }
                    // A 200 with `success: false` and a throttling or server code waits as asked, like a 429.
                    self.decide(with_retry_after(error, response, now_ms), now_ms, jitter)
                }
            };
        }
        if (300..400).contains(&status) || status == 0 {
            // Redirects are not followed (fetch runs with redirect: "manual"): following one
            // would send signed headers, or a token, to wherever the server points.
            let mut error = Error::from_api(status, Some("UnexpectedRedirect"), Some(
                "the server answered with a redirect; redirects are not followed, so credentials never leave the endpoint you chose: set endpoint to the final address",
            ));
            error.kind = ErrorKind::InvalidResponse;
            return self.fail(error.with_request_id(response.request_id().map(str::to_owned)));
        }
        let body = normalize::parse_error_body(response.body);
        let message = body.message.as_deref().map(|m| self.server_text(m));
        let mut error = Error::from_api(status, body.code.as_deref(), message.as_deref())
            .with_request_id(body.request_id.clone().or_else(|| response.request_id().map(str::to_owned)));
        if let Some(why) = response.body_unread {
            error.detail = format!("{}; its body was not read: {why}", error.detail);
        }
        if let Some(retry) = self.skew_retry(&error, response, now_ms) {
            return retry;
        }
        // Both readings of an unsigned refusal: a page behind a signing proxy must not be told
        // to hold an AccessKey itself. (Before the reclassification below: a refusal that asks
        // for a wait is still one.)
        if error.kind == ErrorKind::Authentication && matches!(self.auth, Auth::Unsigned) {
            error.detail.push_str(
                " — the request went out unsigned: to call Alibaba Cloud directly, pass accessKeyId and accessKeySecret; behind a signing proxy, it is the proxy's credentials that were refused",
            );
        }
        // A wait the gateway asks for (`x-acs-retry-after`, above 0) makes an error that would
        // not be retried a throttling one, whatever its code, as the official SDKs read it (a
        // server error keeps its class: it is retried, after that wait, all the same).
        if !error.retryable()
            && response.header("x-acs-retry-after").and_then(saturating_digits).is_some_and(|ms| ms > 0)
        {
            error.kind = ErrorKind::Throttling;
        }
        self.decide(with_retry_after(error, response, now_ms), now_ms, jitter)
    }

    /// Our clock is off (the server refused the time stamp and sent its own `Date`): once a call,
    /// retry at once, signed with the server's time. Not one of `maxRetries`: it mends our
    /// request, where a retry waits out the server's trouble.
    fn skew_retry(&mut self, error: &Error, response: &Response<'_>, now_ms: i64) -> Option<Outcome> {
        if !error.code.starts_with("InvalidTimeStamp") || self.skew_retried || self.remaining_ms(now_ms) == Some(0) {
            return None;
        }
        let server_ms = response.header("date").and_then(|date| parse_http_date(date, now_ms))?;
        self.skew_retried = true;
        self.clock_offset_ms = server_ms - now_ms;
        Some(Outcome::Retry { delay_ms: 0 })
    }

    /// Retries made so far that count against `maxRetries` (the skew retry does not).
    fn retries_made(&self) -> u32 {
        self.attempts.saturating_sub(1 + u32::from(self.skew_retried))
    }

    /// A failure with no HTTP answer: network error, timeout, body too large, etc.
    pub fn on_transport_error(&mut self, error: Error, now_ms: i64, jitter: f64) -> Outcome {
        let mut error = error;
        error.detail = self.redactor.redact(&error.detail);
        // An attempt given what was left of the deadline that timed out ran to the deadline, even
        // if the clock reads it a millisecond short (timers fire on a millisecond-truncated clock).
        let ran_to_deadline = error.kind == ErrorKind::Timeout && self.attempt_ends_at_deadline;
        if self.remaining_ms(now_ms) == Some(0) || ran_to_deadline {
            // An answer whose head had come keeps its status and request id, as a timeout does.
            let deadline = self.deadline_error().with_status(error.status).with_request_id(error.request_id);
            return Outcome::Fail(self.final_error(deadline));
        }
        self.decide(error, now_ms, jitter)
    }

    /// The error that ends the call when its deadline has passed (`None` before, or without
    /// one): checked before each attempt, so none goes out with no time left.
    pub fn past_deadline(&self, now_ms: i64) -> Option<Error> {
        (self.remaining_ms(now_ms) == Some(0)).then(|| self.final_error(self.deadline_error()))
    }

    fn deadline_error(&self) -> Error {
        let deadline = self.policy.deadline_ms.unwrap_or(0);
        let mut timeout = Error::timeout(format!("the deadline of {deadline} ms passed"));
        timeout.code = "DeadlineExceeded".into();
        timeout
    }

    /// Retry or fail; a retry waits what the server asked (`error.retry_after_ms`), else a backoff.
    fn decide(&mut self, error: Error, now_ms: i64, jitter: f64) -> Outcome {
        if !error.retryable() || self.retries_made() >= self.policy.max_retries {
            return self.fail(error);
        }
        let delay_ms = match error.retry_after_ms {
            Some(ms) => ms.min(self.policy.max_retry_after_ms),
            None => self.backoff_ms(jitter),
        };
        if let Some(remaining) = self.remaining_ms(now_ms) {
            if delay_ms >= remaining {
                return self.fail(error);
            }
        }
        Outcome::Retry { delay_ms }
    }

    /// Full jitter (AWS architecture blog): uniform in [0, min(cap, base · 2^(retry−1))].
    pub fn backoff_ms(&self, jitter: f64) -> u64 {
        let exponent = self.retries_made().min(20);
        let ceiling = self.policy.base_delay_ms.saturating_mul(1u64 << exponent).min(self.policy.max_delay_ms);
        let jitter = if jitter.is_finite() { jitter.clamp(0.0, 1.0) } else { 0.0 };
        (ceiling as f64 * jitter) as u64
    }

    fn fail(&self, error: Error) -> Outcome {
        Outcome::Fail(self.final_error(error))
    }

    /// A server's text for a message: redacted, then shortened (a cut first could leave the
    /// start of a secret behind, which no redaction would then recognise).
    fn server_text(&self, text: &str) -> String {
        shortened(self.redactor.redact(text))
    }

    /// The error as the call ends with it: attempts counted, secrets redacted.
    fn final_error(&self, mut error: Error) -> Error {
        error.attempts = self.attempts;
        // Everything the server said is redacted, not just the message: a hostile or buggy
        // server may echo a secret anywhere.
        error.detail = self.redactor.redact(&error.detail);
        error.code = self.redactor.redact(&error.code);
        error.request_id = error.request_id.map(|id| self.redactor.redact(&id));
        error
    }
}

/// An error that is retried (throttling, 5xx, a 408) keeps the wait its answer asked for, if any.
fn with_retry_after(mut error: Error, response: &Response<'_>, now_ms: i64) -> Error {
    if error.retryable() {
        error.retry_after_ms = retry_after_ms(response, now_ms);
    }
    error
}

/// A body that is not JSON may be one that no one decoded (say `zstd`, which Node's transport
/// does not know): the error names the coding the answer declared.
fn note_content_encoding(error: &mut Error, response: &Response<'_>) {
    let Some(coding) = response.header("content-encoding").map(str::trim) else {
        return;
    };
    // Real codings are short words; a long value is no hint worth quoting.
    if !coding.is_empty() && coding != "identity" && coding.len() <= 40 {
        error.detail.push_str(" (the answer declared content-encoding: ");
        error.detail.push_str(coding);
        error.detail.push(')');
    }
}

/// The signature part of an `authorization` header (V3 `Signature=…`, V1 `acs id:…`).
fn signature_of(authorization: &str) -> Option<String> {
    if let Some(at) = super::encode::find_str(authorization, "Signature=") {
        return authorization.get(at + "Signature=".len()..).map(str::to_owned);
    }
    super::encode::rsplit_once_ascii(authorization, b':').map(|(_, sig)| sig.to_owned())
}

/// `x-acs-retry-after` (milliseconds), else `Retry-After` (seconds or an HTTP date): what the
/// server asked for, kept within what a JS number holds exactly (the wait itself is capped
/// separately, by `max_retry_after_ms`).
fn retry_after_ms(response: &Response<'_>, now_ms: i64) -> Option<u64> {
    requested_retry_after_ms(response, now_ms).map(|ms| ms.min(crate::core::normalize::MAX_SAFE_INTEGER))
}

fn requested_retry_after_ms(response: &Response<'_>, now_ms: i64) -> Option<u64> {
    if let Some(ms) = response.header("x-acs-retry-after").and_then(saturating_digits) {
        return Some(ms);
    }
    let value = response.header("retry-after")?.trim();
    if let Some(seconds) = saturating_digits(value) {
        return Some(seconds.saturating_mul(1000));
    }
    let at = parse_http_date(value, now_ms)?;
    Some(u64::try_from(at - now_ms).unwrap_or(0))
}

/// A decimal number; absurdly long ones saturate instead of being ignored.
fn saturating_digits(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.parse::<u64>().unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::endpoint::Endpoint;
    use crate::core::error::{CUT_MARK, MAX_SERVER_TEXT_CHARS};
    use crate::core::secret::REDACTED;
    use crate::core::sign::{Credentials, SignatureVersion};

    const SECRET: &str = "s3cr3t-SECRET-value";
    const TOKEN: &str = "sts-TOKEN-value";

    fn target(endpoint: &str) -> CallTarget {
        CallTarget {
            endpoint: Endpoint::parse(endpoint, false).unwrap(),
            organization_id: "org".into(),
            pipeline_id: "1".into(),
            category: "DEPLOY".into(),
            user_agent_suffix: None,
        }
    }

    fn call(policy: RetryPolicy) -> Call {
        let target = target("https://devops.cn-hangzhou.aliyuncs.com");
        let credentials = Credentials {
            access_key_id: "AKID".into(),
            access_key_secret: Secret::new(SECRET),
            security_token: Some(Secret::new(TOKEN)),
        };
        Call::new(target, Auth::AccessKey(credentials, SignatureVersion::V3), policy)
    }

    /// The error of an outcome that must be a failure.
    fn failure(outcome: Outcome) -> Error {
        match outcome {
            Outcome::Fail(e) => e,
            other => panic!("{other:?}"),
        }
    }

    fn respond(call: &mut Call, status: u16, headers: &[(&str, &str)], body: &str, now: i64) -> Outcome {
        let headers: Vec<(String, String)> = headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        call.on_response(&Response { status, headers: &headers, body: body.as_bytes(), body_unread: None }, now, 0.5)
    }

    #[test]
    fn success_first_time() {
        let mut c = call(RetryPolicy::default());
        c.next_request(0, "n1");
        match respond(&mut c, 200, &[], r#"{"requestId":"R","jobs":[]}"#, 1) {
            Outcome::Done(n) => assert_eq!(n.json, r#"{"jobs":[],"requestId":"R"}"#),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_attempt_is_bounded_by_its_timeout_within_a_longer_deadline() {
        let policy = RetryPolicy { deadline_ms: Some(60_000), timeout_ms: 10_000, ..RetryPolicy::default() };
        let mut c = call(policy);
        c.next_request(0, "n");
        assert_eq!(c.attempt_timeout_ms(0), 10_000);
        assert_eq!(c.attempt_timeout_ms(55_000), 5_000, "what is left of the deadline, when less");
    }

    #[test]
    fn a_wait_that_would_reach_the_deadline_is_not_started() {
        let mut c = call(RetryPolicy { deadline_ms: Some(1_000), ..RetryPolicy::default() });
        c.next_request(0, "n");
        let e = failure(respond(&mut c, 429, &[("x-acs-retry-after", "1000")], r#"{"Code":"Throttling.User"}"#, 0));
        assert_eq!((e.kind, e.code.as_str()), (ErrorKind::Throttling, "Throttling.User"));
    }

    #[test]
    fn a_408_is_retried_as_a_timeout_waiting_what_the_server_asks() {
        let mut c = call(RetryPolicy { max_retries: 1, ..RetryPolicy::default() });
        c.next_request(0, "n1");
        match respond(&mut c, 408, &[("retry-after", "2")], "", 0) {
            Outcome::Retry { delay_ms } => assert_eq!(delay_ms, 2_000),
            other => panic!("{other:?}"),
        }
        c.next_request(2_000, "n2");
        let e = failure(respond(&mut c, 408, &[("x-acs-request-id", "R-408")], "<html>Request Timeout</html>", 2_000));
        assert_eq!((e.kind, e.code.as_str(), e.status, e.attempts), (ErrorKind::Timeout, "HTTP_408", 408, 2));
        assert_eq!(
            e.message(),
            "HTTP_408: the server timed out waiting for the request (HTTP 408, request id R-408, after 2 attempts)"
        );
    }

    #[test]
    fn an_opaque_redirect_status_0_is_a_redirect() {
        // A browser's fetch with redirect: "manual" reports a redirect as status 0.
        let mut c = call(RetryPolicy::default());
        c.next_request(0, "n");
        let e = failure(respond(&mut c, 0, &[], "", 0));
        assert_eq!((e.kind, e.code.as_str()), (ErrorKind::InvalidResponse, "UnexpectedRedirect"));
    }

    #[test]
    fn an_echoed_token_code_and_request_id_are_redacted_in_errors_and_results() {
        let mut c = call(RetryPolicy::default());
        c.next_request(0, "n");
        let body = format!(r#"{{"Code":"{SECRET}","Message":"m","RequestId":"R {TOKEN}"}}"#);
        let e = failure(respond(&mut c, 400, &[], &body, 0));
        let text = format!("{} {} {:?}", e.code, e.request_id.as_deref().unwrap_or(""), e.message());
        assert!(!text.contains(SECRET) && !text.contains(TOKEN), "{text}");
        let mut c = call(RetryPolicy::default());
        c.next_request(0, "n");
        match respond(&mut c, 200, &[], &format!(r#"{{"requestId":"{TOKEN}","jobs":[]}}"#), 0) {
            Outcome::Done(n) => assert_eq!(n.json, r#"{"jobs":[],"requestId":"[REDACTED]"}"#),
            other => panic!("{other:?}"),
        }
        // A personal access token is a secret too.
        let mut c = Call::new(
            target("https://openapi-rdc.aliyuncs.com"),
            Auth::Token(Secret::new(TOKEN), crate::core::request::Edition::Center),
            RetryPolicy::default(),
        );
        c.next_request(0, "n");
        let e = failure(respond(&mut c, 401, &[], &format!(r#"{{"errorMessage":"bad token {TOKEN}"}}"#), 0));
        assert!(!e.message().contains(TOKEN), "{}", e.message());
    }

    #[test]
    fn an_invalid_2xx_answer_keeps_its_status() {
        let mut c = call(RetryPolicy::default());
        c.next_request(0, "n");
        let e = failure(respond(&mut c, 200, &[], "<html>", 0));
        assert_eq!((e.kind, e.status), (ErrorKind::InvalidResponse, 200));
    }

    #[test]
    fn server_errors_retry_exactly_max_retries_times() {
        let mut c = call(RetryPolicy { max_retries: 3, ..RetryPolicy::default() });
        let mut delays = Vec::new();
        loop {
            c.next_request(0, "n");
            match respond(&mut c, 500, &[], "oops", 0) {
                Outcome::Retry { delay_ms } => delays.push(delay_ms),
                Outcome::Fail(e) => {
                    assert_eq!((e.kind, e.attempts, e.code.as_str()), (ErrorKind::Server, 4, "HTTP_500"));
                    break;
                }
                Outcome::Done(_) => panic!(),
            }
        }
        // jitter 0.5 of 250, 500, 1000.
        assert_eq!(delays, vec![125, 250, 500]);
    }

    #[test]
    fn an_error_status_whose_body_was_not_read_is_judged_by_its_status() {
        let why = "the answer is larger than maxResponseBytes (10 bytes); reading stopped";
        let unread = |c: &mut Call, status| {
            c.next_request(0, "n");
            let headers = [("x-acs-request-id".to_owned(), "HDR".to_owned())];
            c.on_response(&Response { status, headers: &headers, body: b"", body_unread: Some(why) }, 0, 0.5)
        };
        let mut c = call(RetryPolicy { max_retries: 1, ..RetryPolicy::default() });
        assert!(matches!(unread(&mut c, 503), Outcome::Retry { .. }));
        let e = failure(unread(&mut c, 503));
        assert_eq!((e.kind, e.attempts, e.code.as_str()), (ErrorKind::Server, 2, "HTTP_503"));
        assert_eq!(
            e.message(),
            format!(
                "HTTP_503: the server failed with HTTP 503; its body was not read: {why} (HTTP 503, request id HDR, after 2 attempts)"
            )
        );
        let e = failure(unread(&mut call(RetryPolicy::default()), 404));
        assert_eq!(e.kind, ErrorKind::NotFound);
    }

    #[test]
    fn four_hundreds_never_retry() {
        let mut c = call(RetryPolicy::default());
        c.next_request(0, "n");
        let body = r#"{"errorCode":"InvalidPipeline.NotFound","requestId":"R4"}"#;
        let e = failure(respond(&mut c, 404, &[], body, 0));
        assert_eq!((e.kind, e.attempts, e.request_id.as_deref()), (ErrorKind::NotFound, 1, Some("R4")));
    }

    #[test]
    fn retry_after_forms_and_cap() {
        let date = "Thu, 06 Feb 2020 07:33:04 GMT"; // 10 s after `now`
        let now = crate::core::time::parse_http_date("Thu, 06 Feb 2020 07:32:54 GMT", 0).unwrap();
        for (headers, expected) in [
            (vec![("retry-after", "3")], 3_000),
            (vec![("retry-after", date)], 10_000),
            (vec![("x-acs-retry-after", "1500"), ("retry-after", "9")], 1_500),
            (vec![("retry-after", "999999999")], 30_000),
            (vec![("x-acs-retry-after", "99999999999999999999")], 30_000),
        ] {
            let mut c = call(RetryPolicy::default());
            c.next_request(now, "n");
            match respond(&mut c, 429, &headers, "{}", now) {
                Outcome::Retry { delay_ms } => assert_eq!(delay_ms, expected, "{headers:?}"),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn a_wait_the_gateway_asks_for_makes_an_error_not_retried_a_throttling_one() {
        for (status, body) in [
            (400, r#"{"Code":"QuotaExceeded.Api"}"#),
            (503, "<html>busy</html>"),
            (403, r#"{"Code":"Forbidden.RiskControl"}"#),
        ] {
            let mut c = call(RetryPolicy::default());
            c.next_request(0, "n");
            match respond(&mut c, status, &[("x-acs-retry-after", "50")], body, 0) {
                Outcome::Retry { delay_ms } => assert_eq!(delay_ms, 50, "{status} {body}"),
                other => panic!("{status} {body}: {other:?}"),
            }
        }
        // A server error stays one (it is retried anyway, after the wait asked for).
        let mut c = call(RetryPolicy { max_retries: 0, ..RetryPolicy::default() });
        c.next_request(0, "n");
        let error = failure(respond(&mut c, 500, &[("x-acs-retry-after", "50")], "oops", 0));
        assert_eq!((error.kind, error.retry_after_ms), (ErrorKind::Server, Some(50)));
        // Zero, or no number: no wait asked for; the code decides (not retried).
        for value in ["0", "soon"] {
            let mut c = call(RetryPolicy::default());
            c.next_request(0, "n");
            match respond(&mut c, 400, &[("x-acs-retry-after", value)], r#"{"Code":"QuotaExceeded.Api"}"#, 0) {
                Outcome::Fail(error) => assert_eq!(error.kind, ErrorKind::BadRequest, "{value}"),
                other => panic!("{value}: {other:?}"),
            }
        }
    }

    #[test]
    fn clock_skew_is_retried_once_with_the_server_time() {
        let mut c = call(RetryPolicy::default());
        let first = c.next_request(0, "n1");
        assert_eq!(first.header("x-acs-date"), Some("1970-01-01T00:00:00Z"));
        let skew = [("date", "Thu, 06 Feb 2020 07:32:54 GMT")];
        let body = r#"{"Code":"InvalidTimeStamp.Expired","Message":"too old"}"#;
        assert!(matches!(respond(&mut c, 400, &skew, body, 0), Outcome::Retry { delay_ms: 0 }));
        let second = c.next_request(1_000, "n2");
        assert_eq!(second.header("x-acs-date"), Some("2020-02-06T07:32:55Z"));
        let e = failure(respond(&mut c, 400, &skew, body, 1_000));
        assert_eq!((e.kind, e.attempts), (ErrorKind::Authentication, 2));
        // The offset is the server's clock minus ours, learned at any time of ours.
        let mut late = call(RetryPolicy::default());
        late.next_request(5_000, "n1");
        assert!(matches!(respond(&mut late, 400, &skew, body, 5_000), Outcome::Retry { delay_ms: 0 }));
        assert_eq!(late.clock_offset_ms(), 1_580_974_374_000 - 5_000);
    }

    #[test]
    fn a_200_that_refuses_the_time_stamp_is_retried_with_the_server_time_too() {
        let mut c = call(RetryPolicy::default());
        c.next_request(0, "n1");
        let skew = [("date", "Thu, 06 Feb 2020 07:32:54 GMT")];
        let body = r#"{"success":false,"errorCode":"InvalidTimeStamp.Expired","errorMessage":"too old"}"#;
        assert!(matches!(respond(&mut c, 200, &skew, body, 0), Outcome::Retry { delay_ms: 0 }));
        assert_eq!(c.next_request(0, "n2").header("x-acs-date"), Some("2020-02-06T07:32:54Z"));
    }

    #[test]
    fn a_clock_offset_kept_from_an_earlier_call_signs_the_first_attempt() {
        let offset = 2 * 3_600_000;
        let mut c = call(RetryPolicy::default()).with_clock_offset(offset);
        let request = c.next_request(1_600_000_000_000, "n");
        assert_eq!(request.header("x-acs-date"), Some("2020-09-13T14:26:40Z"), "signed at ours + 2 h");
        assert_eq!(c.clock_offset_ms(), offset);
    }

    #[test]
    fn the_skew_retry_is_not_one_of_max_retries() {
        let skew = [("date", "Thu, 06 Feb 2020 07:32:54 GMT")];
        let stale = r#"{"Code":"InvalidTimeStamp.Expired","Message":"too old"}"#;
        for max_retries in [0, 2] {
            let mut c = call(RetryPolicy { max_retries, ..RetryPolicy::default() });
            c.next_request(0, "n0");
            assert!(matches!(respond(&mut c, 400, &skew, stale, 0), Outcome::Retry { delay_ms: 0 }));
            // Then max_retries retries of a 503, with the first backoffs: jitter 0.5 (`respond`)
            // waits half of 250 ms, then half of 500 ms.
            for retry in 0..max_retries {
                c.next_request(0, "n");
                match respond(&mut c, 503, &[], "{}", 0) {
                    Outcome::Retry { delay_ms } => assert_eq!(delay_ms, 125 << retry),
                    other => panic!("{other:?}"),
                }
            }
            c.next_request(0, "n");
            let e = failure(respond(&mut c, 503, &[], "{}", 0));
            assert_eq!(e.attempts, max_retries + 2);
        }
    }

    #[test]
    fn deadline_stops_retries() {
        let mut c = call(RetryPolicy { deadline_ms: Some(1_000), max_retries: 10, ..RetryPolicy::default() });
        c.next_request(0, "n");
        assert_eq!(c.attempt_timeout_ms(600), 400);
        let e = failure(c.on_transport_error(Error::timeout("slow"), 1_000, 0.5));
        assert_eq!((e.kind, e.code.as_str()), (ErrorKind::Timeout, "DeadlineExceeded"));
    }

    #[test]
    fn an_attempt_given_what_was_left_of_the_deadline_times_out_as_the_deadline() {
        let mut c =
            call(RetryPolicy { deadline_ms: Some(400), timeout_ms: 10_000, max_retries: 3, ..RetryPolicy::default() });
        c.next_request(0, "n");
        assert_eq!(c.attempt_timeout_ms(0), 400);
        // Its timer fires on a millisecond-truncated clock: the call's clock may read 399.
        let e = failure(c.on_transport_error(Error::timeout("no complete answer within 400 ms"), 399, 0.5));
        assert_eq!((e.kind, e.code.as_str(), e.attempts), (ErrorKind::Timeout, "DeadlineExceeded", 1));
        // A later attempt, given the rest: the same.
        let mut c =
            call(RetryPolicy { deadline_ms: Some(1_500), timeout_ms: 1_000, max_retries: 3, ..RetryPolicy::default() });
        c.next_request(0, "n1");
        assert!(matches!(c.on_transport_error(Error::timeout("slow"), 1_000, 0.0), Outcome::Retry { delay_ms: 0 }));
        c.next_request(1_000, "n2");
        assert_eq!(c.attempt_timeout_ms(1_000), 500);
        let e = failure(c.on_transport_error(Error::timeout("slow"), 1_499, 0.0));
        assert_eq!((e.code.as_str(), e.attempts), ("DeadlineExceeded", 2));
        // Not a timeout, at the same moment: that error, not the deadline's.
        let mut c =
            call(RetryPolicy { deadline_ms: Some(400), timeout_ms: 10_000, max_retries: 3, ..RetryPolicy::default() });
        c.next_request(0, "n");
        let e = failure(c.on_transport_error(Error::network("reset"), 399, 0.5));
        assert_eq!(e.code.as_str(), "NetworkError");
    }

    #[test]
    fn a_body_that_is_not_json_names_its_declared_content_encoding() {
        let mut c = call(RetryPolicy::default());
        c.next_request(0, "n");
        let e = failure(respond(&mut c, 200, &[("content-encoding", "zstd")], "(\u{b5}/\u{fd}", 0));
        assert_eq!(e.path.as_deref(), Some("body"));
        assert!(e.message().contains("(the answer declared content-encoding: zstd)"), "{}", e.message());
        let mut plain = call(RetryPolicy::default());
        plain.next_request(0, "n");
        let e = failure(respond(&mut plain, 200, &[("content-encoding", "identity")], "<html>", 0));
        assert!(!e.message().contains("content-encoding"), "{}", e.message());
        // Only a body that is no JSON at all is a hint the decoding went wrong: not a bad field.
        let mut field = call(RetryPolicy::default());
        field.next_request(0, "n");
        let e =
            failure(respond(&mut field, 200, &[("content-encoding", "gzip")], r#"{"jobs":[{"lastJobId":"x"}]}"#, 0));
        assert_eq!(e.kind, ErrorKind::InvalidResponse);
        assert!(!e.message().contains("content-encoding"), "{}", e.message());
    }

    #[test]
    fn a_2xx_body_that_ends_inside_its_json_and_declared_no_length_is_a_cut_connection() {
        let cut = r#"{"requestId":"R-CUT","jobs":[{"identifier":"a","jobName":"x"#;
        let mut c = call(RetryPolicy { max_retries: 1, ..RetryPolicy::default() });
        c.next_request(0, "n1");
        assert!(matches!(
            respond(&mut c, 200, &[("x-acs-request-id", "HDR")], cut, 0),
            Outcome::Retry { delay_ms: 125 }
        ));
        c.next_request(0, "n2");
        let e = failure(respond(&mut c, 200, &[("x-acs-request-id", "HDR")], cut, 0));
        assert_eq!((e.kind, e.code.as_str(), e.status, e.attempts), (ErrorKind::Network, "NetworkError", 200, 2));
        assert_eq!((e.request_id.as_deref(), e.path.as_deref()), (Some("R-CUT"), None));
        assert!(
            e.message().ends_with("the body is not valid JSON: unterminated string at byte 59; the answer declared no length, so it was most likely cut off (HTTP 200, request id R-CUT, after 2 attempts)"),
            "{}",
            e.message()
        );
        // With a declared length the body is what the server meant to send: a malformed answer.
        let mut declared = call(RetryPolicy::default());
        declared.next_request(0, "n");
        let e = failure(respond(&mut declared, 200, &[("content-length", "54")], cut, 0));
        assert_eq!((e.kind, e.path.as_deref(), e.attempts), (ErrorKind::InvalidResponse, Some("body"), 1));
        // Malformed before its end, or blank: malformed, with or without a length.
        for body in [r#"{"jobs":[}]"#, "  ", r#"{"jobs":[]} {"#] {
            let mut c = call(RetryPolicy::default());
            c.next_request(0, "n");
            let e = failure(respond(&mut c, 200, &[], body, 0));
            assert_eq!((e.kind, e.attempts), (ErrorKind::InvalidResponse, 1), "{body}");
        }
    }

    fn unsigned_call(endpoint: &str) -> Call {
        let target = CallTarget {
            endpoint: Endpoint::parse(endpoint, false).unwrap(),
            organization_id: "org".into(),
            pipeline_id: "1".into(),
            category: "DEPLOY".into(),
            user_agent_suffix: None,
        };
        Call::new(target, Auth::Unsigned, RetryPolicy::default())
    }

    #[test]
    fn the_unsigned_hint_reads_right_behind_a_signing_proxy_too() {
        let body = r#"{"Code":"IncompleteSignature","Message":"no signature"}"#;
        let mut c = unsigned_call("http://127.0.0.1:8080/api");
        c.next_request(0, "n");
        let e = failure(respond(&mut c, 400, &[], body, 0));
        assert_eq!(e.kind, ErrorKind::Authentication);
        let message = e.message();
        assert!(
            message.contains("went out unsigned") && message.contains("the proxy's credentials that were refused"),
            "{message}"
        );
        // Nor is the hint lost when the refusal asks for a wait (and so is a throttling error).
        let mut c = unsigned_call("http://127.0.0.1:8080/api");
        let e = loop {
            c.next_request(0, "n");
            match respond(&mut c, 400, &[("x-acs-retry-after", "1")], body, 0) {
                Outcome::Fail(e) => break e,
                Outcome::Retry { .. } => {} // throttling is retried: the last refusal is the error
                other => panic!("{other:?}"),
            }
        };
        assert_eq!((e.kind, e.attempts), (ErrorKind::Throttling, 3));
        assert!(e.message().contains("went out unsigned"), "{}", e.message());
        // A signed request that is refused gets no such hint.
        let mut signed = call(RetryPolicy::default());
        signed.next_request(0, "n");
        let e = failure(respond(&mut signed, 400, &[], body, 0));
        assert!(!e.message().contains("unsigned"), "{}", e.message());
    }

    #[test]
    fn an_error_in_a_2xx_answer_keeps_the_header_request_id() {
        for body in [
            r#"{"success":false,"errorCode":"InvalidPipeline.NotFound"}"#, r#"{"errorCode":"Forbidden.NoPermission"}"#,
            "{}",
        ] {
            let mut c = call(RetryPolicy::default());
            c.next_request(0, "n");
            let e = failure(respond(&mut c, 200, &[("x-acs-request-id", "HDR-1")], body, 0));
            assert_eq!(e.request_id.as_deref(), Some("HDR-1"), "{body}");
        }
        // The body's own id still comes first.
        let mut c = call(RetryPolicy::default());
        c.next_request(0, "n");
        let body = r#"{"success":false,"errorCode":"InvalidPipeline.NotFound","requestId":"BODY-1"}"#;
        let e = failure(respond(&mut c, 200, &[("x-acs-request-id", "HDR-1")], body, 0));
        assert_eq!(e.request_id.as_deref(), Some("BODY-1"));
    }

    #[test]
    fn a_blank_request_id_header_names_no_request() {
        for blank in ["", " ", "\t"] {
            assert_eq!(request_id_in(&[("x-acs-request-id".into(), blank.into())]), None);
            let both = [("x-acs-request-id".into(), blank.into()), ("x-request-id".into(), "TOKEN-1".into())];
            assert_eq!(request_id_in(&both), Some("TOKEN-1"));
            let mut c = call(RetryPolicy::default());
            c.next_request(0, "n");
            let e = failure(respond(
                &mut c,
                404,
                &[("x-acs-request-id", blank)],
                r#"{"errorCode":"InvalidPipeline.NotFound"}"#,
                0,
            ));
            assert_eq!(e.request_id, None, "{blank:?}");
            assert!(!e.message().contains("request id"), "{}", e.message());
        }
    }

    #[test]
    fn a_deadline_passed_mid_answer_keeps_its_status_and_request_id() {
        let mut c = call(RetryPolicy { deadline_ms: Some(1_000), ..RetryPolicy::default() });
        c.next_request(0, "n");
        let cut = Error::network("the body stopped").with_status(503).with_request_id(Some(format!("R-{SECRET}")));
        let e = failure(c.on_transport_error(cut, 1_000, 0.5));
        assert_eq!((e.code.as_str(), e.status), ("DeadlineExceeded", 503));
        assert_eq!(e.request_id.as_deref(), Some("R-[REDACTED]"));
    }

    #[test]
    fn a_200_that_reports_throttling_waits_as_the_server_asks() {
        let mut c = call(RetryPolicy::default());
        c.next_request(0, "n");
        let body = r#"{"success":false,"errorCode":"Throttling.User","errorMessage":"slow down"}"#;
        match respond(&mut c, 200, &[("x-acs-retry-after", "1234")], body, 0) {
            Outcome::Retry { delay_ms } => assert_eq!(delay_ms, 1234),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn no_clock_skew_retry_after_the_deadline() {
        let skew = [("date", "Thu, 06 Feb 2020 07:32:55 GMT")];
        let body = r#"{"Code":"InvalidTimeStamp.Expired","Message":"too old"}"#;
        let mut c = call(RetryPolicy { deadline_ms: Some(1_000), ..RetryPolicy::default() });
        c.next_request(0, "n");
        // Before, this was `Retry { delay_ms: 0 }`: one more signed request with no time left.
        let e = failure(respond(&mut c, 400, &skew, body, 1_000));
        assert_eq!((e.code.as_str(), e.attempts), ("InvalidTimeStamp.Expired", 1));
    }

    #[test]
    fn past_deadline_is_checked_before_each_attempt() {
        let mut c = call(RetryPolicy { deadline_ms: Some(1_000), ..RetryPolicy::default() });
        assert!(c.past_deadline(5_000).is_none(), "the first attempt starts the clock");
        c.next_request(5_000, "n");
        assert!(c.past_deadline(5_999).is_none());
        let e = c.past_deadline(6_000).unwrap();
        assert_eq!((e.kind, e.code.as_str(), e.attempts), (ErrorKind::Timeout, "DeadlineExceeded", 1));
        assert!(call(RetryPolicy::default()).past_deadline(i64::MAX / 2).is_none(), "no deadline, no end");
    }

    #[test]
    fn secrets_echoed_by_the_server_are_redacted() {
        // V3 (`Signature=…`) and V1 (`acs <id>:<signature>`) alike.
        for version in [SignatureVersion::V3, SignatureVersion::V1] {
            let mut c = call(RetryPolicy::default());
            if let Auth::AccessKey(_, v) = &mut c.auth {
                *v = version;
            }
            let request = c.next_request(0, "n");
            // Read here without `signature_of`, which must find the same.
            let authorization = request.header("authorization").unwrap();
            let (_, signature) = authorization.rsplit_once("Signature=").or(authorization.rsplit_once(':')).unwrap();
            let signature = signature.to_owned();
            assert_eq!(signature_of(authorization).as_deref(), Some(signature.as_str()));
            assert!(signature.len() >= 20, "{version:?}: {signature}");
            let body = format!(
                r#"{{"Code":"SignatureDoesNotMatch","Message":"string to sign: {TOKEN} {SECRET} {signature}"}}"#
            );
            let e = failure(respond(&mut c, 400, &[], &body, 0));
            let text = format!("{} {:?}", e.message(), e);
            assert_eq!(e.kind, ErrorKind::Authentication);
            for needle in [SECRET, TOKEN, signature.as_str()] {
                assert!(!text.contains(needle), "{version:?}: {text}");
            }
        }
    }

    #[test]
    fn a_long_server_message_is_cut_leaving_no_part_of_a_secret() {
        let detail_of = |message: &str| {
            let mut c = call(RetryPolicy::default());
            c.next_request(0, "n");
            failure(respond(&mut c, 404, &[], &format!(r#"{{"Message":"{message}"}}"#), 0)).detail
        };
        // The secret straddles the cut: redacted whole first, its mark kept whole.
        let start = "é".repeat(MAX_SERVER_TEXT_CHARS - 5);
        let detail = detail_of(&format!("{start}{SECRET}{}", "x".repeat(5_000)));
        assert_eq!(detail, format!("{start}{REDACTED}{CUT_MARK}"));
        // Cut only when that saves more than the mark's length.
        let mark = CUT_MARK.chars().count();
        let long = "y".repeat(MAX_SERVER_TEXT_CHARS + mark);
        assert_eq!(detail_of(&long), long);
        let longer = format!("{long}z");
        assert_eq!(detail_of(&longer), format!("{}{CUT_MARK}", &longer[..MAX_SERVER_TEXT_CHARS]));
        assert_eq!(detail_of("short"), "short");
    }

    #[test]
    fn only_the_servers_text_is_cut_never_the_packages_own() {
        // A 200 with `success: false` too.
        let long = "m".repeat(3 * MAX_SERVER_TEXT_CHARS);
        let mut c = call(RetryPolicy::default());
        c.next_request(0, "n");
        let body = format!(r#"{{"success":false,"errorCode":"Forbidden.AccessDenied","errorMessage":"{long}"}}"#);
        let e = failure(respond(&mut c, 200, &[], &body, 0));
        assert_eq!(e.detail, format!("{}{CUT_MARK}", &long[..MAX_SERVER_TEXT_CHARS]));
        // The unsigned request's hint follows the cut message whole.
        let mut c = unsigned_call("http://127.0.0.1:8080/api");
        c.next_request(0, "n");
        let body = format!(r#"{{"Code":"IncompleteSignature","Message":"{long}"}}"#);
        let e = failure(respond(&mut c, 400, &[], &body, 0));
        let hint = " — the request went out unsigned";
        assert!(e.detail.starts_with(&format!("{}{CUT_MARK}{hint}", &long[..MAX_SERVER_TEXT_CHARS])), "{}", e.detail);
        assert!(e.detail.ends_with("the proxy's credentials that were refused"), "{}", e.detail);
    }

    #[test]
    fn redirects_are_not_followed() {
        let mut c = call(RetryPolicy::default());
        c.next_request(0, "n");
        let e = failure(respond(&mut c, 302, &[("location", "https://evil.example/")], "", 0));
        assert_eq!((e.kind, e.code.as_str(), e.status), (ErrorKind::InvalidResponse, "UnexpectedRedirect", 302));
    }
}
