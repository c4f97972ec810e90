//! GET /webhooks: the caller's workspace's webhook endpoints (any workspace token), as
//! `{"success": true, "data": [...]}`, oldest first. Never a secret.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::{json, Value};
use tessera_common::{http::json_response, lambda::Function, ApiError, AppState};
use tessera_rudderstack as rudderstack;
use tessera_webhooks::view::webhook_json;

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    rudderstack::respond(list(state, &req).await)
}

async fn list(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = rudderstack::authenticate(&state.store, req.headers()).await?;
    let mut webhooks = state.store.webhooks(&caller.workspace_id).await?;
    webhooks.sort_by(|a, b| (&a.created_at, &a.id).cmp(&(&b.created_at, &b.id)));
    let data: Vec<Value> = webhooks.iter().map(webhook_json).collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({ "success": true, "data": data }),
    ))
}

#[cfg(test)]
mod tests;
