//! Users, their membership of workspaces and bases: the operator's side of the SeaTable
//! store (no function creates users or bases).

use aws_sdk_dynamodb::types::{builders::UpdateBuilder, AttributeValue, TransactWriteItem, Update};
use tessera_common::{
    audit::Auditor,
    events::{Event, Revocation},
    store::{
        key, keys,
        records::{AuditEntry, Base, Member, TokenLookup, User, UsernameClaim},
        s, Keyed, Store, StoreError,
    },
    token::TokenDigest,
};

fn user_lookup(user: &User, digest: &TokenDigest) -> Keyed<TokenLookup> {
    Store::lookup_item(
        digest,
        TokenLookup::UserAuthToken {
            user_id: user.id.clone(),
            username: user.name.clone(),
        },
    )
}

/// An entry of the user's own log (`user:<id>`): a user is in no one workspace.
fn audit(auditor: &Auditor, user: &User, action: &str) -> AuditEntry {
    auditor.entry(
        &format!("user:{}", user.id),
        action,
        format!("user:{}", user.id),
        Some(user.name.clone()),
    )
}

/// Users, members and bases, for operators.
#[allow(async_fn_in_trait)] // called on `Store` itself, whose futures are Send
pub trait SeaTableStore {
    /// The store these operations run on: `Store` itself (the trait only adds methods).
    fn store(&self) -> &Store;

    /// An update of a user's record, conditional on the auth token it holds now.
    fn user_update(&self, user: &User, expression: &str) -> UpdateBuilder {
        Update::builder()
            .table_name(self.store().table_name())
            .set_key(Some(key(keys::user_pk(&user.id), keys::USER_SK)))
            .update_expression(expression)
            .condition_expression("digest = :old")
            .expression_attribute_values(":old", s(user.digest.as_hex()))
    }

    /// Stores a user, the lookup of their auth token and the claim on their username
    /// together; `Conflict` if the username is taken (whatever its case).
    async fn create_user(&self, user: &User, auditor: &Auditor) -> Result<(), StoreError> {
        let record = Keyed::new(keys::user_pk(&user.id), keys::USER_SK.to_owned(), user);
        let claim = Keyed::new(
            keys::username_pk(&user.name),
            keys::USERNAME_SK.to_owned(),
            UsernameClaim {
                user_id: user.id.clone(),
            },
        );
        self.store()
            .transact(vec![
                self.store().put_new(&record)?,
                self.store().put_new(&user_lookup(user, &user.digest))?,
                self.store().put_new(&claim)?,
                self.store()
                    .audit_put(&audit(auditor, user, "user.create"))?,
            ])
            .await
    }

    /// Replaces a user's auth token: the old one stops working in the transaction in
    /// which the new one starts. `Conflict` if it changed meanwhile or the user is disabled.
    async fn rotate_user_token(
        &self,
        user: &User,
        new: &TokenDigest,
        auditor: &Auditor,
    ) -> Result<(), StoreError> {
        let update = self
            .store()
            .user_update(user, "SET digest = :new")
            .condition_expression(
                "digest = :old AND (attribute_not_exists(disabled) OR disabled = :no)",
            )
            .expression_attribute_values(":new", s(new.as_hex()))
            .expression_attribute_values(":no", AttributeValue::Bool(false))
            .build()?;
        self.store()
            .transact(vec![
                TransactWriteItem::builder().update(update).build(),
                self.store()
                    .delete(keys::lookup_pk(&user.digest), keys::LOOKUP_SK)?,
                self.store().put_new(&user_lookup(user, new))?,
                self.store().audit_put(
                    &audit(auditor, user, "user.token_rotate")
                        .with_event(Event::of_user_token(&user.id, Revocation::Rotated)),
                )?,
            ])
            .await
    }

    /// Disables a user: their auth token's lookup goes in the same transaction, so it
    /// stops working at once. `Conflict` if the token changed meanwhile.
    async fn disable_user(&self, user: &User, auditor: &Auditor) -> Result<(), StoreError> {
        let update = self
            .store()
            .user_update(user, "SET disabled = :yes, revoked_before = :now")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(
                ":now",
                AttributeValue::N(auditor.clock().now_secs().to_string()),
            )
            .build()?;
        self.store()
            .transact(vec![
                TransactWriteItem::builder().update(update).build(),
                self.store()
                    .delete(keys::lookup_pk(&user.digest), keys::LOOKUP_SK)?,
                self.store().audit_put(
                    &audit(auditor, user, "user.disable")
                        .with_event(Event::of_user_token(&user.id, Revocation::Revoked)),
                )?,
            ])
            .await
    }

    /// Enables a disabled user with a new auth token. `Conflict` unless the user is
    /// disabled and unchanged since read.
    async fn enable_user(
        &self,
        user: &User,
        new: &TokenDigest,
        auditor: &Auditor,
    ) -> Result<(), StoreError> {
        let update = self
            .store()
            .user_update(user, "SET disabled = :no, digest = :new")
            .condition_expression("digest = :old AND disabled = :yes")
            .expression_attribute_values(":no", AttributeValue::Bool(false))
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(":new", s(new.as_hex()))
            .build()?;
        self.store()
            .transact(vec![
                TransactWriteItem::builder().update(update).build(),
                self.store().put_new(&user_lookup(user, new))?,
                self.store()
                    .audit_put(&audit(auditor, user, "user.enable"))?,
            ])
            .await
    }

    /// Grants (or changes) a user's permission in a workspace.
    async fn put_member(&self, member: &Member, auditor: &Auditor) -> Result<(), StoreError> {
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
        self.store()
            .transact(vec![
                self.store().put(&item)?,
                self.store().audit_put(&entry)?,
            ])
            .await
    }

    /// Revokes a membership; `false` if there was none.
    async fn delete_member(
        &self,
        workspace_id: &str,
        user_id: &str,
        auditor: &Auditor,
    ) -> Result<bool, StoreError> {
        let delete = aws_sdk_dynamodb::types::Delete::builder()
            .table_name(self.store().table_name())
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
            .store()
            .transact(vec![
                TransactWriteItem::builder().delete(delete).build(),
                self.store().audit_put(&entry)?,
            ])
            .await
        {
            Ok(()) => Ok(true),
            Err(StoreError::Conflict) => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// Creates a base; `Conflict` if the workspace already has a base with that name.
    async fn create_base(&self, base: &Base, auditor: &Auditor) -> Result<(), StoreError> {
        let item = Keyed::new(
            keys::workspace_pk(&base.workspace_id),
            keys::base_sk(&base.name),
            base,
        );
        let entry = auditor.entry(
            &base.workspace_id,
            "base.create",
            format!("base:{}", base.dtable_uuid),
            Some(base.name.clone()),
        );
        self.store()
            .transact(vec![
                self.store().put_new(&item)?,
                self.store().audit_put(&entry)?,
            ])
            .await
    }
}

impl SeaTableStore for Store {
    fn store(&self) -> &Store {
        self
    }
}
