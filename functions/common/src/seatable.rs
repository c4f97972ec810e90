//! The SeaTable-style base access-token API's side of common: who the caller is
//! (`Authorization: Token <auth token>`), what they may do with a base, how base access
//! tokens are signed and verified, and how errors look (exactly as SeaTable's).

use std::{sync::Arc, time::Duration};

use lambda_http::{Body, Request, Response};
use serde_json::json;

use crate::{
    audit::Auditor,
    auth::token_or_bearer,
    clock::rfc3339_from_secs,
    error::ApiError,
    http::{error_response, path_param},
    jwt::{self, BaseClaims, JwtKind},
    limits,
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

/// The keys to sign with: 503 when Secrets Manager cannot be read.
pub async fn key_ring(state: &AppState) -> Result<Arc<KeyRing>, ApiError> {
    Ok(signing_keys(state)?.ring().await?)
}

fn signing_keys(state: &AppState) -> Result<&crate::signing_key::SigningKeys, ApiError> {
    state.signing.as_deref().ok_or_else(|| {
        ApiError::Internal("SIGNING_SECRET_ID is not configured for this function".into())
    })
}

/// Claims of a `kind` token valid from now for `ttl`; the caller fills in what it grants.
pub fn claims(
    state: &AppState,
    kind: JwtKind,
    dtable_uuid: &str,
    username: &str,
    permission: TokenPermission,
    ttl: Duration,
) -> BaseClaims {
    let now = state.clock.now_secs();
    BaseClaims::new(
        kind,
        now,
        now + ttl.as_secs(),
        dtable_uuid,
        username,
        permission,
    )
}

/// Signs claims of `kind` with the current key.
pub async fn sign(
    state: &AppState,
    kind: JwtKind,
    claims: &BaseClaims,
) -> Result<String, ApiError> {
    let ring = key_ring(state).await?;
    jwt::sign(&ring, kind, claims).map_err(|err| ApiError::Internal(Box::new(err)))
}

/// The `app_name` of base access tokens exchanged for a temporary API token.
pub const TEMP_API_TOKEN_APP_NAME: &str = "temp_api_token";

/// Whether what a base access token was issued from still stands, as far as Tessera
/// knows (offline verifiers cannot): its API token still exists and predates it, or its
/// user is not disabled and was not disabled after it was issued. Tokens of share links
/// carry no user to look up. Issue time is `exp` less the configured lifetime.
pub async fn issuer_still_stands(state: &AppState, claims: &BaseClaims) -> Result<bool, ApiError> {
    let issued_at = claims
        .exp
        .saturating_sub(state.seatable.access_token_ttl.as_secs());
    if let Some(app_name) = claims
        .app_name
        .as_deref()
        .filter(|name| *name != TEMP_API_TOKEN_APP_NAME)
    {
        let token = state.store.api_token(&claims.dtable_uuid, app_name).await?;
        return Ok(token.is_some_and(|token| {
            crate::clock::secs_from_rfc3339(&token.generated_at).is_some_and(|at| at <= issued_at)
        }));
    }
    if claims.username.starts_with("share-link:") {
        return Ok(true);
    }
    let user = state.store.user_by_name(&claims.username).await?;
    Ok(user
        .is_some_and(|user| !user.disabled && user.revoked_before.is_none_or(|at| issued_at > at)))
}

/// A temporary API token's lifetime (SeaTable's: one hour).
pub const TEMP_API_TOKEN_TTL: Duration = Duration::from_secs(3600);

/// How far past its kind's lifetime a token's `exp` may lie: clocks of containers differ.
const EXP_LEEWAY_SECS: u64 = 60;

/// The longest a token of `kind` lives, as this deployment issues it.
fn lifetime(state: &AppState, kind: JwtKind) -> Duration {
    match kind {
        JwtKind::BaseAccessToken => state.seatable.access_token_ttl,
        JwtKind::TempApiToken => TEMP_API_TOKEN_TTL,
    }
}

/// The claims of a live token of `kind`; `None` for anything else. A `kid` the cached
/// keys do not know refreshes them first (the secret may have rotated). A token whose
/// `exp` lies further ahead than its kind's lifetime was not issued by this deployment
/// (whoever holds a leaked key can mint such tokens): refused.
pub async fn verify(
    state: &AppState,
    kind: JwtKind,
    token: &str,
) -> Result<Option<BaseClaims>, ApiError> {
    let Some(kid) = jwt::kid_of(token) else {
        return Ok(None);
    };
    let ring = signing_keys(state)?.ring_for_kid(&kid).await?;
    let latest_exp = state.clock.now_secs() + lifetime(state, kind).as_secs() + EXP_LEEWAY_SECS;
    Ok(jwt::verify(&ring, kind, token).filter(|claims| claims.exp <= latest_exp))
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
pub fn external_link_url(settings: &crate::SeaTableSettings, token: &str) -> String {
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
    settings: &crate::SeaTableSettings,
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
