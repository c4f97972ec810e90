//! A base's links, one record whether the seed's share-link route or SeaTable 4's
//! external-link route made it: kept under the user who created it (the seed's listing),
//! indexed by base on `gsi1` (the external-link listing), counted on the base's item
//! against its quota.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::{
    audit::Auditor,
    events::{Event, LinkRoute},
};

use super::{
    keys, records,
    records::{AuditEntry, ShareLink, TokenLookup},
    Keyed, Store, StoreError,
};

/// The base item's count of its links.
const COUNTER: &str = "share_link_count";

/// How long a revoked link's lookup is kept, so that it answers "revoked" (403).
const REVOKED_TOMBSTONE_SECS: u64 = 30 * 24 * 3600;

/// An entry of the base's workspace's log.
fn audit(auditor: &Auditor, link: &ShareLink, action: &str) -> AuditEntry {
    auditor.entry(
        &link.workspace_id,
        action,
        format!("share_link:{}", link.id),
        Some(format!("base {}", link.dtable_uuid)),
    )
}

fn base_item(link: &ShareLink) -> (String, String) {
    (
        keys::workspace_pk(&link.workspace_id),
        keys::base_sk(&link.dtable_name),
    )
}

/// A link's lookup item; a revoked one is a tombstone that TTL removes at `tombstone_until`.
fn lookup(link: &ShareLink, tombstone_until: Option<u64>) -> Keyed<TokenLookup> {
    Store::lookup_item(
        &link.digest,
        TokenLookup::ShareLink {
            link_id: link.id.clone(),
            created_by: link.created_by.clone(),
            dtable_uuid: link.dtable_uuid.clone(),
            workspace_id: link.workspace_id.clone(),
            expires_at: link.expires_at,
            revoked: tombstone_until.is_some(),
            tombstone_until,
            permission: link.permission,
        },
    )
}

impl Store {
    /// Stores a new link; `QuotaReached` when its base holds `max` links, `Conflict` when
    /// its token is taken (a custom name another link has, or had until revoked).
    pub async fn create_share_link(
        &self,
        link: &ShareLink,
        max: u32,
        auditor: &Auditor,
        route: LinkRoute,
    ) -> Result<(), StoreError> {
        let mut record = Keyed::new(
            keys::user_pk(&link.created_by),
            keys::share_link_sk(&link.id),
            link,
        );
        record.gsi1pk = Some(keys::base_links_gsi_pk(&link.dtable_uuid));
        record.gsi1sk = Some(format!("{}#{}", link.created_at, link.id));
        let actions = vec![
            self.count(base_item(link), COUNTER, 1, Some(max))?,
            self.put_new(&record)?,
            self.put_new(&lookup(link, None))?,
            self.audit_put(
                &audit(auditor, link, "share_link.create").with_event(Event::of_link(
                    route.created(),
                    link,
                    false,
                )),
            )?,
        ];
        self.transact_counted(actions, Some((0, max))).await
    }

    /// Every link a user created.
    pub async fn share_links_of(&self, user_id: &str) -> Result<Vec<ShareLink>, StoreError> {
        let query = self.query_prefix(keys::user_pk(user_id), keys::share_links_prefix());
        records(self.query_all(query).await?)
    }

    /// Every link of a base, oldest first (a Query on `gsi1`, eventually consistent as
    /// every index is: a link made a moment ago may be missing for a moment).
    pub async fn share_links_of_base(
        &self,
        dtable_uuid: &str,
    ) -> Result<Vec<ShareLink>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(keys::WORKSPACES_GSI)
            .key_condition_expression("gsi1pk = :pk")
            .expression_attribute_values(
                ":pk",
                AttributeValue::S(keys::base_links_gsi_pk(dtable_uuid)),
            );
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

    /// Deletes a link's record and leaves a revoked tombstone as its lookup (kept a while,
    /// so that it answers "revoked" and a custom name is not taken again at once).
    /// `Conflict` if the link was revoked meanwhile.
    pub async fn revoke_share_link(
        &self,
        link: &ShareLink,
        now: u64,
        auditor: &Auditor,
        route: LinkRoute,
    ) -> Result<(), StoreError> {
        let tombstone = lookup(link, Some(now + REVOKED_TOMBSTONE_SECS));
        self.transact(vec![
            self.delete_record_of(
                keys::user_pk(&link.created_by),
                &keys::share_link_sk(&link.id),
                &link.digest,
            )?,
            // The record's condition (its digest) makes this the link's own lookup.
            self.put(&tombstone)?,
            self.count(base_item(link), COUNTER, -1, None)?,
            self.audit_put(
                &audit(auditor, link, "share_link.revoke").with_event(Event::of_link(
                    route.deleted(),
                    link,
                    auditor.is_leak_response(),
                )),
            )?,
        ])
        .await
    }
}
