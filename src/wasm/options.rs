//! Reading the caller's arguments and options from JS values, with errors that name the
//! option (never its value when it may be a secret).

use js_sys::{Function, JsString, Object, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortSignal;

use super::transport::Transport;
use crate::core::call::RetryPolicy;
use crate::core::encode::{find_str, quoted, replace_str};
use crate::core::endpoint::{self, Endpoint, DEFAULT_CLASSIC_ENDPOINT, DEFAULT_TOKEN_ENDPOINT};
use crate::core::error::{Error, Result};
use crate::core::request::{self, Auth, CallTarget, Edition};
use crate::core::secret::{Redactor, Secret};
use crate::core::sign::{Credentials, SignatureVersion};

pub struct Prepared {
    pub target: CallTarget,
    pub auth: Auth,
    pub policy: RetryPolicy,
    pub transport: Transport,
    /// A client's clock record (`{ offsetMs }`): the offset the skew retry learned, kept across
    /// its calls. Internal: set by the JS client, never by a caller.
    pub clock: Option<Object>,
    pub clock_offset_ms: i64,
}

/// The largest clock offset a client carries from call to call: a year, in ms.
const MAX_CLOCK_OFFSET_MS: f64 = 366.0 * 24.0 * 3_600_000.0;

/// The response size limit when `maxResponseBytes` is not given: 32 MiB.
const DEFAULT_MAX_RESPONSE_BYTES: f64 = 32.0 * 1024.0 * 1024.0;
/// The most `maxResponseBytes` may be: 100 MiB. A body of minimal jobs normalises to 4.8 times
/// its size, and the result must fit in one JavaScript string (V8: 512 MiB); see the test
/// `the_biggest_allowed_body_normalises_to_a_javascript_string`.
const MAX_RESPONSE_BYTES_LIMIT: f64 = 100.0 * 1024.0 * 1024.0;
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

pub fn prepare(org: &JsValue, pipeline: &JsValue, category: &JsValue, options: &JsValue) -> Result<Prepared> {
    let options = Options::new(options)?;
    let token = options.secret("token")?;
    // Empty counts as not given, as for the secrets (an unset variable often arrives as "").
    let access_key_id = options.string("accessKeyId")?.filter(|id| !id.is_empty());
    let secrets = [token, options.secret("accessKeySecret")?, options.secret("securityToken")?];
    let mut redactor = Redactor::default();
    secrets.iter().flatten().for_each(|secret| redactor.add(secret));
    // A message quotes what it refuses, which may hold a credential by mistake (a token pasted
    // into the endpoint's query, an STS token given as the category).
    prepare_with(org, pipeline, category, &options, access_key_id, secrets, &redactor).map_err(|mut error| {
        error.detail = redactor.redact(&error.detail);
        error
    })
}

/// A refused value is quoted in its message cut short: cut first, a credential in it would be
/// cut past what redaction recognises. Its quoted form is swapped for the redacted value's.
fn requoted(mut error: Error, value: &str, max_chars: usize, redactor: &Redactor) -> Error {
    let clean = redactor.redact(value);
    if clean != value {
        error.detail = replace_str(&error.detail, &quoted(value, max_chars), &quoted(&clean, max_chars));
    }
    error
}

// Inlined into `prepare`, its one caller: left a call, the wasm was 0.6 KB gz larger (measured).
#[inline(always)]
fn prepare_with(
    org: &JsValue,
    pipeline: &JsValue,
    category: &JsValue,
    options: &Options,
    access_key_id: Option<String>,
    [token, access_key_secret, security_token]: [Option<Secret>; 3],
    redactor: &Redactor,
) -> Result<Prepared> {
    let edition = match options.string("edition")?.as_deref() {
        None => None,
        Some("center") => Some(Edition::Center),
        Some("region") => Some(Edition::Region),
        Some(_) => return Err(Error::invalid_option("edition", "must be \"center\" or \"region\"")),
    };
    let version = match options.string("signatureVersion")?.map(|v| v.to_ascii_lowercase()).as_deref() {
        None | Some("v3") => SignatureVersion::V3,
        Some("v1") => SignatureVersion::V1,
        Some(_) => return Err(Error::invalid_option("signatureVersion", "must be \"v3\" or \"v1\"")),
    };
    let allow_insecure_http = options.boolean("allowInsecureHttp")?.unwrap_or(false);
    let endpoint_text = options.string("endpoint")?;

    let has_access_key = access_key_id.is_some() || access_key_secret.is_some() || security_token.is_some();
    let auth = match (token, has_access_key) {
        (Some(_), true) => {
            return Err(Error::invalid_argument(
                "both an AccessKey (accessKeyId/accessKeySecret/securityToken) and a personal access token (token) were given: drop one of them",
            ))
        }
        (Some(token), false) => {
            request::validate_credential_value("token", token.expose())?;
            let default_edition = match endpoint_text.as_deref().map(|e| Endpoint::parse(e, true)) {
                Some(Ok(e)) if e.host != "openapi-rdc.aliyuncs.com" => Edition::Region,
                _ => Edition::Center,
            };
            Auth::Token(token, edition.unwrap_or(default_edition))
        }
        (None, _) if edition.is_some() => {
            return Err(Error::invalid_option("edition", "applies to the token API only: pass token, or drop edition"))
        }
        (None, true) => {
            let Some(access_key_id) = access_key_id else {
                return Err(Error::invalid_option("accessKeyId", "is missing (accessKeySecret or securityToken was given)"));
            };
            let Some(access_key_secret) = access_key_secret else {
                return Err(Error::invalid_option("accessKeySecret", "is missing (accessKeyId was given)"));
            };
            request::validate_credential_value("accessKeyId", &access_key_id)?;
            request::refuse_padding("accessKeySecret", access_key_secret.expose())?;
            if let Some(token) = &security_token {
                request::validate_credential_value("securityToken", token.expose())?;
            }
            if version == SignatureVersion::V1 && !super::transport::can_send_date_header() {
                return Err(Error::invalid_option(
                    "signatureVersion",
                    "\"v1\" cannot work in a browser: it signs the Date header, which browsers do not let scripts send; use \"v3\" (the default)",
                ));
            }
            Auth::AccessKey(Credentials { access_key_id, access_key_secret, security_token }, version)
        }
        (None, false) => Auth::Unsigned,
    };

    let default_endpoint = match auth {
        Auth::Token(..) => DEFAULT_TOKEN_ENDPOINT,
        _ => DEFAULT_CLASSIC_ENDPOINT,
    };
    let endpoint_text = endpoint_text.as_deref().unwrap_or(default_endpoint);
    let endpoint = Endpoint::parse(endpoint_text, allow_insecure_http)
        .map_err(|error| requoted(error, endpoint_text, endpoint::QUOTED_CHARS, redactor))?;
    check_punycode(&endpoint)?;

    let region = matches!(auth, Auth::Token(_, Edition::Region));
    let organization_id = id_argument("organizationId", org, region)?;
    let pipeline_id = id_argument("pipelineId", pipeline, false)?;
    let category = if category.is_undefined() || category.is_null() {
        request::normalize_category(None)?
    } else {
        let text = plain_string("category", category)?;
        request::normalize_category(Some(&text))
            .map_err(|error| requoted(error, &text, request::CATEGORY_QUOTED_CHARS, redactor))?
    };
    let user_agent_suffix = options.string("userAgent")?;
    if let Some(ua) = &user_agent_suffix {
        request::validate_header_value("userAgent", ua)?;
    }

    let defaults = RetryPolicy::default();
    let policy = RetryPolicy {
        max_retries: options.integer("maxRetries", 0.0, 10.0)?.map_or(defaults.max_retries, |n| n as u32),
        timeout_ms: options.integer("timeoutMs", 1.0, MAX_SAFE_INTEGER)?.map_or(defaults.timeout_ms, |n| n as u64),
        deadline_ms: options.integer("deadlineMs", 1.0, MAX_SAFE_INTEGER)?.map(|n| n as u64),
        ..defaults
    };
    let max_response_bytes =
        options.integer("maxResponseBytes", 1.0, MAX_RESPONSE_BYTES_LIMIT)?.unwrap_or(DEFAULT_MAX_RESPONSE_BYTES);
    let transport = Transport::new(
        options.fetch()?,
        // Internal: set by the Node entry with its default transport, never by a caller.
        options.get("attemptController")?.and_then(|v| v.dyn_into::<Function>().ok()),
        options.signal()?,
        max_response_bytes as u64,
    )?;

    let clock = options.get("clock")?.and_then(|v| v.dyn_into::<Object>().ok());
    // A year either way is far beyond any clock a server would take a request from anyway.
    let clock_offset_ms = clock
        .as_ref()
        .and_then(|clock| Reflect::get(clock, &super::name("offsetMs")).ok()?.as_f64())
        .filter(|ms| ms.fract() == 0.0 && ms.abs() <= MAX_CLOCK_OFFSET_MS)
        .map_or(0, |ms| ms as i64);

    Ok(Prepared {
        target: CallTarget { endpoint, organization_id, pipeline_id, category, user_agent_suffix },
        auth,
        policy,
        transport,
        clock,
        clock_offset_ms,
    })
}

#[wasm_bindgen]
extern "C" {
    type Url;
    #[wasm_bindgen(constructor, js_class = "URL", catch)]
    fn new(url: &str) -> Result<Url, JsValue>;
}

/// A host with an `xn--` label must be valid punycode of a valid name, or fetch refuses the URL
/// (after every retry, as a network error). The platform's URL parser judges: a punycode decoder
/// and the IDNA tables would cost more wasm than the rest of the endpoint parser.
fn check_punycode(endpoint: &Endpoint) -> Result<()> {
    let punycode = endpoint.host.split('.').any(|label| label.starts_with("xn--"));
    if punycode && Url::new(&endpoint.origin()).is_err() {
        return Err(Error::invalid_option(
            "endpoint",
            &format!(
                "host {} is not a valid internationalised domain name (an xn-- label that does not decode)",
                endpoint.host
            ),
        ));
    }
    Ok(())
}

/// The longest string argument or option, in UTF-16 units: far beyond any id, credential,
/// endpoint or user agent (an STS token is some 1-2 KB; servers refuse headers past 8-16 KB).
/// Checked before the string is copied into wasm memory, which a string of hundreds of MB would
/// exhaust (a trap, not an error), and before the redactor looks for it in what a server says.
const MAX_STRING_UNITS: u32 = 16 * 1024;

/// A string argument, refusing lone UTF-16 surrogates (they have no UTF-8 form and would be
/// silently replaced, naming a different resource).
fn plain_string(name: &'static str, value: &JsValue) -> Result<String> {
    let Some(js) = value.dyn_ref::<JsString>() else {
        return Err(Error::invalid_option(name, "must be a string"));
    };
    if js.length() > MAX_STRING_UNITS {
        return Err(Error::invalid_option(name, &format!("is longer than {MAX_STRING_UNITS} characters")));
    }
    // The conversion turns a lone surrogate into U+FFFD. Only a string that then holds U+FFFD
    // is checked unit by unit (`is_valid_utf16` crosses into JS per UTF-16 unit, about 100
    // crossings per call if done for every argument; a regular expression would do it in one,
    // but JavaScriptCore before 2024 matched half of a valid pair against a surrogate class).
    // (`find_str`, not `str::contains`: a non-ASCII char pattern brings in the two-way searcher.)
    let text = String::from(js);
    if find_str(&text, "\u{FFFD}").is_some() && !js.is_valid_utf16() {
        return Err(Error::invalid_option(name, "contains an unpaired UTF-16 surrogate"));
    }
    Ok(text)
}

fn id_argument(name: &'static str, value: &JsValue, allow_empty: bool) -> Result<String> {
    let text = if let Some(n) = value.as_f64() {
        if !(n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= MAX_SAFE_INTEGER) {
            return Err(Error::invalid_option(
                name, "given as a number must be a non-negative safe integer; pass larger ids as strings",
            ));
        }
        format!("{}", n as u64)
    } else if value.is_undefined() || value.is_null() {
        String::new()
    } else if value.is_string() {
        plain_string(name, value)?
    } else {
        return Err(Error::invalid_option(name, "must be a string or a number"));
    };
    request::validate_id(name, &text, allow_empty)?;
    Ok(text)
}

struct Options<'a> {
    object: Option<&'a JsValue>,
}

