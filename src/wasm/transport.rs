//! The only file that knows about `fetch`: one attempt over the network, bounded by a
//! per-attempt timeout and the caller's AbortSignal, with the body read under a size limit.
//!
//! Nothing here trusts what JS hands back: fetch may throw, reject with a non-Error, resolve to
//! something that is not a Response, or never settle. Every await races a guard promise that
//! settles when the timer fires or the caller aborts, so no attempt can hang. Every touch of a
//! caller's object goes through an import that catches (Reflect, `catch` shims): an exception
//! thrown across the boundary would escape as an uncaught error and strand the call.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_net::http::Headers;
use js_sys::{Array, ArrayBuffer, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

use crate::core::call::{request_id_in, Response};
use crate::core::encode::hex_lower;
use crate::core::error::{Error, ErrorKind};
use crate::core::request::{find_header, HttpRequest};
use crate::core::secret::Redactor;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    fn get_random_values(buffer: &mut [u8]) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = fetch, thread_local_v2)]
    static GLOBAL_FETCH: JsValue;
    #[wasm_bindgen(js_name = Uint8Array, thread_local_v2)]
    static UINT8_ARRAY: Function;
    /// `Promise.resolve`, catching: a caller's promise with a throwing `constructor` getter
    /// makes it throw.
    #[wasm_bindgen(js_namespace = Promise, js_name = resolve, catch)]
    fn promise_resolve(value: &JsValue) -> Result<Promise, JsValue>;
}

/// Headers the server may use to explain an answer; the rest are not copied into wasm.
const RESPONSE_HEADERS: [&str; 7] = [
    "x-acs-request-id", "x-request-id", "date", "retry-after", "x-acs-retry-after", "content-length",
    "content-encoding",
];
/// Error details from JS (a fetch's message) are cut to this many characters, after redaction.
const MAX_DETAIL_CHARS: usize = 500;
/// Bodies up to this size are read with one `arrayBuffer()` (fewest crossings); bigger ones
/// chunk by chunk, straight into wasm memory (a copy of the whole body less at the peak).
const WHOLE_BODY_MAX_BYTES: u64 = 1 << 20;
/// The most of an error answer's body read (its code, message and request id are all it is for).
const ERROR_BODY_MAX_BYTES: u64 = 1 << 20;
/// The most room reserved on the word of a `content-length` before the bytes arrive.
const RESERVE_MAX_BYTES: u64 = 16 << 20;
/// setTimeout treats anything above 2^31 − 1 ms as 1 ms.
const MAX_TIMER_MS: f64 = 2_147_483_647.0;

pub enum Failure {
    /// The caller's signal aborted: reject with its reason, unchanged.
    Aborted(JsValue),
    Failed(Error),
}

pub struct RawResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Why an error status's body was not read (see `core::call::Response`).
    body_unread: Option<String>,
    /// Held until the answer has been judged and normalised (the result takes memory too).
    _budget: BodyBudget,
}

/// Bytes of answer bodies held in wasm memory by all calls in flight together. Wasm memory ends
/// at 4 GiB (sooner in some browsers), and an allocation that fails there aborts the module for
/// good unless made to fail softly (as a body's and its normalised result's are); a body's
/// result can take up to ~5× the body. So beyond this much at once, an answer fails its own
/// call instead of crowding the others out (each call is also bounded by its maxResponseBytes).
const MAX_BODY_BYTES_IN_FLIGHT: u64 = 256 << 20;

thread_local! {
    static BODY_BYTES_IN_FLIGHT: Cell<u64> = const { Cell::new(0) };
}

/// One call's share of MAX_BODY_BYTES_IN_FLIGHT, given back when dropped.
#[derive(Default)]
struct BodyBudget {
    held: u64,
}

impl BodyBudget {
    /// Takes `bytes` more, if all calls together stay within the limit.
    fn take(&mut self, bytes: u64) -> bool {
        self.take_within(bytes, MAX_BODY_BYTES_IN_FLIGHT)
    }

    /// Takes room on the word of a `content-length`, before the bytes come: only within half the
    /// limit, so that answers announced and never sent (a stalled server) cannot hold all of it
    /// and fail every other call's answer; the rest is for bytes that arrived.
    fn reserve(&mut self, bytes: u64) -> bool {
        self.take_within(bytes, MAX_BODY_BYTES_IN_FLIGHT / 2)
    }

