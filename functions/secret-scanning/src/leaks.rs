//! Revoking a token reported as leaked, whatever its kind, from its lookup item: the
//! record and the lookup go together, with an audit entry, as each kind's own delete,
//! revoke or disable does.

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use tessera_common::{
    audit::Auditor,
    events::{Event, LinkRoute, Revocation},
    store::{
        key, keys,
        records::{TokenLookup, User, WorkspaceToken},
        Keyed, Store, StoreError,
    },
    token::TokenDigest,
};

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

/// Reported leaks: marks, and the revocation of any kind of token.
#[allow(async_fn_in_trait)] // called on `Store` itself, whose futures are Send
pub trait LeakStore {
    /// The store these operations run on: `Store` itself (the trait only adds methods).
    fn store(&self) -> &Store;

    /// Marks a digest as a real credential that was reported leaked (before it is
    /// revoked, so that even a revocation that fails midway leaves the answer right).
    async fn mark_leaked(&self, digest: &TokenDigest, now: u64) -> Result<(), StoreError> {
        let mark = LeakedMark {
            reported_at: now,
            expires_at: now + LEAKED_MARK_SECS,
        };
        let item = Keyed::new(keys::leaked_pk(digest), keys::LEAKED_SK.to_owned(), mark);
        self.store()
            .client()
            .put_item()
            .table_name(self.store().table_name())
            .set_item(Some(serde_dynamo::to_item(&item)?))
            .send()
            .await?;
        Ok(())
    }

    /// Whether a digest was reported leaked, and found real, within the mark's lifetime.
    async fn was_leaked(&self, digest: &TokenDigest) -> Result<bool, StoreError> {
        Ok(self
            .store()
            .get::<LeakedMark>(keys::leaked_pk(digest), keys::LEAKED_SK)
            .await?
            .is_some())
    }

    /// Revokes the live token whose lookup says `lookup`. A token changed or revoked
    /// meanwhile (`Conflict`) no longer works either: that is `NotLive`.
    async fn revoke_leaked(
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
            } => match self
                .store()
                .access_token_by_id(&workspace_id, &token_id)
                .await?
            {
                Some(token) if &token.digest == digest => {
                    self.store().delete_access_token(&token, auditor).await
                }
                _ => return Ok(LeakOutcome::NotLive),
            },
            TokenLookup::ApiToken {
                dtable_uuid,
                app_name,
                ..
            } => match self.store().api_token(&dtable_uuid, &app_name).await? {
                Some(token) if &token.digest == digest => {
                    self.store().delete_api_token(&token, auditor).await
                }
                _ => return Ok(LeakOutcome::NotLive),
            },
            TokenLookup::ShareLink {
                link_id,
                created_by,
                revoked: false,
                ..
            } => match self.store().share_link(&created_by, &link_id).await? {
                Some(link) if &link.digest == digest => {
                    // A generated token is a share link's; a custom name an external link's.
                    let route = if link.is_custom {
                        LinkRoute::ExternalLink
                    } else {
                        LinkRoute::ShareLink
                    };
                    self.store()
                        .revoke_share_link(&link, now, auditor, route)
                        .await
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
                    .store()
                    .get(
                        keys::workspace_pk(&workspace_id),
                        &keys::workspace_token_sk(&token_id),
                    )
                    .await?;
                match record {
                    Some(token) if &token.digest == digest => {
                        self.store()
                            .delete_workspace_token(&token, auditor, "reported leaked".into())
                            .await
                    }
                    _ => return Ok(LeakOutcome::NotLive),
                }
            }
            TokenLookup::UserAuthToken { user_id, .. } => {
                match self.store().user(&user_id).await? {
                    Some(user) if &user.digest == digest && !user.disabled => {
                        disable_leaked_user(self.store(), &user, auditor).await
                    }
                    _ => return Ok(LeakOutcome::NotLive),
                }
            }
        };
        match result {
            Ok(()) => Ok(LeakOutcome::Revoked),
            Err(StoreError::Conflict) => Ok(LeakOutcome::NotLive),
            Err(err) => Err(err),
        }
    }
}

impl LeakStore for Store {
    fn store(&self) -> &Store {
        self
    }
}

/// A user whose auth token leaked is disabled (the lookup goes): an operator enables
/// them again with a new token (`tessera-admin user enable`).
async fn disable_leaked_user(
    store: &Store,
    user: &User,
    auditor: &Auditor,
) -> Result<(), StoreError> {
    let disable = Update::builder()
        .table_name(store.table_name())
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
    store
        .transact(vec![
            TransactWriteItem::builder().update(disable).build(),
            store.delete(keys::lookup_pk(&user.digest), keys::LOOKUP_SK)?,
            store.audit_put(
                &auditor
                    .entry(
                        &format!("user:{}", user.id),
                        "user.disable",
                        format!("user:{}", user.id),
                        Some("auth token reported leaked".into()),
                    )
                    .with_event(Event::of_user_token(&user.id, Revocation::Leaked)),
            )?,
        ])
        .await
}
