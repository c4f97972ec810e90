//! The one error type every handler returns, and its status codes.
//!
//! Expected failures (bad input, bad credentials, missing records) are values here, not
//! panics; each API family renders them in its own body shape (see tessera-rudderstack).

use lambda_http::http::StatusCode;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("no valid credentials were provided")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with the object's state (e.g. a token rerolled already).
    #[error("{0}")]
    Conflict(String),
    /// A dependency (DynamoDB, Secrets Manager) is unreachable or throttling: 503 with
    /// `Retry-After`; the caller may retry.
    #[error("service temporarily unavailable, try again")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A dependency failed midway through work that is partly done: 503 with
    /// `Retry-After`, and a message that says what was done and that a retry finishes it.
    #[error("{0}")]
    Incomplete(String),
    /// A real fault. Its text goes to the log, never to the caller.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::BadRequest(message.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Unavailable(_) | ApiError::Incomplete(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Seconds a client should wait before retrying a 503.
    pub const RETRY_AFTER_SECS: u32 = 1;

    /// The message safe to show a caller.
    pub fn public_message(&self) -> String {
        self.to_string()
    }

    /// Logs a real fault with its cause chain; expected failures are not worth a log line.
    pub fn log(&self) {
        if let ApiError::Internal(source) | ApiError::Unavailable(source) = self {
            let mut chain = source.to_string();
            let mut cause = source.source();
            while let Some(next) = cause {
                chain.push_str(": ");
                chain.push_str(&next.to_string());
                cause = next.source();
            }
            tracing::error!(error = %chain, "request failed");
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(_) => ApiError::Unavailable(Box::new(err)),
            other => ApiError::Internal(Box::new(other)),
        }
    }
}
