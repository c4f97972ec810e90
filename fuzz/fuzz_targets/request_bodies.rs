//! Request bodies of both families: JSON for the RudderStack API, JSON or form-encoded
//! for SeaTable's. Any bytes, with either content type, are parsed or refused with a 400,
//! never a panic.
#![no_main]

use lambda_http::{http::StatusCode, Body, Request};
use libfuzzer_sys::fuzz_target;
use tessera_common::http::{json_body, Fields};

fn request(content_type: &str, body: &[u8]) -> Request {
    lambda_http::http::Request::builder()
        .method("POST")
        .uri("/accessTokens")
        .header("content-type", content_type)
        .body(Body::Binary(body.to_vec()))
        .expect("a request")
}

fuzz_target!(|data: &[u8]| {
    for content_type in ["application/json", "application/x-www-form-urlencoded"] {
        let req = request(content_type, data);
        match Fields::parse(&req) {
            Ok(fields) => {
                for name in ["name", "app_name", "permission", "expire_days", "token"] {
                    let _ = fields.text(name);
                }
            }
            Err(err) => assert_eq!(err.status(), StatusCode::BAD_REQUEST),
        }
        if let Err(err) = json_body::<serde_json::Value>(&req) {
            assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        }
    }
});
