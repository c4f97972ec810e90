//! GET /api/v2.1/dtable/share-link-access-token/?token=: a share link's token exchanged,
//! without authentication, for a read-only base access token. Expiry is enforced.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{
    clock::now_secs,
    http::{json_response, query_param},
    seatable::{self, permission_denied},
    store::records::{TokenLookup, TokenPermission},
    token::{PresentedToken, TokenKind},
    ApiError, AppState,
};

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    seatable::respond(exchange(state, &req).await)
}

fn not_found() -> ApiError {
    ApiError::NotFound("Share link not found.".into())
}

async fn exchange(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let token = query_param(req, "token")
        .filter(|token| !token.is_empty())
        .ok_or_else(|| ApiError::bad_request("token invalid."))?;
    let presented = PresentedToken::parse(&token)
        .filter(|t| t.kind() == TokenKind::ShareLink)
        .ok_or_else(not_found)?;
    let Some(TokenLookup::ShareLink {
        link_id,
        dtable_uuid,
        expires_at,
        revoked,
        ..
    }) = state.store.lookup(presented.digest()).await?
    else {
        return Err(not_found());
    };
    if revoked || expires_at.is_some_and(|at| at <= now_secs()) {
        return Err(permission_denied());
    }
    // Whatever the link's own permission, a share link only ever reads.
    let username = format!("share-link:{link_id}");
    let claims = seatable::claims(
        &dtable_uuid,
        &username,
        TokenPermission::R,
        state.seatable.access_token_ttl,
    );
    let access_token = seatable::sign(state, &claims).await?;
    tracing::info!(%link_id, %dtable_uuid, "share link access token issued");
    Ok(json_response(
        StatusCode::OK,
        &json!({ "access_token": access_token, "dtable_uuid": dtable_uuid }),
    ))
}

#[cfg(test)]
mod tests;
