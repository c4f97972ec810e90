//! Access tokens: created, listed and deleted by name within one workspace, counted on
//! the workspace's item against its quota.

use super::{
    keys, records, records::AccessToken, Keyed, Store, StoreError, MAX_TRANSACTION_ACTIONS,
};
use crate::store::records::TokenLookup;

/// The workspace item's count of its access tokens.
const COUNTER: &str = "access_token_count";

/// Tokens per transaction: two actions each (record, lookup) and one for the counter.
const CHUNK: usize = (MAX_TRANSACTION_ACTIONS - 1) / 2;

/// What a delete by name did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deleted {
    pub deleted: usize,
    /// Tokens with the name that were still there when a fault stopped the deletion.
    pub remaining: usize,
}

impl Store {
    fn workspace_item(workspace_id: &str) -> (String, String) {
        (
            keys::workspace_pk(workspace_id),
            keys::WORKSPACE_SK.to_owned(),
        )
    }

    /// Stores a token's record and its lookup item together, or neither; `QuotaReached`
    /// when the workspace already has `max` access tokens.
    pub async fn create_access_token(
        &self,
        token: &AccessToken,
        max: u32,
    ) -> Result<(), StoreError> {
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
        let actions = vec![
            self.count(
                Self::workspace_item(&token.workspace_id),
                COUNTER,
                1,
                Some(max),
            )?,
            self.put_new(&record)?,
            self.put_new(&lookup)?,
        ];
        self.transact_counted(actions, Some((0, max))).await
    }

    /// Every access token of a workspace, ordered by the base64url of their names (the sort
    /// key's order, which is not the names' alphabetical order) and then by id.
    pub async fn access_tokens(&self, workspace_id: &str) -> Result<Vec<AccessToken>, StoreError> {
        let query = self.query_prefix(
            keys::workspace_pk(workspace_id),
            keys::access_tokens_prefix(),
        );
        records(self.query_all(query).await?)
    }

    /// Deletes every access token of the workspace with this name. Each token's record
    /// goes with its lookup in one transaction, conditional on the digest that was read; a
    /// chunk that loses a race with another delete is read again and retried. When a fault
    /// stops it midway, the error says how many were deleted and how many remain.
    pub async fn delete_access_tokens_named(
        &self,
        workspace_id: &str,
        name: &str,
    ) -> Result<Deleted, (StoreError, Deleted)> {
        let pk = keys::workspace_pk(workspace_id);
        let mut deleted = 0;
        let mut conflicts = 0;
        loop {
            let query = self.query_prefix(pk.clone(), &keys::access_token_name_prefix(name));
            let tokens: Vec<AccessToken> = match self.query_all(query).await.and_then(records) {
                Ok(tokens) => tokens,
                Err(err) => {
                    return Err((
                        err,
                        Deleted {
                            deleted,
                            remaining: 0,
                        },
                    ))
                }
            };
            if tokens.is_empty() {
                return Ok(Deleted {
                    deleted,
                    remaining: 0,
                });
            }
            let mut lost_race = false;
            for (done, chunk) in tokens.chunks(CHUNK).enumerate() {
                match self.delete_chunk(workspace_id, chunk).await {
                    Ok(()) => deleted += chunk.len(),
                    Err(StoreError::Conflict) if conflicts < 5 => {
                        conflicts += 1;
                        lost_race = true;
                        break;
                    }
                    Err(err) => {
                        let remaining = tokens.len() - done * CHUNK;
                        return Err((err, Deleted { deleted, remaining }));
                    }
                }
            }
            if !lost_race {
                return Ok(Deleted {
                    deleted,
                    remaining: 0,
                });
            }
        }
    }

    async fn delete_chunk(
        &self,
        workspace_id: &str,
        tokens: &[AccessToken],
    ) -> Result<(), StoreError> {
        let mut actions = Vec::with_capacity(tokens.len() * 2 + 1);
        for token in tokens {
            actions.extend(self.delete_token(
                keys::workspace_pk(workspace_id),
                &keys::access_token_sk(&token.name, &token.id),
                &token.digest,
            )?);
        }
        actions.push(self.count(
            Self::workspace_item(workspace_id),
            COUNTER,
            -(tokens.len() as i64),
            None,
        )?);
        self.transact(actions).await
    }
}
