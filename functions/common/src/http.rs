//! Small helpers for reading API Gateway requests and writing JSON responses.

use lambda_http::{
    http::{header::CONTENT_TYPE, StatusCode},
    Body, Request, RequestExt, Response,
};
use serde::{de::DeserializeOwned, Serialize};

use crate::error::ApiError;

pub fn json_response(status: StatusCode, body: &impl Serialize) -> Response<Body> {
    let text = serde_json::to_string(body).expect("response bodies serialize");
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "application/json")
        .body(Body::Text(text))
        .expect("static response parts are valid")
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

/// A query string parameter, if present.
pub fn query_param(req: &Request, name: &str) -> Option<String> {
    req.query_string_parameters_ref()
        .and_then(|params| params.first(name))
        .map(str::to_owned)
}
