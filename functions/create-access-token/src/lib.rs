//! POST /accessTokens: creates a named access token in the caller's workspace and shows
//! it once, as `{"success": true, "data": {"token": "..."}}`. Besides the seed's `name` and
//! `description`, it takes `expiresAt` (RFC 3339), `scopes` (an array of strings) and the
//! usage control of `usage_fields`: `ratelimit`, `credits`, `enabled`, `meta`, `externalId`
//! and `meterShards` (how many items a busy token's meter is split over; fixed from then on).

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde::Deserialize;
use serde_json::{json, Value};
use tessera_common::{
    http::{json_body, json_response},
    lambda::Function,
    store::records::{AccessToken, CreditsEvents},
    token::{new_id, NewToken, TokenKind},
    ApiError, AppState, StoreError,
};
use tessera_rudderstack as rudderstack;
use tessera_rudderstack::{access_token_fields, usage_fields};

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    rudderstack::respond(create(state, &req).await)
}

async fn create(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = rudderstack::authenticate(&state.store, req.headers()).await?;
    caller.require_admin()?;
    let input = NewAccessToken::parse(json_body(req)?, state)?;
    let token = NewToken::generate(TokenKind::AccessToken);
    let now = state.clock.now_secs();
    let record = AccessToken {
        scopes: input.scopes,
        expires: input.expires,
        disabled: !input.enabled,
        external_id: input.external_id,
        meta: input.meta,
        meter_shards: input.meter_shards,
        ratelimit: input.ratelimit,
        credits_remaining: input.credits.map(|credits| credits.remaining),
        credits_refill: input.credits.and_then(|credits| credits.refill),
        credits_period: input
            .credits
            .and_then(|credits| credits.refill)
            .map(|refill| refill.period_of(now)),
        credits_events: input.credits.map(|credits| CreditsEvents {
            low_line: credits.low_threshold,
            ..CreditsEvents::granted(credits.remaining, now)
        }),
        ..AccessToken::new(
            new_id(),
            caller.workspace_id.clone(),
            input.name,
            input.description,
            caller.user_id.clone(),
            token.digest().clone(),
            state.clock.now_rfc3339(),
        )
    };
    let max = state.quotas.access_tokens_per_workspace;
    let auditor = caller.auditor(state, req);
    match state
        .store
        .create_access_token(&record, max, &auditor)
        .await
    {
        Err(StoreError::QuotaReached { max }) => {
            return Err(ApiError::bad_request(format!(
                "this workspace has {max} access tokens, the most it may have: delete some first"
            )))
        }
        other => other?,
    }
    tracing::info!(workspace_id = %record.workspace_id, token_id = %record.id, "access token created");
    Ok(json_response(
        StatusCode::OK,
        &json!({ "success": true, "data": { "token": token.expose() } }),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    name: Option<String>,
    description: Option<String>,
    expires_at: Option<String>,
    scopes: Option<Vec<String>>,
    // Checked by hand, so that each bad value's 400 names it.
    ratelimit: Option<Value>,
    credits: Option<Value>,
    enabled: Option<Value>,
    meta: Option<Value>,
    external_id: Option<Value>,
    meter_shards: Option<Value>,
}

/// A validated request to create an access token.
#[derive(Debug, PartialEq)]
struct NewAccessToken {
    name: String,
    description: String,
    scopes: Vec<String>,
    /// Unix seconds.
    expires: Option<u64>,
    enabled: bool,
    ratelimit: Option<tessera_common::usage::RateLimit>,
    credits: Option<usage_fields::Credits>,
    meta: Option<String>,
    external_id: Option<String>,
    meter_shards: Option<u32>,
}

impl NewAccessToken {
    fn parse(body: CreateBody, state: &AppState) -> Result<Self, ApiError> {
        let name = access_token_fields::name(
            body.name
                .ok_or_else(|| ApiError::bad_request("name is required"))?,
        )?;
        let description = access_token_fields::description(body.description.unwrap_or_default())?;
        let enabled = match body.enabled {
            None | Some(Value::Null) => true,
            Some(Value::Bool(enabled)) => enabled,
            Some(_) => return Err(ApiError::bad_request("enabled must be true or false")),
        };
        let given = |value: Option<Value>| value.filter(|v| !v.is_null());
        Ok(NewAccessToken {
            enabled,
            ratelimit: given(body.ratelimit)
                .as_ref()
                .map(usage_fields::parse_ratelimit)
                .transpose()?,
            credits: given(body.credits)
                .as_ref()
                .map(usage_fields::parse_credits)
                .transpose()?,
            meta: given(body.meta)
                .as_ref()
                .map(usage_fields::parse_meta)
                .transpose()?,
            external_id: given(body.external_id)
                .as_ref()
                .map(usage_fields::parse_external_id)
                .transpose()?,
            meter_shards: given(body.meter_shards)
                .as_ref()
                .map(usage_fields::parse_meter_shards)
                .transpose()?
                .filter(|shards| *shards > 1),
            name,
            description,
            scopes: access_token_fields::scopes(body.scopes.unwrap_or_default())?,
            expires: body
                .expires_at
                .map(|text| access_token_fields::expiry(&text, state))
                .transpose()?,
        })
    }
}

#[cfg(test)]
mod tests;
