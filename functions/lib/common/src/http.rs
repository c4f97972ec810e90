//! Small helpers for reading API Gateway requests and writing JSON responses.

use lambda_http::{
    http::{
        header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER},
        HeaderValue, StatusCode,
    },
    Body, Request, RequestExt, Response,
};
use serde::{de::DeserializeOwned, Serialize};

use crate::error::ApiError;

/// A JSON response. Every response is `Cache-Control: no-store`: many carry a secret
/// (a new token, a JWT), and none is worth caching.
pub fn json_response(status: StatusCode, body: &impl Serialize) -> Response<Body> {
    let text = serde_json::to_string(body).expect("response bodies serialize");
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "application/json")
        .header(CACHE_CONTROL, "no-store")
        .body(Body::Text(text))
        .expect("static response parts are valid")
}

/// An error's response in a family's body shape: its status, and `Retry-After` on a 503.
pub fn error_response(err: &ApiError, body: &impl Serialize) -> Response<Body> {
    err.log();
    let mut response = json_response(err.status(), body);
    if err.status() == StatusCode::SERVICE_UNAVAILABLE {
        crate::metrics::increment("ServiceUnavailable");
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(ApiError::RETRY_AFTER_SECS));
    }
    response
}

/// The raw request body; API Gateway's base64 bodies are already decoded by lambda_http.
pub fn body_bytes(req: &Request) -> &[u8] {
    match req.body() {
        Body::Empty => &[],
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => &[],
    }
}

/// Parses a JSON body into `T`, naming what is wrong when it does not fit.
pub fn json_body<T: DeserializeOwned>(req: &Request) -> Result<T, ApiError> {
    let bytes = body_bytes(req);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "request body is missing: send a JSON object",
        ));
    }
    serde_json::from_slice(bytes).map_err(|err| match err.classify() {
        serde_json::error::Category::Data => {
            ApiError::bad_request(format!("invalid request body: {err}"))
        }
        _ => ApiError::bad_request("request body is not valid JSON"),
    })
}

/// A path parameter of the route; API Gateway always sends the route's parameters.
pub fn path_param(req: &Request, name: &str) -> Result<String, ApiError> {
    req.path_parameters_ref()
        .and_then(|params| params.first(name))
        .map(str::to_owned)
        .ok_or_else(|| ApiError::bad_request(format!("{name} invalid.")))
}

/// A query string parameter, if present.
pub fn query_param(req: &Request, name: &str) -> Option<String> {
    req.query_string_parameters_ref()
        .and_then(|params| params.first(name))
        .map(str::to_owned)
}

/// The fields of a request body sent as JSON or form-encoded (SeaTable's clients send
/// either). Form values are strings; `text` reads numbers and strings alike.
#[derive(Debug, Default)]
pub struct Fields(serde_json::Map<String, serde_json::Value>);

impl Fields {
    pub fn parse(req: &Request) -> Result<Self, ApiError> {
        let bytes = body_bytes(req);
        // Media types are case-insensitive (RFC 9110 §8.3.1).
        let form = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                v.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        if form {
            let mut pairs = serde_json::Map::new();
            for (name, value) in form_urlencoded::parse(bytes) {
                // A repeated field is ambiguous: refuse it rather than pick one.
                if pairs
                    .insert(
                        name.to_string(),
                        serde_json::Value::String(value.into_owned()),
                    )
                    .is_some()
                {
                    return Err(ApiError::bad_request(format!(
                        "{name} is given more than once"
                    )));
                }
            }
            return Ok(Fields(pairs));
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Fields::default());
        }
        match serde_json::from_slice(bytes) {
            Ok(serde_json::Value::Object(map)) => Ok(Fields(map)),
            _ => Err(ApiError::bad_request(
                "request body must be a JSON object or form-encoded",
            )),
        }
    }

    /// A field as text: strings as they are, numbers and booleans written out.
    pub fn text(&self, name: &str) -> Option<String> {
        match self.0.get(name)? {
            serde_json::Value::String(text) => Some(text.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}
