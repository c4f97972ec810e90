//! An SQS queue as Lambda hands it to a function (an SQS event source with
//! `ReportBatchItemFailures`): the messages of a batch, and the answer that leaves the
//! failed ones on the queue (each is received again when its visibility timeout ends).

use serde::{Deserialize, Serialize};

pub use crate::stream::{BatchItemFailure, BatchResponse};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct QueueEvent {
    #[serde(rename = "Records", default)]
    pub records: Vec<QueueMessage>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueMessage {
    pub message_id: String,
    pub receipt_handle: String,
    pub body: String,
    #[serde(default)]
    pub attributes: MessageAttributes,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct MessageAttributes {
    /// How many times the message has been received, this time included (SQS sends a
    /// string).
    #[serde(rename = "ApproximateReceiveCount", default)]
    pub approximate_receive_count: Option<String>,
}

impl QueueMessage {
    /// The 1-based attempt this receipt is.
    pub fn receive_count(&self) -> u32 {
        self.attributes
            .approximate_receive_count
            .as_deref()
            .and_then(|n| n.parse().ok())
            .unwrap_or(1)
    }
}

impl BatchResponse {
    /// Leave these messages on the queue.
    pub fn failed(message_ids: impl IntoIterator<Item = String>) -> Self {
        BatchResponse {
            batch_item_failures: message_ids
                .into_iter()
                .map(|item_identifier| BatchItemFailure { item_identifier })
                .collect(),
        }
    }
}
