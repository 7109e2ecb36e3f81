//! Error answers: any status, headers and body through the call state machine's error path
//! (error-body parsing, classification, Retry-After, redaction, the cut of a long message) must
//! never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yunxiao_pipeline_jobs::core::call::{Call, Outcome, Response, RetryPolicy};
use yunxiao_pipeline_jobs::core::endpoint::Endpoint;
use yunxiao_pipeline_jobs::core::request::{Auth, CallTarget};
use yunxiao_pipeline_jobs::core::secret::Secret;
use yunxiao_pipeline_jobs::core::sign::{Credentials, SignatureVersion};

const SECRET: &str = "fuzz-secret-value";

fuzz_target!(|data: &[u8]| {
    let Some((&[a, b, c], rest)) = data.split_first_chunk::<3>() else { return };
    let status = u16::from_be_bytes([a, b]) % 600;
    let text = String::from_utf8_lossy(rest);
    let mut parts = text.splitn(3, '\n');
    let retry_after = parts.next().unwrap_or("").to_owned();
    let date = parts.next().unwrap_or("").to_owned();
    let body = parts.next().unwrap_or("").as_bytes().to_vec();
    let target = CallTarget {
        endpoint: Endpoint::parse("https://devops.cn-hangzhou.aliyuncs.com", false).unwrap(),
        organization_id: "o".into(),
        pipeline_id: "1".into(),
        category: "DEPLOY".into(),
        user_agent_suffix: None,
    };
    let credentials = Credentials {
        access_key_id: "AK".into(),
        access_key_secret: Secret::new(SECRET),
        security_token: None,
    };
    let policy = RetryPolicy { max_retries: u32::from(c % 4), ..RetryPolicy::default() };
    let mut call = Call::new(target, Auth::AccessKey(credentials, SignatureVersion::V3), policy);
    let headers = vec![
        ("retry-after".to_owned(), retry_after.clone()),
        ("x-acs-retry-after".to_owned(), retry_after),
        ("date".to_owned(), date),
    ];
    for _ in 0..3 {
        call.next_request(1_600_000_000_000, "nonce");
        // Now and then an error answer whose body was too big to read (as the transport says).
        let body_unread = (c & 0x80 != 0).then_some("the error answer is larger than 1 MiB");
        let response = Response { status, headers: &headers, body: &body, body_unread };
        match call.on_response(&response, 1_600_000_000_000, 0.5) {
            Outcome::Fail(error) => {
                assert!(!error.message().contains(SECRET));
                break;
            }
            Outcome::Retry { delay_ms } => assert!(delay_ms <= 30_000),
            Outcome::Done(_) => break,
        }
    }
});
