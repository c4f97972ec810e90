//! POST /webhooks: adds a webhook endpoint to the caller's workspace (admin workspace
//! token): `{"url", "eventTypes", "description"}`. The answer shows the endpoint's signing
//! secret (`whsec_...`) once; it is never stored, only derived again to sign.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde::Deserialize;
use serde_json::json;
use tessera_common::{
    http::{json_body, json_response},
    lambda::Function,
    store::webhooks::Webhook,
    token::new_id,
    ApiError, AppState, StoreError,
};
use tessera_rudderstack as rudderstack;
use tessera_webhooks::{view::webhook_json, MAX_WEBHOOKS_PER_WORKSPACE};

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    rudderstack::respond(create(state, &req).await)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateBody {
    url: String,
    #[serde(default)]
    event_types: Vec<String>,
    #[serde(default)]
    description: String,
}

async fn create(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = rudderstack::authenticate(&state.store, req.headers()).await?;
    caller.require_admin()?;
    let body: CreateBody = json_body(req)?;
    let webhook = Webhook {
        id: new_id(),
        workspace_id: caller.workspace_id.clone(),
        url: tessera_webhooks::url(&body.url)?,
        event_types: tessera_webhooks::event_types(body.event_types)?,
        description: tessera_webhooks::description(body.description)?,
        created_at: state.clock.now_rfc3339(),
        secret_nonce: new_id(),
        previous_secret_nonce: None,
        previous_secret_until: None,
        failing_since: None,
    };
    // Derived before the write: a key that cannot be read fails the request, not the endpoint.
    let secret = tessera_webhooks::key(state)?
        .secret(&webhook.secret_nonce)
        .await?;
    let auditor = caller.auditor(state, req);
    match state
        .store
        .create_webhook(&webhook, MAX_WEBHOOKS_PER_WORKSPACE, &auditor)
        .await
    {
        Err(StoreError::QuotaReached { max }) => {
            return Err(ApiError::bad_request(format!(
            "this workspace has {max} webhook endpoints, the most it may have: delete some first"
        )))
        }
        other => other?,
    }
    tracing::info!(workspace_id = %webhook.workspace_id, webhook_id = %webhook.id, "webhook endpoint created");
    let mut data = webhook_json(&webhook);
    data["secret"] = json!(secret.expose_whsec());
    Ok(json_response(
        StatusCode::OK,
        &json!({ "success": true, "data": data }),
    ))
}

#[cfg(test)]
mod tests;
