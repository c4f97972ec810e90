//! Workspace tokens as functions see them: revoked together with their lookup (a reported
//! leak; the CLI's revoke).

use super::{keys, records::WorkspaceToken, Store, StoreError};
use crate::{
    audit::Auditor,
    events::{Event, Revocation},
};

impl Store {
    /// Revokes a workspace token: its record and lookup go together, conditional on the
    /// digest that was read. `Conflict` if it was rotated or revoked meanwhile.
    pub async fn delete_workspace_token(
        &self,
        token: &WorkspaceToken,
        auditor: &Auditor,
        detail: String,
    ) -> Result<(), StoreError> {
        let mut actions = self
            .delete_token(
                keys::workspace_pk(&token.workspace_id),
                &keys::workspace_token_sk(&token.id),
                &token.digest,
            )?
            .to_vec();
        let why = if auditor.is_leak_response() {
            Revocation::Leaked
        } else {
            Revocation::Revoked
        };
        actions.push(
            self.audit_put(
                &auditor
                    .entry(
                        &token.workspace_id,
                        "workspace_token.revoke",
                        format!("workspace_token:{}", token.id),
                        Some(detail),
                    )
                    .with_event(Event::of_workspace_token(token, why)),
            )?,
        );
        self.transact(actions).await
    }
}
