//! Access tokens: created, listed and deleted by name within one workspace.

use super::{
    keys, records, records::AccessToken, Keyed, Store, StoreError, MAX_TRANSACTION_ACTIONS,
};
use crate::store::records::TokenLookup;

impl Store {
    /// Stores a token's record and its lookup item together, or neither.
    pub async fn create_access_token(&self, token: &AccessToken) -> Result<(), StoreError> {
        let record = Keyed::new(
            keys::workspace_pk(&token.workspace_id),
            keys::access_token_sk(&token.name, &token.id),
            token,
        );
        let lookup = Self::lookup_item(
            &token.digest,
            TokenLookup::AccessToken {
                workspace_id: token.workspace_id.clone(),
                token_id: token.id.clone(),
            },
        );
        self.transact(vec![self.put_new(&record)?, self.put_new(&lookup)?])
            .await
    }

    /// Every access token of a workspace, in name order.
    pub async fn access_tokens(&self, workspace_id: &str) -> Result<Vec<AccessToken>, StoreError> {
        let query = self.query_prefix(
            keys::workspace_pk(workspace_id),
            keys::access_tokens_prefix(),
        );
        records(self.query_all(query).await?)
    }

    /// Deletes every access token of the workspace with this name and returns how many
    /// there were. Each token's lookup item goes with its record, in one transaction.
    pub async fn delete_access_tokens_named(
        &self,
        workspace_id: &str,
        name: &str,
    ) -> Result<usize, StoreError> {
        let pk = keys::workspace_pk(workspace_id);
        let query = self.query_prefix(pk.clone(), &keys::access_token_name_prefix(name));
        let tokens: Vec<AccessToken> = records(self.query_all(query).await?)?;
        for chunk in tokens.chunks(MAX_TRANSACTION_ACTIONS / 2) {
            let mut actions = Vec::with_capacity(chunk.len() * 2);
            for token in chunk {
                actions.push(self.delete(keys::lookup_pk(&token.digest), keys::LOOKUP_SK)?);
                actions
                    .push(self.delete(pk.clone(), &keys::access_token_sk(&token.name, &token.id))?);
            }
            self.transact(actions).await?;
        }
        Ok(tokens.len())
    }
}
