//! GET /api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/temp-api-token/: a user's
//! auth token exchanged for `{"api_token": <JWT valid one hour>}`, which app-access-token
//! accepts like a base's API token, with the user's permission on the base.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{http::json_response, lambda::Function, ApiError, AppState};
use tessera_jwt::{base_token, JwtKind};
use tessera_seatable::{self as seatable, BaseAccess};

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    seatable::respond(issue(state, &req).await)
}

async fn issue(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let BaseAccess {
        caller,
        base,
        permission,
    } = BaseAccess::of(state, req).await?;
    let mut claims = base_token::claims(
        state,
        JwtKind::TempApiToken,
        &base.dtable_uuid,
        &caller.username,
        permission.token_permission(),
        base_token::TEMP_API_TOKEN_TTL,
    );
    // Who it was issued to, so that it stops when the user is disabled.
    claims.sub = Some(caller.user_id.clone());
    claims.workspace_id = Some(base.workspace_id);
    claims.dtable_name = Some(base.name);
    let api_token = base_token::sign(state, JwtKind::TempApiToken, &claims).await?;
    tracing::info!(user_id = %caller.user_id, dtable_uuid = %base.dtable_uuid, "temporary API token issued");
    Ok(json_response(
        StatusCode::OK,
        &json!({ "api_token": api_token }),
    ))
}

#[cfg(test)]
mod tests;
