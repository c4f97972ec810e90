//! Delivers Tessera's events to the workspaces' webhook endpoints. An EventBridge rule puts
//! every event of the stack's bus on a queue; each message is one event, sent to each
//! endpoint of its workspace that takes its type, signed as Standard Webhooks says.
//!
//! An endpoint that takes the event is marked so (a retry skips it); when one does not,
//! the message stays on the queue and comes back after the retry policy's wait, for its
//! remaining endpoints only. After the last attempt the queue dead-letters it and each
//! endpoint that never took it is marked failing, with a `Webhook Endpoint Failing` event.

mod retry;
mod sender;
mod signature;

use std::{
    sync::{Arc, OnceLock},
    time::Duration,
};

use bytes::Bytes;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tessera_common::{
    audit::Auditor,
    clock::rfc3339_from_secs,
    config::{optional, parse_or},
    events::{Event, EventType},
    lambda::Function,
    queue::{BatchResponse, QueueEvent, QueueMessage},
    store::webhooks::{DeliveryAttempt, Webhook, ATTEMPT_RETENTION_SECS},
    AppState, ConfigError,
};
use tessera_webhooks::url::{AddressPolicy, WebhookUrl};

pub use retry::RetryPolicy;
pub use sender::{Resolve, ResolveFuture, SendError, Sender, SystemResolver};
pub use signature::signature_header;

/// What main.rs runs.
pub const FUNCTION: Function =
    Function::Queue(|state, event| Box::pin(deliver_batch(state, event)));

/// How long an endpoint has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// The largest body sent (EventBridge's largest event fits).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// How long a taken event is remembered, so a retry or a redrive skips the endpoint.
const DELIVERED_RETENTION_SECS: u64 = 4 * 24 * 3600;

/// What a delivery needs besides the state: built once per container from the environment.
pub struct Deliverer {
    pub retry: RetryPolicy,
    pub sender: Sender,
    /// The queue, to set when a message comes back (`WEBHOOK_QUEUE_URL`); none: its
    /// visibility timeout decides.
    pub queue: Option<(aws_sdk_sqs::Client, String)>,
}

impl Deliverer {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let default = RetryPolicy::DEFAULT;
        let retry = RetryPolicy {
            max_attempts: parse_or("WEBHOOK_MAX_ATTEMPTS", default.max_attempts)?,
            first: Duration::from_secs(parse_or(
                "WEBHOOK_FIRST_RETRY_SECONDS",
                default.first.as_secs(),
            )?),
            longest: Duration::from_secs(parse_or(
                "WEBHOOK_LONGEST_RETRY_SECONDS",
                default.longest.as_secs(),
            )?),
        };
        let queue = match optional("WEBHOOK_QUEUE_URL") {
            Some(url) => Some((
                aws_sdk_sqs::Client::new(&tessera_common::config::sdk_config().await),
                url,
            )),
            None => None,
        };
        Ok(Deliverer {
            retry,
            sender: Sender::new(Arc::new(SystemResolver), AddressPolicy::from_env(), TIMEOUT),
            queue,
        })
    }
}

static DELIVERER: OnceLock<Deliverer> = OnceLock::new();

async fn deliver_batch(state: &AppState, event: QueueEvent) -> BatchResponse {
    let deliverer = match DELIVERER.get() {
        Some(deliverer) => deliverer,
        None => match Deliverer::from_env().await {
            Ok(deliverer) => DELIVERER.get_or_init(|| deliverer),
            Err(err) => {
                tracing::error!("cannot deliver: {err}");
                return BatchResponse::failed(event.records.into_iter().map(|m| m.message_id));
            }
        },
    };
    deliver(state, deliverer, event).await
}

/// Delivers a batch: the answer names the messages that come back.
pub async fn deliver(state: &AppState, deliverer: &Deliverer, event: QueueEvent) -> BatchResponse {
    let outcomes = futures::future::join_all(
        event
            .records
            .iter()
            .map(|message| deliver_message(state, deliverer, message)),
    )
    .await;
    BatchResponse::failed(
        event
            .records
            .into_iter()
            .zip(outcomes)
            .filter(|(_, done)| !done)
            .map(|(message, _)| message.message_id),
    )
}

/// An event as the rule puts it on the queue: EventBridge's envelope.
#[derive(Debug, Deserialize)]
struct BusEvent {
    #[serde(rename = "detail-type")]
    detail_type: String,
    time: String,
    detail: Value,
}

