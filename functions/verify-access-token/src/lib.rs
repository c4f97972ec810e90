//! POST /accessTokens/verify: what a platform's API asks before it serves a request made
//! with an access token: is it live, may it do this, and how much is left. A workspace
//! token (HTTP Basic, admin or read-only) verifies its own workspace's tokens.
//!
//! For a well-formed request the answer is always 200 `{"valid", "code", ...}`. The checks
//! run in this order, and the first that fails is the code: the token exists in the
//! caller's workspace (else exactly `{"valid": false, "code": "NOT_FOUND"}`), is enabled
//! (`DISABLED`), has not expired (`EXPIRED`), has the permissions asked
//! (`INSUFFICIENT_PERMISSIONS`), has the credits (`USAGE_EXCEEDED`) and is within its rate
//! limit (`RATE_LIMITED`). Only a use that passes every check spends (`cost` credits, one
//! use of the rate limit); a refused one spends nothing.

pub mod permissions;

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde::Deserialize;
use serde_json::{json, Value};
use tessera_common::{
    clock::rfc3339_from_secs,
    http::{json_body, json_response},
    lambda::Function,
    usage::MAX_CREDITS,
    verify::{look_up_access_token_cached, VerifiedAccessToken},
    ApiError, AppState,
};
use tessera_rudderstack::{self as rudderstack, usage_fields, WorkspaceCaller};

use permissions::Query;
use tessera_metering::{Outcome, Remaining};

/// What a verification comes to, in the order the checks run: exists, enabled, expiry,
/// permissions, then credits and rate limit (so a refused request spends nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Code {
    Valid,
    NotFound,
    Expired,
    Disabled,
    InsufficientPermissions,
    UsageExceeded,
    RateLimited,
}

impl From<Outcome> for Code {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Valid => Code::Valid,
            Outcome::RateLimited => Code::RateLimited,
            Outcome::UsageExceeded => Code::UsageExceeded,
            Outcome::Disabled => Code::Disabled,
            Outcome::Expired => Code::Expired,
            Outcome::InsufficientPermissions => Code::InsufficientPermissions,
        }
    }
}

/// Longer than any token Tessera issues: the rest is not looked at.
const MAX_TOKEN_BYTES: usize = 4096;

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    rudderstack::respond(verify(state, &req).await)
}

#[derive(Debug, Deserialize)]
struct VerifyBody {
    token: Option<Value>,
    permissions: Option<Value>,
    cost: Option<Value>,
}

/// A validated verification request.
struct Verification {
    token: String,
    permissions: Option<Query>,
    cost: u64,
}

impl Verification {
    fn parse(body: VerifyBody) -> Result<Self, ApiError> {
        let token = match body.token {
            Some(Value::String(token)) if !token.is_empty() => token,
            _ => {
                return Err(ApiError::bad_request(
                    "token is required: a non-empty string",
                ))
            }
        };
        let permissions = match body.permissions {
            None | Some(Value::Null) => None,
            Some(Value::String(query)) => {
                Some(Query::parse(&query).map_err(|err| ApiError::bad_request(err.to_string()))?)
            }
            Some(_) => return Err(ApiError::bad_request("permissions must be a string")),
        };
        let cost = match body.cost {
            None | Some(Value::Null) => 1,
            Some(cost) => cost.as_u64().filter(|c| *c <= MAX_CREDITS).ok_or_else(|| {
                ApiError::bad_request(format!("cost must be an integer from 0 to {MAX_CREDITS}"))
            })?,
        };
        Ok(Verification {
            token,
            permissions,
            cost,
        })
    }
}

async fn verify(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = rudderstack::authenticate_cached(
        &state.store,
        state.clock.as_ref(),
        req.headers(),
        state.verification_cache,
    )
    .await?;
    let request = Verification::parse(json_body(req)?)?;
    let answer = match found(state, &caller, &request.token).await? {
        None => not_found(),
        Some(token) => check(state, &request, &token).await?,
    };
    Ok(json_response(StatusCode::OK, &answer))
}

/// The caller's workspace's token `presented` names, live or not.
async fn found(
    state: &AppState,
    caller: &WorkspaceCaller,
    presented: &str,
) -> Result<Option<VerifiedAccessToken>, ApiError> {
    if presented.len() > MAX_TOKEN_BYTES {
        return Ok(None);
    }
    Ok(look_up_access_token_cached(
        &state.store,
        state.clock.as_ref(),
        presented,
        state.verification_cache,
    )
    .await?
    .filter(|token| token.workspace_id == caller.workspace_id))
}

async fn check(
    state: &AppState,
    request: &Verification,
    token: &VerifiedAccessToken,
) -> Result<Value, ApiError> {
    let permitted = request
        .permissions
        .as_ref()
        .is_none_or(|query| query.allows(&token.scopes));
    let Some(checked) = tessera_metering::check(
        &state.store,
        state.clock.as_ref(),
        token,
        request.cost,
        permitted,
    )
    .await?
    else {
        // Deleted between the lookup and the spend: as if it had never been found.
        return Ok(not_found());
    };
    tessera_metering::metrics::record_verification(
        Some(checked.outcome),
        checked.remaining.credits.map(|_| request.cost),
    );
    Ok(answer(
        Code::from(checked.outcome),
        token,
        checked.remaining,
    ))
}

fn not_found() -> Value {
    tessera_metering::metrics::record_verification(None, None);
    json!({ "valid": false, "code": Code::NotFound })
}

fn answer(code: Code, token: &VerifiedAccessToken, remaining: Remaining) -> Value {
    json!({
        "valid": code == Code::Valid,
        "code": code,
        "id": token.token_id,
        "name": token.name,
        "scopes": token.scopes,
        "externalId": token.external_id,
        "meta": usage_fields::meta_json(token.meta.as_deref()),
        "expiresAt": token.expires_at.map(rfc3339_from_secs),
        "credits": remaining.credits.map(|left| json!({ "remaining": left })),
        "ratelimit": remaining.ratelimit.map(|(limit, left, reset_at)| json!({
            "limit": limit,
            "remaining": left,
            "resetAt": rfc3339_from_secs(reset_at),
        })),
    })
}

#[cfg(test)]
mod tests;
