//! DELETE /accessTokens?name=: deletes every access token of the caller's workspace with
//! that name and answers `{"success": true}`; 404 when there is none.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{
    http::{json_response, query_param},
    lambda::Function,
    limits::{self, MAX_ACCESS_TOKEN_NAME_CHARS},
    ApiError, AppState,
};
use tessera_rudderstack as rudderstack;

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    rudderstack::respond(delete(state, &req).await)
}

async fn delete(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = rudderstack::authenticate(&state.store, req.headers()).await?;
    caller.require_admin()?;
    let name = query_param(req, "name")
        .filter(|name| !name.is_empty())
        .ok_or_else(|| ApiError::bad_request("the name query parameter is required"))?;
    // No token can have a name longer than a token's name may be.
    if !limits::valid_name(&name, MAX_ACCESS_TOKEN_NAME_CHARS) {
        return Err(ApiError::bad_request(format!(
            "name must be at most {MAX_ACCESS_TOKEN_NAME_CHARS} characters, without control characters"
        )));
    }
    let deleted = match state
        .store
        .delete_access_tokens_named(&caller.workspace_id, &name, &caller.auditor(state, req))
        .await
    {
        Ok(done) => done.deleted,
        Err((err, done)) if done.deleted > 0 => {
            // Some are gone, some are not: say so, and that sending it again finishes.
            tracing::warn!(error = %err, "delete by name stopped midway");
            return Err(ApiError::Incomplete(format!(
                "deleted {} access tokens named {name:?}, but {} may remain: DynamoDB failed. Send the request again to delete the rest",
                done.deleted, done.remaining
            )));
        }
        Err((err, _)) => return Err(err.into()),
    };
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
