//! GET /api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/access-token/: a user's
//! auth token exchanged for a base access token carrying their permission on the base.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{http::json_response, lambda::Function, limits, ApiError, AppState};
use tessera_jwt::{base_token, JwtKind};
use tessera_seatable::{self as seatable, BaseAccess};

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    seatable::respond(exchange(state, &req).await)
}

async fn exchange(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let BaseAccess {
        caller,
        base,
        permission,
    } = BaseAccess::of(state, req).await?;
    let settings = &state.seatable;
    let mut claims = base_token::claims(
        state,
        JwtKind::BaseAccessToken,
        &base.dtable_uuid,
        &caller.username,
        permission.token_permission(),
        settings.access_token_ttl,
    );
    // Lets introspection tell which workspace a token belongs to.
    claims.workspace_id = Some(base.workspace_id.clone());
    let access_token = base_token::sign(state, JwtKind::BaseAccessToken, &claims).await?;
    tracing::info!(user_id = %caller.user_id, dtable_uuid = %base.dtable_uuid, "base access token issued");
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "access_token": access_token,
            "dtable_uuid": base.dtable_uuid,
            "dtable_server": settings.dtable_server,
            "dtable_socket": settings.dtable_socket,
            "workspace_id": limits::workspace_id_json(&base.workspace_id),
            "dtable_name": base.name,
        }),
    ))
}

#[cfg(test)]
mod tests;
