//! How a function that shows or signs webhook secrets starts: as every function does, with
//! the webhook key named by `WEBHOOK_KEY_SECRET_ID`.

use std::sync::Arc;

use lambda_http::Error;
use tessera_common::{
    config::optional,
    lambda::{self, Function},
    ConfigError,
};

use crate::WebhookKey;

/// Such a function's `main`: `tessera_webhooks::function_main!(my_crate::FUNCTION);`
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

/// `tessera_common::lambda::run` with the webhook key; a missing variable stops the
/// function during init. The key itself is read at first use.
pub async fn run(own_crate: &'static str, function: Function) -> Result<(), Error> {
    lambda::run_with(own_crate, function, |sdk, mut state| async move {
        state.webhook_key = Some(key_from_env(&sdk)?);
        Ok(state)
    })
    .await
}

pub fn key_from_env(sdk: &aws_config::SdkConfig) -> Result<Arc<WebhookKey>, ConfigError> {
    let secret_id =
        optional("WEBHOOK_KEY_SECRET_ID").ok_or(ConfigError::Missing("WEBHOOK_KEY_SECRET_ID"))?;
    Ok(Arc::new(WebhookKey::new(
        aws_sdk_secretsmanager::Client::new(sdk),
        secret_id,
    )))
}
