//! DELETE /api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/api-tokens/{app_name}/:
//! deletes an API token; it stops working at once.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{
    http::{json_response, path_param},
    seatable::{self, authenticate_user, base_for_admin},
    ApiError, AppState,
};

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    seatable::respond(delete(state, &req).await)
}

async fn delete(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = authenticate_user(&state.store, req.headers()).await?;
    let workspace_id = path_param(req, "workspace_id")?;
    let dtable_name = path_param(req, "dtable_name")?;
    let app_name = path_param(req, "app_name")?;
    let base = base_for_admin(&state.store, &workspace_id, &dtable_name, &caller.user_id).await?;
    let token = state
        .store
        .api_token(&base.dtable_uuid, &app_name)
        .await?
        .ok_or_else(|| ApiError::NotFound("api token not found.".into()))?;
    state.store.delete_api_token(&token).await?;
    tracing::info!(dtable_uuid = %base.dtable_uuid, %app_name, "API token deleted");
    Ok(json_response(StatusCode::OK, &json!({ "success": true })))
}

#[cfg(test)]
mod tests;
