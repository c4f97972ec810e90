//! GET /accessTokens/{id}/usage?days=N (1 to 90, default 30): how the verifications of one
//! of the caller's workspace's tokens came out, per UTC day, newest first, every day
//! listed: `{"days": [{"date", "valid", "rateLimited", "usageExceeded", "disabled",
//! "expired", "insufficientPermissions"}]}`. Counts by the verify API and the authorizer;
//! exact for a token with a rate limit or credits, up to a minute behind for others
//! (tessera-metering says why). Read-only workspace tokens may read it.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::{json, Map, Value};
use tessera_common::{
    http::{json_response, path_param, query_param},
    lambda::Function,
    limits, ApiError, AppState,
};
use tessera_metering::{counts, Outcome};
use tessera_rudderstack as rudderstack;

const DEFAULT_DAYS: u64 = 30;
const MAX_DAYS: u64 = 90;

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    rudderstack::respond(usage(state, &req).await)
}

fn days_asked(req: &Request) -> Result<u64, ApiError> {
    let Some(days) = query_param(req, "days") else {
        return Ok(DEFAULT_DAYS);
    };
    days.parse::<u64>()
        .ok()
        .filter(|days| (1..=MAX_DAYS).contains(days))
        .ok_or_else(|| {
            ApiError::bad_request(format!("days must be an integer from 1 to {MAX_DAYS}"))
        })
}

async fn usage(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = rudderstack::authenticate(&state.store, req.headers()).await?;
    let id = path_param(req, "id")?;
    let days = days_asked(req)?;
    let not_found =
        || ApiError::NotFound(format!("no access token with id {id:?} in this workspace"));
    if !limits::valid_id(&id) {
        return Err(not_found());
    }
    let record = state
        .store
        .access_token_by_id(&caller.workspace_id, &id)
        .await?
        .ok_or_else(not_found)?;
    let today = counts::day_of(state.clock.now_secs());
    let by_day = counts::by_day(&state.store, &record, today, days).await?;
    let days: Vec<Value> = by_day
        .into_iter()
        .map(|(date, counts)| {
            let mut day = Map::new();
            day.insert("date".into(), json!(date));
            for outcome in Outcome::ALL {
                day.insert(outcome.key().into(), json!(counts.get(outcome)));
            }
            Value::Object(day)
        })
        .collect();
    Ok(json_response(StatusCode::OK, &json!({ "days": days })))
}

#[cfg(test)]
mod tests;
