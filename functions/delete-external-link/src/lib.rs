//! DELETE /api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/external-links/{token}/
//! (base admins): revokes one of the base's links, named by its token or by its id
//! (whichever route made it). `{"success": true}`; the link stops working at once.

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
use tessera_seatable::{self as seatable, invalid, not_found, BaseAccess};

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    seatable::respond(delete(state, &req).await)
}

async fn delete(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let access = BaseAccess::admin(state, req).await?;
    let named = path_param(req, "token")?;
    if !limits::valid_id(&named) {
        return Err(invalid("token"));
    }
    let link = find(state, &access.base.dtable_uuid, &named)
        .await?
        .ok_or_else(|| not_found("External link"))?;
    match state
        .store
        .revoke_share_link(
            &link,
            state.clock.now_secs(),
            &access.caller.auditor(state, req),
            tessera_common::events::LinkRoute::ExternalLink,
        )
        .await
    {
        Err(StoreError::Conflict) => return Err(not_found("External link")),
        other => other?,
    }
    tracing::info!(link_id = %link.id, "external link revoked");
    Ok(json_response(StatusCode::OK, &json!({ "success": true })))
}

/// The base's link that a token names, or else the base's link with that id.
async fn find(
    state: &AppState,
    dtable_uuid: &str,
    named: &str,
) -> Result<Option<ShareLink>, ApiError> {
    if let Some(link) = link_by_token(&state.store, named).await? {
        return Ok((link.dtable_uuid == dtable_uuid).then_some(link));
    }
    let links = state.store.share_links_of_base(dtable_uuid).await?;
    Ok(links.into_iter().find(|link| link.id == named))
}

#[cfg(test)]
mod tests;
