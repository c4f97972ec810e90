//! DELETE /webhooks/{id}: removes a webhook endpoint of the caller's workspace (admin
//! workspace token); it gets nothing from then on. `{"success": true}`; 404 if unknown.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{http::json_response, lambda::Function, ApiError, AppState, StoreError};
use tessera_rudderstack as rudderstack;

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    rudderstack::respond(delete(state, &req).await)
}

async fn delete(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = rudderstack::authenticate(&state.store, req.headers()).await?;
    caller.require_admin()?;
    let webhook = tessera_webhooks::endpoint_of(state, &caller, req).await?;
    match state
        .store
        .delete_webhook(&webhook, &caller.auditor(state, req))
        .await
    {
        Err(StoreError::Conflict) => {
            return Err(ApiError::NotFound(format!(
                "no webhook endpoint with id {:?} in this workspace",
                webhook.id
            )))
        }
        other => other?,
    }
    tracing::info!(workspace_id = %caller.workspace_id, webhook_id = %webhook.id, "webhook endpoint deleted");
    Ok(json_response(StatusCode::OK, &json!({ "success": true })))
}

#[cfg(test)]
mod tests;
