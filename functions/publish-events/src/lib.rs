//! The table's stream to the stack's EventBridge bus: every audit entry a committed change
//! wrote with an event (`tessera_common::events`) is published, in the stream's order,
//! with `source` `tessera`. A failure stops the batch there and Lambda retries from that
//! record on: at least once, in order, each event with a stable `eventId`.

use std::sync::OnceLock;

use aws_sdk_eventbridge::{primitives::DateTime, types::PutEventsRequestEntry, Client};
use tessera_common::{
    events::SOURCE,
    lambda::Function,
    store::{keys, records::AuditEntry, Keyed},
    stream::{BatchResponse, StreamEvent, StreamRecord},
};

/// What main.rs runs.
pub const FUNCTION: Function = Function::TableStream(|sdk, event| Box::pin(publish(sdk, event)));

/// EventBridge's limit of entries in one PutEvents call.
const MAX_ENTRIES: usize = 10;

/// An event ready to publish, from one stream record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub detail_type: String,
    pub detail: String,
    /// Unix milliseconds of the change.
    pub at_ms: u64,
}

/// The event a stream record carries: the INSERT of an audit entry written with one.
pub fn event_of(record: &StreamRecord) -> Option<Published> {
    if record.event_name != "INSERT" {
        return None;
    }
    let image = record.dynamodb.new_image.clone()?;
    let is_audit = matches!(
        image.get("pk"),
        Some(serde_dynamo::AttributeValue::S(pk)) if keys::is_audit_pk(pk)
    );
    if !is_audit {
        return None;
    }
    let entry = match serde_dynamo::from_item::<_, Keyed<AuditEntry>>(image) {
        Ok(keyed) => keyed.record,
        Err(err) => {
            // Not an event of ours to publish: a bug to see, not a batch to block.
            tracing::error!(error = %err, "an audit entry of an unexpected shape");
            return None;
        }
    };
    let event = entry.event?;
    Some(Published {
        detail: event.published_detail(&entry.id, &entry.scope, &entry.at),
        detail_type: event.detail_type,
        at_ms: entry.at_ms,
    })
}

fn client(sdk: &aws_config::SdkConfig) -> &'static Client {
    static CLIENT: OnceLock<Client> = OnceLock::new();
    CLIENT.get_or_init(|| Client::new(sdk))
}

/// Publishes the batch's events in order; on the first that is not published, answers
/// that its record (and every later one) be retried.
pub async fn publish(sdk: &aws_config::SdkConfig, event: StreamEvent) -> BatchResponse {
    let Ok(bus) = std::env::var("EVENT_BUS_NAME") else {
        tracing::error!("EVENT_BUS_NAME is not set: nothing is published");
        return event
            .records
            .first()
            .map(|record| BatchResponse::retry_from(&record.dynamodb.sequence_number))
            .unwrap_or_default();
    };
    let events: Vec<(&str, Published)> = event
        .records
        .iter()
        .filter_map(|record| {
            event_of(record).map(|published| (record.dynamodb.sequence_number.as_str(), published))
        })
        .collect();
    for chunk in events.chunks(MAX_ENTRIES) {
        let entries = chunk
            .iter()
            .map(|(_, published)| {
                PutEventsRequestEntry::builder()
                    .source(SOURCE)
                    .detail_type(&published.detail_type)
                    .detail(&published.detail)
                    .event_bus_name(&bus)
                    .time(DateTime::from_millis(published.at_ms as i64))
                    .build()
            })
            .collect::<Vec<_>>();
        let failed = match client(sdk)
            .put_events()
            .set_entries(Some(entries))
            .send()
            .await
        {
            // The first entry EventBridge did not take, if any.
            Ok(out) => out
                .entries()
                .iter()
                .position(|entry| entry.error_code().is_some()),
            Err(err) => {
                tracing::warn!(error = %err, "events not published: retried");
                Some(0)
            }
        };
        if let Some(index) = failed {
            return BatchResponse::retry_from(chunk[index].0);
        }
        tracing::info!(published = chunk.len(), "events published");
    }
    BatchResponse::default()
}

#[cfg(test)]
mod tests;
