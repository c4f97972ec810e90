//! POST /api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/api-tokens/ with
//! `app_name` and `permission` (`r` or `rw`), JSON or form-encoded: creates a base's API
//! token and shows it this once (201).

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{
    http::{json_response, path_param, Fields},
    seatable::{self, authenticate_user, base_for_admin},
    seatable_admin::create_api_token,
    store::records::TokenPermission,
    ApiError, AppState,
};

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    seatable::respond(create(state, &req).await)
}

async fn create(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = authenticate_user(&state.store, req.headers()).await?;
    let workspace_id = path_param(req, "workspace_id")?;
    let dtable_name = path_param(req, "dtable_name")?;
    let base = base_for_admin(&state.store, &workspace_id, &dtable_name, &caller.user_id).await?;
    let fields = Fields::parse(req)?;
    let app_name = fields
        .text("app_name")
        .ok_or_else(|| ApiError::bad_request("app_name invalid."))?;
    let permission = fields
        .text("permission")
        .as_deref()
        .and_then(TokenPermission::parse)
        .ok_or_else(|| ApiError::bad_request("permission invalid."))?;
    let (record, token) =
        create_api_token(&state.store, &base, &app_name, permission, &caller.username).await?;
    tracing::info!(dtable_uuid = %base.dtable_uuid, app_name = %record.app_name, "API token created");
    Ok(json_response(
        StatusCode::CREATED,
        &json!({
            "app_name": record.app_name,
            "api_token": token.expose(),
            "generated_by": record.generated_by,
            "generated_at": record.generated_at,
            "last_access": record.last_access,
            "permission": record.permission,
        }),
    ))
}

#[cfg(test)]
mod tests;
