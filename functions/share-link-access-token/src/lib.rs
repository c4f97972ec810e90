//! GET /api/v2.1/dtable/share-link-access-token/?token=: a share link's token exchanged,
//! without authentication, for a read-only base access token. Expiry is enforced.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{
    http::{json_response, query_param},
    lambda::Function,
    store::records::{TokenLookup, TokenPermission},
    ApiError, AppState,
};
use tessera_jwt::{base_token, JwtKind};
use tessera_seatable::tokens::link_token_digest;
use tessera_seatable::{self as seatable, not_found, permission_denied};

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    seatable::respond(exchange(state, &req).await)
}

async fn exchange(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let token = query_param(req, "token")
        .filter(|token| !token.is_empty())
        .ok_or_else(|| ApiError::bad_request("token invalid."))?;
    let digest = link_token_digest(&token).ok_or_else(|| not_found("Share link"))?;
    let Some(TokenLookup::ShareLink {
        link_id,
        dtable_uuid,
        workspace_id,
        expires_at,
        revoked,
        ..
    }) = state.store.lookup(&digest).await?
    else {
        return Err(not_found("Share link"));
    };
    if revoked || expires_at.is_some_and(|at| at <= state.clock.now_secs()) {
        return Err(permission_denied());
    }
    // Whatever the link's own permission, a share link only ever reads.
    let username = format!("share-link:{link_id}");
    let mut claims = base_token::claims(
        state,
        JwtKind::BaseAccessToken,
        &dtable_uuid,
        &username,
        TokenPermission::R,
        state.seatable.access_token_ttl,
    );
    claims.workspace_id = (!workspace_id.is_empty()).then_some(workspace_id);
    let access_token = base_token::sign(state, JwtKind::BaseAccessToken, &claims).await?;
    tracing::info!(%link_id, %dtable_uuid, "share link access token issued");
    Ok(json_response(
        StatusCode::OK,
        &json!({ "access_token": access_token, "dtable_uuid": dtable_uuid }),
    ))
}

#[cfg(test)]
mod tests;
