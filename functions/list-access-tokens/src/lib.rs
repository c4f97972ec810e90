//! GET /accessTokens: every access token of the caller's workspace, as a bare JSON array
//! of the seed's `{name, description, userId}` with `id`, `createdAt`, `expiresAt`, `scopes`,
//! `lastUsedAt` and, for a token rerolled and in its grace period, `rerolledTo`. Never the
//! token or its digest.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde::Serialize;
use tessera_common::{
    clock::rfc3339_from_secs, http::json_response, lambda::Function, rudderstack,
    store::records::AccessToken, ApiError, AppState,
};

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    rudderstack::respond(list(state, &req).await)
}

/// One entry of the listing: RudderStack's fields, then Tessera's.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ListedToken {
    id: String,
    name: String,
    description: String,
    user_id: String,
    created_at: String,
    expires_at: Option<String>,
    scopes: Vec<String>,
    last_used_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rerolled_to: Option<String>,
}

impl From<AccessToken> for ListedToken {
    fn from(token: AccessToken) -> Self {
        ListedToken {
            id: token.id,
            name: token.name,
            description: token.description,
            user_id: token.user_id,
            created_at: token.created_at,
            expires_at: token.expires.map(rfc3339_from_secs),
            scopes: token.scopes,
            last_used_at: token.last_used_at.map(rfc3339_from_secs),
            rerolled_to: token.rerolled_to,
        }
    }
}

async fn list(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = rudderstack::authenticate(&state.store, req.headers()).await?;
    let now = state.clock.now_secs();
    let tokens: Vec<ListedToken> = state
        .store
        .access_tokens(&caller.workspace_id)
        .await?
        .into_iter()
        // A rerolled token whose grace is over waits only to be purged.
        .filter(|token| !token.grace_ended(now))
        .map(ListedToken::from)
        .collect();
    Ok(json_response(StatusCode::OK, &tokens))
}

#[cfg(test)]
mod tests;
