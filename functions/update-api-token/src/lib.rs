//! PUT /api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/api-tokens/{app_name}/
//! with `permission`: changes an API token's permission, effective at once.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{
    http::{json_response, Fields},
    lambda::Function,
    store::records::TokenPermission,
    ApiError, AppState, StoreError,
};
use tessera_seatable::{self as seatable, invalid, not_found, path_app_name, BaseAccess};

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    seatable::respond(update(state, &req).await)
}

async fn update(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let BaseAccess { caller, base, .. } = BaseAccess::admin(state, req).await?;
    let app_name = path_app_name(req)?;
    let permission = Fields::parse(req)?
        .text("permission")
        .as_deref()
        .and_then(TokenPermission::parse)
        .ok_or_else(|| invalid("permission"))?;
    let token = state
        .store
        .api_token(&base.dtable_uuid, &app_name)
        .await?
        .ok_or_else(|| not_found("api token"))?;
    match state
        .store
        .set_api_token_permission(&token, permission, &caller.auditor(state, req))
        .await
    {
        Err(StoreError::Conflict) => return Err(not_found("api token")),
        other => other?,
    }
    tracing::info!(dtable_uuid = %base.dtable_uuid, %app_name, "API token permission changed");
    Ok(json_response(StatusCode::OK, &json!({ "success": true })))
}

#[cfg(test)]
mod tests;
