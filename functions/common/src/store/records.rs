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

/// A user of the SeaTable-style API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    /// What tokens call the user (`username` claim), e.g. an email address.
    pub name: String,
    pub digest: TokenDigest,
    pub created_at: String,
    /// A disabled user's auth token is gone and their temporary API tokens are refused.
    #[serde(default)]
    pub disabled: bool,
}

/// Reserves a username for one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsernameClaim {
    pub user_id: String,
}

/// A user's permission in a workspace. A base's owner counts as `Admin` on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberPermission {
    R,
    Rw,
    Admin,
}

impl MemberPermission {
    /// What a base access token of this member may do.
    pub fn token_permission(self) -> TokenPermission {
        match self {
            MemberPermission::R => TokenPermission::R,
            MemberPermission::Rw | MemberPermission::Admin => TokenPermission::Rw,
        }
    }
}

/// What a base access token, API token or share link allows: read, or read and write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenPermission {
    R,
    Rw,
}

impl TokenPermission {
    /// Parses SeaTable's `r` / `rw`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "r" => Some(TokenPermission::R),
            "rw" => Some(TokenPermission::Rw),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub workspace_id: String,
    pub user_id: String,
    pub permission: MemberPermission,
}

/// A base ("dtable"): a name in a workspace, mapped to its uuid on the platform's servers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Base {
    pub workspace_id: String,
    pub name: String,
    pub dtable_uuid: String,
    pub owner_id: String,
    pub created_at: String,
}

/// A base's API token (SeaTable's "API token" of an app).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub dtable_uuid: String,
    pub workspace_id: String,
    pub dtable_name: String,
    pub app_name: String,
    pub permission: TokenPermission,
    /// The name of the user who created it.
    pub generated_by: String,
    pub generated_at: String,
    #[serde(default)]
    pub last_access: Option<String>,
    pub digest: TokenDigest,
}

/// An external share link of a base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareLink {
    pub id: String,
    pub dtable_uuid: String,
    pub workspace_id: String,
    pub dtable_name: String,
    pub permission: TokenPermission,
    /// The id of the user who created it.
    pub created_by: String,
    pub created_at: String,
    /// Unix seconds; `None` never expires. Also the table's TTL attribute.
    #[serde(default)]
    pub expires_at: Option<u64>,
    pub digest: TokenDigest,
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
    UserAuthToken {
        user_id: String,
        username: String,
    },
    ApiToken {
        dtable_uuid: String,
        workspace_id: String,
        dtable_name: String,
        app_name: String,
        permission: TokenPermission,
        generated_by: String,
    },
    ShareLink {
        link_id: String,
        created_by: String,
        dtable_uuid: String,
        /// Unix seconds; expired links are refused even before TTL removes them.
        #[serde(default)]
        expires_at: Option<u64>,
        /// Kept after deletion so that a revoked link answers 403, not 404.
        #[serde(default)]
        revoked: bool,
    },
}
