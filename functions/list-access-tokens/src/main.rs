use std::convert::Infallible;

use lambda_http::{run, service_fn, Error};
use tessera_common::AppState;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    // Config and SDK clients once per container; a missing variable stops it here.
    let state = AppState::from_env()
        .await
        .inspect_err(|err| tracing::error!("cannot start: {err}"))?;
    let state = &state;
    run(service_fn(move |req| async move {
        Ok::<_, Infallible>(list_access_tokens::handle(state, req).await)
    }))
    .await
}
