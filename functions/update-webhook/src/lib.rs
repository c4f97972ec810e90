//! PATCH /webhooks/{id}: changes an endpoint's `url`, `eventTypes` or `description` (admin
//! workspace token); the fields not sent stay. A changed URL clears the failing mark.
//! Answers the endpoint; 409 if it changed meanwhile.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde::Deserialize;
use serde_json::json;
use tessera_common::{
    http::{json_body, json_response},
    lambda::Function,
    store::webhooks::Webhook,
    ApiError, AppState, StoreError,
};
use tessera_rudderstack as rudderstack;
use tessera_webhooks::view::webhook_json;

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    rudderstack::respond(update(state, &req).await)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UpdateBody {
    url: Option<String>,
    event_types: Option<Vec<String>>,
    description: Option<String>,
}

async fn update(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = rudderstack::authenticate(&state.store, req.headers()).await?;
    caller.require_admin()?;
    let body: UpdateBody = json_body(req)?;
    let old = tessera_webhooks::endpoint_of(state, &caller, req).await?;
    let mut new = Webhook { ..old.clone() };
    if let Some(url) = body.url {
        new.url = tessera_webhooks::url(&url)?;
        if new.url != old.url {
            new.failing_since = None;
        }
    }
    if let Some(types) = body.event_types {
        new.event_types = tessera_webhooks::event_types(types)?;
    }
    if let Some(description) = body.description {
        new.description = tessera_webhooks::description(description)?;
    }
    match state
        .store
        .update_webhook(&old, &new, &caller.auditor(state, req), "webhook.update")
        .await
    {
        Err(StoreError::Conflict) => {
            return Err(ApiError::Conflict(
                "the endpoint changed while this request was made: read it again".into(),
            ))
        }
        other => other?,
    }
    Ok(json_response(
        StatusCode::OK,
        &json!({ "success": true, "data": webhook_json(&new) }),
    ))
}

#[cfg(test)]
mod tests;
