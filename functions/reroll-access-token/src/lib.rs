//! POST /accessTokens/{id}/reroll `{"gracePeriodSeconds": N}`: replaces an access token
//! with a new one of the same name, description, scopes, expiry and usage control (limits
//! with the credits that remain and the uses of the current window, enabled, meta,
//! externalId), shown once as `{"success": true, "data": {"token": "...", "id": "..."}}`.
//! The old token keeps working for the grace period (0 to 7 days; 0, the default, ends it
//! at once), then is refused; meanwhile it spends the successor's credits and rate limit:
//! one balance. Atomic: a token has at most one successor and is never left without one;
//! the store freezes the counters before it copies them, so no spend is lost or repeated.

use std::time::Duration;

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde::Deserialize;
use serde_json::json;
use tessera_common::{
    http::{body_bytes, json_body, json_response, path_param},
    lambda::Function,
    limits,
    store::records::AccessToken,
    token::{new_id, NewToken, TokenKind},
    ApiError, AppState, StoreError,
};
use tessera_rudderstack as rudderstack;

/// The longest grace period, as Stripe's and Unkey's rolls allow.
pub const MAX_GRACE: Duration = Duration::from_secs(7 * 24 * 3600);

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    rudderstack::respond(reroll(state, &req).await)
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RerollBody {
    grace_period_seconds: Option<u64>,
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!("no access token with id {id:?} in this workspace"))
}

async fn reroll(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = rudderstack::authenticate(&state.store, req.headers()).await?;
    caller.require_admin()?;
    let id = path_param(req, "id")?;
    if !limits::valid_id(&id) {
        return Err(not_found(&id));
    }
    let body: RerollBody = if body_bytes(req).iter().all(u8::is_ascii_whitespace) {
        RerollBody::default()
    } else {
        json_body(req)?
    };
    let grace = Duration::from_secs(body.grace_period_seconds.unwrap_or(0));
    if grace > MAX_GRACE {
        return Err(ApiError::bad_request(format!(
            "gracePeriodSeconds must be 0 to {}",
            MAX_GRACE.as_secs()
        )));
    }
    let old = state
        .store
        .access_token_by_id(&caller.workspace_id, &id)
        .await?
        .ok_or_else(|| not_found(&id))?;
    let now = state.clock.now_secs();
    if let Some(successor) = &old.rerolled_to {
        return Err(ApiError::Conflict(format!(
            "this token was rerolled already: reroll its successor {successor}"
        )));
    }
    if old.expires.is_some_and(|at| at <= now) {
        return Err(ApiError::Conflict(
            "this token has expired: create a new one".into(),
        ));
    }
    // A record from before meters had items of their own gets one, which its successor
    // will spend.
    let old = match state.store.own_meter(&old).await {
        Err(StoreError::Conflict) => {
            return Err(ApiError::Conflict(
                "this token was changed or is being rerolled meanwhile: try again".into(),
            ))
        }
        owned => owned?,
    };
    let token = NewToken::generate(TokenKind::AccessToken);
    let new = successor(&old, &token, &caller.user_id, state);
    let grace_until = (!grace.is_zero()).then(|| now + grace.as_secs());
    match state
        .store
        .reroll_access_token(
            &old,
            &new,
            grace_until,
            state.quotas.access_tokens_per_workspace,
            &caller.auditor(state, req),
        )
        .await
    {
        Err(StoreError::Conflict) => {
            return Err(ApiError::Conflict(
                "this token was rerolled or deleted meanwhile".into(),
            ))
        }
        // A token in its grace period counts until the grace ends.
        Err(StoreError::QuotaReached { max }) => {
            return Err(ApiError::bad_request(format!(
                "this workspace has {max} access tokens, counting those in a grace period: \
                 reroll without gracePeriodSeconds, or delete some first"
            )))
        }
        other => other?,
    }
    tracing::info!(workspace_id = %caller.workspace_id, token_id = %old.id, successor = %new.id, grace_secs = grace.as_secs(), "access token rerolled");
    Ok(json_response(
        StatusCode::OK,
        &json!({ "success": true, "data": { "token": token.expose(), "id": new.id } }),
    ))
}

/// The successor of `old`: what it may do and its usage control. The store gives it the
/// counters as the reroll froze them (the credits that remain, the uses of the window).
fn successor(old: &AccessToken, token: &NewToken, user_id: &str, state: &AppState) -> AccessToken {
    AccessToken {
        scopes: old.scopes.clone(),
        expires: old.expires,
        disabled: old.disabled,
        external_id: old.external_id.clone(),
        meta: old.meta.clone(),
        ratelimit: old.ratelimit,
        credits_refill: old.credits_refill,
        ..AccessToken::new(
            new_id(),
            old.workspace_id.clone(),
            old.name.clone(),
            old.description.clone(),
            user_id.to_owned(),
            token.digest().clone(),
            state.clock.now_rfc3339(),
        )
    }
}

#[cfg(test)]
mod tests;
