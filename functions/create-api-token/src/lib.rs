//! POST /api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/api-tokens/ with
//! `app_name` and `permission` (`r` or `rw`), JSON or form-encoded: creates a base's API
//! token and shows it this once (201).

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{
    http::{json_response, Fields},
    lambda::Function,
    store::records::TokenPermission,
    ApiError, AppState,
};
use tessera_seatable::tokens::create_api_token;
use tessera_seatable::{self as seatable, invalid, BaseAccess};

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    seatable::respond(create(state, &req).await)
}

async fn create(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let BaseAccess { caller, base, .. } = BaseAccess::admin(state, req).await?;
    let fields = Fields::parse(req)?;
    let app_name = fields.text("app_name").ok_or_else(|| invalid("app_name"))?;
    let permission = fields
        .text("permission")
        .as_deref()
        .and_then(TokenPermission::parse)
        .ok_or_else(|| invalid("permission"))?;
    let (record, token) = create_api_token(
        &state.store,
        &caller.auditor(state, req),
        &base,
        &app_name,
        permission,
        &caller.username,
        state.quotas.api_tokens_per_base,
    )
    .await?;
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
