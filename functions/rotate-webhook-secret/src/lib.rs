//! POST /webhooks/{id}/rotate-secret: gives an endpoint a new signing secret, shown once
//! (admin workspace token). For 24 hours deliveries carry both signatures (space-separated
//! in `webhook-signature`), so a receiver can switch without losing one; a second rotation
//! within them ends the first overlap.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{
    clock::rfc3339_from_secs, http::json_response, lambda::Function, store::webhooks::Webhook,
    token::new_id, ApiError, AppState, StoreError,
};
use tessera_rudderstack as rudderstack;
use tessera_webhooks::{view::webhook_json, SECRET_OVERLAP_SECS};

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    rudderstack::respond(rotate(state, &req).await)
}

async fn rotate(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = rudderstack::authenticate(&state.store, req.headers()).await?;
    caller.require_admin()?;
    let old = tessera_webhooks::endpoint_of(state, &caller, req).await?;
    let until = state.clock.now_secs() + SECRET_OVERLAP_SECS;
    let new = Webhook {
        secret_nonce: new_id(),
        previous_secret_nonce: Some(old.secret_nonce.clone()),
        previous_secret_until: Some(until),
        ..old.clone()
    };
    let secret = tessera_webhooks::key(state)?
        .secret(&new.secret_nonce)
        .await?;
    match state
        .store
        .update_webhook(
            &old,
            &new,
            &caller.auditor(state, req),
            "webhook.rotate_secret",
        )
        .await
    {
        Err(StoreError::Conflict) => {
            return Err(ApiError::Conflict(
                "the endpoint changed while this request was made: try again".into(),
            ))
        }
        other => other?,
    }
    tracing::info!(workspace_id = %caller.workspace_id, webhook_id = %new.id, "webhook secret rotated");
    let mut data = webhook_json(&new);
    data["secret"] = json!(secret.expose_whsec());
    data["previousSecretValidUntil"] = json!(rfc3339_from_secs(until));
    Ok(json_response(
        StatusCode::OK,
        &json!({ "success": true, "data": data }),
    ))
}

#[cfg(test)]
mod tests;
