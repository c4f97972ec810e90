//! GET /api/v2.1/dtables/share-links/[?workspace_id=&table_name=]: the share links the
//! caller created, without their tokens.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{
    http::{json_response, query_param},
    lambda::Function,
    ApiError, AppState,
};
use tessera_seatable::{self as seatable, authenticate_user, share_link_json};

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    seatable::respond(list(state, &req).await)
}

async fn list(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = authenticate_user(&state.store, req.headers()).await?;
    let workspace_id = query_param(req, "workspace_id");
    let table_name = query_param(req, "table_name");
    let links: Vec<_> = state
        .store
        .share_links_of(&caller.user_id)
        .await?
        .into_iter()
        .filter(|link| {
            workspace_id
                .as_ref()
                .is_none_or(|ws| *ws == link.workspace_id)
        })
        .filter(|link| {
            table_name
                .as_ref()
                .is_none_or(|name| *name == link.dtable_name)
        })
        .map(|link| share_link_json(&link, &caller.username))
        .collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({ "share_link_list": links }),
    ))
}

#[cfg(test)]
mod tests;
