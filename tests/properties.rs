//! Property tests of the core's invariants (native; `cargo test`).
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use yunxiao_pipeline_jobs::core::encode::{percent_decode, percent_encode};
use yunxiao_pipeline_jobs::core::endpoint::Endpoint;
use yunxiao_pipeline_jobs::core::error::classify;
use yunxiao_pipeline_jobs::core::json::Scanner;
use yunxiao_pipeline_jobs::core::normalize::{normalize_success, parse_error_body};
use yunxiao_pipeline_jobs::core::request::{self, Auth, CallTarget};
use yunxiao_pipeline_jobs::core::secret::{Redactor, Secret};
use yunxiao_pipeline_jobs::core::sign::{Credentials, SignatureVersion};

fn target(org: &str, pipeline: &str) -> CallTarget {
    CallTarget {
        endpoint: Endpoint::parse("https://devops.cn-hangzhou.aliyuncs.com/base", false).unwrap(),
        organization_id: org.into(),
        pipeline_id: pipeline.into(),
        category: "DEPLOY".into(),
        user_agent_suffix: None,
    }
}

fn access_key(version: SignatureVersion, token: Option<String>) -> Auth {
    Auth::AccessKey(
        Credentials {
            access_key_id: "AKID".into(),
            access_key_secret: Secret::new("secret"),
            security_token: token.map(Secret::new),
        },
        version,
    )
}

