//! GET /accessTokens: every access token of the caller's workspace, as a bare JSON array
//! of the seed's `{name, description, userId}` with `id`, `createdAt`, `expiresAt`, `scopes`,
//! `lastUsedAt`, the usage control (`enabled`, `ratelimit`, `credits` with what remains now,
//! `meta`, `externalId`) and, for a token rerolled and in its grace period, `rerolledTo`.
//! Never the token or its digest. `?externalId=` keeps the tokens of one owner.

use lambda_http::{http::StatusCode, Body, Request, Response};
use tessera_common::{
    http::{json_response, query_param},
    lambda::Function,
    ApiError, AppState,
};
use tessera_rudderstack::{self as rudderstack, ListedToken};

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    rudderstack::respond(list(state, &req).await)
}

async fn list(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = rudderstack::authenticate(&state.store, req.headers()).await?;
    let now = state.clock.now_secs();
    let external_id = query_param(req, "externalId");
    let tokens: Vec<ListedToken> = state
        .store
        .access_tokens(&caller.workspace_id)
        .await?
        .into_iter()
        // A rerolled token whose grace is over waits only to be purged.
        .filter(|token| !token.grace_ended(now))
        .filter(|token| external_id.is_none() || token.external_id == external_id)
        .map(|token| ListedToken::new(token, now))
        .collect();
    Ok(json_response(StatusCode::OK, &tokens))
}

#[cfg(test)]
mod tests;
