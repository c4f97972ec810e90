//! DELETE /accessTokens/{id}: deletes one access token of the caller's workspace by id
//! (the seed's DELETE /accessTokens?name= deletes every token with a name). It stops
//! working at once: `{"success": true}`; 404 when the workspace has no such token.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{
    http::{json_response, path_param},
    lambda::Function,
    limits, ApiError, AppState, StoreError,
};
use tessera_rudderstack as rudderstack;

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    rudderstack::respond(delete(state, &req).await)
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!("no access token with id {id:?} in this workspace"))
}

async fn delete(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = rudderstack::authenticate(&state.store, req.headers()).await?;
    caller.require_admin()?;
    let id = path_param(req, "id")?;
    if !limits::valid_id(&id) {
        return Err(not_found(&id));
    }
    let token = state
        .store
        .access_token_by_id(&caller.workspace_id, &id)
        .await?
        .ok_or_else(|| not_found(&id))?;
    match state
        .store
        .delete_access_token(&token, &caller.auditor(state, req))
        .await
    {
        // Deleted (or rerolled and deleted) by another request meanwhile.
        Err(StoreError::Conflict) => return Err(not_found(&id)),
        other => other?,
    }
    tracing::info!(workspace_id = %caller.workspace_id, token_id = %id, "access token deleted");
    Ok(json_response(StatusCode::OK, &json!({ "success": true })))
}

#[cfg(test)]
mod tests;
