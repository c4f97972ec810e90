//! Operator actions on workspaces and their tokens, shared by the CLI and the tests (the
//! `admin` feature).

use crate::seatable_admin::operator;
use crate::store::WorkspaceStore;
use tessera_common::{
    clock::now_rfc3339,
    store::{
        records::{Role, Workspace, WorkspaceToken},
        Store, StoreError,
    },
    token::{new_id, NewToken, TokenKind},
};

/// A workspace token just issued: the only time its plaintext exists.
#[derive(Debug)]
pub struct IssuedWorkspaceToken {
    pub record: WorkspaceToken,
    pub token: NewToken,
}

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("workspace {0} does not exist")]
    NoSuchWorkspace(String),
    #[error("workspace {workspace_id} has no workspace token {token_id}")]
    NoSuchToken {
        workspace_id: String,
        token_id: String,
    },
    #[error("workspace token {0} was rotated or revoked meanwhile; look again")]
    Changed(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn new_workspace_token(workspace_id: &str, user_id: &str, role: Role) -> IssuedWorkspaceToken {
    let token = NewToken::generate(TokenKind::WorkspaceToken);
    let record = WorkspaceToken {
        id: new_id(),
        workspace_id: workspace_id.to_owned(),
        user_id: user_id.to_owned(),
        role,
        digest: token.digest().clone(),
        created_at: now_rfc3339(),
    };
    IssuedWorkspaceToken { record, token }
}

/// Creates a workspace owned by `user_id` (a new id when `None`) with an admin token.
pub async fn create_workspace(
    store: &Store,
    name: &str,
    user_id: Option<&str>,
) -> Result<(Workspace, IssuedWorkspaceToken), AdminError> {
    let workspace = Workspace {
        id: store.allocate_workspace_id().await?,
        name: name.to_owned(),
        created_at: now_rfc3339(),
    };
    let user_id = user_id.map_or_else(new_id, str::to_owned);
    let issued = new_workspace_token(&workspace.id, &user_id, Role::Admin);
    store
        .create_workspace(&workspace, &issued.record, &operator())
        .await?;
    Ok((workspace, issued))
}

/// Issues another token for an existing workspace, e.g. a read-only one for a dashboard.
pub async fn issue_workspace_token(
    store: &Store,
    workspace_id: &str,
    user_id: &str,
    role: Role,
) -> Result<IssuedWorkspaceToken, AdminError> {
    let issued = new_workspace_token(workspace_id, user_id, role);
    match store.add_workspace_token(&issued.record, &operator()).await {
        Err(StoreError::Conflict) => Err(AdminError::NoSuchWorkspace(workspace_id.to_owned())),
        other => other.map(|()| issued).map_err(AdminError::from),
    }
}

async fn existing_token(
    store: &Store,
    workspace_id: &str,
    token_id: &str,
) -> Result<WorkspaceToken, AdminError> {
    store
        .workspace_tokens(workspace_id)
        .await?
        .into_iter()
        .find(|t| t.id == token_id)
        .ok_or_else(|| AdminError::NoSuchToken {
            workspace_id: workspace_id.to_owned(),
            token_id: token_id.to_owned(),
        })
}

/// Replaces the secret of a workspace token; the old secret stops working at once.
pub async fn rotate_workspace_token(
    store: &Store,
    workspace_id: &str,
    token_id: &str,
) -> Result<IssuedWorkspaceToken, AdminError> {
    let current = existing_token(store, workspace_id, token_id).await?;
    let token = NewToken::generate(TokenKind::WorkspaceToken);
    match store
        .rotate_workspace_token(&current, token.digest(), &operator())
        .await
    {
        Err(StoreError::Conflict) => return Err(AdminError::Changed(token_id.to_owned())),
        other => other?,
    }
    let record = WorkspaceToken {
        digest: token.digest().clone(),
        ..current
    };
    Ok(IssuedWorkspaceToken { record, token })
}

/// Revokes a workspace token: it stops working at once and is gone from the list.
pub async fn revoke_workspace_token(
    store: &Store,
    workspace_id: &str,
    token_id: &str,
) -> Result<WorkspaceToken, AdminError> {
    let current = existing_token(store, workspace_id, token_id).await?;
    match store.revoke_workspace_token(&current, &operator()).await {
        Ok(()) => Ok(current),
        Err(StoreError::Conflict) => Err(AdminError::Changed(token_id.to_owned())),
        Err(err) => Err(err.into()),
    }
}
