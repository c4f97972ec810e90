//! POST /api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/external-links/ (base
//! admins), JSON or form-encoded: SeaTable 4's external link, with an optional custom
//! `token` (`^[-0-9a-zA-Z]+$`, at most 100 characters), `permission` (`read-only`, the
//! default, or `read-write`) and `expire_days`. Answers the link with its token and URL,
//! the only time they are shown. The same record as a seed share link: both exchanges
//! take it, both listings show it, one quota per base counts it.

use lambda_http::{http::StatusCode, Body, Request, Response};
use tessera_common::{
    http::{json_response, Fields},
    lambda::Function,
    limits,
    store::records::TokenPermission,
    ApiError, AppState,
};
use tessera_seatable::tokens::{create_share_link, NewLink, MAX_EXPIRE_DAYS};
use tessera_seatable::{self as seatable, external_link_json, invalid, BaseAccess};

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    seatable::respond(create(state, &req).await)
}

async fn create(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let access = BaseAccess::admin(state, req).await?;
    let fields = Fields::parse(req)?;
    let given = |name: &str| fields.text(name).filter(|text| !text.trim().is_empty());
    let custom_token = given("token");
    if custom_token
        .as_deref()
        .is_some_and(|token| !limits::valid_custom_link_token(token))
    {
        return Err(ApiError::bad_request("URL is invalid."));
    }
    if custom_token
        .as_deref()
        .is_some_and(|token| token.len() < limits::MIN_CUSTOM_LINK_TOKEN_CHARS)
    {
        return Err(ApiError::bad_request(format!(
            "token must be at least {} characters: a shorter one could be guessed.",
            limits::MIN_CUSTOM_LINK_TOKEN_CHARS
        )));
    }
    let permission = match given("permission").as_deref() {
        None | Some("read-only") => TokenPermission::R,
        Some("read-write") => TokenPermission::Rw,
        Some(_) => return Err(invalid("permission")),
    };
    let expire_days = match given("expire_days") {
        None => None,
        Some(text) => Some(
            text.parse::<u64>()
                .ok()
                .filter(|days| (1..=MAX_EXPIRE_DAYS).contains(days))
                .ok_or_else(|| ApiError::bad_request("expire_days is invalid."))?,
        ),
    };
    // A password Tessera would not check must not look like protection.
    if given("password").is_some() {
        return Err(ApiError::bad_request(
            "password is not supported: anyone with the link's token can open it.",
        ));
    }
    let new = NewLink {
        permission,
        expire_days,
        custom_token: custom_token.as_deref(),
        route: tessera_common::events::LinkRoute::ExternalLink,
    };
    let (link, token) = create_share_link(
        &state.store,
        &access.caller.auditor(state, req),
        &access.base,
        &access.caller.user_id,
        new,
        state.quotas.share_links_per_base,
    )
    .await?;
    tracing::info!(link_id = %link.id, dtable_uuid = %link.dtable_uuid, custom = link.is_custom, "external link created");
    let body = external_link_json(
        &link,
        state.clock.now_secs(),
        &state.seatable,
        Some(token.expose()),
    );
    Ok(json_response(StatusCode::OK, &body))
}

#[cfg(test)]
mod tests;