impl<'a> Options<'a> {
    fn new(value: &'a JsValue) -> Result<Self> {
        if value.is_undefined() || value.is_null() {
            return Ok(Options { object: None });
        }
        if !value.is_object() || value.is_function() {
            return Err(Error::invalid_option("options", "must be an object"));
        }
        Ok(Options { object: Some(value) })
    }

    /// The option's value; `undefined` and `null` mean "not given".
    fn get(&self, name: &'static str) -> Result<Option<JsValue>> {
        let Some(object) = self.object else {
            return Ok(None);
        };
        match Reflect::get(object, &super::name(name)) {
            Ok(v) if v.is_undefined() || v.is_null() => Ok(None),
            Ok(v) => Ok(Some(v)),
            Err(_) => Err(Error::invalid_argument(format!("reading option {name} threw")).blaming(name)),
        }
    }

    fn string(&self, name: &'static str) -> Result<Option<String>> {
        self.get(name)?.map(|v| plain_string(name, &v)).transpose()
    }

    /// A secret option: an empty string counts as "not given" (empty env variables).
    fn secret(&self, name: &'static str) -> Result<Option<Secret>> {
        Ok(self.string(name)?.filter(|s| !s.is_empty()).map(Secret::new))
    }

    fn boolean(&self, name: &'static str) -> Result<Option<bool>> {
        match self.get(name)? {
            None => Ok(None),
            Some(v) => v.as_bool().map(Some).ok_or_else(|| Error::invalid_option(name, "must be a boolean")),
        }
    }

