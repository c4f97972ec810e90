//! Revoking a token reported as leaked, whatever its kind, from its lookup item: the
//! record and the lookup go together, with an audit entry, as each kind's own delete,
//! revoke or disable does.

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};

use super::{
    key, keys,
    records::{TokenLookup, User, WorkspaceToken},
    Store, StoreError,
};
use crate::{audit::Auditor, token::TokenDigest};

/// What revoking a reported token came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeakOutcome {
    /// It was live and no longer works.
    Revoked,
    /// No live token has this digest (made up, revoked already, or gone).
    NotLive,
}

/// How long a leaked token's mark is kept: longer than GitHub's replays.
const LEAKED_MARK_SECS: u64 = 90 * 24 * 3600;

#[derive(serde::Serialize, serde::Deserialize)]
struct LeakedMark {
    reported_at: u64,
    /// The table's TTL attribute.
    expires_at: u64,
}

impl Store {
    /// Marks a digest as a real credential that was reported leaked (before it is
    /// revoked, so that even a revocation that fails midway leaves the answer right).
    pub async fn mark_leaked(&self, digest: &TokenDigest, now: u64) -> Result<(), StoreError> {
        let mark = LeakedMark {
            reported_at: now,
            expires_at: now + LEAKED_MARK_SECS,
        };
        let item = super::Keyed::new(keys::leaked_pk(digest), keys::LEAKED_SK.to_owned(), mark);
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(serde_dynamo::to_item(&item)?))
            .send()
            .await?;
        Ok(())
    }

    /// Whether a digest was reported leaked, and found real, within the mark's lifetime.
    pub async fn was_leaked(&self, digest: &TokenDigest) -> Result<bool, StoreError> {
        Ok(self
            .get::<LeakedMark>(keys::leaked_pk(digest), keys::LEAKED_SK)
            .await?
            .is_some())
    }

    /// Revokes the live token whose lookup says `lookup`. A token changed or revoked
    /// meanwhile (`Conflict`) no longer works either: that is `NotLive`.
    pub async fn revoke_leaked(
        &self,
        digest: &TokenDigest,
        lookup: TokenLookup,
        now: u64,
        auditor: &Auditor,
    ) -> Result<LeakOutcome, StoreError> {
        let result = match lookup {
            TokenLookup::AccessToken {
                workspace_id,
                token_id,
                ..
            } => match self.access_token_by_id(&workspace_id, &token_id).await? {
                Some(token) if &token.digest == digest => {
                    self.delete_access_token(&token, auditor).await
                }
                _ => return Ok(LeakOutcome::NotLive),
            },
            TokenLookup::ApiToken {
                dtable_uuid,
                app_name,
                ..
            } => match self.api_token(&dtable_uuid, &app_name).await? {
                Some(token) if &token.digest == digest => {
                    self.delete_api_token(&token, auditor).await
                }
                _ => return Ok(LeakOutcome::NotLive),
            },
            TokenLookup::ShareLink {
                link_id,
                created_by,
                revoked: false,
                ..
            } => match self.share_link(&created_by, &link_id).await? {
                Some(link) if &link.digest == digest => {
                    self.revoke_share_link(&link, now, auditor).await
                }
                _ => return Ok(LeakOutcome::NotLive),
            },
            TokenLookup::ShareLink { revoked: true, .. } => return Ok(LeakOutcome::NotLive),
            TokenLookup::WorkspaceToken {
                workspace_id,
                token_id,
                ..
            } => {
                let record: Option<WorkspaceToken> = self
                    .get(
                        keys::workspace_pk(&workspace_id),
                        &keys::workspace_token_sk(&token_id),
                    )
                    .await?;
                match record {
                    Some(token) if &token.digest == digest => {
                        self.delete_workspace_token(&token, auditor, "reported leaked".into())
                            .await
                    }
                    _ => return Ok(LeakOutcome::NotLive),
                }
            }
            TokenLookup::UserAuthToken { user_id, .. } => match self.user(&user_id).await? {
                Some(user) if &user.digest == digest && !user.disabled => {
                    self.disable_leaked_user(&user, auditor).await
                }
                _ => return Ok(LeakOutcome::NotLive),
            },
        };
        match result {
            Ok(()) => Ok(LeakOutcome::Revoked),
            Err(StoreError::Conflict) => Ok(LeakOutcome::NotLive),
            Err(err) => Err(err),
        }
    }

    /// Revokes a workspace token: its record and lookup go together, conditional on the
    /// digest that was read. `Conflict` if it was rotated or revoked meanwhile.
    pub(super) async fn delete_workspace_token(
        &self,
        token: &WorkspaceToken,
        auditor: &Auditor,
        detail: String,
    ) -> Result<(), StoreError> {
        let mut actions = self
            .delete_token(
                keys::workspace_pk(&token.workspace_id),
                &keys::workspace_token_sk(&token.id),
                &token.digest,
            )?
            .to_vec();
        actions.push(self.audit_put(&auditor.entry(
            &token.workspace_id,
            "workspace_token.revoke",
            format!("workspace_token:{}", token.id),
            Some(detail),
        ))?);
        self.transact(actions).await
    }

    /// A user whose auth token leaked is disabled (the lookup goes): an operator enables
    /// them again with a new token (`tessera-admin user enable`).
    async fn disable_leaked_user(&self, user: &User, auditor: &Auditor) -> Result<(), StoreError> {
        let disable = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::user_pk(&user.id), keys::USER_SK)))
            .update_expression("SET disabled = :yes, revoked_before = :now")
            .condition_expression("digest = :leaked")
            .expression_attribute_values(":leaked", AttributeValue::S(user.digest.as_hex().into()))
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(
                ":now",
                AttributeValue::N(auditor.clock().now_secs().to_string()),
            )
            .build()?;
        self.transact(vec![
            TransactWriteItem::builder().update(disable).build(),
            self.delete(keys::lookup_pk(&user.digest), keys::LOOKUP_SK)?,
            self.audit_put(&auditor.entry(
                &format!("user:{}", user.id),
                "user.disable",
                format!("user:{}", user.id),
                Some("auth token reported leaked".into()),
            ))?,
        ])
        .await
    }
}
