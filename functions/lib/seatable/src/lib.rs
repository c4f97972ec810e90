//! What the SeaTable-style functions share: who the caller is (`Authorization: Token <auth
//! token>`), what they may do with a base, how links and API tokens are issued (`tokens`),
//! and how errors look (exactly as SeaTable's). How base access tokens are signed and
//! verified is tessera-jwt's.

pub mod tokens;

use lambda_http::{Body, Request, Response};
use serde_json::json;

use tessera_common::{
    audit::Auditor,
    auth::token_or_bearer,
    clock::rfc3339_from_secs,
    error::ApiError,
    http::{error_response, path_param},
    limits,
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

impl UserCaller {
    /// Who the audit log says acted: the user, by id.
    pub fn auditor(&self, state: &AppState, req: &Request) -> Auditor {
        Auditor::for_request(state, req, format!("user:{}", self.user_id))
    }
}

pub fn permission_denied() -> ApiError {
    ApiError::Forbidden("Permission denied.".into())
}

pub fn dtable_not_found(name: &str) -> ApiError {
    ApiError::NotFound(format!("dtable {name} not found."))
}

/// SeaTable's 404 for a missing object: `api token`, `Share link`.
pub fn not_found(what: &str) -> ApiError {
    ApiError::NotFound(format!("{what} not found."))
}

/// SeaTable's 400 for a missing or unusable field: `<field> invalid.`
pub fn invalid(field: &str) -> ApiError {
    ApiError::bad_request(format!("{field} invalid."))
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
            tracing::debug!(%user_id, "user auth token accepted");
            Ok(UserCaller { user_id, username })
        }
        _ => Err(ApiError::Unauthorized),
    }
}

/// A workspace id from a path or a body: a positive integer, as SeaTable's.
pub fn checked_workspace_id(workspace_id: String) -> Result<String, ApiError> {
    if limits::valid_workspace_id(&workspace_id) {
        Ok(workspace_id)
    } else {
        Err(invalid("workspace_id"))
    }
}

/// A base's name from a path or a body.
pub fn checked_base_name(name: String, field: &str) -> Result<String, ApiError> {
    if limits::valid_base_name(&name) {
        Ok(name)
    } else {
        Err(invalid(field))
    }
}

/// The route's `{app_name}`.
pub fn path_app_name(req: &Request) -> Result<String, ApiError> {
    let app_name = path_param(req, "app_name")?;
    if limits::valid_app_name(&app_name) {
        Ok(app_name)
    } else {
        Err(invalid("app_name"))
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

/// A caller and a base they may use, with their permission on it.
#[derive(Debug, Clone)]
pub struct BaseAccess {
    pub caller: UserCaller,
    pub base: Base,
    pub permission: MemberPermission,
}

impl BaseAccess {
    /// The opening of every endpoint under `/workspace/{workspace_id}/dtable/{dtable_name}/`:
    /// the caller's auth token (401), the two path parameters (400), the base and the
    /// caller's permission on it (403, 404).
    pub async fn of(state: &AppState, req: &Request) -> Result<Self, ApiError> {
        let caller = authenticate_user(&state.store, req.headers()).await?;
        let workspace_id = checked_workspace_id(path_param(req, "workspace_id")?)?;
        let dtable_name = checked_base_name(path_param(req, "dtable_name")?, "dtable_name")?;
        let (base, permission) =
            base_for_user(&state.store, &workspace_id, &dtable_name, &caller.user_id).await?;
        Ok(BaseAccess {
            caller,
            base,
            permission,
        })
    }

    /// Like `of`, for what only a base's admins may do (403 for others).
    pub async fn admin(state: &AppState, req: &Request) -> Result<Self, ApiError> {
        Self::of(state, req).await?.require_admin()
    }

    pub fn require_admin(self) -> Result<Self, ApiError> {
        match self.permission {
            MemberPermission::Admin => Ok(self),
            _ => Err(permission_denied()),
        }
    }
}

/// A share link as the share-link endpoints show it (never with its token).
pub fn share_link_json(link: &ShareLink, username: &str) -> serde_json::Value {
    json!({
        "id": link.id,
        "workspace_id": limits::workspace_id_json(&link.workspace_id),
        "dtable_name": link.dtable_name,
        "permission": link.permission,
        "expire_date": link.expires_at.map(rfc3339_from_secs),
        "ctime": link.created_at,
        "username": username,
    })
}

/// SeaTable 4's word for a link's permission.
pub fn external_permission(permission: TokenPermission) -> &'static str {
    match permission {
        TokenPermission::R => "read-only",
        TokenPermission::Rw => "read-write",
    }
}

/// Where SeaTable serves an external link: under its web root, which SeaTable clients
/// know as `dtable_socket`.
pub fn external_link_url(settings: &tessera_common::SeaTableSettings, token: &str) -> String {
    format!(
        "{}/dtable/external-links/{token}/",
        settings.dtable_socket.trim_end_matches('/')
    )
}

/// A link as the external-link endpoints show it. `token` is `Some` only at creation:
/// Tessera keeps digests, so a listing has neither the token nor the URL made from it.
pub fn external_link_json(
    link: &ShareLink,
    now: u64,
    settings: &tessera_common::SeaTableSettings,
    token: Option<&str>,
) -> serde_json::Value {
    let mut body = json!({
        "id": link.id,
        "url": token.map(|token| external_link_url(settings, token)),
        "is_custom": link.is_custom,
        "permission": external_permission(link.permission),
        "is_expired": link.is_expired(now),
        "expire_date": link.expires_at.map(rfc3339_from_secs),
        "ctime": link.created_at,
    });
    if let Some(token) = token {
        body["token"] = json!(token);
    }
    body
}

/// Turns a handler's result into the response, with SeaTable's error bodies:
/// 401 `{"detail": "Invalid token"}`, others `{"error_msg": "<message>"}`.
pub fn respond(result: Result<Response<Body>, ApiError>) -> Response<Body> {
    result.unwrap_or_else(|err| {
        let body = match &err {
            ApiError::Unauthorized => json!({ "detail": "Invalid token" }),
            ApiError::Internal(_) => json!({ "error_msg": "Internal Server Error" }),
            other => json!({ "error_msg": other.public_message() }),
        };
        error_response(&err, &body)
    })
}
