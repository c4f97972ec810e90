//! What the RudderStack-style functions share besides tessera-common: who the caller is
//! (HTTP Basic with a workspace token), how errors look, how a token is listed, and the
//! fields POST and PATCH /accessTokens accept (`access_token_fields`, `usage_fields`).

pub mod access_token_fields;
pub mod usage_fields;

use lambda_http::{
    http::{header::WWW_AUTHENTICATE, HeaderMap, HeaderValue},
    Body, Request, Response,
};
use serde::Serialize;
use serde_json::{json, Value};

use tessera_common::{
    audit::Auditor,
    auth::basic_user_with_empty_password,
    clock::{rfc3339_from_secs, Clock},
    error::ApiError,
    http::error_response,
    store::{
        records::{AccessToken, Role, TokenLookup},
        Store,
    },
    token::{PresentedToken, TokenKind},
    ttl_cache::TtlCache,
    usage::{RateLimit, Refill},
    verify::cache_key,
    AppState,
};

/// A caller authenticated by a workspace token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceCaller {
    pub workspace_id: String,
    pub user_id: String,
    pub token_id: String,
    pub role: Role,
}

impl WorkspaceCaller {
    /// Who the audit log says acted: the workspace token, by id.
    pub fn auditor(&self, state: &AppState, req: &Request) -> Auditor {
        Auditor::for_request(state, req, format!("workspace_token:{}", self.token_id))
    }

    /// Creating and deleting access tokens needs an admin workspace token.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        match self.role {
            Role::Admin => Ok(()),
            Role::ReadOnly => Err(ApiError::Forbidden(
                "this workspace token is read-only: it may list and introspect access tokens, not create, reroll or delete them".into(),
            )),
        }
    }
}

/// Authenticates `Authorization: Basic base64("<workspace token>:")` with one GetItem.
pub async fn authenticate(store: &Store, headers: &HeaderMap) -> Result<WorkspaceCaller, ApiError> {
    let presented = basic_user_with_empty_password(headers)
        .and_then(|user| PresentedToken::parse(&user))
        .filter(|token| token.kind() == TokenKind::WorkspaceToken)
        .ok_or(ApiError::Unauthorized)?;
    match store.lookup(presented.digest()).await? {
        Some(TokenLookup::WorkspaceToken {
            workspace_id,
            token_id,
            user_id,
            role,
        }) => {
            tracing::debug!(%workspace_id, %token_id, "workspace token accepted");
            Ok(WorkspaceCaller {
                workspace_id,
                user_id,
                token_id,
                role,
            })
        }
        _ => Err(ApiError::Unauthorized),
    }
}

/// Workspace tokens this container accepted, by table and digest.
fn accepted_callers() -> &'static TtlCache<WorkspaceCaller> {
    static CACHE: std::sync::OnceLock<TtlCache<WorkspaceCaller>> = std::sync::OnceLock::new();
    CACHE.get_or_init(|| TtlCache::new(1_000))
}

/// `authenticate`, answered from this container's memory for up to `lifetime` after a read
/// (the verify API's `VerificationCacheSeconds`; zero reads every time), so that a hot
/// token's verifications do not all read the caller's workspace token: a workspace token
/// revoked within `lifetime` may still be accepted by a container that read it before.
/// Only accepted tokens are kept.
pub async fn authenticate_cached(
    store: &Store,
    clock: &dyn Clock,
    headers: &HeaderMap,
    lifetime: std::time::Duration,
) -> Result<WorkspaceCaller, ApiError> {
    let presented = basic_user_with_empty_password(headers)
        .and_then(|user| PresentedToken::parse(&user))
        .filter(|token| token.kind() == TokenKind::WorkspaceToken)
        .ok_or(ApiError::Unauthorized)?;
    if lifetime.is_zero() {
        return authenticate(store, headers).await;
    }
    let key = cache_key(store, presented.digest());
    let now = clock.now_secs();
    if let Some(caller) = accepted_callers().get(&key, now, lifetime.as_secs()) {
        return Ok(caller);
    }
    let caller = authenticate(store, headers).await;
    match &caller {
        Ok(caller) => accepted_callers().put(key, now, lifetime.as_secs(), caller.clone()),
        Err(_) => accepted_callers().remove(&key),
    }
    caller
}

/// Turns a handler's result into the response: errors as
/// `{"success": false, "error": "<message>"}` with their status code.
pub fn respond(result: Result<Response<Body>, ApiError>) -> Response<Body> {
    result.unwrap_or_else(|err| {
        let mut response = error_response(
            &err,
            &json!({ "success": false, "error": err.public_message() }),
        );
        if matches!(err, ApiError::Unauthorized) {
            response.headers_mut().insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"tessera\", charset=\"UTF-8\""),
            );
        }
        response
    })
}

/// An access token as GET /accessTokens lists it (and PATCH answers it): RudderStack's
/// fields, then Tessera's. Never the token or its digest.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListedToken {
    id: String,
    name: String,
    description: String,
    user_id: String,
    created_at: String,
    expires_at: Option<String>,
    scopes: Vec<String>,
    last_used_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rerolled_to: Option<String>,
    enabled: bool,
    ratelimit: Option<RateLimit>,
    credits: Option<ListedCredits>,
    meta: Value,
    external_id: Option<String>,
    /// Only for a token whose meter is split over more than one item.
    #[serde(skip_serializing_if = "Option::is_none")]
    meter_shards: Option<u32>,
}

#[derive(Debug, Serialize)]
struct ListedCredits {
    remaining: u64,
    refill: Option<Refill>,
    /// Only when the token states it.
    #[serde(rename = "lowThreshold", skip_serializing_if = "Option::is_none")]
    low_threshold: Option<u64>,
}

impl ListedToken {
    pub fn new(token: AccessToken, now: u64) -> Self {
        ListedToken {
            enabled: !token.disabled,
            ratelimit: token.ratelimit,
            credits: token.credits_at(now).map(|remaining| ListedCredits {
                remaining,
                refill: token.credits_refill,
                low_threshold: token.credits_events.and_then(|events| events.low_line),
            }),
            meta: usage_fields::meta_json(token.meta.as_deref()),
            meter_shards: token.meter_shards.filter(|shards| *shards > 1),
            external_id: token.external_id,
            id: token.id,
            name: token.name,
            description: token.description,
            user_id: token.user_id,
            created_at: token.created_at,
            expires_at: token.expires.map(rfc3339_from_secs),
            scopes: token.scopes,
            last_used_at: token.last_used_at.map(rfc3339_from_secs),
            rerolled_to: token.rerolled_to,
        }
    }
}
