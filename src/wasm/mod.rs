//! The JS boundary: the only module that knows about JavaScript. It reads the options, runs the
//! core's call state machine over `fetch`, and hands JS one JSON text (or one error record).

mod options;
mod transport;

use js_sys::{Date, Math};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::core::call::{Call, Outcome};
use crate::core::codes;
use crate::core::error::Error;
use transport::{Failure, Transport};

/// Runs one `listPipelineJobs` call. Resolves with the normalised result as JSON text, or with
/// an error record (a plain object) that the JS wrapper turns into an error class instance.
/// Rejects only when the caller's `signal` aborts, with the signal's reason as it is.
#[wasm_bindgen(js_name = runListPipelineJobs)]
pub async fn run_list_pipeline_jobs(
    organization_id: JsValue,
    pipeline_id: JsValue,
    category: JsValue,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let prepared = match options::prepare(&organization_id, &pipeline_id, &category, &options) {
        Ok(prepared) => prepared,
        Err(error) => return Ok(error_record(&error)),
    };
    let mut call = Call::new(prepared.target, prepared.auth, prepared.policy);
    let transport = prepared.transport;
    match run(&mut call, &transport).await {
        Ok(json) => Ok(JsValue::from_str(&json)),
        Err(Failure::Aborted(reason)) => Err(reason),
        Err(Failure::Failed(error)) => Ok(error_record(&error)),
    }
}

async fn run(call: &mut Call, transport: &Transport) -> Result<String, Failure> {
    loop {
        transport.check_aborted()?;
        let nonce = transport::random_nonce().map_err(Failure::Failed)?;
        let now = Date::now() as i64;
        let request = call.next_request(now, &nonce);
        let timeout_ms = call.attempt_timeout_ms(now);
        let outcome = match transport.send(&request, timeout_ms, call.redactor()).await {
            Ok(response) => call.on_response(&response.as_core(), Date::now() as i64, Math::random()),
            Err(Failure::Failed(error)) => call.on_transport_error(error, Date::now() as i64, Math::random()),
            Err(aborted) => return Err(aborted),
        };
        match outcome {
            Outcome::Done(normalized) => return Ok(normalized.json),
            Outcome::Fail(error) => return Err(Failure::Failed(error)),
            Outcome::Retry { delay_ms } => transport.sleep(delay_ms).await?,
        }
    }
}

/// The one place a core error becomes a JS value.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorRecord<'a> {
    class_name: &'static str,
    code: &'a str,
    status: u16,
    request_id: Option<&'a str>,
    message: String,
    retryable: bool,
    path: Option<&'a str>,
    retry_after_ms: Option<u64>,
    attempts: u32,
}

fn error_record(error: &Error) -> JsValue {
    let record = ErrorRecord {
        class_name: error.kind.class_name(),
        code: &error.code,
        status: error.status,
        request_id: error.request_id.as_deref(),
        message: error.message(),
        retryable: error.retryable(),
        path: error.path.as_deref(),
        retry_after_ms: error.retry_after_ms,
        attempts: error.attempts,
    };
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    record.serialize(&serializer).unwrap_or_else(|_| JsValue::from_str(&error.message()))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CodeRecord {
    code: &'static str,
    http_status: u16,
    en: &'static str,
    zh: &'static str,
    class_name: &'static str,
}

/// What an API error code means, from the source document's table (and the common gateway
/// codes): `{ code, httpStatus, en, zh, className }`, or `null` for an unknown code.
#[wasm_bindgen(js_name = errorCodeInfo)]
pub fn error_code_info(code: &str) -> JsValue {
    let Some(info) = codes::describe(code) else {
        return JsValue::NULL;
    };
    let record = CodeRecord {
        code: info.code,
        http_status: info.http_status,
        en: info.en,
        zh: info.zh,
        class_name: crate::core::error::classify(info.http_status, Some(info.code)).class_name(),
    };
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    record.serialize(&serializer).unwrap_or(JsValue::NULL)
}
