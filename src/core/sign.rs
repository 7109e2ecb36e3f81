//! Request signing, a pure function of (request, credentials): the date and nonce are already
//! in the request's headers, put there by the builder from values the caller passed in.
//!
//! V3 (`ACS3-HMAC-SHA256`) signs `host` and every `x-acs-*` header, as the official TypeScript
//! SDK does (the server accepts any set, since `SignedHeaders` travels with the request).
//! V1 (ROA, HMAC-SHA1) signs accept/date and the `x-acs-*` headers.

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use super::encode::{base64, hex_lower, join, percent_encode, sort_small};
use super::request::HttpRequest;
use super::secret::Secret;

/// SHA-256 of the empty body.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureVersion {
    V3,
    V1,
}

#[derive(Clone, Debug)]
pub struct Credentials {
    pub access_key_id: String,
    pub access_key_secret: Secret,
    pub security_token: Option<Secret>,
}

/// Adds the STS headers (when there is a token) and the `authorization` header.
pub fn sign(request: &mut HttpRequest, credentials: &Credentials, version: SignatureVersion) {
    if let Some(token) = &credentials.security_token {
        request.set_header("x-acs-accesskey-id", credentials.access_key_id.clone());
        request.set_header("x-acs-security-token", token.expose().to_owned());
    }
    let secret = credentials.access_key_secret.expose().as_bytes();
    let authorization = match version {
        SignatureVersion::V3 => {
            let signed = v3_signed_header_names(&request.headers);
            let canonical = v3_canonical_request(request, &signed);
            let signature = hex_lower(&hmac_sha256(secret, v3_string_to_sign(&canonical).as_bytes()));
            format!(
                "ACS3-HMAC-SHA256 Credential={},SignedHeaders={},Signature={signature}",
                credentials.access_key_id,
                join(&signed, ";")
            )
        }
        SignatureVersion::V1 => {
            let signature = base64(&hmac_sha1(secret, v1_string_to_sign(request).as_bytes()));
            format!("acs {}:{signature}", credentials.access_key_id)
        }
    };
    request.set_header("authorization", authorization);
}

/// `host` and every `x-acs-*` header, lower-case and sorted.
pub fn v3_signed_header_names(headers: &[(String, String)]) -> Vec<String> {
    let mut names: Vec<String> = headers
        .iter()
        .map(|(name, _)| name.to_ascii_lowercase())
        .filter(|name| name == "host" || name.starts_with("x-acs-"))
        .collect();
    sort_small(&mut names, |a, b| a < b);
    names.dedup();
    names
}

pub fn v3_canonical_request(request: &HttpRequest, signed: &[String]) -> String {
    let mut query: Vec<(String, String)> =
        request.query.iter().map(|(k, v)| (percent_encode(k), percent_encode(v))).collect();
    sort_small(&mut query, |a, b| a < b);
    let query: Vec<String> = query.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut headers = String::new();
    for name in signed {
        let value = request.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map_or("", |(_, v)| v.as_str());
        headers.push_str(name);
        headers.push(':');
        headers.push_str(value.trim());
        headers.push('\n');
    }
    let payload_hash = request.header("x-acs-content-sha256").unwrap_or(EMPTY_SHA256);
    format!(
        "{}\n{}\n{}\n{headers}\n{}\n{payload_hash}",
        request.method,
        request.pathname,
        join(&query, "&"),
        join(signed, ";")
    )
}

pub fn v3_string_to_sign(canonical_request: &str) -> String {
    format!("ACS3-HMAC-SHA256\n{}", hex_lower(&Sha256::digest(canonical_request.as_bytes())))
}

pub fn v1_string_to_sign(request: &HttpRequest) -> String {
    let header = |name: &str| request.header(name).unwrap_or("");
    let mut acs: Vec<(String, &str)> = request
        .headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.as_str()))
        .filter(|(n, _)| n.starts_with("x-acs-"))
        .collect();
    sort_small(&mut acs, |a, b| a < b);
    let mut out = format!(
        "{}\n{}\n{}\n{}\n{}\n",
        request.method,
        header("accept"),
        header("content-md5"),
        header("content-type"),
        header("date")
    );
    for (name, value) in acs {
        out.push_str(&name);
        out.push(':');
        out.push_str(value);
        out.push('\n');
    }
    out.push_str(&request.pathname);
    // Values are NOT encoded in V1's resource; an empty value leaves the bare key.
    let mut query: Vec<&(String, String)> = request.query.iter().collect();
    sort_small(&mut query, |a, b| a < b);
    for (i, (key, value)) in query.into_iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(key);
        if !value.is_empty() {
            out.push('=');
            out.push_str(value);
        }
    }
    out
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    // `new_from_slice` accepts keys of any length for HMAC; the error arm cannot happen.
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

