//! Configuration from the environment, read once at start-up; a missing or malformed
//! value stops the function before it takes a request.

use std::{sync::Arc, time::Duration};

use aws_config::BehaviorVersion;

use crate::{signing_key::SigningKeys, store::Store};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set (the SAM template sets it; locally, source .tessera/demo.env)")]
    Missing(&'static str),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// Where the platform's base servers are: the SeaTable API hands these to its clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeaTableSettings {
    pub dtable_server: String,
    pub dtable_socket: String,
    pub dtable_db: String,
    pub use_api_gateway: bool,
    /// Lifetime of a base access token (SeaTable's default: 3 days).
    pub access_token_ttl: Duration,
}

impl SeaTableSettings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(SeaTableSettings {
            dtable_server: url_or("DTABLE_SERVER_URL", "http://127.0.0.1:3000/dtable-server/")?,
            dtable_socket: url_or("DTABLE_SOCKET_URL", "http://127.0.0.1:3000/")?,
            dtable_db: url_or("DTABLE_DB_URL", "http://127.0.0.1:3000/dtable-db/")?,
            use_api_gateway: parse_or("USE_API_GATEWAY", false)?,
            access_token_ttl: Duration::from_secs(parse_or(
                "ACCESS_TOKEN_TTL_SECONDS",
                3 * 24 * 3600,
            )?),
        })
    }
}

fn optional(name: &'static str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

fn required(name: &'static str) -> Result<String, ConfigError> {
    optional(name).ok_or(ConfigError::Missing(name))
}

fn parse_or<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match optional(name) {
        None => Ok(default),
        Some(text) => text
            .trim()
            .parse()
            .map_err(|err: T::Err| ConfigError::Invalid {
                name,
                reason: err.to_string(),
            }),
    }
}

fn url_or(name: &'static str, default: &str) -> Result<String, ConfigError> {
    let url = optional(name).unwrap_or_else(|| default.to_owned());
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(url)
    } else {
        Err(ConfigError::Invalid {
            name,
            reason: format!("{url:?} is not an http(s) URL"),
        })
    }
}

/// What a handler needs, built once per container and shared by every invocation.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub seatable: SeaTableSettings,
    /// Present when `SIGNING_SECRET_ID` is set: only functions that sign or verify JWTs
    /// are given the secret (and the permission to read it).
    pub signing: Option<Arc<SigningKeys>>,
}

impl AppState {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table_name = required("TABLE_NAME")?;
        let seatable = SeaTableSettings::from_env()?;
        let refresh = Duration::from_secs(parse_or("SIGNING_KEY_REFRESH_SECONDS", 300)?);
        let sdk = aws_config::load_defaults(BehaviorVersion::latest()).await;
        let signing = optional("SIGNING_SECRET_ID").map(|secret_id| {
            Arc::new(SigningKeys::new(
                aws_sdk_secretsmanager::Client::new(&sdk),
                secret_id,
                refresh,
            ))
        });
        Ok(AppState {
            store: Store::new(aws_sdk_dynamodb::Client::new(&sdk), table_name),
            seatable,
            signing,
        })
    }
}
