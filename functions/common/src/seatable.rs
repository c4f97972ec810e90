//! The SeaTable-style base access-token API's side of common: who the caller is
//! (`Authorization: Token <auth token>`), what they may do with a base, how base access
//! tokens are signed, and how errors look (exactly as SeaTable's).

use std::{sync::Arc, time::Duration};

use lambda_http::{Body, Response};
use serde_json::json;

use crate::{
    auth::token_or_bearer,
    clock::{now_secs, rfc3339_from_secs},
    error::ApiError,
    http::json_response,
    jwt::{self, BaseClaims},
    signing_key::KeyRing,
    store::{
        records::{Base, MemberPermission, ShareLink, TokenLookup, TokenPermission},
        Store,
    },
    token::{PresentedToken, TokenKind},
    AppState,
};

/// A user authenticated by their auth token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCaller {
    pub user_id: String,
    pub username: String,
}

pub fn permission_denied() -> ApiError {
    ApiError::Forbidden("Permission denied.".into())
}

pub fn dtable_not_found(name: &str) -> ApiError {
    ApiError::NotFound(format!("dtable {name} not found."))
}

/// Authenticates `Authorization: Token <user auth token>` (or `Bearer`) in one GetItem.
pub async fn authenticate_user(
    store: &Store,
    headers: &lambda_http::http::HeaderMap,
) -> Result<UserCaller, ApiError> {
    let presented = token_or_bearer(headers)
        .and_then(|token| PresentedToken::parse(&token))
        .filter(|token| token.kind() == TokenKind::UserAuthToken)
        .ok_or(ApiError::Unauthorized)?;
    match store.lookup(presented.digest()).await? {
        Some(TokenLookup::UserAuthToken { user_id, username }) => {
            Ok(UserCaller { user_id, username })
        }
        _ => Err(ApiError::Unauthorized),
    }
}

/// The base and the caller's permission on it: the owner is admin, others have their
/// workspace membership. Without access the answer is 403 whether or not the base
/// exists, so that names do not leak; with access, a missing base is 404.
pub async fn base_for_user(
    store: &Store,
    workspace_id: &str,
    dtable_name: &str,
    user_id: &str,
) -> Result<(Base, MemberPermission), ApiError> {
    let (base, member) = tokio::try_join!(
        store.base(workspace_id, dtable_name),
        store.member(workspace_id, user_id)
    )?;
    let permission = match (&base, member) {
        (Some(base), _) if base.owner_id == user_id => Some(MemberPermission::Admin),
        (_, Some(member)) => Some(member.permission),
        _ => None,
    };
    match (base, permission) {
        (_, None) => Err(permission_denied()),
        (None, Some(_)) => Err(dtable_not_found(dtable_name)),
        (Some(base), Some(permission)) => Ok((base, permission)),
    }
}

/// Like `base_for_user`, for what only a base's admins may do.
pub async fn base_for_admin(
    store: &Store,
    workspace_id: &str,
    dtable_name: &str,
    user_id: &str,
) -> Result<Base, ApiError> {
    match base_for_user(store, workspace_id, dtable_name, user_id).await? {
        (base, MemberPermission::Admin) => Ok(base),
        _ => Err(permission_denied()),
    }
}

/// The keys to sign and verify with: 503 when Secrets Manager cannot be read.
pub async fn key_ring(state: &AppState) -> Result<Arc<KeyRing>, ApiError> {
    let keys = state.signing.as_ref().ok_or_else(|| {
        ApiError::Internal("SIGNING_SECRET_ID is not configured for this function".into())
    })?;
    Ok(keys.ring().await?)
}

/// Claims valid from now for `ttl`; the caller fills in what the token grants.
pub fn claims(
    dtable_uuid: &str,
    username: &str,
    permission: TokenPermission,
    ttl: Duration,
) -> BaseClaims {
    let iat = now_secs();
    BaseClaims {
        exp: iat + ttl.as_secs(),
        iat,
        dtable_uuid: dtable_uuid.to_owned(),
        username: username.to_owned(),
        permission,
        app_name: None,
        token_type: None,
        workspace_id: None,
        dtable_name: None,
    }
}

/// Signs claims with the current key.
pub async fn sign(state: &AppState, claims: &BaseClaims) -> Result<String, ApiError> {
    let ring = key_ring(state).await?;
    jwt::sign(&ring, claims).map_err(|err| ApiError::Internal(Box::new(err)))
}

/// A share link as the share-link endpoints show it (never with its token).
pub fn share_link_json(link: &ShareLink, username: &str) -> serde_json::Value {
    json!({
        "id": link.id,
        "workspace_id": link.workspace_id,
        "dtable_name": link.dtable_name,
        "permission": link.permission,
        "expire_date": link.expires_at.map(rfc3339_from_secs),
        "ctime": link.created_at,
        "username": username,
    })
}

/// Turns a handler's result into the response, with SeaTable's error bodies:
/// 401 `{"detail": "Invalid token"}`, others `{"error_msg": "<message>"}`.
pub fn respond(result: Result<Response<Body>, ApiError>) -> Response<Body> {
    result.unwrap_or_else(|err| {
        err.log();
        let body = match &err {
            ApiError::Unauthorized => json!({ "detail": "Invalid token" }),
            ApiError::Internal(_) => json!({ "error_msg": "Internal Server Error" }),
            other => json!({ "error_msg": other.public_message() }),
        };
        json_response(err.status(), &body)
    })
}