    fn take_within(&mut self, bytes: u64, limit: u64) -> bool {
        BODY_BYTES_IN_FLIGHT
            .try_with(|total| {
                let next = total.get().saturating_add(bytes);
                let fits = next <= limit;
                if fits {
                    total.set(next);
                    self.held += bytes;
                }
                fits
            })
            .unwrap_or(false)
    }
}

impl Drop for BodyBudget {
    fn drop(&mut self) {
        let _ = BODY_BYTES_IN_FLIGHT.try_with(|total| total.set(total.get().saturating_sub(self.held)));
    }
}

impl RawResponse {
    pub fn as_core(&self) -> Response<'_> {
        Response {
            status: self.status,
            headers: &self.headers,
            body: &self.body,
            body_unread: self.body_unread.as_deref(),
        }
    }
}

pub struct Transport {
    fetch: Function,
    /// Makes each attempt's controller, when the transport brings its own (js/node-transport.js:
    /// it alone reads the signal, and in Node a real AbortController costs about 10 µs).
    attempt_controller: Option<Function>,
    signal: Option<AbortSignal>,
    max_response_bytes: u64,
}

/// Bytes in a nonce, and random bytes drawn from the platform at a time: a `getRandomValues`
/// call costs about 10 µs in Node whatever its size (a small call's whole signing costs less),
/// so one call fills a pool that serves 64 nonces. Each byte is used once.
const NONCE_BYTES: usize = 16;
const RANDOM_POOL_BYTES: usize = 64 * NONCE_BYTES;

thread_local! {
    /// The pool, and how many of its bytes (from the start) are still unused.
    static RANDOM_POOL: RefCell<([u8; RANDOM_POOL_BYTES], usize)> = const { RefCell::new(([0; RANDOM_POOL_BYTES], 0)) };
}

/// 16 random bytes from the platform CSPRNG, as 32 hex characters.
pub fn random_nonce() -> Result<String, Error> {
    let unavailable = || Error::invalid_argument("globalThis.crypto.getRandomValues is not available");
    // `try_with`, not `with`: the latter's panic path costs 400 bytes of wasm.
    RANDOM_POOL
        .try_with(|pool| {
            let (bytes, unused) = &mut *pool.borrow_mut();
            if *unused < NONCE_BYTES {
                get_random_values(bytes).map_err(|_| unavailable())?;
                *unused = RANDOM_POOL_BYTES;
            }
            *unused -= NONCE_BYTES;
            Ok(hex_lower(bytes.get(*unused..*unused + NONCE_BYTES).unwrap_or_default()))
        })
        .unwrap_or_else(|_| Err(unavailable()))
}

/// False in browsers, which silently drop a script-set `Date` header (V1 signs it).
pub fn can_send_date_header() -> bool {
    let init = web_sys::RequestInit::new();
    let headers = Headers::new();
    headers.set("date", "Thu, 01 Jan 1970 00:00:00 GMT");
    init.set_headers(&headers.into_raw());
    web_sys::Request::new_with_str_and_init("http://127.0.0.1/", &init)
        .map(|r| r.headers().has("date").unwrap_or(false))
        .unwrap_or(false)
}

impl Transport {
    pub fn new(
        fetch: Option<Function>,
        attempt_controller: Option<Function>,
        signal: Option<AbortSignal>,
        max_response_bytes: u64,
    ) -> Result<Self, Error> {
        let fetch = match fetch {
            Some(f) => f,
            None => GLOBAL_FETCH.with(JsValue::clone).dyn_into::<Function>().map_err(|_| {
                Error::invalid_argument(
                    "no global fetch exists here (Node 18+ and browsers have one): pass options.fetch",
                )
            })?,
        };
        Ok(Transport { fetch, attempt_controller, signal, max_response_bytes })
    }

    pub fn check_aborted(&self) -> Result<(), Failure> {
        match &self.signal {
            Some(signal) if get(signal, "aborted").is_truthy() => Err(Failure::Aborted(get(signal, "reason"))),
            _ => Ok(()),
        }
    }