/// Whether the message is done with (every endpoint took it, or it can never be sent).
async fn deliver_message(state: &AppState, deliverer: &Deliverer, message: &QueueMessage) -> bool {
    let Ok(event) = serde_json::from_str::<BusEvent>(&message.body) else {
        tracing::error!(message_id = %message.message_id, "not an EventBridge event: dropped");
        return true;
    };
    let (Some(event_id), Some(workspace_id)) = (
        event.detail["eventId"].as_str(),
        workspace_of(&event.detail),
    ) else {
        // An event of no workspace (none yet) has no endpoint to go to.
        return true;
    };
    let endpoints = match state.store.webhooks(&workspace_id).await {
        Ok(endpoints) => endpoints,
        Err(err) => {
            tracing::warn!("endpoints not read, the event comes back: {err}");
            return come_back(deliverer, message, message.receive_count()).await;
        }
    };
    let body = Bytes::from(
        json!({ "type": event.detail_type, "timestamp": event.time, "data": event.detail })
            .to_string(),
    );
    let targets: Vec<&Webhook> = endpoints
        .iter()
        .filter(|endpoint| addressed_to(endpoint, &event.detail_type, &event.detail))
        .collect();
    let attempt = message.receive_count();
    let results = futures::future::join_all(targets.iter().map(|endpoint| {
        deliver_to(
            state,
            deliverer,
            endpoint,
            event_id,
            &event.detail_type,
            attempt,
            body.clone(),
        )
    }))
    .await;
    let missed: Vec<&Webhook> = targets
        .into_iter()
        .zip(results)
        .filter(|(_, taken)| !taken)
        .map(|(endpoint, _)| endpoint)
        .collect();
    if missed.is_empty() {
        return true;
    }
    if deliverer.retry.delay_after(attempt).is_none() {
        for endpoint in missed {
            mark_failing(state, endpoint, event_id, attempt).await;
        }
    }
    come_back(deliverer, message, attempt).await
}

/// Workspace ids are published as numbers (SeaTable's) or text.
fn workspace_of(detail: &Value) -> Option<String> {
    match &detail["workspaceId"] {
        Value::Number(id) => Some(id.to_string()),
        Value::String(id) => Some(id.clone()),
        _ => None,
    }
}

/// Whether `endpoint` gets an event: a test only the endpoint it names, a failing notice
/// every subscriber but the failing endpoint, any other event its subscribers.
fn addressed_to(endpoint: &Webhook, detail_type: &str, detail: &Value) -> bool {
    let named = detail["webhook"]["id"].as_str() == Some(endpoint.id.as_str());
    match EventType::from_detail_type(detail_type) {
        Some(EventType::WebhookTest) => named,
        Some(EventType::WebhookEndpointFailing) => !named && endpoint.subscribes_to(detail_type),
        _ => endpoint.subscribes_to(detail_type),
    }
}

/// Leaves the message for later: after the policy's wait, or at once after the last
/// attempt so that the queue dead-letters it. `false`: not done.
async fn come_back(deliverer: &Deliverer, message: &QueueMessage, attempt: u32) -> bool {
    let wait = deliverer
        .retry
        .delay_after(attempt)
        .unwrap_or(Duration::ZERO);
    if let Some((client, queue_url)) = &deliverer.queue {
        if let Err(err) = client
            .change_message_visibility()
            .queue_url(queue_url)
            .receipt_handle(&message.receipt_handle)
            .visibility_timeout(wait.as_secs().min(12 * 3600) as i32)
            .send()
            .await
        {
            tracing::warn!("the retry's wait not set, the queue's applies: {err}");
        }
    }
    false
}

