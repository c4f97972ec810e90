//! Bases ("dtables"): a name in a workspace mapped to a uuid.

use super::{keys, records::Base, Store, StoreError};

impl Store {
    pub async fn base(&self, workspace_id: &str, name: &str) -> Result<Option<Base>, StoreError> {
        self.get(keys::workspace_pk(workspace_id), &keys::base_sk(name))
            .await
    }
}