fn hmac_sha1(key: &[u8], data: &[u8]) -> Vec<u8> {
    match Hmac::<Sha1>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    //! The golden vectors: what the official SDKs compute for six requests.
    use super::*;
    use serde_json::Value;

    const VECTORS: &str = include_str!("../../tests/fixtures/signing-vectors.json");

    fn cases() -> Vec<Value> {
        let doc: Value = serde_json::from_str(VECTORS).unwrap();
        doc["cases"].as_array().unwrap().clone()
    }

    fn request_of(input: &Value) -> HttpRequest {
        let obj = |v: &Value| -> Vec<(String, String)> {
            v.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())).collect()
        };
        HttpRequest {
            method: "POST",
            origin: "https://devops.cn-hangzhou.aliyuncs.com".into(),
            pathname: input["pathname"].as_str().unwrap().into(),
            query: obj(&input["query"]),
            headers: obj(&input["headers"]),
        }
    }

    fn credentials_of(input: &Value) -> Credentials {
        Credentials {
            access_key_id: input["access_key_id"].as_str().unwrap().into(),
            access_key_secret: Secret::new(input["access_key_secret"].as_str().unwrap()),
            security_token: input["security_token"].as_str().map(Secret::new),
        }
    }

    /// The vectors' requests have one query parameter: the sorts must still order several.
    #[test]
    fn query_parameters_and_acs_headers_are_signed_in_byte_order() {
        let pairs = |list: &[(&str, &str)]| list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let request = HttpRequest {
            method: "POST",
            origin: "https://devops.cn-hangzhou.aliyuncs.com".into(),
            pathname: "/p".into(),
            query: pairs(&[("b", "2"), ("a", "1"), ("B", "3")]),
            headers: pairs(&[("x-acs-z", "z"), ("host", "h"), ("x-acs-a", "a"), ("accept", "j")]),
        };
        let signed = v3_signed_header_names(&request.headers);
        assert_eq!(signed, ["host", "x-acs-a", "x-acs-z"]);
        let canonical = v3_canonical_request(&request, &signed);
        assert!(canonical.starts_with("POST\n/p\nB=3&a=1&b=2\nhost:h\nx-acs-a:a\nx-acs-z:z\n"), "{canonical}");
        assert!(v1_string_to_sign(&request).ends_with("\nx-acs-a:a\nx-acs-z:z\n/p?B=3&a=1&b=2"));
    }

    #[test]
    fn v1_vectors() {
        let mut seen = 0;
        for case in cases().iter().filter(|c| c["input"]["algorithm"] == "v1") {
            let (input, expected) = (&case["input"], &case["expected"]);
            let mut request = request_of(input);
            sign(&mut request, &credentials_of(input), SignatureVersion::V1);
            assert_eq!(v1_string_to_sign(&request), expected["string_to_sign"], "{}", case["name"]);
            assert_eq!(request.header("authorization").unwrap(), expected["authorization"]);
            seen += 1;
        }
        assert_eq!(seen, 3);
    }

    #[test]
    fn v3_vectors_both_header_sets() {
        let mut seen = 0;
        for case in cases().iter().filter(|c| c["input"]["algorithm"] == "v3") {
            let input = &case["input"];
            let mut request = request_of(input);
            request.set_header("x-acs-content-sha256", EMPTY_SHA256);
            sign(&mut request, &credentials_of(input), SignatureVersion::V3);
            let ours = &case["expected"]["host_and_acs_headers"];
            assert_eq!(request.header("authorization").unwrap(), ours["authorization"], "{}", case["name"]);

            // The lower-level functions reproduce the Python SDK's all-headers variant too.
            let all = &case["expected"]["all_headers"];
            let names: Vec<String> = all["signed_headers"].as_str().unwrap().split(';').map(String::from).collect();
            let canonical = v3_canonical_request(&request, &names);
            assert_eq!(canonical, all["canonical_request"]);
            assert_eq!(v3_string_to_sign(&canonical), all["string_to_sign"]);
            seen += 1;
        }
        assert_eq!(seen, 3);
    }

    #[test]
    fn signing_is_deterministic_and_secret_free() {
        let case = &cases()[5];
        let input = &case["input"];
        let creds = credentials_of(input);
        let mut a = request_of(input);
        let mut b = request_of(input);
        sign(&mut a, &creds, SignatureVersion::V3);
        sign(&mut b, &creds, SignatureVersion::V3);
        assert_eq!(a, b);
        let auth = a.header("authorization").unwrap();
        assert!(!auth.contains(creds.access_key_secret.expose()));
    }
}
