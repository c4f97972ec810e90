//! The records Tessera keeps, as stored (serde_dynamo maps them to items).

use serde::{Deserialize, Serialize};

use crate::token::TokenDigest;

/// What a workspace token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Create, list and delete access tokens.
    Admin,
    /// List access tokens only.
    ReadOnly,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    pub id: String,
    pub name: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceToken {
    pub id: String,
    pub workspace_id: String,
    /// The user the token belongs to; access tokens it creates carry this `userId`.
    pub user_id: String,
    pub role: Role,
    pub digest: TokenDigest,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessToken {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub description: String,
    pub user_id: String,
    pub digest: TokenDigest,
    pub created_at: String,
}

/// What the lookup item of a token's digest says about it: the one GetItem that
/// authenticates or verifies a presented token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TokenLookup {
    WorkspaceToken {
        workspace_id: String,
        token_id: String,
        user_id: String,
        role: Role,
    },
    AccessToken {
        workspace_id: String,
        token_id: String,
    },
}
