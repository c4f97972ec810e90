//! Access tokens by the UTC day they expire (`gsi2`, which `record_item` keys), and the
//! marks of the expiry notices sent: what notify-expiring reads and writes (issue 29).

use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};

use super::{keys, records::AuditEntry, Keyed, Store, StoreError};

/// An access token as the index of expiries holds it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ExpiringToken {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(rename = "token_expires_at")]
    pub expires: u64,
    #[serde(default)]
    pub disabled: bool,
}

#[derive(Serialize)]
struct NoticeSent {
    /// The table's TTL attribute.
    expires_at: u64,
}

/// How long a notice's mark is kept: past every day a run may look back on.
const NOTICE_MARK_SECS: u64 = 30 * 24 * 3600;

impl Store {
    /// The access tokens that expire on `date` (YYYY-MM-DD, UTC), in the order they do.
    pub async fn tokens_expiring_on(&self, date: &str) -> Result<Vec<ExpiringToken>, StoreError> {
        let query = self
            .client()
            .query()
            .table_name(self.table_name())
            .index_name(keys::EXPIRIES_GSI)
            .key_condition_expression("gsi2pk = :day")
            .expression_attribute_values(":day", AttributeValue::S(keys::expiry_day_pk(date)));
        self.query_all(query)
            .await?
            .into_iter()
            .map(|item| Ok(serde_dynamo::from_item(item)?))
            .collect()
    }

    /// Writes a notice's entry (with its event) and its mark together: `Conflict` when the
    /// notice `kind` of this expiry was sent already.
    pub async fn send_expiry_notice(
        &self,
        token: &ExpiringToken,
        kind: &str,
        entry: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mark = Keyed::new(
            keys::expiry_notice_pk(&token.id),
            format!("{kind}#{}", token.expires),
            NoticeSent {
                expires_at: token.expires + NOTICE_MARK_SECS,
            },
        );
        self.transact(vec![self.put_new(&mark)?, self.audit_put(entry)?])
            .await
    }
}
