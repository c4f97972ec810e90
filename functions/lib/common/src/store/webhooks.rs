//! A workspace's webhook endpoints (issue 29) and what their deliveries did.
//!
//! An endpoint stores no secret: its signing secrets are derived from a key held in
//! Secrets Manager and the endpoint's `secret_nonce` (tessera-webhooks), so the table
//! never holds one, and a rotation is a new nonce.

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use serde::{Deserialize, Serialize};

use super::{keys, unless_condition_failed, Keyed, Store, StoreError};
use crate::{audit::Auditor, store::records::AuditEntry};

/// The workspace item's count of its endpoints, against the quota.
const COUNTER: &str = "webhook_count";

/// How long an attempt is listed by `GET /webhooks/{id}/deliveries`.
pub const ATTEMPT_RETENTION_SECS: u64 = 7 * 24 * 3600;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: String,
    pub workspace_id: String,
    pub url: String,
    /// The `detail-type`s it receives; empty: every type.
    pub event_types: Vec<String>,
    pub description: String,
    pub created_at: String,
    /// What the current signing secret is derived from (not a secret itself).
    pub secret_nonce: String,
    /// After a rotation, the previous secret also signs until `previous_secret_until`
    /// (Unix seconds), so receivers can move over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_secret_nonce: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_secret_until: Option<u64>,
    /// Set when an event's retries ran out (RFC 3339); cleared by a delivery that succeeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_since: Option<String>,
}

impl Webhook {
    /// Whether it takes events of `detail_type`.
    pub fn subscribes_to(&self, detail_type: &str) -> bool {
        self.event_types.is_empty() || self.event_types.iter().any(|t| t == detail_type)
    }

    /// The nonces whose secrets sign a delivery at `now`: the current one, and the
    /// previous one while its overlap lasts.
    pub fn signing_nonces(&self, now: u64) -> Vec<&str> {
        let mut nonces = vec![self.secret_nonce.as_str()];
        if let (Some(previous), Some(until)) =
            (&self.previous_secret_nonce, self.previous_secret_until)
        {
            if now < until {
                nonces.push(previous);
            }
        }
        nonces
    }
}

/// One attempt to deliver an event to an endpoint, as the deliveries listing shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryAttempt {
    pub webhook_id: String,
    pub event_id: String,
    pub event_type: String,
    /// RFC 3339.
    pub at: String,
    pub at_ms: u64,
    /// The 1-based attempt of this event.
    pub attempt: u32,
    /// The endpoint's HTTP status, if it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Why it failed, when it did (never the endpoint's body).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub latency_ms: u64,
    /// When the event is tried again (RFC 3339), if it will be.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_retry_at: Option<String>,
    /// The table's TTL attribute.
    pub expires_at: u64,
}

