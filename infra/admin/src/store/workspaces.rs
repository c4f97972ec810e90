//! Workspaces and their workspace tokens: the operator's side of the store (no function
//! creates workspaces).

use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, ReturnValue, TransactWriteItem, Update,
};

use tessera_common::{
    audit::Auditor,
    events::{Event, Revocation},
    store::{
        key, keys, records,
        records::{AuditEntry, TokenLookup, Workspace, WorkspaceToken},
        unless_condition_failed, Keyed, Store, StoreError,
    },
    token::TokenDigest,
};

fn audit(auditor: &Auditor, token: &WorkspaceToken, action: &str) -> AuditEntry {
    auditor.entry(
        &token.workspace_id,
        action,
        format!("workspace_token:{}", token.id),
        Some(format!("user {}", token.user_id)),
    )
}

/// Workspaces and workspace tokens, for operators.
#[allow(async_fn_in_trait)] // called on `Store` itself, whose futures are Send
pub trait WorkspaceStore {
    /// The store these operations run on: `Store` itself (the trait only adds methods).
    fn store(&self) -> &Store;

    /// The next workspace id: 1, 2, 3, ... from one counter item, incremented atomically
    /// (`ADD`), so ids are unique and never reused, even after a workspace is deleted.
    async fn allocate_workspace_id(&self) -> Result<String, StoreError> {
        let out = self
            .store()
            .client()
            .update_item()
            .table_name(self.store().table_name())
            .set_key(Some(key(
                keys::COUNTER_PK.to_owned(),
                keys::WORKSPACE_ID_COUNTER_SK,
            )))
            .update_expression("ADD next_value :one")
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await?;
        #[derive(serde::Deserialize)]
        struct Counter {
            next_value: u64,
        }
        let counter: Counter = serde_dynamo::from_item(out.attributes.unwrap_or_default())?;
        Ok(counter.next_value.to_string())
    }

    /// Moves the counter to at least `id`, for data loaded with fixed ids (the fixture),
    /// so that no later allocation hands out an id already in use.
    async fn reserve_workspace_ids_through(&self, id: u64) -> Result<(), StoreError> {
        let result = self
            .store()
            .client()
            .update_item()
            .table_name(self.store().table_name())
            .set_key(Some(key(
                keys::COUNTER_PK.to_owned(),
                keys::WORKSPACE_ID_COUNTER_SK,
            )))
            .update_expression("SET next_value = :id")
            .condition_expression("attribute_not_exists(next_value) OR next_value < :id")
            .expression_attribute_values(":id", AttributeValue::N(id.to_string()))
            .send()
            .await;
        unless_condition_failed(result).map(|_| ())
    }

    /// Creates a workspace with its first workspace token; fails with `Conflict` if the
    /// id is taken.
    async fn create_workspace(
        &self,
        workspace: &Workspace,
        token: &WorkspaceToken,
        auditor: &Auditor,
    ) -> Result<(), StoreError> {
        let mut item = Keyed::new(
            keys::workspace_pk(&workspace.id),
            keys::WORKSPACE_SK.to_owned(),
            workspace,
        );
        item.gsi1pk = Some(keys::WORKSPACES_GSI_PK.to_owned());
        item.gsi1sk = Some(format!("{}#{}", workspace.created_at, workspace.id));
        let mut actions = vec![
            self.store().put_new(&item)?,
            self.store().audit_put(&auditor.entry(
                &workspace.id,
                "workspace.create",
                format!("workspace:{}", workspace.id),
                Some(workspace.name.clone()),
            ))?,
        ];
        actions.extend(self.store().workspace_token_puts(
            token,
            auditor,
            "workspace_token.issue",
        )?);
        self.store().transact(actions).await
    }

    /// Adds another token to an existing workspace.
    async fn add_workspace_token(
        &self,
        token: &WorkspaceToken,
        auditor: &Auditor,
    ) -> Result<(), StoreError> {
        let exists = ConditionCheck::builder()
            .table_name(self.store().table_name())
            .set_key(Some(key(
                keys::workspace_pk(&token.workspace_id),
                keys::WORKSPACE_SK,
            )))
            .condition_expression("attribute_exists(pk)")
            .build()?;
        let mut actions = vec![TransactWriteItem::builder().condition_check(exists).build()];
        actions.extend(self.store().workspace_token_puts(
            token,
            auditor,
            "workspace_token.issue",
        )?);
        self.store().transact(actions).await
    }

