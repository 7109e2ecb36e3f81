// Shared by tests/wasm_boundary.rs (Node) and tests/wasm_browser.rs (headless Chromium): the JS
// boundary driven directly, against the emulator that `make test-wasm-*` starts on port 18091.

use js_sys::{Function, JsString, Promise, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;
use yunxiao_pipeline_jobs::wasm::run_list_pipeline_jobs;

const ORG: &str = "5ebbc0228123212b59a1b2c3";
const OPTIONS: &str = r#"{"endpoint":"http://127.0.0.1:18091","accessKeyId":"LTAI5tEmuDemoKey0001","accessKeySecret":"EmuDemoSecret0001-not-a-real-secret"}"#;

fn options(extra: &[(&str, JsValue)]) -> JsValue {
    let object = JSON::parse(OPTIONS).unwrap();
    for (key, value) in extra {
        Reflect::set(&object, &JsValue::from_str(key), value).unwrap();
    }
    object
}

async fn call(org: JsValue, pipeline: &str, options: JsValue) -> Result<JsValue, JsValue> {
    run_list_pipeline_jobs(org, JsValue::from_str(pipeline), JsValue::UNDEFINED, options).await
}

fn field(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

fn class_of(record: &JsValue) -> String {
    field(record, "className").as_string().unwrap_or_else(|| format!("not an error record: {record:?}"))
}

fn js_function(body: &str) -> JsValue {
    Function::new_no_args(body).into()
}

fn in_browser() -> bool {
    Reflect::has(&js_sys::global(), &JsValue::from_str("window")).unwrap_or(false)
}

#[wasm_bindgen_test]
async fn lists_seeded_jobs() {
    let text = call(ORG.into(), "1234567", options(&[])).await.unwrap().as_string().unwrap();
    let parsed = JSON::parse(&text).unwrap();
    let jobs: js_sys::Array = field(&parsed, "jobs").dyn_into().unwrap();
    assert_eq!(jobs.length(), 4);
    assert_eq!(field(&jobs.get(2), "lastJobId").as_f64(), Some(9007199254740991.0));
}

#[wasm_bindgen_test]
async fn api_errors_become_records() {
    let record = call(ORG.into(), "999999", options(&[])).await.unwrap();
    assert_eq!(class_of(&record), "NotFoundError");
    assert_eq!(field(&record, "code").as_string().as_deref(), Some("InvalidPipeline.NotFound"));
    assert_eq!(field(&record, "status").as_f64(), Some(404.0));
}

#[wasm_bindgen_test]
async fn an_aborted_signal_rejects_with_its_reason_as_is() {
    for reason in [JsValue::from_str("a string"), JsValue::from_f64(7.0)] {
        let controller = web_sys::AbortController::new().unwrap();
        controller.abort_with_reason(&reason);
        let signal: JsValue = controller.signal().into();
        let rejected = call(ORG.into(), "1234567", options(&[("signal", signal)])).await.unwrap_err();
        assert_eq!(rejected, reason);
    }
    // The module still serves a normal call afterwards.
    assert!(call(ORG.into(), "1234567", options(&[])).await.unwrap().is_string());
}

#[wasm_bindgen_test]
async fn aborting_during_a_slow_call() {
    let controller = web_sys::AbortController::new().unwrap();
    let abort = Function::new_with_args("c", "setTimeout(() => c.abort('stop'), 100)");
    abort.call1(&JsValue::NULL, &controller).unwrap();
    let signal: JsValue = controller.signal().into();
    let rejected = call(ORG.into(), "7654321", options(&[("signal", signal)])).await.unwrap_err();
    assert_eq!(rejected, JsValue::from_str("stop"));
    assert!(call(ORG.into(), "1234567", options(&[])).await.unwrap().is_string());
}

#[wasm_bindgen_test]
async fn a_slow_answer_times_out() {
    let opts = options(&[("timeoutMs", 200.into()), ("maxRetries", 0.into())]);
    let record = call(ORG.into(), "7654321", opts).await.unwrap();
    assert_eq!(class_of(&record), "TimeoutError");
}

#[wasm_bindgen_test]
async fn misbehaving_fetch_options_are_contained() {
    let cases = [
        ("return 42", "InvalidArgumentError"),
        ("throw 'not an error'", "NetworkError"),
        ("return Promise.reject(undefined)", "NetworkError"),
        ("return Promise.reject(null)", "NetworkError"),
        ("return {status: 200, headers: null, body: null}", "InvalidResponseError"),
    ];
    for (body, expected) in cases {
        let opts = options(&[("fetch", js_function(body)), ("maxRetries", 0.into())]);
        let record = call(ORG.into(), "1234567", opts).await.unwrap();
        assert_eq!(class_of(&record), expected, "{body}");
    }
}

#[wasm_bindgen_test]
async fn lone_surrogates_are_refused() {
    let lone: JsValue = JsString::from_char_code1(0xD800).into();
    let record = call(lone, "1234567", options(&[])).await.unwrap();
    assert_eq!(class_of(&record), "InvalidArgumentError");
    // A valid pair (an emoji) and a literal U+FFFD are no lone surrogates: the call goes out,
    // and the emulator knows no such pipeline.
    for units in [&[0x61, 0xD83D, 0xDE00][..], &[0xFFFD, 0x61][..]] {
        let text: JsValue = JsString::from_char_code(units).into();
        let record = call(ORG.into(), &String::from(text.as_string().unwrap()), options(&[])).await.unwrap();
        assert_eq!(class_of(&record), "NotFoundError", "{units:?}");
    }
}

#[wasm_bindgen_test]
async fn v1_works_in_node_and_is_refused_in_browsers() {
    let record = call(ORG.into(), "1234567", options(&[("signatureVersion", "v1".into())])).await.unwrap();
    if in_browser() {
        assert_eq!(class_of(&record), "InvalidArgumentError");
    } else {
        assert!(record.is_string(), "{record:?}");
    }
}

#[wasm_bindgen_test]
async fn promise_helpers_do_not_leak_rejections() {
    // A guard that fired after its race must not leave an unhandled rejection behind: wait a
    // tick after a timed-out call and check the next call still works.
    let opts = options(&[("timeoutMs", 50.into()), ("maxRetries", 0.into())]);
    let _ = call(ORG.into(), "7654321", opts).await;
    let tick = Promise::new(&mut |resolve, _| {
        let _ = Function::new_with_args("r", "setTimeout(r, 100)").call1(&JsValue::NULL, &resolve);
    });
    JsFuture::from(tick).await.unwrap();
    assert!(call(ORG.into(), "1234567", options(&[])).await.unwrap().is_string());
}

#[wasm_bindgen_test]
async fn personal_access_token_api() {
    let opts = JSON::parse(r#"{"endpoint":"http://127.0.0.1:18091","token":"pt-EmuDemoToken0001-not-a-real-token","edition":"center"}"#).unwrap();
    let text = call(ORG.into(), "1234567", opts).await.unwrap().as_string().unwrap();
    assert!(text.contains("deploy_prod_03") && text.contains("9007199254740991"), "{text}");
    let opts = JSON::parse(r#"{"endpoint":"http://127.0.0.1:18091","token":"pt-wrong","edition":"center"}"#).unwrap();
    let record = call(ORG.into(), "1234567", opts).await.unwrap();
    assert_eq!(class_of(&record), "AuthenticationError");
}
