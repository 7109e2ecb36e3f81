//! The JS boundary: the only module that knows about JavaScript. It reads the options, runs the
//! core's call state machine over `fetch`, and hands JS one JSON text (or one error record).

mod options;
mod transport;

use js_sys::{Date, Math, Object, Reflect};
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
    let mut call =
        Call::new(prepared.target, prepared.auth, prepared.policy).with_clock_offset(prepared.clock_offset_ms);
    let transport = prepared.transport;
    let outcome = run(&mut call, &transport).await;
    if let Some(clock) = prepared.clock.filter(|_| call.clock_offset_ms() != prepared.clock_offset_ms) {
        set(&clock, "offsetMs", JsValue::from_f64(call.clock_offset_ms() as f64));
    }
    match outcome {
        Ok(json) => Ok(JsValue::from_str(&json)),
        Err(Failure::Aborted(reason)) => Err(reason),
        Err(Failure::Failed(error)) => Ok(error_record(&error)),
    }
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now, catch)]
    fn performance_now() -> Result<f64, JsValue>;
}

/// A call's clock: the wall clock read once, at the start, then advanced by the monotonic one,
/// so a step of the system clock mid-call (NTP) neither stretches nor cuts `deadlineMs`. (A
/// time stamp it makes stale is mended by the core's clock-skew retry.) Without
/// `performance.now()`, the wall clock.
struct CallClock {
    wall_start_ms: f64,
    monotonic_start_ms: Option<f64>,
}

impl CallClock {
    fn start() -> CallClock {
        CallClock { wall_start_ms: Date::now(), monotonic_start_ms: performance_now().ok() }
    }

    fn now_ms(&self) -> i64 {
        match (self.monotonic_start_ms, performance_now()) {
            (Some(start), Ok(now)) => (self.wall_start_ms + (now - start)) as i64,
            _ => Date::now() as i64,
        }
    }
}

async fn run(call: &mut Call, transport: &Transport) -> Result<String, Failure> {
    let clock = CallClock::start();
    loop {
        transport.check_aborted()?;
        let nonce = transport::random_nonce().map_err(Failure::Failed)?;
        let now = clock.now_ms();
        if let Some(error) = call.past_deadline(now) {
            return Err(Failure::Failed(error));
        }
        let request = call.next_request(now, &nonce);
        let timeout_ms = call.attempt_timeout_ms(now);
        let outcome = match transport.send(&request, timeout_ms, call.redactor()).await {
            Ok(response) => call.on_response(&response.as_core(), clock.now_ms(), Math::random()),
            Err(Failure::Failed(error)) => call.on_transport_error(error, clock.now_ms(), Math::random()),
            Err(aborted) => return Err(aborted),
        };
        match outcome {
            Outcome::Done(normalized) => return Ok(normalized.json),
            Outcome::Fail(error) => return Err(Failure::Failed(error)),
            Outcome::Retry { delay_ms } => transport.sleep(delay_ms).await?,
        }
    }
}

/// Sets `object[key] = value`; setting a fresh plain object's property cannot fail.
fn set(object: &Object, key: &str, value: JsValue) {
    let _ = Reflect::set(object, &name(key), &value);
}

/// Names made into JS strings at most this many times per module: far more than the package
/// uses (option keys, header names, Response members), so the table stays bounded.
const MAX_NAMES: usize = 128;

thread_local! {
    static NAMES: std::cell::RefCell<Vec<(u32, String, JsValue)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The JS string for a name the package uses on every call (an option key, a header name, a
/// Response member), made once: made afresh, each costs a decode out of wasm memory and, as a
/// property key, a lookup in V8's string table (about 8 % of a call's own CPU, profiled).
/// Only for names of the package's own: a value from outside would fill the table.
pub(crate) fn name(text: &str) -> JsValue {
    NAMES
        .try_with(|names| {
            // Compared by hash first: a string comparison per entry is a call at `opt-level = "z"`.
            let hash = name_hash(text);
            if let Some((_, _, value)) = names.borrow().iter().find(|(h, known, _)| *h == hash && known == text) {
                return value.clone();
            }
            let value = JsValue::from_str(text);
            let mut names = names.borrow_mut();
            if names.len() < MAX_NAMES {
                names.push((hash, text.to_owned(), value.clone()));
            }
            value
        })
        .unwrap_or_else(|_| JsValue::from_str(text))
}

/// FNV-1a: a name's table key.
fn name_hash(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5, |hash, b| (hash ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

fn optional_str(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from_str)
}

/// The one place a core error becomes a JS value: a plain record the JS wrapper turns into an
/// instance of the error's class. (Built by hand: serde-wasm-bindgen cost 5 KB of wasm here.)
fn error_record(error: &Error) -> JsValue {
    let record = Object::new();
    set(&record, "className", JsValue::from_str(error.kind.class_name()));
    set(&record, "code", JsValue::from_str(&error.code));
    set(&record, "status", JsValue::from(error.status));
    set(&record, "requestId", optional_str(error.request_id.as_deref()));
    set(&record, "message", JsValue::from_str(&error.message()));
    set(&record, "retryable", JsValue::from_bool(error.retryable()));
    set(&record, "attempts", JsValue::from(error.attempts));
    if let Some(path) = &error.path {
        set(&record, "path", JsValue::from_str(path));
    }
    if let Some(ms) = error.retry_after_ms {
        set(&record, "retryAfterMs", JsValue::from_f64(ms as f64));
    }
    if let Some(argument) = error.argument {
        set(&record, "argument", JsValue::from_str(argument));
    }
    record.into()
}

/// What an API error code means, from the source document's table (and the common gateway
/// codes): `{ code, httpStatus, en, zh, className }`, or `null` for an unknown code.
#[wasm_bindgen(js_name = errorCodeInfo)]
pub fn error_code_info(code: &str) -> JsValue {
    let Some(info) = codes::describe(code) else {
        return JsValue::NULL;
    };
    let record = Object::new();
    set(&record, "code", JsValue::from_str(info.code));
    set(&record, "httpStatus", JsValue::from(info.http_status));
    set(&record, "en", JsValue::from_str(info.en));
    set(&record, "zh", JsValue::from_str(info.zh));
    let class = crate::core::error::classify(info.http_status, Some(info.code));
    set(&record, "className", JsValue::from_str(class.class_name()));
    record.into()
}
