//! How every function starts: tracing, config and SDK clients once per container, then
//! the Lambda runtime loop. A function's main.rs only names its `FUNCTION`.

use std::{convert::Infallible, future::Future, pin::Pin};

use lambda_http::{
    http::StatusCode,
    lambda_runtime::{self, LambdaEvent},
    service_fn, Body, Error, Request, Response,
};

use crate::{
    authorizer::{AuthorizerRequest, AuthorizerResponse},
    queue::QueueEvent,
    rotation::{RotationError, RotationEvent},
    stream::{BatchResponse, StreamEvent},
    ApiError, AppState,
};

pub type HandlerFuture<'a> = Pin<Box<dyn Future<Output = Response<Body>> + Send + 'a>>;

/// An HTTP function's handler: every outcome, failures included, is a response.
pub type Handler = for<'a> fn(&'a AppState, Request) -> HandlerFuture<'a>;

pub type AuthorizerFuture<'a> =
    Pin<Box<dyn Future<Output = Result<AuthorizerResponse, ApiError>> + Send + 'a>>;

/// An API Gateway Lambda authorizer: a token is allowed or denied; a fault (DynamoDB
/// unreachable) is an error, which API Gateway answers with 500 and, unlike a deny, does
/// not cache: a valid token is never locked out for the cache's lifetime by an outage.
pub type Authorizer = for<'a> fn(&'a AppState, AuthorizerRequest) -> AuthorizerFuture<'a>;

pub type RotationFuture<'a> = Pin<Box<dyn Future<Output = Result<(), RotationError>> + Send + 'a>>;

/// A Secrets Manager rotation function: one step of the rotation protocol per event, with
/// clients built from the SDK configuration it is given; an error makes Secrets Manager
/// retry the rotation later.
pub type Rotator =
    for<'a> fn(&'a AppState, &'a aws_config::SdkConfig, RotationEvent) -> RotationFuture<'a>;

pub type StreamFuture<'a> = Pin<Box<dyn Future<Output = BatchResponse> + Send + 'a>>;

/// A consumer of the table's stream: every record is handled, or the answer names the one
/// to retry from. Clients come from the SDK configuration it is given.
pub type StreamConsumer = for<'a> fn(&'a aws_config::SdkConfig, StreamEvent) -> StreamFuture<'a>;

pub type ScheduledFuture<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// A function run on a schedule (an EventBridge schedule), with the function's state: the
/// event says only that it is time. An error makes Lambda retry the run.
pub type Scheduled = for<'a> fn(&'a AppState) -> ScheduledFuture<'a>;

/// A consumer of an SQS queue, with the function's state: the answer names the messages
/// to leave on the queue.
pub type QueueConsumer = for<'a> fn(&'a AppState, QueueEvent) -> StreamFuture<'a>;

/// What a function crate is: each exports `pub const FUNCTION: Function`, which its
/// main.rs runs and the local API calls in-process.
#[derive(Clone, Copy)]
pub enum Function {
    /// Serves routes of the HTTP API (payload format 2.0).
    Http(Handler),
    /// Authorizes requests to routes that name it (payload 2.0, simple responses).
    Authorizer(Authorizer),
    /// Rotates a Secrets Manager secret when Secrets Manager invokes it (no table, no API).
    SecretRotation(Rotator),
    /// Reads the table's stream (no API).
    TableStream(StreamConsumer),
    /// Takes the messages of an SQS queue (no API).
    Queue(QueueConsumer),
    /// Runs on a schedule (no API).
    Scheduled(Scheduled),
}

impl std::fmt::Debug for Function {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Function::Http(_) => "Function::Http",
            Function::Authorizer(_) => "Function::Authorizer",
            Function::SecretRotation(_) => "Function::SecretRotation",
            Function::TableStream(_) => "Function::TableStream",
            Function::Queue(_) => "Function::Queue",
            Function::Scheduled(_) => "Function::Scheduled",
        })
    }
}

/// Whether a function reads its table. (A function that signs or verifies JWTs starts with
/// `tessera_jwt::function_main!` instead, which also loads the signing keys.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Table,
    /// It reads nothing: no connection is opened during init.
    Nothing,
}

/// A function's `main`: `tessera_common::function_main!(my_crate::FUNCTION, Needs::Table);`
#[macro_export]
macro_rules! function_main {
    ($function:expr, $needs:expr) => {
        // One invocation at a time per container: worker threads would only cost memory
        // and start-up (see docs/performance.md).
        #[tokio::main(flavor = "current_thread")]
        async fn main() -> Result<(), lambda_http::Error> {
            $crate::lambda::run(env!("CARGO_CRATE_NAME"), $function, $needs).await
        }
    };
}

