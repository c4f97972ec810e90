//! The workspace commands: workspaces and their tokens.

use serde_json::{json, Value};
use tessera_admin::store::WorkspaceStore;
use tessera_admin::workspace_admin::{self, IssuedWorkspaceToken};
use tessera_common::{store::records::Role, Store};

use crate::{
    cli::{WorkspaceCommand, WorkspaceTokenCommand},
    Failure,
};

pub async fn workspace(
    store: impl Fn(String) -> Store,
    command: WorkspaceCommand,
) -> Result<Value, Failure> {
    Ok(match command {
        WorkspaceCommand::Create {
            table,
            name,
            user_id,
        } => {
            let (workspace, issued) = workspace_admin::create_workspace(
                &store(table.table_name),
                &name,
                user_id.as_deref(),
            )
            .await?;
            let mut out = issued_json(&issued);
            out["message"] = json!(format!(
                "created workspace {} ({name}). Its workspace token is shown only now: keep it safe.",
                workspace.id
            ));
            out["name"] = json!(workspace.name);
            out
        }
        WorkspaceCommand::List { table } => {
            let workspaces = store(table.table_name).workspaces().await?;
            let lines: Vec<String> = workspaces
                .iter()
                .map(|w| format!("{}  {}  {}", w.id, w.created_at, w.name))
                .collect();
            json!({ "message": lines.join("\n"), "workspaces": workspaces })
        }
        WorkspaceCommand::Token(command) => token(store, command).await?,
    })
}

async fn token(
    store: impl Fn(String) -> Store,
    command: WorkspaceTokenCommand,
) -> Result<Value, Failure> {
    Ok(match command {
        WorkspaceTokenCommand::Issue {
            table,
            workspace_id,
            user_id,
            read_only,
        } => {
            let role = if read_only {
                Role::ReadOnly
            } else {
                Role::Admin
            };
            let issued = workspace_admin::issue_workspace_token(
                &store(table.table_name),
                &workspace_id,
                &user_id,
                role,
            )
            .await?;
            let mut out = issued_json(&issued);
            out["message"] = json!("issued a workspace token. It is shown only now: keep it safe.");
            out
        }
        WorkspaceTokenCommand::List {
            table,
            workspace_id,
        } => {
            let store = store(table.table_name);
            if store.workspace(&workspace_id).await?.is_none() {
                return Err(format!("workspace {workspace_id} does not exist").into());
            }
            let tokens: Vec<Value> = store
                .workspace_tokens(&workspace_id)
                .await?
                .iter()
                .map(|t| {
                    json!({
                        "token_id": t.id,
                        "user_id": t.user_id,
                        "role": t.role,
                        "created_at": t.created_at,
                    })
                })
                .collect();
            let lines: Vec<String> = tokens
                .iter()
                .map(|t| {
                    format!(
                        "{}  {}  user {}  created {}",
                        t["token_id"].as_str().unwrap_or_default(),
                        t["role"].as_str().unwrap_or_default(),
                        t["user_id"].as_str().unwrap_or_default(),
                        t["created_at"].as_str().unwrap_or_default(),
                    )
                })
                .collect();
            json!({
                "message": format!("{} workspace tokens of {workspace_id}\n{}", tokens.len(), lines.join("\n")),
                "workspace_tokens": tokens,
            })
        }
        WorkspaceTokenCommand::Rotate { table, token } => {
            let issued = workspace_admin::rotate_workspace_token(
                &store(table.table_name),
                &token.workspace_id,
                &token.token_id,
            )
            .await?;
            let mut out = issued_json(&issued);
            out["message"] =
                json!("rotated; the old token no longer works. The new one is shown only now.");
            out
        }
        WorkspaceTokenCommand::Revoke { table, token } => {
            let revoked = workspace_admin::revoke_workspace_token(
                &store(table.table_name),
                &token.workspace_id,
                &token.token_id,
            )
            .await?;
            json!({
                "message": format!("revoked workspace token {}; it no longer works.", revoked.id),
                "workspace_id": tessera_common::limits::workspace_id_json(&revoked.workspace_id),
                "token_id": revoked.id,
                "revoked": true,
            })
        }
    })
}

fn issued_json(issued: &IssuedWorkspaceToken) -> Value {
    json!({
        "workspace_id": tessera_common::limits::workspace_id_json(&issued.record.workspace_id),
        "token_id": issued.record.id,
        "user_id": issued.record.user_id,
        "role": issued.record.role,
        "workspace_token": issued.token.expose(),
    })
}
