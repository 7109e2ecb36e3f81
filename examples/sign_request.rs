//! Signs requests described as JSON lines on stdin and prints each as a JSON line on stdout.
//! The differential test (`tests/oracle/`) compares this with the official Python SDK.
//!
//! In:  {"id", "algorithm": "v3"|"v1", "endpoint", "organizationId", "pipelineId", "category",
//!       "accessKeyId", "accessKeySecret", "securityToken"?, "timestampMs", "nonce", "userAgent"?}
//! Out: {"id", "method", "url", "pathname", "query", "headers"} or {"id", "error": {code, message}}

use std::io::{BufRead, Write};

use serde_json::{json, Value};
use yunxiao_pipeline_jobs::core::endpoint::Endpoint;
use yunxiao_pipeline_jobs::core::error::Error;
use yunxiao_pipeline_jobs::core::request::{self, Auth, CallTarget};
use yunxiao_pipeline_jobs::core::secret::Secret;
use yunxiao_pipeline_jobs::core::sign::{Credentials, SignatureVersion};

// Boxed: the crate's Error is past clippy's size for an `Err` on a 64-bit host (see lib.rs).
fn sign(input: &Value) -> Result<Value, Box<Error>> {
    let text = |key: &str| input[key].as_str().unwrap_or("").to_owned();
    let endpoint = Endpoint::parse(&text("endpoint"), false)?;
    request::validate_id("organizationId", &text("organizationId"), false)?;
    request::validate_id("pipelineId", &text("pipelineId"), false)?;
    let category = request::normalize_category(input["category"].as_str())?;
    request::validate_credential_value("accessKeyId", &text("accessKeyId"))?;
    let user_agent = input["userAgent"].as_str().map(str::to_owned);
    if let Some(ua) = &user_agent {
        request::validate_header_value("userAgent", ua)?;
    }
    let security_token = input["securityToken"].as_str().map(Secret::new);
    if let Some(token) = &security_token {
        request::validate_credential_value("securityToken", token.expose())?;
    }
    let version = match input["algorithm"].as_str() {
        Some("v1") => SignatureVersion::V1,
        _ => SignatureVersion::V3,
    };
    let target = CallTarget {
        endpoint,
        organization_id: text("organizationId"),
        pipeline_id: text("pipelineId"),
        category,
        user_agent_suffix: user_agent,
    };
    let credentials = Credentials {
        access_key_id: text("accessKeyId"),
        access_key_secret: Secret::new(text("accessKeySecret")),
        security_token,
    };
    let now = input["timestampMs"].as_i64().unwrap_or(0);
    let built = request::build(&target, &Auth::AccessKey(credentials, version), now, &text("nonce"));
    let headers: serde_json::Map<String, Value> =
        built.headers.iter().map(|(n, v)| (n.clone(), Value::from(v.as_str()))).collect();
    let query: serde_json::Map<String, Value> =
        built.query.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect();
    Ok(json!({
        "method": built.method, "url": built.url(), "pathname": built.pathname,
        "query": query, "headers": headers,
    }))
}

fn main() {
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines().map_while(Result::ok) {
        if line.trim().is_empty() {
            continue;
        }
        let input: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
        let mut output = match sign(&input) {
            Ok(value) => value,
            Err(e) => json!({ "error": { "code": e.code, "message": e.message() } }),
        };
        output["id"] = input["id"].clone();
        let _ = writeln!(stdout, "{output}");
        let _ = stdout.flush();
    }
}