impl DeliveryAttempt {
    pub fn succeeded(&self) -> bool {
        self.status
            .is_some_and(|status| (200..300).contains(&status))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Delivered {
    event_id: String,
    expires_at: u64,
}

fn item(webhook: &Webhook) -> Keyed<&Webhook> {
    Keyed::new(
        keys::workspace_pk(&webhook.workspace_id),
        keys::webhook_sk(&webhook.id),
        webhook,
    )
}

fn workspace_item(workspace_id: &str) -> (String, String) {
    (
        keys::workspace_pk(workspace_id),
        keys::WORKSPACE_SK.to_owned(),
    )
}

fn audit(auditor: &Auditor, webhook: &Webhook, action: &str) -> AuditEntry {
    auditor.entry(
        &webhook.workspace_id,
        action,
        format!("webhook:{}", webhook.id),
        Some(webhook.url.clone()),
    )
}

impl Store {
    /// Stores a new endpoint; `QuotaReached` when the workspace has `max`.
    pub async fn create_webhook(
        &self,
        webhook: &Webhook,
        max: u32,
        auditor: &Auditor,
    ) -> Result<(), StoreError> {
        self.transact_counted(
            vec![
                self.count(workspace_item(&webhook.workspace_id), COUNTER, 1, Some(max))?,
                self.put_new(&item(webhook))?,
                self.audit_put(&audit(auditor, webhook, "webhook.create"))?,
            ],
            Some((0, max)),
        )
        .await
    }

    /// A workspace's endpoints.
    pub async fn webhooks(&self, workspace_id: &str) -> Result<Vec<Webhook>, StoreError> {
        let items = self
            .query_all(self.query_prefix(keys::workspace_pk(workspace_id), keys::webhooks_prefix()))
            .await?;
        super::records(items)
    }

    pub async fn webhook(
        &self,
        workspace_id: &str,
        id: &str,
    ) -> Result<Option<Webhook>, StoreError> {
        self.get(keys::workspace_pk(workspace_id), &keys::webhook_sk(id))
            .await
    }

    /// Replaces `old` with `new` (same id), unless anything of it changed since it was
    /// read (by another edit, a rotation or a delivery's failing mark): `Conflict` then, or
    /// when it was deleted. A whole-item write conditional on less would undo the other
    /// writer's change.
    pub async fn update_webhook(
        &self,
        old: &Webhook,
        new: &Webhook,
        auditor: &Auditor,
        action: &str,
    ) -> Result<(), StoreError> {
        self.transact(vec![
            self.put_if_unchanged(old, new)?,
            self.audit_put(&audit(auditor, new, action))?,
        ])
        .await
    }

    fn put_if_unchanged(
        &self,
        old: &Webhook,
        new: &Webhook,
    ) -> Result<TransactWriteItem, StoreError> {
        let failing = match &old.failing_since {
            Some(_) => "failing_since = :failing",
            None => "attribute_not_exists(failing_since)",
        };
        let types = old
            .event_types
            .iter()
            .map(|t| AttributeValue::S(t.clone()))
            .collect();
        let mut put = Put::builder()
            .table_name(self.table_name())
            .set_item(Some(serde_dynamo::to_item(item(new))?))
            .condition_expression(format!(
                "secret_nonce = :nonce AND #url = :url AND event_types = :types \
                 AND description = :description AND {failing}"
            ))
            .expression_attribute_names("#url", "url")
            .expression_attribute_values(":nonce", AttributeValue::S(old.secret_nonce.clone()))
            .expression_attribute_values(":url", AttributeValue::S(old.url.clone()))
            .expression_attribute_values(":types", AttributeValue::L(types))
            .expression_attribute_values(
                ":description",
                AttributeValue::S(old.description.clone()),
            );
        if let Some(since) = &old.failing_since {
            put = put.expression_attribute_values(":failing", AttributeValue::S(since.clone()));
        }
        let put = put.build()?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Deletes an endpoint; `Conflict` if it is already gone. Its attempts expire.
    pub async fn delete_webhook(
        &self,
        webhook: &Webhook,
        auditor: &Auditor,
    ) -> Result<(), StoreError> {
        let delete = aws_sdk_dynamodb::types::Delete::builder()
            .table_name(self.table_name())
            .set_key(Some(super::key(
                keys::workspace_pk(&webhook.workspace_id),
                &keys::webhook_sk(&webhook.id),
            )))
            .condition_expression("attribute_exists(pk)")
            .build()?;
        self.transact(vec![
            TransactWriteItem::builder().delete(delete).build(),
            self.count(workspace_item(&webhook.workspace_id), COUNTER, -1, None)?,
            self.audit_put(&audit(auditor, webhook, "webhook.delete"))?,
        ])
        .await
    }

    /// Marks an endpoint failing (its retries of an event ran out), with the entry that
    /// publishes it; `Conflict` if the endpoint is gone.
    pub async fn mark_webhook_failing(
        &self,
        webhook: &Webhook,
        since: &str,
        entry: &AuditEntry,
    ) -> Result<(), StoreError> {
        let update = aws_sdk_dynamodb::types::Update::builder()
            .table_name(self.table_name())
            .set_key(Some(super::key(
                keys::workspace_pk(&webhook.workspace_id),
                &keys::webhook_sk(&webhook.id),
            )))
            .update_expression("SET failing_since = :since")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":since", AttributeValue::S(since.to_owned()))
            .build()?;
        self.transact(vec![
            TransactWriteItem::builder().update(update).build(),
            self.audit_put(entry)?,
        ])
        .await
    }

    /// Clears an endpoint's failing mark (a delivery succeeded); nothing if it is gone.
    pub async fn clear_webhook_failing(&self, webhook: &Webhook) -> Result<(), StoreError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table_name())
            .set_key(Some(super::key(
                keys::workspace_pk(&webhook.workspace_id),
                &keys::webhook_sk(&webhook.id),
            )))
            .update_expression("REMOVE failing_since")
            .condition_expression("attribute_exists(pk)")
            .send()
            .await;
        unless_condition_failed(result).map(|_| ())
    }

    /// Records an attempt; after a success, also the mark that makes retries skip it.
    pub async fn record_attempt(
        &self,
        attempt: &DeliveryAttempt,
        delivered_until: u64,
    ) -> Result<(), StoreError> {
        let pk = keys::webhook_pk(&attempt.webhook_id);
        let record = Keyed::new(
            pk.clone(),
            keys::attempt_sk(attempt.at_ms, &attempt.event_id),
            attempt,
        );
        let mut actions = vec![self.put(&record)?];
        if attempt.succeeded() {
            actions.push(self.put(&Keyed::new(
                pk,
                keys::delivered_sk(&attempt.event_id),
                Delivered {
                    event_id: attempt.event_id.clone(),
                    expires_at: delivered_until,
                },
            ))?);
        }
        self.transact(actions).await
    }

    /// Whether the endpoint has taken the event already.
    pub async fn delivered(&self, webhook_id: &str, event_id: &str) -> Result<bool, StoreError> {
        Ok(self
            .get::<Delivered>(keys::webhook_pk(webhook_id), &keys::delivered_sk(event_id))
            .await?
            .is_some())
    }

    /// An endpoint's last `limit` attempts, newest first.
    pub async fn delivery_attempts(
        &self,
        webhook_id: &str,
        limit: i32,
    ) -> Result<Vec<DeliveryAttempt>, StoreError> {
        let page = self
            .query_prefix(keys::webhook_pk(webhook_id), keys::attempts_prefix())
            .scan_index_forward(false)
            .limit(limit)
            .send()
            .await?;
        super::records(page.items.unwrap_or_default())
    }
}