/// Starts a function: logging (see `logging`: nothing secret at any level), config and
/// SDK clients once per container, then the runtime loop. `own_crate` is the function's
/// crate, whose logs follow the configured level.
pub async fn run(own_crate: &'static str, function: Function, needs: Needs) -> Result<(), Error> {
    let sdk = start(own_crate).await;
    if let Function::SecretRotation(rotate) = function {
        // It writes one item a rotation, and may read none: no warm-up read.
        let state = state_from_env(&sdk, Needs::Nothing).await?;
        return run_rotation(&sdk, &state, rotate).await;
    }
    if let Function::TableStream(consume) = function {
        return run_stream(&sdk, consume).await;
    }
    let state = state_from_env(&sdk, needs).await?;
    serve(&state, function).await
}

/// `run` for a function whose state needs more than the table (a key of its own):
/// `extend` adds it during init, and an error there stops the function before it takes a
/// request, where a deploy's smoke test sees it.
pub async fn run_with<Extended>(
    own_crate: &'static str,
    function: Function,
    extend: impl FnOnce(aws_config::SdkConfig, AppState) -> Extended,
) -> Result<(), Error>
where
    Extended: Future<Output = Result<AppState, Error>>,
{
    let sdk = start(own_crate).await;
    let state = state_from_env(&sdk, Needs::Table).await?;
    let state = extend(sdk, state)
        .await
        .inspect_err(|err| tracing::error!("cannot start: {err}"))?;
    serve(&state, function).await
}

/// The first step of every start: logging, then the SDK configuration.
pub async fn start(own_crate: &'static str) -> aws_config::SdkConfig {
    crate::logging::init([own_crate]);
    crate::metrics::increment("ColdStarts");
    crate::config::sdk_config().await
}

/// The state from the environment: a missing variable stops the function here, before it
/// takes a request. A function that reads its table opens the connection now.
pub async fn state_from_env(sdk: &aws_config::SdkConfig, needs: Needs) -> Result<AppState, Error> {
    let state =
        AppState::from_env_with(sdk).inspect_err(|err| tracing::error!("cannot start: {err}"))?;
    if needs == Needs::Table {
        // A failure here is retried by the first request.
        if let Err(err) = state.store.warm_up().await {
            tracing::warn!("DynamoDB not reached during init: {err}");
        }
    }
    Ok(state)
}

/// The runtime loop: every invocation of this container is handled with `state`.
pub async fn serve(state: &AppState, function: Function) -> Result<(), Error> {
    match function {
        Function::Http(handler) => {
            lambda_http::run(service_fn(move |req| async move {
                Ok::<_, Infallible>(handler(state, req).await)
            }))
            .await
        }
        Function::Authorizer(authorizer) => {
            lambda_runtime::run(lambda_runtime::service_fn(
                move |event: LambdaEvent<AuthorizerRequest>| async move {
                    authorizer(state, event.payload).await.map_err(|err| {
                        err.log();
                        if err.status() == StatusCode::SERVICE_UNAVAILABLE {
                            crate::metrics::increment("ServiceUnavailable");
                        }
                        Error::from(err.public_message())
                    })
                },
            ))
            .await
        }
        Function::SecretRotation(_) => unreachable!("rotation functions start in run_rotation"),
        Function::TableStream(_) => unreachable!("stream consumers start in run"),
        Function::Scheduled(run) => {
            lambda_runtime::run(lambda_runtime::service_fn(
                move |_: LambdaEvent<serde_json::Value>| async move {
                    run(state).await.map_err(Error::from)
                },
            ))
            .await
        }
        Function::Queue(consume) => {
            lambda_runtime::run(lambda_runtime::service_fn(
                move |event: LambdaEvent<QueueEvent>| async move {
                    Ok::<_, Infallible>(consume(state, event.payload).await)
                },
            ))
            .await
        }
    }
}

/// A stream consumer needs no table and no state: it forwards what the stream holds.
async fn run_stream(sdk: &aws_config::SdkConfig, consume: StreamConsumer) -> Result<(), Error> {
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: LambdaEvent<StreamEvent>| async move {
            Ok::<_, Infallible>(consume(sdk, event.payload).await)
        },
    ))
    .await
}

/// A rotation function: the event names the secret; the state's table takes the event
/// of a rotation done.
async fn run_rotation(
    sdk: &aws_config::SdkConfig,
    state: &AppState,
    rotate: Rotator,
) -> Result<(), Error> {
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: LambdaEvent<RotationEvent>| async move {
            let step = event.payload.step;
            let done = rotate(state, sdk, event.payload).await;
            // By step and result, and by result alone (what the rotation alarm watches).
            let result = if done.is_ok() { "succeeded" } else { "failed" };
            crate::metrics::count(
                "SigningKeyRotationSteps",
                1,
                &[("Step", step.name()), ("Result", result)],
                &[&["Result"]],
            );
            done.map_err(|err| {
                tracing::error!(?step, "rotation step failed: {err}");
                Error::from(err.to_string())
            })
        },
    ))
    .await
}
