//! Configuration from the environment, read once at start-up; a missing value stops the
//! function before it takes a request.

use aws_config::BehaviorVersion;

use crate::store::Store;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set (the SAM template sets it; locally, source .tessera/demo.env)")]
    Missing(&'static str),
}

#[derive(Debug, Clone)]
pub struct Config {
    pub table_name: String,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Config {
            table_name: required("TABLE_NAME")?,
        })
    }
}

fn required(name: &'static str) -> Result<String, ConfigError> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value),
        _ => Err(ConfigError::Missing(name)),
    }
}

/// What a handler needs, built once per container and shared by every invocation.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
}

impl AppState {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let config = Config::from_env()?;
        let sdk = aws_config::load_defaults(BehaviorVersion::latest()).await;
        Ok(AppState {
            store: Store::new(aws_sdk_dynamodb::Client::new(&sdk), config.table_name),
        })
    }
}
