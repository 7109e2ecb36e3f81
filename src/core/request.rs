//! The request as data: built from validated inputs without any network, so unit tests can
//! compare it and the signer can sign it.

use super::encode::{percent_encode, quoted};
use super::endpoint::Endpoint;
use super::error::{Error, Result};
use super::secret::Secret;
use super::sign::{self, Credentials, SignatureVersion};
use super::time;

pub const API_VERSION: &str = "2021-06-25";
pub const ACTION: &str = "ListPipelineJobs";
pub const USER_AGENT: &str = concat!("yunxiao-pipeline-jobs/", env!("CARGO_PKG_VERSION"));
pub const DEFAULT_CATEGORY: &str = "DEPLOY";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: &'static str,
    /// Scheme, host and port: `https://devops.cn-hangzhou.aliyuncs.com`.
    pub origin: String,
    /// The path exactly as sent, already percent-encoded.
    pub pathname: String,
    /// Query parameters, unencoded, in the order they are sent.
    pub query: Vec<(String, String)>,
    /// Lower-case names. `host` is here because it is signed; the transport must not set it
    /// (fetch derives it from the URL and forbids setting it).
    pub headers: Vec<(String, String)>,
}

impl HttpRequest {
    pub fn url(&self) -> String {
        let mut url = format!("{}{}", self.origin, self.pathname);
        for (i, (key, value)) in self.query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(&percent_encode(key));
            url.push('=');
            url.push_str(&percent_encode(value));
        }
        url
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    pub fn set_header(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self.headers.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.headers.push((name.to_owned(), value)),
        }
    }
}

/// A header's value from lower-case (name, value) pairs (a request's or an answer's).
pub fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// How a call authenticates, which also decides which API it talks to.
#[derive(Clone, Debug)]
pub enum Auth {
    /// No credentials: an unsigned classic request, for a signing proxy in front of the API.
    Unsigned,
    AccessKey(Credentials, SignatureVersion),
    /// A Yunxiao personal access token: the token API (`GET .../listTasksByCategory/...`).
    Token(Secret, Edition),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edition {
    /// `openapi-rdc.aliyuncs.com`: paths carry `/organizations/{org}`.
    Center,
    /// Region-edition deployments: no organization segment.
    Region,
}

/// Validated inputs of one call.
#[derive(Clone, Debug)]
pub struct CallTarget {
    pub endpoint: Endpoint,
    pub organization_id: String,
    pub pipeline_id: String,
    pub category: String,
    pub user_agent_suffix: Option<String>,
}

/// An id used as a path segment: encoded, so any text is safe, but empty, `.` and `..` would
/// change which resource the path names.
pub fn validate_id(name: &'static str, value: &str, allow_empty: bool) -> Result<()> {
    if value.is_empty() && !allow_empty {
        return Err(Error::invalid_option(name, "must not be empty"));
    }
    if value == "." || value == ".." {
        return Err(Error::invalid_option(name, "must not be \".\" or \"..\""));
    }
    if value.len() > 1024 {
        return Err(Error::invalid_option(name, "is longer than 1024 bytes"));
    }
    Ok(())
}

/// How much of a refused category its message shows.
pub const CATEGORY_QUOTED_CHARS: usize = 40;

/// `None` → DEPLOY; otherwise trimmed, upper-cased and checked against `^[A-Z][A-Z0-9_]*$`.
pub fn normalize_category(category: Option<&str>) -> Result<String> {
    let Some(text) = category else {
        return Ok(DEFAULT_CATEGORY.to_owned());
    };
    let upper = text.trim().to_ascii_uppercase();
    let mut bytes = upper.bytes();
    let matches = bytes.next().is_some_and(|b| b.is_ascii_uppercase())
        && bytes.all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if matches && upper.len() <= 64 {
        Ok(upper)
    } else {
        // Said apart: a long category that matches the pattern must not be told it does not.
        let rule = if matches { "it must be at most 64 characters" } else { "it must match ^[A-Z][A-Z0-9_]*$" };
        Err(Error::invalid_option(
            "category",
            &format!(
                "{} is invalid: {rule} after trimming and upper-casing (e.g. \"DEPLOY\")",
                quoted(text, CATEGORY_QUOTED_CHARS)
            ),
        ))
    }
}

/// Values that go into a header must be printable ASCII: anything else could not be sent
/// (or could split the header). The value itself is not echoed: it may be a secret.
pub fn validate_header_value(option: &'static str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid_option(option, "must not be empty"));
    }
    if let Some(pos) = value.bytes().position(|b| !(0x20..0x7f).contains(&b)) {
        return Err(Error::invalid_option(
            option,
            &format!("must be printable ASCII (invalid character at position {pos})"),
        ));
    }
    Ok(())
}

