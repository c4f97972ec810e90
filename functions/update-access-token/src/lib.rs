//! PATCH /accessTokens/{id}: changes any of an access token's `name`, `description`,
//! `scopes`, `expiresAt`, `ratelimit`, `credits`, `enabled`, `meta` and `externalId`
//! (`null` clears the optional ones) and answers the token as the listing shows it. The
//! secret stays; the change is audited by the names of the fields it touched.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::{Map, Value};
use tessera_common::{
    http::{json_body, json_response, path_param},
    lambda::Function,
    limits,
    meter::MeterChange,
    store::records::AccessToken,
    ApiError, AppState, StoreError,
};
use tessera_rudderstack::{self as rudderstack, ListedToken};
use tessera_rudderstack::{access_token_fields, usage_fields};

/// Edits whose condition failed (a reroll or delete meanwhile, a rate-limit window that
/// moved, a rename racing a spend) are redone this often before a 409.
const MAX_ATTEMPTS: usize = 8;

const FIELDS: [&str; 9] = [
    "name",
    "description",
    "scopes",
    "expiresAt",
    "ratelimit",
    "credits",
    "enabled",
    "meta",
    "externalId",
];

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    rudderstack::respond(update(state, &req).await)
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!("no access token with id {id:?} in this workspace"))
}

async fn update(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = rudderstack::authenticate(&state.store, req.headers()).await?;
    caller.require_admin()?;
    let id = path_param(req, "id")?;
    let changes: Map<String, Value> = json_body(req)?;
    if changes.contains_key("meterShards") {
        return Err(ApiError::bad_request(
            "meterShards is set when a token is created and cannot change: create a new token with it",
        ));
    }
    if let Some(unknown) = changes.keys().find(|key| !FIELDS.contains(&key.as_str())) {
        return Err(ApiError::bad_request(format!(
            "{unknown} is not a field of an access token (expected {})",
            FIELDS.join(", ")
        )));
    }
    if changes.is_empty() {
        return Err(ApiError::bad_request(format!(
            "nothing to change: send any of {}",
            FIELDS.join(", ")
        )));
    }
    if !limits::valid_id(&id) {
        return Err(not_found(&id));
    }
    let auditor = caller.auditor(state, req);
    for attempt in 0..MAX_ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(10 * attempt as u64)).await;
        }
        let old = state
            .store
            .access_token_by_id(&caller.workspace_id, &id)
            .await?
            .ok_or_else(|| not_found(&id))?;
        // A record from before meters had items of their own gets one first.
        let old = match state.store.own_meter(&old).await {
            Err(StoreError::Conflict) => continue,
            owned => owned?,
        };
        if old.rerolled_to.is_some() {
            return Err(ApiError::Conflict(
                "this token was rerolled: change its successor".into(),
            ));
        }
        let new = apply(&changes, &old, state)?;
        let detail = format!("changed {}", changed_fields(&changes));
        match state
            .store
            .edit_access_token(
                &old,
                &new,
                detail,
                &auditor,
                changes.contains_key("credits"),
            )
            .await
        {
            // A spend, reroll or delete got there first: read it again.
            Err(StoreError::Conflict) => continue,
            other => other?,
        }
        tracing::info!(workspace_id = %caller.workspace_id, token_id = %id, "access token updated");
        let now = state.clock.now_secs();
        return Ok(json_response(StatusCode::OK, &ListedToken::new(new, now)));
    }
    Err(ApiError::Conflict(
        "the token changed on every attempt to update it: try again".into(),
    ))
}

fn changed_fields(changes: &Map<String, Value>) -> String {
    FIELDS
        .iter()
        .filter(|field| changes.contains_key(**field))
        .copied()
        .collect::<Vec<_>>()
        .join(", ")
}

/// `old` with `changes` applied, each value checked as POST /accessTokens checks it.
fn apply(
    changes: &Map<String, Value>,
    old: &AccessToken,
    state: &AppState,
) -> Result<AccessToken, ApiError> {
    let mut new = old.clone();
    let now = state.clock.now_secs();
    for (field, value) in changes {
        let null = value.is_null();
        let text = |field: &str| {
            value
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| ApiError::bad_request(format!("{field} must be a string")))
        };
        match field.as_str() {
            "name" => new.name = access_token_fields::name(text("name")?)?,
            "description" if null => new.description = String::new(),
            "description" => {
                new.description = access_token_fields::description(text("description")?)?
            }
            "scopes" if null => new.scopes = Vec::new(),
            "scopes" => {
                let scopes = value
                    .as_array()
                    .and_then(|items| {
                        items
                            .iter()
                            .map(|v| v.as_str().map(str::to_owned))
                            .collect()
                    })
                    .ok_or_else(|| ApiError::bad_request("scopes must be an array of strings"))?;
                new.scopes = access_token_fields::scopes(scopes)?;
            }
            "expiresAt" if null => new.expires = None,
            "expiresAt" => {
                new.expires = Some(access_token_fields::expiry(&text("expiresAt")?, state)?)
            }
            "ratelimit" => {
                let limit = (!null)
                    .then(|| usage_fields::parse_ratelimit(value))
                    .transpose()?;
                let meter = new.meter().changed(&MeterChange::RateLimit(limit), now);
                new = new.with_meter(meter);
            }
            "credits" => {
                let credits = (!null)
                    .then(|| usage_fields::parse_credits(value))
                    .transpose()?
                    .map(|credits| (credits.remaining, credits.refill, credits.low_threshold));
                let meter = new.meter().changed(&MeterChange::Credits(credits), now);
                new = new.with_meter(meter);
            }
            "enabled" => {
                new.disabled = !value
                    .as_bool()
                    .ok_or_else(|| ApiError::bad_request("enabled must be true or false"))?
            }
            "meta" if null => new.meta = None,
            "meta" => new.meta = Some(usage_fields::parse_meta(value)?),
            "externalId" if null => new.external_id = None,
            "externalId" => new.external_id = Some(usage_fields::parse_external_id(value)?),
            _ => unreachable!("fields are checked against FIELDS first"),
        }
    }
    Ok(new)
}

#[cfg(test)]
mod tests;