/// One endpoint, one event: whether the endpoint has it now.
async fn deliver_to(
    state: &AppState,
    deliverer: &Deliverer,
    endpoint: &Webhook,
    event_id: &str,
    event_type: &str,
    attempt: u32,
    body: Bytes,
) -> bool {
    match state.store.delivered(&endpoint.id, event_id).await {
        Ok(true) => return true,
        Ok(false) => {}
        Err(err) => {
            tracing::warn!(webhook_id = %endpoint.id, "delivery marks not read: {err}");
            return false;
        }
    }
    let started = std::time::Instant::now();
    let sent = send(state, deliverer, endpoint, event_id, body).await;
    let latency_ms = started.elapsed().as_millis() as u64;
    let now = state.clock.now_secs();
    let (status, error) = match &sent {
        Ok(status) if (200..300).contains(status) => (Some(*status), None),
        Ok(status) => (
            Some(*status),
            Some(format!("the endpoint answered {status}")),
        ),
        Err(err) => (None, Some(err.to_string())),
    };
    let taken = error.is_none();
    let next_retry_at = (!taken)
        .then(|| deliverer.retry.delay_after(attempt))
        .flatten()
        .map(|wait| rfc3339_from_secs(now + wait.as_secs()));
    let at_ms = state
        .clock
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as u64;
    let record = DeliveryAttempt {
        webhook_id: endpoint.id.clone(),
        event_id: event_id.to_owned(),
        event_type: event_type.to_owned(),
        at: state.clock.now_rfc3339(),
        at_ms,
        attempt,
        status,
        error,
        latency_ms,
        next_retry_at,
        expires_at: now + ATTEMPT_RETENTION_SECS,
    };
    if let Err(err) = state
        .store
        .record_attempt(&record, now + DELIVERED_RETENTION_SECS)
        .await
    {
        // Not marked taken: a retry may send it again, which its stable id lets the
        // receiver drop.
        tracing::warn!(webhook_id = %endpoint.id, "attempt not recorded: {err}");
        return false;
    }
    if taken && endpoint.failing_since.is_some() {
        if let Err(err) = state.store.clear_webhook_failing(endpoint).await {
            tracing::warn!(webhook_id = %endpoint.id, "failing mark not cleared: {err}");
        }
    }
    tracing::info!(webhook_id = %endpoint.id, event_id, attempt, ?status, latency_ms, "webhook delivery");
    taken
}

async fn send(
    state: &AppState,
    deliverer: &Deliverer,
    endpoint: &Webhook,
    event_id: &str,
    body: Bytes,
) -> Result<u16, SendError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(SendError::Http(format!(
            "the event is over {MAX_BODY_BYTES} bytes"
        )));
    }
    // Checked again at every delivery: the policy may be stricter than when it was given.
    let url =
        WebhookUrl::parse(&endpoint.url, deliverer.sender.policy()).map_err(SendError::Refused)?;
    let key = tessera_webhooks::key(state).map_err(|err| SendError::Http(err.to_string()))?;
    let now = state.clock.now_secs();
    let mut secrets = Vec::new();
    for nonce in endpoint.signing_nonces(now) {
        secrets.push(
            key.secret(nonce)
                .await
                .map_err(|err| SendError::Http(format!("not signed: {err}")))?,
        );
    }
    let secret_bytes: Vec<&[u8]> = secrets.iter().map(|s| s.bytes()).collect();
    let headers = [
        ("webhook-id", event_id.to_owned()),
        ("webhook-timestamp", now.to_string()),
        (
            "webhook-signature",
            signature_header(&secret_bytes, event_id, now, &body),
        ),
    ];
    deliverer.sender.post(&url, &headers, body).await
}

/// The endpoint never took the event: marked failing, with the event that says so (once,
/// while it stays failing).
async fn mark_failing(state: &AppState, endpoint: &Webhook, event_id: &str, attempts: u32) {
    if endpoint.failing_since.is_some() {
        return;
    }
    let auditor = Auditor::new(
        "webhook-delivery",
        None,
        None,
        state.clock.clone(),
        state.audit_retention,
    );
    let entry = auditor
        .entry(
            &endpoint.workspace_id,
            "webhook.failing",
            format!("webhook:{}", endpoint.id),
            Some(format!(
                "event {event_id} not taken after {attempts} attempts"
            )),
        )
        .with_event(Event::of_webhook(
            EventType::WebhookEndpointFailing,
            &endpoint.id,
            &endpoint.url,
            Map::from_iter([
                ("failedEventId".to_owned(), json!(event_id)),
                ("attempts".to_owned(), json!(attempts)),
            ]),
        ));
    if let Err(err) = state
        .store
        .mark_webhook_failing(endpoint, &state.clock.now_rfc3339(), &entry)
        .await
    {
        tracing::warn!(webhook_id = %endpoint.id, "not marked failing: {err}");
    }
}

#[cfg(test)]
mod tests;
