//! GET /accessTokens: every access token of the caller's workspace, as a bare JSON array
//! of `{id, name, description, userId, createdAt}`. Never the token or its digest.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde::Serialize;
use tessera_common::{
    http::json_response, rudderstack, store::records::AccessToken, ApiError, AppState,
};

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    rudderstack::respond(list(state, &req).await)
}

/// One entry of the listing: RudderStack's fields plus `id` and `createdAt`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ListedToken {
    id: String,
    name: String,
    description: String,
    user_id: String,
    created_at: String,
}

impl From<AccessToken> for ListedToken {
    fn from(token: AccessToken) -> Self {
        ListedToken {
            id: token.id,
            name: token.name,
            description: token.description,
            user_id: token.user_id,
            created_at: token.created_at,
        }
    }
}

async fn list(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = rudderstack::authenticate(&state.store, req.headers()).await?;
    let tokens: Vec<ListedToken> = state
        .store
        .access_tokens(&caller.workspace_id)
        .await?
        .into_iter()
        .map(ListedToken::from)
        .collect();
    Ok(json_response(StatusCode::OK, &tokens))
}

#[cfg(test)]
mod tests;
