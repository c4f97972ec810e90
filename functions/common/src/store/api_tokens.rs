//! A base's API tokens: unique by app name within the base.

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};

use super::{
    key, keys, records,
    records::{ApiToken, TokenLookup, TokenPermission},
    users::s,
    Keyed, Store, StoreError,
};

impl Store {
    fn api_token_lookup(token: &ApiToken) -> Keyed<TokenLookup> {
        Self::lookup_item(
            &token.digest,
            TokenLookup::ApiToken {
                dtable_uuid: token.dtable_uuid.clone(),
                workspace_id: token.workspace_id.clone(),
                dtable_name: token.dtable_name.clone(),
                app_name: token.app_name.clone(),
                permission: token.permission,
                generated_by: token.generated_by.clone(),
            },
        )
    }

    fn api_token_item(token: &ApiToken) -> Keyed<&ApiToken> {
        Keyed::new(
            keys::base_pk(&token.dtable_uuid),
            keys::api_token_sk(&token.app_name),
            token,
        )
    }

    /// Stores a new API token; `Conflict` if the base has one with that app name.
    pub async fn create_api_token(&self, token: &ApiToken) -> Result<(), StoreError> {
        self.transact(vec![
            self.put_new(&Self::api_token_item(token))?,
            self.put_new(&Self::api_token_lookup(token))?,
        ])
        .await
    }

    pub async fn api_tokens(&self, dtable_uuid: &str) -> Result<Vec<ApiToken>, StoreError> {
        let query = self.query_prefix(keys::base_pk(dtable_uuid), keys::api_tokens_prefix());
        records(self.query_all(query).await?)
    }

    pub async fn api_token(
        &self,
        dtable_uuid: &str,
        app_name: &str,
    ) -> Result<Option<ApiToken>, StoreError> {
        self.get(keys::base_pk(dtable_uuid), &keys::api_token_sk(app_name))
            .await
    }

    /// Changes a token's permission in its record and its lookup together; `Conflict`
    /// if it was deleted meanwhile.
    pub async fn set_api_token_permission(
        &self,
        token: &ApiToken,
        permission: TokenPermission,
    ) -> Result<(), StoreError> {
        let updated = ApiToken {
            permission,
            ..token.clone()
        };
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::base_pk(&token.dtable_uuid),
                &keys::api_token_sk(&token.app_name),
            )))
            .update_expression("SET #permission = :permission")
            .condition_expression("digest = :digest")
            .expression_attribute_names("#permission", "permission")
            .expression_attribute_values(":permission", s(permission_text(permission)))
            .expression_attribute_values(":digest", s(token.digest.as_hex()))
            .build()?;
        self.transact(vec![
            TransactWriteItem::builder().update(update).build(),
            self.put(&Self::api_token_lookup(&updated))?,
        ])
        .await
    }

    /// Deletes a token and its lookup: it stops working at once.
    pub async fn delete_api_token(&self, token: &ApiToken) -> Result<(), StoreError> {
        self.transact(vec![
            self.delete(
                keys::base_pk(&token.dtable_uuid),
                &keys::api_token_sk(&token.app_name),
            )?,
            self.delete(keys::lookup_pk(&token.digest), keys::LOOKUP_SK)?,
        ])
        .await
    }

    /// Records a use of the token; a token deleted meanwhile is not brought back.
    pub async fn touch_api_token(
        &self,
        dtable_uuid: &str,
        app_name: &str,
        at: &str,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::base_pk(dtable_uuid),
                &keys::api_token_sk(app_name),
            )))
            .update_expression("SET last_access = :at")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":at", s(at))
            .send()
            .await;
        match result {
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            other => other.map(|_| ()).map_err(StoreError::from),
        }
    }
}

fn permission_text(permission: TokenPermission) -> &'static str {
    match permission {
        TokenPermission::R => "r",
        TokenPermission::Rw => "rw",
    }
}
