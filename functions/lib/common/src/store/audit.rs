//! The audit log in the table: one partition per workspace, newest entries first.

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};

use super::{keys, records::AuditEntry, Keyed, Store, StoreError};

/// One page of a log, and where the next begins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// The sort key to continue after, if there may be more.
    pub next: Option<String>,
}

impl Store {
    /// The Put of an entry, for the transaction of the change it records.
    pub fn audit_put(&self, entry: &AuditEntry) -> Result<TransactWriteItem, StoreError> {
        self.put_new(&Keyed::new(
            keys::audit_pk(&entry.scope),
            keys::audit_sk(entry.at_ms, &entry.id),
            entry,
        ))
    }

    /// Up to `limit` entries of `scope`'s log, newest first, after the sort key `after`.
    pub async fn audit_log(
        &self,
        scope: &str,
        limit: i32,
        after: Option<&str>,
    ) -> Result<AuditPage, StoreError> {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(keys::audit_pk(scope)))
            .scan_index_forward(false)
            .limit(limit)
            .consistent_read(true);
        if let Some(after) = after {
            query = query
                .exclusive_start_key("pk", AttributeValue::S(keys::audit_pk(scope)))
                .exclusive_start_key("sk", AttributeValue::S(after.to_owned()));
        }
        let page = query.send().await?;
        let next = page
            .last_evaluated_key
            .and_then(|key| key.get("sk").and_then(|sk| sk.as_s().ok()).cloned());
        Ok(AuditPage {
            entries: super::records(page.items.unwrap_or_default())?,
            next,
        })
    }
}
