//! GET /api/v2.1/external-link-tokens/{token}/access-token/ (no authentication): an
//! external link's token (or a seed share link's: one kind of record) exchanged for a base
//! access token, `r` for read-only links and `rw` for read-write ones. An unknown, revoked
//! or expired link answers SeaTable's `404 {"error_msg": "Token <token> not found"}`.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{
    http::{json_response, path_param},
    lambda::Function,
    store::records::TokenLookup,
    ApiError, AppState,
};
use tessera_jwt::{base_token, JwtKind};
use tessera_seatable as seatable;
use tessera_seatable::tokens::link_token_digest;

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    seatable::respond(exchange(state, &req).await)
}

async fn exchange(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let token = path_param(req, "token")?;
    let not_found = || ApiError::NotFound(format!("Token {token} not found"));
    let digest = link_token_digest(&token).ok_or_else(not_found)?;
    let Some(TokenLookup::ShareLink {
        link_id,
        dtable_uuid,
        workspace_id,
        expires_at,
        revoked: false,
        permission,
        ..
    }) = state.store.lookup(&digest).await?
    else {
        return Err(not_found());
    };
    if expires_at.is_some_and(|at| at <= state.clock.now_secs()) {
        return Err(not_found());
    }
    let mut claims = base_token::claims(
        state,
        JwtKind::BaseAccessToken,
        &dtable_uuid,
        &format!("share-link:{link_id}"),
        permission,
        state.seatable.access_token_ttl,
    );
    claims.workspace_id = Some(workspace_id);
    let access_token = base_token::sign(state, JwtKind::BaseAccessToken, &claims).await?;
    tracing::info!(%link_id, %dtable_uuid, "external link access token issued");
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "access_token": access_token,
            "dtable_uuid": dtable_uuid,
            "dtable_server": state.seatable.dtable_server,
            "dtable_socket": state.seatable.dtable_socket,
            "dtable_db": state.seatable.dtable_db,
        }),
    ))
}

#[cfg(test)]
mod tests;
