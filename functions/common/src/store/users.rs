//! Users of the SeaTable-style API and their membership in workspaces.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use super::{
    key, keys,
    records::{Member, TokenLookup, User},
    Keyed, Store, StoreError,
};

impl Store {
    /// Stores a user and the lookup of their auth token together.
    pub async fn create_user(&self, user: &User) -> Result<(), StoreError> {
        let record = Keyed::new(keys::user_pk(&user.id), keys::USER_SK.to_owned(), user);
        let lookup = Self::lookup_item(
            &user.digest,
            TokenLookup::UserAuthToken {
                user_id: user.id.clone(),
                username: user.name.clone(),
            },
        );
        self.transact(vec![self.put_new(&record)?, self.put_new(&lookup)?])
            .await
    }

    pub async fn user(&self, user_id: &str) -> Result<Option<User>, StoreError> {
        self.get(keys::user_pk(user_id), keys::USER_SK).await
    }

    /// A user's membership of a workspace, if any.
    pub async fn member(
        &self,
        workspace_id: &str,
        user_id: &str,
    ) -> Result<Option<Member>, StoreError> {
        self.get(keys::workspace_pk(workspace_id), &keys::member_sk(user_id))
            .await
    }

    /// Grants (or changes) a user's permission in a workspace.
    pub async fn put_member(&self, member: &Member) -> Result<(), StoreError> {
        let item = Keyed::new(
            keys::workspace_pk(&member.workspace_id),
            keys::member_sk(&member.user_id),
            member,
        );
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(serde_dynamo::to_item(&item)?))
            .send()
            .await?;
        Ok(())
    }

    /// Revokes a membership; `false` if there was none.
    pub async fn delete_member(
        &self,
        workspace_id: &str,
        user_id: &str,
    ) -> Result<bool, StoreError> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::workspace_pk(workspace_id),
                &keys::member_sk(user_id),
            )))
            .return_values(ReturnValue::AllOld)
            .send()
            .await?;
        Ok(out.attributes.is_some_and(|old| old.contains_key("pk")))
    }
}

/// `AttributeValue::S` shorthand for expression values.
pub(super) fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}
