//! The API Gateway Lambda authorizer (HTTP API, payload 2.0, simple responses): lets a
//! request through when its `Authorization` header carries a live access token, as
//! `Bearer <token>` or Basic with the token as user name (as RudderStack's clients send).
//!
//! A malformed token or a wrong checksum is refused without a lookup; otherwise one
//! consistent GetItem decides, and an expired token is refused at once. The protected
//! backend receives `workspaceId`, `tokenId`, `tokenName` and `scopes` (space-separated)
//! as `requestContext.authorizer.lambda`. A use is recorded at most once a minute per
//! token, best effort.

use serde_json::{json, Map};
use tessera_common::{
    auth::bearer_or_basic,
    authorizer::{AuthorizerRequest, AuthorizerResponse},
    lambda::Function,
    limits,
    verify::{record_use, verify_access_token, VerifiedAccessToken},
    ApiError, AppState,
};

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Authorizer(|state, req| Box::pin(authorize(state, req)));

/// Allow or deny; `Err` only when DynamoDB cannot answer (API Gateway answers 500 and
/// does not cache it).
pub async fn authorize(
    state: &AppState,
    req: AuthorizerRequest,
) -> Result<AuthorizerResponse, ApiError> {
    let Some(presented) = req.authorization().and_then(bearer_or_basic) else {
        return Ok(AuthorizerResponse::deny());
    };
    let Some(token) = verify_access_token(&state.store, state.clock.as_ref(), &presented).await?
    else {
        tracing::debug!(route = %req.route_key, "access token refused");
        return Ok(AuthorizerResponse::deny());
    };
    record_use(&state.store, state.clock.as_ref(), &token).await;
    tracing::debug!(workspace_id = %token.workspace_id, token_id = %token.token_id, route = %req.route_key, "access token allowed");
    Ok(AuthorizerResponse::allow(context(&token)))
}

/// What the protected backend learns about the caller.
pub fn context(token: &VerifiedAccessToken) -> Map<String, serde_json::Value> {
    let context = json!({
        "workspaceId": limits::workspace_id_json(&token.workspace_id),
        "tokenId": token.token_id,
        "tokenName": token.name,
        "scopes": token.scopes.join(" "),
    });
    match context {
        serde_json::Value::Object(map) => map,
        _ => unreachable!("a JSON object"),
    }
}

#[cfg(test)]
mod tests;
