//! POST /api/v2.1/dtables/share-links/ with `workspace_id`, `table_name`, `permission`
//! (`r` or `rw`, default `r`) and `expire_days` (optional), JSON or form-encoded: creates
//! an external share link of a base; its token is shown this once.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{
    http::{json_response, Fields},
    lambda::Function,
    store::records::TokenPermission,
    ApiError, AppState,
};
use tessera_seatable::tokens::{create_share_link, NewLink, MAX_EXPIRE_DAYS};
use tessera_seatable::{
    self as seatable, authenticate_user, base_for_admin, checked_base_name, checked_workspace_id,
    invalid, share_link_json,
};

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    seatable::respond(create(state, &req).await)
}

async fn create(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = authenticate_user(&state.store, req.headers()).await?;
    let fields = Fields::parse(req)?;
    let required = |name: &str| {
        fields
            .text(name)
            .filter(|value| !value.trim().is_empty())
            .ok_or_else(|| invalid(name))
    };
    let workspace_id = checked_workspace_id(required("workspace_id")?)?;
    let table_name = checked_base_name(required("table_name")?, "table_name")?;
    let permission = match fields.text("permission") {
        None => TokenPermission::R,
        Some(text) => TokenPermission::parse(&text).ok_or_else(|| invalid("permission"))?,
    };
    let expire_days = match fields.text("expire_days").filter(|text| !text.is_empty()) {
        None => None,
        Some(text) => Some(
            text.parse::<u64>()
                .ok()
                .filter(|days| (1..=MAX_EXPIRE_DAYS).contains(days))
                .ok_or_else(|| invalid("expire_days"))?,
        ),
    };
    let base = base_for_admin(&state.store, &workspace_id, &table_name, &caller.user_id).await?;
    let new = NewLink {
        permission,
        expire_days,
        custom_token: None,
        route: tessera_common::events::LinkRoute::ShareLink,
    };
    let (link, token) = create_share_link(
        &state.store,
        &caller.auditor(state, req),
        &base,
        &caller.user_id,
        new,
        state.quotas.share_links_per_base,
    )
    .await?;
    tracing::info!(link_id = %link.id, dtable_uuid = %base.dtable_uuid, "share link created");
    let mut body = share_link_json(&link, &caller.username);
    body["token"] = json!(token.expose());
    Ok(json_response(StatusCode::OK, &body))
}

#[cfg(test)]
mod tests;
