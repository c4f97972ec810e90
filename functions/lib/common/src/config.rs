//! Configuration from the environment, read once at start-up; a missing or malformed
//! value stops the function before it takes a request.

use std::{any::Any, sync::Arc, time::Duration};

use aws_config::{timeout::TimeoutConfig, BehaviorVersion};

use crate::{
    clock::{self, SharedClock},
    store::Store,
};

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

pub fn optional(name: &'static str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

fn required(name: &'static str) -> Result<String, ConfigError> {
    optional(name).ok_or(ConfigError::Missing(name))
}

pub fn parse_or<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConfigError>
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

/// How many tokens one owner may hold, so that no listing outgrows a Lambda response
/// (6 MB) and no workspace can fill the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quotas {
    pub access_tokens_per_workspace: u32,
    pub api_tokens_per_base: u32,
    /// Share links and external links together.
    pub share_links_per_base: u32,
}

impl Quotas {
    pub const DEFAULT: Quotas = Quotas {
        access_tokens_per_workspace: 1000,
        api_tokens_per_base: 1000,
        share_links_per_base: 1000,
    };

    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Quotas {
            access_tokens_per_workspace: parse_or(
                "MAX_ACCESS_TOKENS_PER_WORKSPACE",
                Self::DEFAULT.access_tokens_per_workspace,
            )?,
            api_tokens_per_base: parse_or(
                "MAX_API_TOKENS_PER_BASE",
                Self::DEFAULT.api_tokens_per_base,
            )?,
            share_links_per_base: parse_or(
                "MAX_SHARE_LINKS_PER_BASE",
                Self::DEFAULT.share_links_per_base,
            )?,
        })
    }
}

/// SDK timeouts: a request answers well inside the function's 10 s timeout even when a
/// dependency hangs. An attempt gets 1.5 s (DynamoDB answers in milliseconds), and the
/// operation, retries included, 3 s: three operations in a row still end by 9 s.
pub fn sdk_timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(1))
        .operation_attempt_timeout(Duration::from_millis(1500))
        .operation_timeout(Duration::from_secs(3))
        .build()
}

/// The AWS configuration every client is built from: the standard chain, our timeouts,
/// and an HTTPS client that trusts Amazon's roots only (see `http_client`).
pub async fn sdk_config() -> aws_config::SdkConfig {
    let trust_system_roots = optional("TESSERA_TRUST_SYSTEM_ROOTS").is_some_and(|v| v == "true");
    aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(sdk_timeouts())
        .http_client(crate::http_client::https_client(trust_system_roots))
        .load()
        .await
}

/// What a handler needs, built once per container and shared by every invocation.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub seatable: SeaTableSettings,
    /// The signing keys of a function that signs or verifies JWTs, which tessera-jwt
    /// builds and reads back (`tessera_jwt::base_token::signing_keys`); held here as `Any`
    /// so that no other function links Secrets Manager. `None` elsewhere.
    pub signing: Option<Arc<dyn Any + Send + Sync>>,
    /// The key webhook secrets are derived from, which tessera-webhooks builds and reads
    /// back (`tessera_webhooks::key`); `None` in functions that neither show nor sign one.
    pub webhook_key: Option<Arc<dyn Any + Send + Sync>>,
    pub quotas: Quotas,
    pub clock: SharedClock,
    /// How long audit log entries are kept (`AUDIT_RETENTION_DAYS`).
    pub audit_retention: Duration,
    /// Longest life an access token may be given (`MAX_ACCESS_TOKEN_LIFETIME_DAYS`).
    pub max_access_token_lifetime: Duration,
    /// How long the verify API and the authorizer may answer from a token's lookup read
    /// earlier by the same container (`VERIFICATION_CACHE_SECONDS`; zero: never).
    pub verification_cache: Duration,
}

impl AppState {
    pub async fn from_env() -> Result<Self, ConfigError> {
        Self::from_env_with(&sdk_config().await)
    }

    /// From the environment, with clients built from `sdk`.
    pub fn from_env_with(sdk: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        let table_name = required("TABLE_NAME")?;
        let seatable = SeaTableSettings::from_env()?;
        let quotas = Quotas::from_env()?;
        let clock = clock::system();
        let days = |name, default: u64| -> Result<Duration, ConfigError> {
            Ok(Duration::from_secs(parse_or(name, default)? * 24 * 3600))
        };
        let audit_retention = days("AUDIT_RETENTION_DAYS", 365)?;
        let max_access_token_lifetime = days("MAX_ACCESS_TOKEN_LIFETIME_DAYS", 365)?;
        let verification_cache = Duration::from_secs(parse_or("VERIFICATION_CACHE_SECONDS", 0)?);
        Ok(AppState {
            store: Store::new(aws_sdk_dynamodb::Client::new(sdk), table_name),
            seatable,
            signing: None,
            webhook_key: None,
            quotas,
            clock,
            audit_retention,
            max_access_token_lifetime,
            verification_cache,
        })
    }
}