fn version() -> impl Strategy<Value = SignatureVersion> {
    prop_oneof![Just(SignatureVersion::V3), Just(SignatureVersion::V1)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_id_round_trips_through_percent_decoding(org in any::<String>(), pipeline in "\\PC*") {
        let built = request::build(&target(&org, &pipeline), &Auth::Unsigned, 0, "n");
        let segments: Vec<&str> = built.pathname.split('/').collect();
        // ["", "base", "organization", org, "pipeline", pipeline, "jobs"]
        prop_assert_eq!(segments.len(), 7);
        prop_assert_eq!(percent_decode(segments[3]).unwrap(), org.as_bytes().to_vec());
        prop_assert_eq!(percent_decode(segments[5]).unwrap(), pipeline.as_bytes().to_vec());
        let url = built.url();
        prop_assert!(url.bytes().all(|b| b.is_ascii_graphic()), "{}", url);
    }

    #[test]
    fn encoding_keeps_only_unreserved_bytes(text in any::<String>()) {
        let encoded = percent_encode(&text);
        prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
        prop_assert_eq!(percent_decode(&encoded).unwrap(), text.as_bytes().to_vec());
    }

    #[test]
    fn signing_is_deterministic_given_time_and_nonce(
        org in "\\PC{1,20}", now in 0i64..4_102_444_800_000, nonce in "[0-9a-f]{32}",
        other_nonce in "[0-9a-f]{32}", v in version(), token in proptest::option::of("[A-Za-z0-9]{1,30}"),
    ) {
        let auth = access_key(v, token);
        let a = request::build(&target(&org, "1"), &auth, now, &nonce);
        let b = request::build(&target(&org, "1"), &auth, now, &nonce);
        prop_assert_eq!(&a, &b);
        let c = request::build(&target(&org, "1"), &auth, now, &other_nonce);
        prop_assert_eq!(nonce == other_nonce, a.header("authorization") == c.header("authorization"));
        let later = request::build(&target(&org, "1"), &auth, now + 1000, &nonce);
        prop_assert_ne!(a.header("authorization"), later.header("authorization"));
    }

    #[test]
    fn endpoint_parsing_never_panics_and_is_stable(text in any::<String>(), insecure in any::<bool>()) {
        if let Ok(endpoint) = Endpoint::parse(&text, insecure) {
            let again = format!("{}{}", endpoint.origin(), endpoint.base_path);
            prop_assert_eq!(Endpoint::parse(&again, insecure).unwrap(), endpoint);
        }
    }

    #[test]
    fn normalising_any_bytes_never_panics(body in proptest::collection::vec(any::<u8>(), 0..200), status in 100u16..600) {
        if let Ok(normalized) = normalize_success(&body, status, Some("R")) {
            let value: serde_json::Value = serde_json::from_str(&normalized.json).unwrap();
            prop_assert_eq!(value["jobs"].as_array().unwrap().len(), normalized.job_count);
        }
        let _ = parse_error_body(&body);
    }

    #[test]
    fn classifying_any_code_never_panics(status in any::<u16>(), code in proptest::option::of(any::<String>())) {
        let _ = classify(status, code.as_deref());
    }
}

/// Structured bodies: generated jobs normalise to exactly what was put in.
fn job() -> impl Strategy<Value = (String, String, Option<u64>, serde_json::Value)> {
    (
        "\\PC{0,12}",
        "\\PC{1,12}",
        proptest::option::of(0u64..=9_007_199_254_740_991),
        proptest::collection::btree_map("\\PC{0,6}", any::<i32>(), 0..4).prop_map(|m| serde_json::to_value(m).unwrap()),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_envelopes_normalise_faithfully(jobs in proptest::collection::vec(job(), 0..8), as_string in any::<bool>()) {
        let wire: Vec<serde_json::Value> = jobs.iter().map(|(name, id, last, params)| {
            let last = match last {
                Some(n) if as_string => serde_json::Value::from(n.to_string()),
                Some(n) => serde_json::Value::from(*n),
                None => serde_json::Value::Null,
            };
            serde_json::json!({"jobName": name, "identifier": id, "lastJobId": last, "lastJobParams": params.to_string()})
        }).collect();
        let body = serde_json::json!({"requestId": "R", "success": true, "jobs": wire}).to_string();
        let normalized = normalize_success(body.as_bytes(), 200, None).unwrap();
        let value: serde_json::Value = serde_json::from_str(&normalized.json).unwrap();
        prop_assert_eq!(normalized.job_count, jobs.len());
        prop_assert_eq!(value["jobs"].as_array().unwrap().len(), jobs.len());
        for (i, (name, id, last, params)) in jobs.iter().enumerate() {
            let out = &value["jobs"][i];
            prop_assert_eq!(&out["jobName"], &serde_json::Value::from(name.as_str()));
            prop_assert_eq!(&out["identifier"], &serde_json::Value::from(id.as_str()));
            prop_assert_eq!(out["lastJobId"].as_u64(), *last);
            let raw: serde_json::Value = serde_json::from_str(out["lastJobParamsRaw"].as_str().unwrap()).unwrap();
            prop_assert_eq!(&raw, params);
            prop_assert_eq!(&out["lastJobParamsRaw"], &serde_json::Value::from(params.to_string()));
        }
    }
}

/// JSON-ish text from pieces that exercise the scanner: structure, escapes, control bytes,
/// multi-byte UTF-8, and runs long enough for its eight-bytes-at-a-time string scan. No piece
/// can form a surrogate escape (`\uD800`), which JSON.parse accepts and serde_json does not.
/// Some pieces are near misses: CR (white space) and form feed (not), `\f` and `\a`, short or
/// non-hex `\u` escapes.
fn json_ish() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "\"", "\\", "{", "}", "[", "]", ":", ",", " ", "\n", "\t", "\u{1}", "\u{1f}", "\u{7f}", "a", "é", "构", "😀",
        "0", "1", "-", ".", "e", "E", "+", "true", "false", "null", "u", "\\u00e9", "\\n", "\\\"", "\\/",
        "\"abcdefghijklmnop\"", "\"0123456789构建é😀\"", "\"a\\\"b\\\\c\"", "abcdefgh", "构建构建",
        "\"abcdefg\u{1}hijklmno\"", "\"abcdefghijklmn\u{1f}\"", "\"abcdefghijkl\\n\"", "\r", "\u{c}", "\\f", "\\a",
        "\\u12", "\\u00zz", "\\u004G",
    ];
    proptest::collection::vec(proptest::sample::select(PIECES), 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    #[test]
    fn the_scanner_agrees_with_serde_json_on_validity(text in json_ish()) {
        let mut scanner = Scanner::new(&text);
        let ours = scanner.skip_value().is_ok() && scanner.finish().is_ok();
        let theirs = serde_json::from_str::<serde_json::Value>(&text).is_ok();
        prop_assert_eq!(ours, theirs, "{:?}", text);
    }
}

/// A secret (of the characters credentials and hostile tests use) and an echo of it, each
/// character written as it is or escaped a way `Redactor` knows, chosen per character.
fn secret_and_echo() -> impl Strategy<Value = (String, String)> {
    let chars = &['a', 'Z', '7', '-', '_', '+', '/', '=', '%', '\\', 'é', '构'][..];
    let secret_chars = proptest::collection::vec((proptest::sample::select(chars), 0u8..6), 4..16);
    secret_chars.prop_map(|chars| {
        let (mut secret, mut echo) = (String::new(), String::new());
        for (c, choice) in chars {
            secret.push(c);
            let mut utf8 = [0; 4];
            let escaped: Option<String> = match choice {
                1 => Some(c.encode_utf8(&mut utf8).bytes().map(|b| format!("%{b:02X}")).collect()),
                2 => Some(c.encode_utf8(&mut utf8).bytes().map(|b| format!("%{b:02x}")).collect()),
                3 => Some(c.encode_utf8(&mut utf8).bytes().map(|b| format!("%25{b:02X}")).collect()),
                4 if c.is_ascii() => Some(format!("\\u00{:02x}", u32::from(c))),
                5 if c == '/' => Some("\\/".to_owned()),
                _ => None,
            };
            match escaped {
                Some(escaped) => echo.push_str(&escaped),
                None => echo.push(c),
            }
        }
        (secret, echo)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn an_echo_of_a_secret_in_any_mix_of_escapes_is_redacted((secret, echo) in secret_and_echo(), before in "[ b-y:]{0,6}", after in "[ b-y.]{0,6}") {
        // The text around the echo shares no character with any secret: exactly the echo goes.
        let mut redactor = Redactor::default();
        redactor.add(&Secret::new(secret.as_str()));
        let out = redactor.redact(&format!("{before}{echo}{after}"));
        prop_assert_eq!(out, format!("{before}[REDACTED]{after}"), "{:?} echoed as {:?}", secret, echo);
    }
}