    fn workspace_token_puts(
        &self,
        token: &WorkspaceToken,
        auditor: &Auditor,
        action: &str,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let record = Keyed::new(
            keys::workspace_pk(&token.workspace_id),
            keys::workspace_token_sk(&token.id),
            token,
        );
        let lookup = Store::lookup_item(
            &token.digest,
            TokenLookup::WorkspaceToken {
                workspace_id: token.workspace_id.clone(),
                token_id: token.id.clone(),
                user_id: token.user_id.clone(),
                role: token.role,
            },
        );
        Ok(vec![
            self.store().put_new(&record)?,
            self.store().put_new(&lookup)?,
            self.store().audit_put(&audit(auditor, token, action))?,
        ])
    }

    /// Replaces a workspace token's secret: the old one stops working in the same
    /// transaction in which the new one starts. `Conflict` if it was rotated meanwhile.
    async fn rotate_workspace_token(
        &self,
        current: &WorkspaceToken,
        new_digest: &TokenDigest,
        auditor: &Auditor,
    ) -> Result<(), StoreError> {
        let update = Update::builder()
            .table_name(self.store().table_name())
            .set_key(Some(key(
                keys::workspace_pk(&current.workspace_id),
                &keys::workspace_token_sk(&current.id),
            )))
            .update_expression("SET digest = :new")
            .condition_expression("digest = :old")
            .expression_attribute_values(":new", AttributeValue::S(new_digest.as_hex().to_owned()))
            .expression_attribute_values(
                ":old",
                AttributeValue::S(current.digest.as_hex().to_owned()),
            )
            .build()?;
        let old_lookup = keys::lookup_pk(&current.digest);
        let new_lookup = Store::lookup_item(
            new_digest,
            TokenLookup::WorkspaceToken {
                workspace_id: current.workspace_id.clone(),
                token_id: current.id.clone(),
                user_id: current.user_id.clone(),
                role: current.role,
            },
        );
        self.store()
            .transact(vec![
                TransactWriteItem::builder().update(update).build(),
                self.store().delete(old_lookup, keys::LOOKUP_SK)?,
                self.store().put_new(&new_lookup)?,
                self.store().audit_put(
                    &audit(auditor, current, "workspace_token.rotate")
                        .with_event(Event::of_workspace_token(current, Revocation::Rotated)),
                )?,
            ])
            .await
    }

    /// Revokes a workspace token (see `delete_workspace_token`).
    async fn revoke_workspace_token(
        &self,
        token: &WorkspaceToken,
        auditor: &Auditor,
    ) -> Result<(), StoreError> {
        let detail = format!("user {}", token.user_id);
        self.store()
            .delete_workspace_token(token, auditor, detail)
            .await
    }

    async fn workspace(&self, workspace_id: &str) -> Result<Option<Workspace>, StoreError> {
        self.store()
            .get(keys::workspace_pk(workspace_id), keys::WORKSPACE_SK)
            .await
    }

    /// Every workspace, oldest first (a Query on the workspaces index, not a Scan).
    async fn workspaces(&self) -> Result<Vec<Workspace>, StoreError> {
        let query = self
            .store()
            .client()
            .query()
            .table_name(self.store().table_name())
            .index_name(keys::WORKSPACES_GSI)
            .key_condition_expression("gsi1pk = :pk")
            .expression_attribute_values(
                ":pk",
                AttributeValue::S(keys::WORKSPACES_GSI_PK.to_owned()),
            );
        records(self.store().query_all(query).await?)
    }

    async fn workspace_tokens(
        &self,
        workspace_id: &str,
    ) -> Result<Vec<WorkspaceToken>, StoreError> {
        let query = self.store().query_prefix(
            keys::workspace_pk(workspace_id),
            keys::workspace_tokens_prefix(),
        );
        records(self.store().query_all(query).await?)
    }
}

impl WorkspaceStore for Store {
    fn store(&self) -> &Store {
        self
    }
}
