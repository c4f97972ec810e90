//! Users of the SeaTable-style API, their auth tokens and their membership in workspaces.

use aws_sdk_dynamodb::types::AttributeValue;

use super::{
    keys,
    records::{User, UsernameClaim},
    Store, StoreError,
};

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

/// `AttributeValue::S` shorthand for expression values.
pub fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}
