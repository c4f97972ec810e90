//! POST /secret-scanning/github: GitHub's secret scanning partner program posts the tokens
//! it finds in public code; each live Tessera token among them, of any kind, is revoked at
//! once (record and lookup together, with an audit entry naming the source and URL), and
//! the answer is GitHub's feedback: `true_positive` for a token that was live, else
//! `false_positive`. Requests must be signed by a key of the key list (see
//! `reports`); others are refused with 401.

pub mod leaks;
pub mod reports;

use std::sync::OnceLock;

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{
    audit::Auditor,
    http::{error_response, json_response},
    lambda::Function,
    ApiError, AppState,
};

use reports::{revoke_reported, Report, ScanError, ScanKeys, MAX_REPORTED_TOKENS};

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

/// Fetched once per container, then cached (see `ScanKeys`).
static KEYS: OnceLock<ScanKeys> = OnceLock::new();

/// Longest source and URL kept in an audit entry.
const MAX_AUDITED_CHARS: usize = 512;

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    match scan(state, &req).await {
        Ok(feedback) => json_response(StatusCode::OK, &feedback),
        Err(err) => error_response(&err, &json!({ "error": err.public_message() })),
    }
}

async fn scan(state: &AppState, req: &Request) -> Result<Vec<reports::Feedback>, ApiError> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let body = req.body().as_ref();
    KEYS.get_or_init(ScanKeys::from_env)
        .verify(
            header("github-public-key-identifier"),
            header("github-public-key-signature"),
            body,
        )
        .await
        .map_err(|err| match err {
            ScanError::KeysUnavailable(_) => ApiError::Unavailable(Box::new(err)),
            refused => {
                tracing::warn!("secret scanning report refused: {refused}");
                ApiError::Unauthorized
            }
        })?;
    let reports: Vec<Report> = serde_json::from_slice(body).map_err(|err| {
        ApiError::bad_request(format!(
            "the body must be a JSON array of {{\"token\", \"type\", \"url\", \"source\"}}: {err}"
        ))
    })?;
    if reports.len() > MAX_REPORTED_TOKENS {
        return Err(ApiError::bad_request(format!(
            "at most {MAX_REPORTED_TOKENS} tokens per request"
        )));
    }
    let now = state.clock.now_secs();
    let feedback = revoke_reported(&state.store, now, &reports, |report| {
        let bounded = |text: &str| text.chars().take(MAX_AUDITED_CHARS).collect::<String>();
        let actor = format!(
            "secret scanning: {} at {}",
            bounded(&report.source),
            bounded(&report.url)
        );
        Auditor::for_request(state, req, actor).responding_to_leak()
    })
    .await?;
    Ok(feedback)
}
