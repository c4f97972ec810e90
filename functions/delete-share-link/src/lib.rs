//! DELETE /api/v2.1/dtables/share-links/{token}/: revokes a share link, named by its token
//! or by its id. Its creator or an admin of its base may; the link answers 403 from then on.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{
    http::{json_response, path_param},
    lambda::Function,
    limits,
    store::records::ShareLink,
    ApiError, AppState, StoreError,
};
use tessera_seatable::tokens::link_by_token;
use tessera_seatable::{
    self as seatable, authenticate_user, base_for_admin, invalid, not_found, UserCaller,
};

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    seatable::respond(delete(state, &req).await)
}

async fn delete(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = authenticate_user(&state.store, req.headers()).await?;
    let named = path_param(req, "token")?;
    if !limits::valid_id(&named) {
        return Err(invalid("token"));
    }
    let link = find(state, &caller, &named)
        .await?
        .ok_or_else(|| not_found("Share link"))?;
    if link.created_by != caller.user_id {
        base_for_admin(
            &state.store,
            &link.workspace_id,
            &link.dtable_name,
            &caller.user_id,
        )
        .await?;
    }
    match state
        .store
        .revoke_share_link(
            &link,
            state.clock.now_secs(),
            &caller.auditor(state, req),
            tessera_common::events::LinkRoute::ShareLink,
        )
        .await
    {
        Err(StoreError::Conflict) => return Err(not_found("Share link")),
        other => other?,
    }
    tracing::info!(link_id = %link.id, "share link revoked");
    Ok(json_response(StatusCode::OK, &json!({ "success": true })))
}

/// The link a token names (anyone's, generated or custom), or else the caller's own link
/// with that id.
async fn find(
    state: &AppState,
    caller: &UserCaller,
    named: &str,
) -> Result<Option<ShareLink>, ApiError> {
    if let Some(link) = link_by_token(&state.store, named).await? {
        return Ok(Some(link));
    }
    Ok(state.store.share_link(&caller.user_id, named).await?)
}

#[cfg(test)]
mod tests;
