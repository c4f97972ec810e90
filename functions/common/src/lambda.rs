//! How every function starts: tracing, config and SDK clients once per container, then
//! the Lambda runtime loop. A function's main.rs only names its handler.

use std::{convert::Infallible, future::Future, pin::Pin};

use lambda_http::{service_fn, Body, Error, Request, Response};

use crate::AppState;

pub type HandlerFuture<'a> = Pin<Box<dyn Future<Output = Response<Body>> + Send + 'a>>;

/// A function's handler: every outcome, failures included, is a response.
pub type Handler = for<'a> fn(&'a AppState, Request) -> HandlerFuture<'a>;

/// What a function needs besides its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Table,
    /// It signs or verifies JWTs: `SIGNING_SECRET_ID` must be set.
    SigningKey,
}

/// A function's `main`: `tessera_common::function_main!(my_crate::handle, Needs::Table);`
#[macro_export]
macro_rules! function_main {
    ($handle:path, $needs:expr) => {
        #[tokio::main]
        async fn main() -> Result<(), lambda_http::Error> {
            $crate::lambda::run(
                env!("CARGO_CRATE_NAME"),
                |state, req| Box::pin($handle(state, req)),
                $needs,
            )
            .await
        }
    };
}

/// Starts a function: logging (see `logging`: nothing secret at any level), config and
/// SDK clients once per container, then the runtime loop. `own_crate` is the function's
/// crate, whose logs follow the configured level.
pub async fn run(own_crate: &'static str, handler: Handler, needs: Needs) -> Result<(), Error> {
    crate::logging::init([own_crate]);
    // A missing variable stops the function here, before it takes a request.
    let state = AppState::from_env()
        .await
        .inspect_err(|err| tracing::error!("cannot start: {err}"))?;
    // Warm the connection during init; a failure here is retried by the first request.
    if let Err(err) = state.store.warm_up().await {
        tracing::warn!("DynamoDB not reached during init: {err}");
    }
    if needs == Needs::SigningKey {
        let Some(keys) = &state.signing else {
            tracing::error!("cannot start: environment variable SIGNING_SECRET_ID is not set");
            return Err("SIGNING_SECRET_ID is not set".into());
        };
        keys.load_at_start()
            .await
            .inspect_err(|err| tracing::error!("cannot start: {err}"))?;
    }
    let state = &state;
    lambda_http::run(service_fn(move |req| async move {
        Ok::<_, Infallible>(handler(state, req).await)
    }))
    .await
}
