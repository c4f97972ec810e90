//! The API Gateway Lambda authorizer (HTTP API, payload 2.0, simple responses): lets a
//! request through when its `Authorization` header carries a live access token, as
//! `Bearer <token>` or Basic with the token as user name (as RudderStack's clients send).
//!
//! A malformed token or a wrong checksum is refused without a lookup; otherwise one
//! consistent GetItem decides, and an expired or disabled token is refused at once. A
//! token with a rate limit or credits spends one use of each (refused when either is
//! spent: `RATE_LIMITED`, `USAGE_EXCEEDED`), as the verify API does at cost 1. The
//! protected backend receives `workspaceId`, `tokenId`, `tokenName`, `scopes`
//! (space-separated) and, where set, `externalId`, `ratelimitRemaining` and
//! `creditsRemaining` as `requestContext.authorizer.lambda`. A use is recorded at most
//! once a minute per token, best effort. API Gateway does not invoke the authorizer for a
//! request it answers from its cache: see docs/protecting-apis.md for metered APIs.

use serde_json::{json, Map};
use tessera_common::{
    auth::bearer_or_basic,
    authorizer::{AuthorizerRequest, AuthorizerResponse},
    lambda::Function,
    limits,
    verify::{look_up_access_token_cached, VerifiedAccessToken},
    ApiError, AppState,
};
use tessera_metering::{metrics::record_verification, Checked, Outcome, Remaining};

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Authorizer(|state, req| Box::pin(authorize(state, req)));

/// Allow or deny; `Err` only when DynamoDB cannot answer (API Gateway answers 500 and
/// does not cache it).
pub async fn authorize(
    state: &AppState,
    req: AuthorizerRequest,
) -> Result<AuthorizerResponse, ApiError> {
    let Some(presented) = req.authorization().and_then(bearer_or_basic) else {
        record_verification(None, None);
        return Ok(AuthorizerResponse::deny());
    };
    let Some(token) = look_up_access_token_cached(
        &state.store,
        state.clock.as_ref(),
        &presented,
        state.verification_cache,
    )
    .await?
    else {
        tracing::debug!(route = %req.route_key, "access token refused");
        record_verification(None, None);
        return Ok(AuthorizerResponse::deny());
    };
    // The verify API's checks at cost 1, counted alike; no permission is asked here.
    let checked =
        tessera_metering::check(&state.store, state.clock.as_ref(), &token, 1, true).await?;
    record_verification(
        checked.as_ref().map(|checked| checked.outcome),
        checked
            .as_ref()
            .and_then(|checked| checked.remaining.credits.map(|_| 1)),
    );
    let Some(Checked {
        outcome: Outcome::Valid,
        remaining,
    }) = checked
    else {
        tracing::debug!(token_id = %token.token_id, ?checked, "access token refused");
        return Ok(AuthorizerResponse::deny());
    };
    tracing::debug!(workspace_id = %token.workspace_id, token_id = %token.token_id, route = %req.route_key, "access token allowed");
    Ok(AuthorizerResponse::allow(context(&token, remaining)))
}

/// What the protected backend learns about the caller (API Gateway takes no nulls: what
/// a token does not have is left out).
pub fn context(
    token: &VerifiedAccessToken,
    remaining: Remaining,
) -> Map<String, serde_json::Value> {
    let mut context = Map::new();
    context.insert(
        "workspaceId".into(),
        limits::workspace_id_json(&token.workspace_id),
    );
    context.insert("tokenId".into(), json!(token.token_id));
    context.insert("tokenName".into(), json!(token.name));
    context.insert("scopes".into(), json!(token.scopes.join(" ")));
    if let Some(external_id) = &token.external_id {
        context.insert("externalId".into(), json!(external_id));
    }
    if let Some((_, left, _)) = remaining.ratelimit {
        context.insert("ratelimitRemaining".into(), json!(left));
    }
    if let Some(credits) = remaining.credits {
        context.insert("creditsRemaining".into(), json!(credits));
    }
    context
}

#[cfg(test)]
mod tests;