    fn integer(&self, name: &'static str, min: f64, max: f64) -> Result<Option<f64>> {
        match self.get(name)? {
            None => Ok(None),
            Some(v) => match v.as_f64() {
                Some(n) if n.fract() == 0.0 && n >= min && n <= max => Ok(Some(n)),
                // Integers printed as integers: float formatting would add kilobytes to the wasm.
                _ => Err(Error::invalid_option(
                    name,
                    &format!("must be an integer from {} to {}", min as u64, max as u64),
                )),
            },
        }
    }

    fn fetch(&self) -> Result<Option<Function>> {
        match self.get("fetch")? {
            None => Ok(None),
            Some(v) => {
                v.dyn_into::<Function>().map(Some).map_err(|_| Error::invalid_option("fetch", "must be a function"))
            }
        }
    }

    fn signal(&self) -> Result<Option<AbortSignal>> {
        let Some(v) = self.get("signal")? else {
            return Ok(None);
        };
        // One that cannot take its listener off is refused too: the listener would outlive the
        // call, and throw when the signal aborted later.
        let method = |name| Reflect::get(&v, &super::name(name)).is_ok_and(|f| f.is_function());
        let looks_like_signal = Reflect::get(&v, &super::name("aborted")).is_ok_and(|a| a.as_bool().is_some())
            && method("addEventListener")
            && method("removeEventListener");
        if looks_like_signal {
            Ok(Some(v.unchecked_into()))
        } else {
            Err(Error::invalid_option("signal", "must be an AbortSignal"))
        }
    }
}