    /// Waits between attempts; the caller's signal cuts the wait short.
    pub async fn sleep(&self, ms: u64) -> Result<(), Failure> {
        if ms > 0 {
            let guard = Guard::new(self.signal.as_ref(), ms as f64, None);
            let _ = JsFuture::from(guard.promise.clone()).await;
        }
        self.check_aborted()
    }

    pub async fn send(
        &self,
        request: &HttpRequest,
        timeout_ms: u64,
        redactor: &Redactor,
    ) -> Result<RawResponse, Failure> {
        self.check_aborted()?;
        let controller = match &self.attempt_controller {
            // Called for `{ signal, abort(reason) }`, all the glue asks of an AbortController.
            Some(make) => make.call0(&JsValue::UNDEFINED).map(JsCast::unchecked_into),
            None => AbortController::new(),
        };
        let controller = controller.map_err(|_| fail(Error::network("AbortController is not available")))?;
        let guard = Guard::new(self.signal.as_ref(), timeout_ms as f64, Some(controller.clone()));
        let answered = RefCell::new(None);
        let outcome = self.attempt(request, &controller, &guard, &answered).await;
        if outcome.is_err() {
            // Whatever failed (a body that would not decode, a stream that yielded junk), the
            // request is over: close it rather than leave a connection open and stalled.
            controller.abort();
        }
        match guard.fired.get() {
            Some(Fired::Aborted) => {
                Err(Failure::Aborted(self.signal.as_ref().map_or(JsValue::UNDEFINED, |s| get(s, "reason"))))
            }
            Some(Fired::Timer) => {
                // Timed out while reading the body: the error still belongs to that answer.
                let (status, request_id) = answered.take().unwrap_or((0, None));
                let error = Error::timeout(format!("no complete answer within {timeout_ms} ms"));
                Err(fail(error.with_status(status).with_request_id(request_id)))
            }
            None => outcome.map_err(|e| match e {
                Failure::Failed(mut error) => {
                    // Redact first, then shorten: a cut could leave a secret's prefix behind.
                    error.detail = redactor.redact(&error.detail).chars().take(MAX_DETAIL_CHARS).collect();
                    Failure::Failed(error)
                }
                aborted => aborted,
            }),
        }
    }

    /// `answered` receives the status and request id as soon as the head of an answer is in.
    async fn attempt(
        &self,
        request: &HttpRequest,
        controller: &AbortController,
        guard: &Guard,
        answered: &RefCell<Option<(u16, Option<String>)>>,
    ) -> Result<RawResponse, Failure> {
        // A plain record, not a Headers object: fewer boundary crossings per call.
        let headers = Object::new();
        for (name, value) in &request.headers {
            // fetch sets `host` from the URL (and forbids setting it); it is signed all the same.
            if name != "host" {
                let _ = Reflect::set(&headers, &super::name(name), &JsValue::from_str(value));
            }
        }
        let init = Object::new();
        let set = |key: &str, value: &JsValue| {
            let _ = Reflect::set(&init, &super::name(key), value);
        };
        set("method", &super::name(request.method));
        set("headers", &headers);
        // Never follow: a redirect would carry signed headers or a token to another host.
        set("redirect", &super::name("manual"));
        set("signal", &controller.signal());

        let called = self.fetch.call2(&JsValue::UNDEFINED, &JsValue::from_str(&request.url()), &init);
        let promise = match called.and_then(|value| promise_resolve(&value)) {
            Ok(promise) => promise,
            Err(thrown) => return Err(fail(network_error("fetch threw", &thrown))),
        };
        let response = guard.race(&promise).await.map_err(|e| fail(network_error("fetch failed", &e)))?;
        if guard.fired.get().is_some() {
            return Err(fail(Error::network("interrupted")));
        }
        let status = response_status(&response)?;
        let headers = response_headers(&response);
        // A failure while reading the body still belongs to an answer: keep its status and id.
        let request_id = request_id_in(&headers).map(str::to_owned);
        *answered.borrow_mut() = Some((status, request_id.clone()));
        let mut budget = BodyBudget::default();
        if (300..400).contains(&status) || status == 0 {
            // A redirect's body means nothing to the core (it fails the call on the status):
            // not read, so one that never ends is no wait for the timeout.
            controller.abort();
            return Ok(RawResponse { status, headers, body: Vec::new(), body_unread: None, _budget: budget });
        }
        let declared_length = declared_identity_length(&headers);
        // An error answer's body is read for its code and message only: an error page of
        // megabytes says no more than its first MiB, and its text is held in several copies.
        let success = (200..300).contains(&status);
        let limit = if success { self.max_response_bytes } else { self.max_response_bytes.min(ERROR_BODY_MAX_BYTES) };
        let (body, body_unread) =
            match self.read_body(&response, declared_length, limit, controller, guard, &mut budget).await {
                Ok(body) => (body, None),
                // Too big to hold (the only InvalidResponse a read gives): an error status is still
                // that error, judged by its status (a 503's huge page is retried as a 503).
                Err(Failure::Failed(error)) if error.kind == ErrorKind::InvalidResponse && !success => {
                    (Vec::new(), Some(error.detail))
                }
                Err(Failure::Failed(error)) => {
                    return Err(Failure::Failed(error.with_status(status).with_request_id(request_id)))
                }
                Err(aborted) => return Err(aborted),
            };
        Ok(RawResponse { status, headers, body, body_unread, _budget: budget })
    }

