//! The table's stream as Lambda hands it to a function (a DynamoDB Streams event source),
//! and the answer that makes Lambda retry from a record on (`ReportBatchItemFailures`).

use serde::{Deserialize, Serialize};

/// A batch of the table's changes, oldest first.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct StreamEvent {
    #[serde(rename = "Records", default)]
    pub records: Vec<StreamRecord>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct StreamRecord {
    /// `INSERT`, `MODIFY` or `REMOVE`.
    #[serde(rename = "eventName")]
    pub event_name: String,
    pub dynamodb: StreamChange,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct StreamChange {
    /// The item as written (`NEW_AND_OLD_IMAGES`); none for a REMOVE.
    #[serde(rename = "NewImage", default, skip_serializing_if = "Option::is_none")]
    pub new_image: Option<serde_dynamo::Item>,
    #[serde(rename = "SequenceNumber")]
    pub sequence_number: String,
}

/// The records to retry: Lambda starts again from the first one named (and so redelivers
/// every later record of the batch).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct BatchResponse {
    #[serde(rename = "batchItemFailures")]
    pub batch_item_failures: Vec<BatchItemFailure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct BatchItemFailure {
    #[serde(rename = "itemIdentifier")]
    pub item_identifier: String,
}

impl BatchResponse {
    /// Retry from `sequence_number` on.
    pub fn retry_from(sequence_number: &str) -> Self {
        BatchResponse {
            batch_item_failures: vec![BatchItemFailure {
                item_identifier: sequence_number.to_owned(),
            }],
        }
    }
}
