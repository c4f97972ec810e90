//! A base's API tokens: unique by app name within the base, counted on the base's item
//! against its quota.

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};

use crate::{
    audit::Auditor,
    events::{Event, EventType},
};

use super::{
    key, keys, records,
    records::{ApiToken, AuditEntry, TokenLookup, TokenPermission},
    unless_condition_failed,
    users::s,
    Keyed, Store, StoreError,
};

/// The base item's count of its API tokens.
const COUNTER: &str = "api_token_count";

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

    fn base_item(token: &ApiToken) -> (String, String) {
        (
            keys::workspace_pk(&token.workspace_id),
            keys::base_sk(&token.dtable_name),
        )
    }

    /// Stores a new API token; `Conflict` if the base has one with that app name,
    /// `QuotaReached` if it has `max` tokens already.
    pub async fn create_api_token(
        &self,
        token: &ApiToken,
        max: u32,
        auditor: &Auditor,
    ) -> Result<(), StoreError> {
        let actions = vec![
            self.count(Self::base_item(token), COUNTER, 1, Some(max))?,
            self.put_new(&Self::api_token_item(token))?,
            self.put_new(&Self::api_token_lookup(token))?,
            self.audit_put(&audit(auditor, token, "api_token.create").with_event(
                Event::of_api_token(EventType::ApiTokenCreated, token, false),
            ))?,
        ];
        self.transact_counted(actions, Some((0, max))).await
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
    /// if it was deleted (or deleted and re-created) meanwhile.
    pub async fn set_api_token_permission(
        &self,
        token: &ApiToken,
        permission: TokenPermission,
        auditor: &Auditor,
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
            self.audit_put(&audit(auditor, &updated, "api_token.update"))?,
        ])
        .await
    }

    /// Deletes the token that was read, with its lookup: it stops working at once.
    /// `Conflict` if that token is gone, even if another now has its app name.
    pub async fn delete_api_token(
        &self,
        token: &ApiToken,
        auditor: &Auditor,
    ) -> Result<(), StoreError> {
        let mut actions = self
            .delete_token(
                keys::base_pk(&token.dtable_uuid),
                &keys::api_token_sk(&token.app_name),
                &token.digest,
            )?
            .to_vec();
        actions.push(self.count(Self::base_item(token), COUNTER, -1, None)?);
        actions.push(
            self.audit_put(&audit(auditor, token, "api_token.delete").with_event(
                Event::of_api_token(
                    EventType::ApiTokenDeleted,
                    token,
                    auditor.is_leak_response(),
                ),
            ))?,
        );
        self.transact(actions).await
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
        unless_condition_failed(result).map(|_| ())
    }
}

/// An entry of the base's workspace's log; the API token is named by base and app name.
fn audit(auditor: &Auditor, token: &ApiToken, action: &str) -> AuditEntry {
    auditor.entry(
        &token.workspace_id,
        action,
        format!("api_token:{}/{}", token.dtable_uuid, token.app_name),
        Some(format!("permission {}", permission_text(token.permission))),
    )
}

fn permission_text(permission: TokenPermission) -> &'static str {
    match permission {
        TokenPermission::R => "r",
        TokenPermission::Rw => "rw",
    }
}