    /// `declared_length`: the content-length of an uncompressed body, when the server gave one.
    async fn read_body(
        &self,
        response: &JsValue,
        declared_length: Option<u64>,
        limit: u64,
        controller: &AbortController,
        guard: &Guard,
        budget: &mut BodyBudget,
    ) -> Result<Vec<u8>, Failure> {
        let too_large = || {
            controller.abort();
            let detail = if limit < self.max_response_bytes {
                "the error answer is larger than 1 MiB, the most of one that is read; reading stopped".to_owned()
            } else {
                format!("the answer is larger than maxResponseBytes ({limit} bytes); reading stopped")
            };
            fail(Error::invalid_response("body", detail))
        };
        let no_room = || {
            controller.abort();
            fail(Error::invalid_response(
                "body",
                "the answers being read at once would not fit in the package's memory (256 MiB in all); reading stopped",
            ))
        };
        let not_appended = |failure| {
            controller.abort();
            fail(match failure {
                AppendFailure::NoMemory => Error::invalid_response(
                    "body", "the answer needs more memory than the package could get; reading stopped",
                ),
                AppendFailure::Moved => Error::network("the body's bytes changed size while they were read"),
            })
        };
        if declared_length.is_some_and(|length| length > limit) {
            return Err(too_large());
        }
        let body = get(response, "body");
        let mut out = Vec::new();
        // Fast path: a small uncompressed body of a declared size is read in one go (fetch
        // enforces the declared length). Otherwise the stream is read chunk by chunk, so the
        // limit can stop it (a small gzip body may inflate to anything) and a big body is
        // copied into wasm memory as it arrives rather than gathered in JS first. A hand-made
        // Response may offer only one of the two.
        let whole = declared_length.is_some_and(|length| length <= WHOLE_BODY_MAX_BYTES)
            && get(response, "arrayBuffer").is_function();
        let reader = if !whole && body.is_object() { call_method(&body, "getReader") } else { None };
        let Some(reader) = reader else {
            let Some(buffer) = call_method(response, "arrayBuffer") else {
                return Ok(out);
            };
            let buffer = promise_resolve(&buffer).map_err(|e| fail(network_error("reading the body failed", &e)))?;
            let buffer = guard.race(&buffer).await.map_err(|e| fail(network_error("reading the body failed", &e)))?;
            let bytes = own_bytes(&buffer)
                .ok_or_else(|| fail(Error::network("the body is not bytes (arrayBuffer() gave something else)")))?;
            let length = byte_count(&bytes);
            if length > limit as f64 {
                return Err(too_large());
            }
            if !budget.take(length as u64) {
                return Err(no_room());
            }
            return match append(&mut out, &bytes, length as usize) {
                Ok(()) => Ok(out),
                Err(failure) => Err(not_appended(failure)),
            };
        };
        // A declared size (within the limit, checked above) is room reserved once, up to a
        // cap: a server that declares much and sends little must not grow wasm memory (which
        // never shrinks) for free. If the room cannot be had, the chunks still grow the buffer.
        let reserve = declared_length.unwrap_or(0).min(RESERVE_MAX_BYTES);
        if budget.reserve(reserve) {
            let _ = out.try_reserve(usize::try_from(reserve).unwrap_or(0));
        }
        loop {
            let Some(read) = call_method(&reader, "read").and_then(|r| promise_resolve(&r).ok()) else {
                return Err(fail(Error::network("the body stream cannot be read")));
            };
            let chunk = guard.race(&read).await.map_err(|e| fail(network_error("reading the body failed", &e)))?;
            if guard.fired.get().is_some() {
                return Err(fail(Error::network("interrupted")));
            }
            if get(&chunk, "done").is_truthy() {
                return Ok(out);
            }
            let value = get(&chunk, "value");
            // Any realm's view (a Node Buffer under jsdom's globals is no `instanceof Uint8Array`).
            let Some(bytes) = ArrayBuffer::is_view(&value).then(|| view_of_bytes(&value)).flatten() else {
                return Err(fail(Error::network("the body stream yielded something that is not bytes")));
            };
            let length = byte_count(&bytes);
            // In f64 (exact below 2^53): a u32 length wraps at 4 GiB, and on wasm32 a usize sum
            // of two big lengths could wrap past the limit.
            let end = out.len() as f64 + length;
            if end > limit as f64 {
                return Err(too_large());
            }
            // The budget already holds what was reserved on the word of a content-length.
            let unbudgeted = (end as u64).saturating_sub(budget.held);
            if !budget.take(unbudgeted) {
                return Err(no_room());
            }
            append(&mut out, &bytes, length as usize).map_err(not_appended)?;
        }
    }
}

