//! DELETE /accessTokens?name=: deletes every access token of the caller's workspace with
//! that name and answers `{"success": true}`; 404 when there is none.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{
    http::{json_response, query_param},
    rudderstack, ApiError, AppState,
};

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    rudderstack::respond(delete(state, &req).await)
}

async fn delete(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = rudderstack::authenticate(&state.store, req.headers()).await?;
    caller.require_admin()?;
    let name = query_param(req, "name")
        .filter(|name| !name.is_empty())
        .ok_or_else(|| ApiError::bad_request("the name query parameter is required"))?;
    let deleted = state
        .store
        .delete_access_tokens_named(&caller.workspace_id, &name)
        .await?;
    if deleted == 0 {
        return Err(ApiError::NotFound(format!(
            "no access token named {name:?} in this workspace"
        )));
    }
    tracing::info!(workspace_id = %caller.workspace_id, deleted, "access tokens deleted");
    Ok(json_response(StatusCode::OK, &json!({ "success": true })))
}

#[cfg(test)]
mod tests;