/// A credential sent as a header value (`accessKeyId`, `securityToken`, `token`): as
/// `validate_header_value` (which refuses tabs), and no space at either end. HTTP drops those,
/// so the server would check a signature (V1 signs `x-acs-security-token` as given) over
/// another value.
pub fn validate_credential_value(option: &'static str, value: &str) -> Result<()> {
    validate_header_value(option, value)?;
    refuse_padding(option, value)
}

/// A credential with white space at either end (a space, or the newline of a file it was read
/// from): sent, HTTP would drop it (the server would check another value than the one signed);
/// the AccessKey secret, never sent, would sign with a key the server does not have. Either way
/// a pasting slip, told apart from a wrong key.
pub fn refuse_padding(option: &'static str, value: &str) -> Result<()> {
    if value.trim_matches(|c: char| c.is_ascii_whitespace()).len() != value.len() {
        return Err(Error::invalid_option(
            option, "starts or ends with white space: remove it (the server would check another value)",
        ));
    }
    Ok(())
}

pub fn user_agent(suffix: Option<&str>) -> String {
    match suffix {
        Some(s) if !s.is_empty() => format!("{USER_AGENT} {s}"),
        _ => USER_AGENT.to_owned(),
    }
}

/// Builds (and signs, when there are credentials) one attempt's request.
/// `now_ms` and `nonce` come from the caller: fresh for every attempt, pinned in tests.
pub fn build(target: &CallTarget, auth: &Auth, now_ms: i64, nonce: &str) -> HttpRequest {
    let org = percent_encode(&target.organization_id);
    let pipeline = percent_encode(&target.pipeline_id);
    let base = &target.endpoint.base_path;
    let ua = user_agent(target.user_agent_suffix.as_deref());
    match auth {
        Auth::Token(token, edition) => {
            let category = percent_encode(&target.category);
            let pathname = match edition {
                Edition::Center => format!(
                    "{base}/oapi/v1/flow/organizations/{org}/pipelines/{pipeline}/listTasksByCategory/{category}"
                ),
                Edition::Region => {
                    format!("{base}/oapi/v1/flow/pipelines/{pipeline}/listTasksByCategory/{category}")
                }
            };
            HttpRequest {
                method: "GET",
                origin: target.endpoint.origin(),
                pathname,
                query: Vec::new(),
                headers: vec![
                    ("accept".into(), "application/json".into()),
                    ("user-agent".into(), ua),
                    ("x-yunxiao-token".into(), token.expose().to_owned()),
                ],
            }
        }
        Auth::Unsigned | Auth::AccessKey(..) => {
            let version = match auth {
                Auth::AccessKey(_, version) => *version,
                _ => SignatureVersion::V3,
            };
            let mut request = HttpRequest {
                method: "POST",
                origin: target.endpoint.origin(),
                pathname: format!("{base}/organization/{org}/pipeline/{pipeline}/jobs"),
                query: vec![("category".into(), target.category.clone())],
                headers: vec![
                    ("host".into(), target.endpoint.host_header()),
                    ("accept".into(), "application/json".into()),
                    ("user-agent".into(), ua),
                    ("x-acs-action".into(), ACTION.into()),
                    ("x-acs-version".into(), API_VERSION.into()),
                    ("x-acs-signature-nonce".into(), nonce.to_owned()),
                ],
            };
            match version {
                SignatureVersion::V3 => {
                    request.set_header("x-acs-date", time::iso8601(now_ms));
                    request.set_header("x-acs-content-sha256", sign::EMPTY_SHA256);
                }
                SignatureVersion::V1 => {
                    request.set_header("date", time::rfc1123(now_ms));
                    request.set_header("x-acs-signature-method", "HMAC-SHA1");
                    request.set_header("x-acs-signature-version", "1.0");
                }
            }
            if let Auth::AccessKey(credentials, version) = auth {
                sign::sign(&mut request, credentials, *version);
            }
            request
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(org: &str, pipeline: &str) -> CallTarget {
        CallTarget {
            endpoint: Endpoint::parse("https://devops.cn-hangzhou.aliyuncs.com", false).unwrap(),
            organization_id: org.into(),
            pipeline_id: pipeline.into(),
            category: "DEPLOY".into(),
            user_agent_suffix: None,
        }
    }

    #[test]
    fn ids_categories_and_header_values_have_bounds() {
        assert!(validate_id("pipelineId", &"a".repeat(1024), false).is_ok());
        assert!(validate_id("pipelineId", &"a".repeat(1025), false).is_err());
        assert!(normalize_category(Some(&"A".repeat(64))).is_ok());
        let long = normalize_category(Some(&"A".repeat(65))).unwrap_err();
        assert!(long.message().contains("it must be at most 64 characters"), "{}", long.message());
        assert!(!long.message().contains("must match"), "{}", long.message());
        // Long and unlike the pattern (or long only in bytes): the pattern is what to fix.
        for unlike in ["deploy-1", &"a-b".repeat(30), &"中".repeat(30)] {
            let e = normalize_category(Some(unlike)).unwrap_err();
            assert!(e.message().contains("it must match ^[A-Z][A-Z0-9_]*$"), "{}", e.message());
        }
        assert!(validate_header_value("accessKeyId", "AK~").is_ok());
        assert!(validate_header_value("accessKeyId", "AK\u{7f}").is_err(), "DEL, which fetch refuses in a header");
        for padded in ["s\n", "\ts", "s\r", " s"] {
            assert!(refuse_padding("accessKeySecret", padded).is_err(), "{padded:?}");
        }
    }

    #[test]
    fn a_v1_request_names_hmac_sha1_and_a_v3_one_no_method_header() {
        let credentials = crate::core::sign::Credentials {
            access_key_id: "AKID".into(),
            access_key_secret: Secret::new("secret"),
            security_token: None,
        };
        let v1 = build(&target("org", "1"), &Auth::AccessKey(credentials.clone(), SignatureVersion::V1), 0, "n");
        assert_eq!(v1.header("x-acs-signature-method"), Some("HMAC-SHA1"));
        let v3 = build(&target("org", "1"), &Auth::AccessKey(credentials, SignatureVersion::V3), 0, "n");
        assert_eq!(v3.header("x-acs-signature-method"), None);
        assert!(v3.header("authorization").unwrap().starts_with("ACS3-HMAC-SHA256 "));
    }

    #[test]
    fn classic_request_shape() {
        let r = build(&target("org x/y", "123"), &Auth::Unsigned, 1_580_974_374_000, "n0");
        assert_eq!(r.method, "POST");
        assert_eq!(
            r.url(),
            "https://devops.cn-hangzhou.aliyuncs.com/organization/org%20x%2Fy/pipeline/123/jobs?category=DEPLOY"
        );
        assert_eq!(r.header("x-acs-date"), Some("2020-02-06T07:32:54Z"));
        assert_eq!(r.header("x-acs-signature-nonce"), Some("n0"));
        assert_eq!(r.header("authorization"), None);
        assert_eq!(r.header("user-agent"), Some(USER_AGENT));
    }

    #[test]
    fn hostile_ids_cannot_change_the_request_line() {
        for id in ["../../admin", "a/b", "%2e%2e", "a\r\nX-Evil: 1", "a\0b", "a b?c#d"] {
            let r = build(&target(id, id), &Auth::Unsigned, 0, "n");
            let url = r.url();
            assert!(url.bytes().all(|b| b.is_ascii_graphic()), "{url}");
            assert_eq!(url.matches('/').count(), 2 + 5, "{url}");
            assert_eq!(url.matches('?').count(), 1, "{url}");
        }
    }

    #[test]
    fn token_request_shapes() {
        let token = Auth::Token(Secret::new("pt-x"), Edition::Center);
        let r = build(&target("o", "p"), &token, 0, "n");
        assert_eq!(r.method, "GET");
        assert_eq!(r.pathname, "/oapi/v1/flow/organizations/o/pipelines/p/listTasksByCategory/DEPLOY");
        assert_eq!(r.header("x-yunxiao-token"), Some("pt-x"));
        let region = Auth::Token(Secret::new("pt-x"), Edition::Region);
        let r = build(&target("", "p"), &region, 0, "n");
        assert_eq!(r.pathname, "/oapi/v1/flow/pipelines/p/listTasksByCategory/DEPLOY");
    }

    #[test]
    fn category_rules() {
        assert_eq!(normalize_category(None).unwrap(), "DEPLOY");
        assert_eq!(normalize_category(Some("  deploy ")).unwrap(), "DEPLOY");
        assert_eq!(normalize_category(Some("build_2")).unwrap(), "BUILD_2");
        for bad in ["", " ", "2X", "_X", "DE PLOY", "DEPLOY\n?x", "部署"] {
            assert!(normalize_category(Some(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ids_and_header_values() {
        assert!(validate_id("organizationId", "", false).is_err());
        assert!(validate_id("organizationId", "", true).is_ok());
        assert!(validate_id("pipelineId", "..", false).is_err());
        assert!(validate_id("pipelineId", "...", false).is_ok());
        let err = validate_header_value("accessKeyId", "AK\r\nX: 1").unwrap_err();
        assert!(err.message().contains("accessKeyId") && !err.message().contains("AK"));
        assert!(validate_header_value("userAgent", "my-app/1.0 (x)").is_ok());
        for padded in [" AK", "AK ", "  AK  "] {
            let err = validate_credential_value("securityToken", padded).unwrap_err();
            assert!(err.message().contains("securityToken starts or ends with white space"), "{}", err.message());
        }
        assert!(validate_credential_value("token", "pt-a b").is_ok(), "inner spaces are sent as they are");
    }

    /// JS marks the field to fix by `argument` (the demo page, the proxy, the environment's
    /// variable names): each refusal names it, and its message starts with it.
    #[test]
    fn a_refusal_names_the_argument_it_blames_first() {
        let refusals = [
            ("organizationId", validate_id("organizationId", "", false)),
            ("pipelineId", validate_id("pipelineId", "..", false)),
            ("pipelineId", validate_id("pipelineId", &"1".repeat(1025), false)),
            ("category", normalize_category(Some("de ploy")).map(drop)),
            ("category", normalize_category(Some(&"A".repeat(65))).map(drop)),
            ("userAgent", validate_header_value("userAgent", "ü")),
            ("accessKeyId", validate_credential_value("accessKeyId", "")),
            ("token", validate_credential_value("token", "pt ")),
            ("accessKeySecret", refuse_padding("accessKeySecret", "\tsecret")),
            ("endpoint", Endpoint::parse("ftp://x", false).map(drop)),
            ("endpoint", Endpoint::parse("https://user:pw@x.example.com", false).map(drop)),
        ];
        for (argument, refusal) in refusals {
            let error = refusal.unwrap_err();
            assert_eq!(error.argument, Some(argument), "{}", error.message());
            assert!(error.message().starts_with(&format!("InvalidArgument: {argument} ")), "{}", error.message());
        }
        assert_eq!(Error::invalid_argument("several at once").argument, None);
    }
}