/// Copies `length` bytes (the view's true length) onto the end of `out`. Wasm memory ends at
/// 4 GiB (sooner in some browsers), and an allocation that fails there aborts the module for
/// good, so this one may fail instead: NoMemory.
fn append(out: &mut Vec<u8>, bytes: &Uint8Array, length: usize) -> Result<(), AppendFailure> {
    let start = out.len();
    out.try_reserve(length).map_err(|_| AppendFailure::NoMemory)?;
    out.resize(start + length, 0);
    // Growing wasm memory detaches the buffer of any view of it: a view of the module's own
    // memory, handed back as a chunk, would now be empty, and a copy of the wrong length panics.
    if byte_count(bytes) != length as f64 {
        out.truncate(start);
        return Err(AppendFailure::Moved);
    }
    if let Some(slot) = out.get_mut(start..) {
        bytes.copy_to(slot);
    }
    Ok(())
}

enum AppendFailure {
    NoMemory,
    /// The bytes changed size while they were being read.
    Moved,
}

fn fail(error: Error) -> Failure {
    Failure::Failed(error)
}

/// The bytes of a buffer or a view, as a Uint8Array made by the real constructor (a view, not a
/// copy): its length is then the truth, whatever getters a subclass or a Proxy put on `value`
/// (a lying `length` would otherwise make the copy into wasm memory panic).
fn own_bytes(value: &JsValue) -> Option<Uint8Array> {
    if ArrayBuffer::is_view(value) {
        return view_of_bytes(value);
    }
    // Bytes only: `new Uint8Array(n)` of a number, or of an array-like `{ length: n }`, would
    // allocate n bytes of zeros.
    if !is_buffer(value) {
        return None;
    }
    // Made by the real constructor, so a Uint8Array for sure, though not `instanceof` the
    // global one when that comes from another realm (jsdom's globals).
    let constructed = UINT8_ARRAY.with(|ctor| Reflect::construct(ctor, &Array::of1(value))).ok()?;
    Some(constructed.unchecked_into())
}

