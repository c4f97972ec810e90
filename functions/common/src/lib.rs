//! What every Tessera function shares: configuration, errors, credentials, token format,
//! the DynamoDB store. It knows nothing of routes; handlers know nothing of the SDK.

#[cfg(feature = "local")]
pub mod apigw;
pub mod audit;
pub mod auth;
pub mod authorizer;
pub mod clock;
pub mod config;
pub mod error;
#[cfg(feature = "local")]
pub mod fixtures;
pub mod http;
pub mod http_client;
pub mod jwt;
pub mod lambda;
pub mod limits;
pub mod logging;
#[cfg(test)]
mod properties;
#[cfg(feature = "local")]
pub mod provision;
pub mod rotation;
pub mod rudderstack;
pub mod seatable;
#[cfg(feature = "admin")]
pub mod seatable_admin;
pub mod seatable_tokens;
pub mod signing_key;
pub mod store;
#[cfg(feature = "test-support")]
pub mod testing;
pub mod token;
pub mod verify;
#[cfg(feature = "admin")]
pub mod workspace_admin;

pub use config::{AppState, ConfigError, Quotas, SeaTableSettings};
pub use error::ApiError;
pub use store::{Store, StoreError};
