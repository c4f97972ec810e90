//! The baseline of `make bench`: what any `lambda_http` function costs, with the same
//! dependencies' features, runtime and release profile as Tessera's functions.

use std::convert::Infallible;

use lambda_http::{service_fn, Body, Error, Request, Response};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(|_req: Request| async {
        let mut response = Response::new(Body::from(r#"{"message":"hello"}"#));
        response.headers_mut().insert(
            "content-type",
            "application/json".parse().expect("a valid header"),
        );
        Ok::<_, Infallible>(response)
    }))
    .await
}