/// A Uint8Array over the bytes a typed array or a DataView shows, not a copy of them: its
/// buffer, offset and length are read from its internal slots by `%TypedArray%.prototype`'s
/// (or `DataView.prototype`'s) own getters, which throw for anything else and work across
/// realms, so no getter a subclass or a Proxy defines is asked; the view is then made by the
/// real constructor. Copying each chunk instead cost 2–4 MB of peak memory on a 10,000-job
/// answer (bench/DESIGN.md).
fn view_of_bytes(value: &JsValue) -> Option<Uint8Array> {
    UINT8_ARRAY.with(|constructor| {
        let typed_array_prototype = Reflect::get_prototype_of(&get(constructor, "prototype")).ok()?;
        let data_view_prototype = get(&get(&js_sys::global(), "DataView"), "prototype");
        [typed_array_prototype.into(), data_view_prototype].iter().find_map(|prototype: &JsValue| {
            let slot = |name: &str| own_getter(prototype, name)?.call0(value).ok();
            let range = Array::of3(&slot("buffer")?, &slot("byteOffset")?, &slot("byteLength")?);
            Reflect::construct(constructor, &range).ok().map(JsCast::unchecked_into)
        })
    })
}

/// The `byteLength` getter of ArrayBuffer or SharedArrayBuffer: it throws unless `this` is a
/// real one, of any realm. (`instanceof` refuses a buffer from another realm: a test run under
/// jsdom's globals, a vm context, an iframe's fetch.) Looked up at each use, once an answer:
/// caching it in a lazy thread-local cost 0.6 KB of wasm.
fn byte_length_getter(class: &str) -> Option<Function> {
    own_getter(&get(&get(&js_sys::global(), class), "prototype"), "byteLength")
}

/// The getter `prototype` itself defines for `name` (what a subclass or a Proxy adds is not
/// asked). Unchecked casts: the prototype may come from another realm, whose objects and
/// functions are no `instanceof` this realm's Object or Function.
fn own_getter(prototype: &JsValue, name: &str) -> Option<Function> {
    if !prototype.is_object() {
        return None;
    }
    let descriptor =
        Reflect::get_own_property_descriptor(prototype.unchecked_ref::<Object>(), &super::name(name)).ok()?;
    let getter = get(&descriptor, "get");
    getter.is_function().then(|| getter.unchecked_into())
}

/// An ArrayBuffer or SharedArrayBuffer of any realm.
fn is_buffer(value: &JsValue) -> bool {
    value.is_object()
        && ["ArrayBuffer", "SharedArrayBuffer"]
            .into_iter()
            .any(|class| byte_length_getter(class).is_some_and(|byte_length| byte_length.call0(value).is_ok()))
}

