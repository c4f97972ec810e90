//! How a function that signs or verifies JWTs starts: as every function does, and with its
//! signing keys loaded before it takes a request.

use std::sync::Arc;

use lambda_http::Error;
use tessera_common::{
    clock::SharedClock,
    config::{optional, parse_or},
    lambda::{self, Function},
    ConfigError,
};

use crate::signing_key::{CachePolicy, SigningKeys};

/// A JWT function's `main`: `tessera_jwt::function_main!(my_crate::FUNCTION);`
#[macro_export]
macro_rules! function_main {
    ($function:expr) => {
        // One invocation at a time per container (see docs/performance.md).
        #[tokio::main(flavor = "current_thread")]
        async fn main() -> Result<(), lambda_http::Error> {
            $crate::lambda::run(env!("CARGO_CRATE_NAME"), $function).await
        }
    };
}

/// `tessera_common::lambda::run` with the signing keys: a secret that cannot be read or is
/// too short stops the function during init, where the deploy's smoke test sees it.
pub async fn run(own_crate: &'static str, function: Function) -> Result<(), Error> {
    lambda::run_with(own_crate, function, |sdk, mut state| async move {
        let keys = signing_keys_from_env(&sdk, state.clock.clone())?;
        keys.load_at_start().await?;
        state.signing = Some(keys);
        Ok(state)
    })
    .await
}

/// The signing keys named by `SIGNING_SECRET_ID`, cached as the environment says.
pub fn signing_keys_from_env(
    sdk: &aws_config::SdkConfig,
    clock: SharedClock,
) -> Result<Arc<SigningKeys>, ConfigError> {
    let secret_id =
        optional("SIGNING_SECRET_ID").ok_or(ConfigError::Missing("SIGNING_SECRET_ID"))?;
    Ok(Arc::new(SigningKeys::new(
        aws_sdk_secretsmanager::Client::new(sdk),
        secret_id,
        cache_policy()?,
        clock,
    )))
}

/// The signing-key cache's lifetimes, from the environment.
pub fn cache_policy() -> Result<CachePolicy, ConfigError> {
    let default = CachePolicy::DEFAULT;
    Ok(CachePolicy {
        refresh: std::time::Duration::from_secs(parse_or(
            "SIGNING_KEY_REFRESH_SECONDS",
            default.refresh.as_secs(),
        )?),
        stale_for: std::time::Duration::from_secs(parse_or(
            "SIGNING_KEY_STALE_SECONDS",
            default.stale_for.as_secs(),
        )?),
        min_fetch_interval: default.min_fetch_interval,
    })
}
