//! Any bytes, any status: the response normaliser must return Ok or Err, never panic, and
//! what it returns must be one JSON text whose job count matches.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yunxiao_pipeline_jobs::core::json::Scanner;
use yunxiao_pipeline_jobs::core::normalize::normalize_success;

fuzz_target!(|data: &[u8]| {
    let (status, body) = match data.split_first() {
        Some((first, rest)) => (200 + u16::from(*first % 8), rest),
        None => (200, data),
    };
    if let Ok(normalized) = normalize_success(body, status, Some("HDR")) {
        let mut scanner = Scanner::new(&normalized.json);
        assert!(scanner.skip_value().is_ok() && scanner.finish().is_ok(), "output is not JSON");
        assert!(normalized.json.starts_with("{\"jobs\":["));
    }
});
