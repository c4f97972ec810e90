//! What every Tessera function shares: configuration, errors, credentials, token format,
//! the DynamoDB store. It knows nothing of routes; handlers know nothing of the SDK.

pub mod audit;
pub mod auth;
pub mod authorizer;
pub mod clock;
pub mod config;
pub mod error;
pub mod events;
pub mod http;
pub mod http_client;
pub mod lambda;
pub mod limits;
pub mod logging;
pub mod meter;
pub mod metrics;
#[cfg(test)]
mod properties;
pub mod queue;
pub mod rotation;
pub mod store;
pub mod stream;
pub mod token;
pub mod ttl_cache;
pub mod usage;
pub mod verify;

pub use config::{AppState, ConfigError, Quotas, SeaTableSettings};
pub use error::ApiError;
pub use store::{Store, StoreError};