/// A byte array's length as a number: `Uint8Array::length` is a u32 and wraps at 4 GiB.
fn byte_count(bytes: &Uint8Array) -> f64 {
    get(bytes, "length").as_f64().unwrap_or(f64::INFINITY)
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &super::name(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Calls `target[name]()` if it is a function; `None` if it is not or it throws.
fn call_method(target: &JsValue, name: &str) -> Option<JsValue> {
    get(target, name).dyn_into::<Function>().ok()?.call0(target).ok()
}

fn response_status(response: &JsValue) -> Result<u16, Failure> {
    if get(response, "type").as_string().as_deref() == Some("opaqueredirect") {
        return Ok(0); // a browser's view of a redirect under redirect: "manual"
    }
    match get(response, "status").as_f64() {
        Some(status) if status.fract() == 0.0 && (100.0..=999.0).contains(&status) => Ok(status as u16),
        // A real response (it has headers) with a number that is no HTTP status: the server's
        // fault, not the caller's.
        Some(status)
            if status.fract() == 0.0
                && (0.0..=65535.0).contains(&status)
                && get(&get(response, "headers"), "get").is_function() =>
        {
            Err(fail(Error::network(format!("the server answered with an invalid HTTP status ({})", status as u32))))
        }
        _ => {
            Err(fail(Error::invalid_option("fetch", "resolved to something that is not a Response (no valid status)")))
        }
    }
}

fn response_headers(response: &JsValue) -> Vec<(String, String)> {
    let headers = get(response, "headers");
    let Ok(getter) = get(&headers, "get").dyn_into::<Function>() else {
        return Vec::new();
    };
    RESPONSE_HEADERS
        .iter()
        .filter_map(|name| {
            let value = getter.call1(&headers, &super::name(name)).ok()?.as_string()?;
            Some(((*name).to_owned(), value))
        })
        .collect()
}

fn declared_identity_length(headers: &[(String, String)]) -> Option<u64> {
    match find_header(headers, "content-encoding").map(str::trim) {
        None | Some("") | Some("identity") => find_header(headers, "content-length")?.trim().parse().ok(),
        Some(_) => None,
    }
}

/// A network error from whatever JS threw or rejected with (an Error or not).
fn network_error(context: &str, thrown: &JsValue) -> Error {
    let mut detail = context.to_owned();
    let message = get(thrown, "message").as_string().or_else(|| thrown.as_string());
    // Trimmed: Firefox's "The operation was aborted. " ends with a space.
    if let Some(message) = message.as_deref().map(str::trim).filter(|m| !m.is_empty() && *m != context) {
        detail.push_str(": ");
        detail.push_str(message);
    }
    // Node's fetch puts the system error in `cause`: a code (ECONNREFUSED, ECONNRESET…) or
    // at least a message ("bad port").
    // node:http puts the code on the error itself (HPE_INVALID_CONSTANT, ECONNRESET…).
    let cause = get(thrown, "cause");
    let why = get(thrown, "code")
        .as_string()
        .or_else(|| get(&cause, "code").as_string())
        .or_else(|| get(&cause, "message").as_string());
    if let Some(why) = why.as_deref().map(str::trim).filter(|why| !why.is_empty()) {
        detail.push_str(" (");
        detail.push_str(why);
        detail.push(')');
    }
    Error::network(detail)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Fired {
    Timer,
    Aborted,
}

/// A promise that resolves when the timer fires or the caller aborts, whichever comes first;
/// it then aborts the attempt's controller. Resolving (not rejecting) means nothing is ever
/// left as an unhandled rejection. Dropping the guard clears the timer and the listener.
struct Guard {
    promise: Promise,
    fired: Rc<Cell<Option<Fired>>>,
    timer: JsValue,
    signal: Option<AbortSignal>,
    on_abort: Closure<dyn FnMut()>,
    _on_timer: Closure<dyn FnMut()>,
}

impl Guard {
    fn new(signal: Option<&AbortSignal>, ms: f64, controller: Option<AbortController>) -> Guard {
        let fired: Rc<Cell<Option<Fired>>> = Rc::new(Cell::new(None));
        let resolve: Rc<RefCell<Option<Function>>> = Rc::new(RefCell::new(None));
        let promise = {
            let resolve = resolve.clone();
            Promise::new(&mut |res, _rej| *resolve.borrow_mut() = Some(res))
        };
        let fire: Rc<dyn Fn(Fired)> = {
            let fired = fired.clone();
            let signal = signal.cloned();
            Rc::new(move |what: Fired| {
                if fired.get().is_some() {
                    return;
                }
                fired.set(Some(what));
                if let Some(controller) = &controller {
                    match (what, &signal) {
                        (Fired::Aborted, Some(signal)) => controller.abort_with_reason(&get(signal, "reason")),
                        _ => controller.abort(),
                    }
                }
                if let Some(resolve) = resolve.borrow().as_ref() {
                    let _ = resolve.call0(&JsValue::UNDEFINED);
                }
            })
        };
        let on_timer = {
            let fire = fire.clone();
            Closure::<dyn FnMut()>::new(move || fire(Fired::Timer))
        };
        let on_abort = Closure::<dyn FnMut()>::new(move || fire(Fired::Aborted));
        let timer = set_timeout(on_timer.as_ref().unchecked_ref(), ms.min(MAX_TIMER_MS));
        if let Some(signal) = signal {
            let _ = signal.add_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
        }
        Guard { promise, fired, timer, signal: signal.cloned(), on_abort, _on_timer: on_timer }
    }

    /// Awaits `promise` unless the guard fires first (then resolves with `undefined`).
    async fn race(&self, promise: &Promise) -> Result<JsValue, JsValue> {
        JsFuture::from(Promise::race(&Array::of2(promise, &self.promise))).await
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        clear_timeout(&self.timer);
        if let Some(signal) = &self.signal {
            let _ = signal.remove_event_listener_with_callback("abort", self.on_abort.as_ref().unchecked_ref());
        }
    }
}
