//! How every function starts: tracing, config and SDK clients once per container, then
//! the Lambda runtime loop. A function's main.rs only names its handler.

use std::{convert::Infallible, future::Future, pin::Pin};

use lambda_http::{service_fn, Body, Error, Request, Response};

use crate::AppState;

pub type HandlerFuture<'a> = Pin<Box<dyn Future<Output = Response<Body>> + Send + 'a>>;

/// A function's handler: every outcome, failures included, is a response.
pub type Handler = for<'a> fn(&'a AppState, Request) -> HandlerFuture<'a>;

pub async fn run(handler: Handler) -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    // A missing variable stops the function here, before it takes a request.
    let state = AppState::from_env()
        .await
        .inspect_err(|err| tracing::error!("cannot start: {err}"))?;
    let state = &state;
    lambda_http::run(service_fn(move |req| async move {
        Ok::<_, Infallible>(handler(state, req).await)
    }))
    .await
}
