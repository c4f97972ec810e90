//! A base's external share links, kept under the user who created them.

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};

use crate::audit::Auditor;

use super::{
    key, keys, records,
    records::{AuditEntry, ShareLink, TokenLookup},
    Keyed, Store, StoreError,
};

/// An entry of the base's workspace's log.
fn audit(auditor: &Auditor, link: &ShareLink, action: &str) -> AuditEntry {
    auditor.entry(
        &link.workspace_id,
        action,
        format!("share_link:{}", link.id),
        Some(format!("base {}", link.dtable_uuid)),
    )
}

/// How long a revoked link's lookup is kept, so that it answers "revoked" (403).
const REVOKED_TOMBSTONE_SECS: u64 = 30 * 24 * 3600;

impl Store {
    pub async fn create_share_link(
        &self,
        link: &ShareLink,
        auditor: &Auditor,
    ) -> Result<(), StoreError> {
        let record = Keyed::new(
            keys::user_pk(&link.created_by),
            keys::share_link_sk(&link.id),
            link,
        );
        let lookup = Self::lookup_item(
            &link.digest,
            TokenLookup::ShareLink {
                link_id: link.id.clone(),
                created_by: link.created_by.clone(),
                dtable_uuid: link.dtable_uuid.clone(),
                workspace_id: link.workspace_id.clone(),
                expires_at: link.expires_at,
                revoked: false,
            },
        );
        self.transact(vec![
            self.put_new(&record)?,
            self.put_new(&lookup)?,
            self.audit_put(&audit(auditor, link, "share_link.create"))?,
        ])
        .await
    }

    /// Every share link a user created.
    pub async fn share_links_of(&self, user_id: &str) -> Result<Vec<ShareLink>, StoreError> {
        let query = self.query_prefix(keys::user_pk(user_id), keys::share_links_prefix());
        records(self.query_all(query).await?)
    }

    pub async fn share_link(
        &self,
        created_by: &str,
        link_id: &str,
    ) -> Result<Option<ShareLink>, StoreError> {
        self.get(keys::user_pk(created_by), &keys::share_link_sk(link_id))
            .await
    }

    /// Deletes a link's record and marks its lookup revoked (kept a while as a tombstone).
    pub async fn revoke_share_link(
        &self,
        link: &ShareLink,
        now: u64,
        auditor: &Auditor,
    ) -> Result<(), StoreError> {
        let tombstone_until = now + REVOKED_TOMBSTONE_SECS;
        let revoke = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::lookup_pk(&link.digest), keys::LOOKUP_SK)))
            .update_expression("SET revoked = :yes, expires_at = :until")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(":until", AttributeValue::N(tombstone_until.to_string()))
            .build()?;
        self.transact(vec![
            self.delete_record_of(
                keys::user_pk(&link.created_by),
                &keys::share_link_sk(&link.id),
                &link.digest,
            )?,
            TransactWriteItem::builder().update(revoke).build(),
            self.audit_put(&audit(auditor, link, "share_link.revoke"))?,
        ])
        .await
    }
}
