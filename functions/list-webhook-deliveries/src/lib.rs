//! GET /webhooks/{id}/deliveries: the endpoint's last attempts, newest first (any
//! workspace token; kept 7 days): event, type, attempt, status, error, latency, next
//! retry. `?limit=` 1 to 100 (default 50).

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::{json, Value};
use tessera_common::{
    http::{json_response, query_param},
    lambda::Function,
    store::webhooks::DeliveryAttempt,
    ApiError, AppState,
};
use tessera_rudderstack as rudderstack;

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    rudderstack::respond(list(state, &req).await)
}

fn limit(req: &Request) -> Result<i32, ApiError> {
    match query_param(req, "limit") {
        None => Ok(50),
        Some(text) => text
            .parse::<i32>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| ApiError::bad_request("limit must be a whole number from 1 to 100")),
    }
}

fn attempt_json(attempt: &DeliveryAttempt) -> Value {
    json!({
        "eventId": attempt.event_id,
        "eventType": attempt.event_type,
        "at": attempt.at,
        "attempt": attempt.attempt,
        "status": attempt.status,
        "succeeded": attempt.succeeded(),
        "error": attempt.error,
        "latencyMs": attempt.latency_ms,
        "nextRetryAt": attempt.next_retry_at,
    })
}

async fn list(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = rudderstack::authenticate(&state.store, req.headers()).await?;
    let limit = limit(req)?;
    let webhook = tessera_webhooks::endpoint_of(state, &caller, req).await?;
    let attempts = state.store.delivery_attempts(&webhook.id, limit).await?;
    let data: Vec<Value> = attempts.iter().map(attempt_json).collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({ "success": true, "data": data }),
    ))
}

#[cfg(test)]
mod tests;
