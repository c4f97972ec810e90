//! POST /webhooks/{id}/test: sends the endpoint a `Webhook Test` event (admin workspace
//! token), through the same stream, bus, queue and delivery as every event, whatever types
//! it subscribes to. Answers 202 with the event's id; `GET /webhooks/{id}/deliveries`
//! shows how it went.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{
    events::{Event, EventType},
    http::json_response,
    lambda::Function,
    ApiError, AppState,
};
use tessera_rudderstack as rudderstack;

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    rudderstack::respond(send_test(state, &req).await)
}

async fn send_test(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = rudderstack::authenticate(&state.store, req.headers()).await?;
    caller.require_admin()?;
    let webhook = tessera_webhooks::endpoint_of(state, &caller, req).await?;
    let entry = caller
        .auditor(state, req)
        .entry(
            &caller.workspace_id,
            "webhook.test",
            format!("webhook:{}", webhook.id),
            None,
        )
        .with_event(Event::of_webhook(
            EventType::WebhookTest,
            &webhook.id,
            &webhook.url,
            Default::default(),
        ));
    state
        .store
        .transact(vec![state.store.audit_put(&entry)?])
        .await?;
    Ok(json_response(
        StatusCode::ACCEPTED,
        &json!({ "success": true, "data": { "eventId": entry.id } }),
    ))
}

#[cfg(test)]
mod tests;
