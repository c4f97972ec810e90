//! DELETE /api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/api-tokens/{app_name}/:
//! deletes an API token; it stops working at once.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{http::json_response, lambda::Function, ApiError, AppState, StoreError};
use tessera_seatable::{self as seatable, not_found, path_app_name, BaseAccess};

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    seatable::respond(delete(state, &req).await)
}

async fn delete(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let BaseAccess { caller, base, .. } = BaseAccess::admin(state, req).await?;
    let app_name = path_app_name(req)?;
    let token = state
        .store
        .api_token(&base.dtable_uuid, &app_name)
        .await?
        .ok_or_else(|| not_found("api token"))?;
    match state
        .store
        .delete_api_token(&token, &caller.auditor(state, req))
        .await
    {
        // Another request deleted the token read here; a token re-created since under the
        // same name is not this request's to delete.
        Err(StoreError::Conflict) => return Err(not_found("api token")),
        other => other?,
    }
    tracing::info!(dtable_uuid = %base.dtable_uuid, %app_name, "API token deleted");
    Ok(json_response(StatusCode::OK, &json!({ "success": true })))
}

#[cfg(test)]
mod tests;
