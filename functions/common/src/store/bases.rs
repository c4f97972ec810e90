//! Bases ("dtables"): a name in a workspace mapped to a uuid.

use super::{keys, records::Base, Store, StoreError};

impl Store {
    pub async fn base(&self, workspace_id: &str, name: &str) -> Result<Option<Base>, StoreError> {
        self.get(keys::workspace_pk(workspace_id), &keys::base_sk(name))
            .await
    }
}

#[cfg(feature = "admin")]
impl Store {
    /// Creates a base; `Conflict` if the workspace already has a base with that name.
    pub async fn create_base(
        &self,
        base: &Base,
        auditor: &crate::audit::Auditor,
    ) -> Result<(), StoreError> {
        let item = super::Keyed::new(
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
        self.transact(vec![self.put_new(&item)?, self.audit_put(&entry)?])
            .await
    }
}
