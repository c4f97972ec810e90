//! PUT /api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/api-tokens/{app_name}/
//! with `permission`: changes an API token's permission, effective at once.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{
    http::{json_response, path_param, Fields},
    seatable::{self, authenticate_user, base_for_admin},
    store::records::TokenPermission,
    ApiError, AppState, StoreError,
};

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    seatable::respond(update(state, &req).await)
}

fn not_found() -> ApiError {
    ApiError::NotFound("api token not found.".into())
}

async fn update(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = authenticate_user(&state.store, req.headers()).await?;
    let workspace_id = path_param(req, "workspace_id")?;
    let dtable_name = path_param(req, "dtable_name")?;
    let app_name = path_param(req, "app_name")?;
    let base = base_for_admin(&state.store, &workspace_id, &dtable_name, &caller.user_id).await?;
    let permission = Fields::parse(req)?
        .text("permission")
        .as_deref()
        .and_then(TokenPermission::parse)
        .ok_or_else(|| ApiError::bad_request("permission invalid."))?;
    let token = state
        .store
        .api_token(&base.dtable_uuid, &app_name)
        .await?
        .ok_or_else(not_found)?;
    match state
        .store
        .set_api_token_permission(&token, permission)
        .await
    {
        Err(StoreError::Conflict) => return Err(not_found()),
        other => other?,
    }
    tracing::info!(dtable_uuid = %base.dtable_uuid, %app_name, "API token permission changed");
    Ok(json_response(StatusCode::OK, &json!({ "success": true })))
}

#[cfg(test)]
mod tests;
