//! Users of the SeaTable-style API, their auth tokens and their membership in workspaces.

use aws_sdk_dynamodb::types::AttributeValue;
#[cfg(feature = "admin")]
use aws_sdk_dynamodb::types::{builders::UpdateBuilder, TransactWriteItem, Update};

#[cfg(feature = "admin")]
use super::{
    key,
    records::{Member, TokenLookup},
    Keyed,
};
use super::{
    keys,
    records::{User, UsernameClaim},
    Store, StoreError,
};
#[cfg(feature = "admin")]
use crate::{audit::Auditor, token::TokenDigest};

impl Store {
    /// The user a username names (two GetItems: the name's reservation, then the user).
    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError> {
        let claim: Option<UsernameClaim> = self
            .get(keys::username_pk(username), keys::USERNAME_SK)
            .await?;
        match claim {
            Some(claim) => self.user(&claim.user_id).await,
            None => Ok(None),
        }
    }

    pub async fn user(&self, user_id: &str) -> Result<Option<User>, StoreError> {
        self.get(keys::user_pk(user_id), keys::USER_SK).await
    }

    /// A user's membership of a workspace, if any.
    pub async fn member(
        &self,
        workspace_id: &str,
        user_id: &str,
    ) -> Result<Option<crate::store::records::Member>, StoreError> {
        self.get(keys::workspace_pk(workspace_id), &keys::member_sk(user_id))
            .await
    }
}

#[cfg(feature = "admin")]
impl Store {
    fn user_lookup(user: &User, digest: &TokenDigest) -> Keyed<TokenLookup> {
        Self::lookup_item(
            digest,
            TokenLookup::UserAuthToken {
                user_id: user.id.clone(),
                username: user.name.clone(),
            },
        )
    }

    /// An update of a user's record, conditional on the auth token it holds now.
    fn user_update(&self, user: &User, expression: &str) -> UpdateBuilder {
        Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::user_pk(&user.id), keys::USER_SK)))
            .update_expression(expression)
            .condition_expression("digest = :old")
            .expression_attribute_values(":old", s(user.digest.as_hex()))
    }

    /// Stores a user, the lookup of their auth token and the claim on their username
    /// together; `Conflict` if the username is taken (whatever its case).
    pub async fn create_user(&self, user: &User, auditor: &Auditor) -> Result<(), StoreError> {
        let record = Keyed::new(keys::user_pk(&user.id), keys::USER_SK.to_owned(), user);
        let claim = Keyed::new(
            keys::username_pk(&user.name),
            keys::USERNAME_SK.to_owned(),
            UsernameClaim {
                user_id: user.id.clone(),
            },
        );
        self.transact(vec![
            self.put_new(&record)?,
            self.put_new(&Self::user_lookup(user, &user.digest))?,
            self.put_new(&claim)?,
            self.audit_put(&audit(auditor, user, "user.create"))?,
        ])
        .await
    }

    /// Replaces a user's auth token: the old one stops working in the transaction in
    /// which the new one starts. `Conflict` if it changed meanwhile or the user is disabled.
    pub async fn rotate_user_token(
        &self,
        user: &User,
        new: &TokenDigest,
        auditor: &Auditor,
    ) -> Result<(), StoreError> {
        let update = self
            .user_update(user, "SET digest = :new")
            .condition_expression(
                "digest = :old AND (attribute_not_exists(disabled) OR disabled = :no)",
            )
            .expression_attribute_values(":new", s(new.as_hex()))
            .expression_attribute_values(":no", AttributeValue::Bool(false))
            .build()?;
        self.transact(vec![
            TransactWriteItem::builder().update(update).build(),
            self.delete(keys::lookup_pk(&user.digest), keys::LOOKUP_SK)?,
            self.put_new(&Self::user_lookup(user, new))?,
            self.audit_put(&audit(auditor, user, "user.token_rotate"))?,
        ])
        .await
    }

    /// Disables a user: their auth token's lookup goes in the same transaction, so it
    /// stops working at once. `Conflict` if the token changed meanwhile.
    pub async fn disable_user(&self, user: &User, auditor: &Auditor) -> Result<(), StoreError> {
        let update = self
            .user_update(user, "SET disabled = :yes, revoked_before = :now")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(
                ":now",
                AttributeValue::N(auditor.clock().now_secs().to_string()),
            )
            .build()?;
        self.transact(vec![
            TransactWriteItem::builder().update(update).build(),
            self.delete(keys::lookup_pk(&user.digest), keys::LOOKUP_SK)?,
            self.audit_put(&audit(auditor, user, "user.disable"))?,
        ])
        .await
    }

    /// Enables a disabled user with a new auth token. `Conflict` unless the user is
    /// disabled and unchanged since read.
    pub async fn enable_user(
        &self,
        user: &User,
        new: &TokenDigest,
        auditor: &Auditor,
    ) -> Result<(), StoreError> {
        let update = self
            .user_update(user, "SET disabled = :no, digest = :new")
            .condition_expression("digest = :old AND disabled = :yes")
            .expression_attribute_values(":no", AttributeValue::Bool(false))
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(":new", s(new.as_hex()))
            .build()?;
        self.transact(vec![
            TransactWriteItem::builder().update(update).build(),
            self.put_new(&Self::user_lookup(user, new))?,
            self.audit_put(&audit(auditor, user, "user.enable"))?,
        ])
        .await
    }

    /// Grants (or changes) a user's permission in a workspace.
    pub async fn put_member(&self, member: &Member, auditor: &Auditor) -> Result<(), StoreError> {
        let item = Keyed::new(
            keys::workspace_pk(&member.workspace_id),
            keys::member_sk(&member.user_id),
            member,
        );
        let entry = auditor.entry(
            &member.workspace_id,
            "member.grant",
            format!("user:{}", member.user_id),
            Some(format!("{:?}", member.permission).to_lowercase()),
        );
        self.transact(vec![self.put(&item)?, self.audit_put(&entry)?])
            .await
    }

    /// Revokes a membership; `false` if there was none.
    pub async fn delete_member(
        &self,
        workspace_id: &str,
        user_id: &str,
        auditor: &Auditor,
    ) -> Result<bool, StoreError> {
        let delete = aws_sdk_dynamodb::types::Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::workspace_pk(workspace_id),
                &keys::member_sk(user_id),
            )))
            .condition_expression("attribute_exists(pk)")
            .build()?;
        let entry = auditor.entry(
            workspace_id,
            "member.revoke",
            format!("user:{user_id}"),
            None,
        );
        match self
            .transact(vec![
                TransactWriteItem::builder().delete(delete).build(),
                self.audit_put(&entry)?,
            ])
            .await
        {
            Ok(()) => Ok(true),
            Err(StoreError::Conflict) => Ok(false),
            Err(err) => Err(err),
        }
    }
}

/// An entry of the user's own log (`user:<id>`): a user is in no one workspace.
#[cfg(feature = "admin")]
fn audit(auditor: &Auditor, user: &User, action: &str) -> crate::store::records::AuditEntry {
    auditor.entry(
        &format!("user:{}", user.id),
        action,
        format!("user:{}", user.id),
        Some(user.name.clone()),
    )
}

/// `AttributeValue::S` shorthand for expression values.
pub(super) fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}
