//! GET /api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/external-links/ (base
//! admins): `{"links": [...]}`, every link of the base, whichever route made it (a seed
//! share link is one too). Tessera keeps only digests, so a listed link has no `token`
//! and its `url` is null: both are shown once, at creation.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{http::json_response, lambda::Function, ApiError, AppState};
use tessera_seatable::{self as seatable, external_link_json, BaseAccess};

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    seatable::respond(list(state, &req).await)
}

async fn list(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let access = BaseAccess::admin(state, req).await?;
    let now = state.clock.now_secs();
    let links: Vec<_> = state
        .store
        .share_links_of_base(&access.base.dtable_uuid)
        .await?
        .iter()
        .map(|link| external_link_json(link, now, &state.seatable, None))
        .collect();
    Ok(json_response(StatusCode::OK, &json!({ "links": links })))
}

#[cfg(test)]
mod tests;
