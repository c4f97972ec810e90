//! GET /api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/temp-api-token/: a user's
//! auth token exchanged for `{"api_token": <JWT valid one hour>}`, which app-access-token
//! accepts like a base's API token, with the user's permission on the base.

use std::time::Duration;

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{
    http::{json_response, path_param},
    jwt::TEMP_API_TOKEN_TYPE,
    seatable::{self, authenticate_user, base_for_user},
    ApiError, AppState,
};

const TEMP_API_TOKEN_TTL: Duration = Duration::from_secs(3600);

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    seatable::respond(issue(state, &req).await)
}

async fn issue(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = authenticate_user(&state.store, req.headers()).await?;
    let workspace_id = path_param(req, "workspace_id")?;
    let dtable_name = path_param(req, "dtable_name")?;
    let (base, permission) =
        base_for_user(&state.store, &workspace_id, &dtable_name, &caller.user_id).await?;
    let mut claims = seatable::claims(
        &base.dtable_uuid,
        &caller.username,
        permission.token_permission(),
        TEMP_API_TOKEN_TTL,
    );
    claims.token_type = Some(TEMP_API_TOKEN_TYPE.to_owned());
    claims.workspace_id = Some(base.workspace_id);
    claims.dtable_name = Some(base.name);
    let api_token = seatable::sign(state, &claims).await?;
    tracing::info!(user_id = %caller.user_id, dtable_uuid = %base.dtable_uuid, "temporary API token issued");
    Ok(json_response(
        StatusCode::OK,
        &json!({ "api_token": api_token }),
    ))
}

#[cfg(test)]
mod tests;
