//! Base access tokens and temporary API tokens as a function issues and verifies them:
//! claims from the deployment's settings, signed with the current key, verified against the
//! keys in force and the deployment's lifetimes.

use std::{sync::Arc, time::Duration};

use tessera_common::{store::records::TokenPermission, ApiError, AppState};

use crate::{
    signing_key::{KeyError, KeyRing, SigningKeys},
    BaseClaims, JwtKind,
};

/// The keys to sign with: 503 when Secrets Manager cannot be read.
pub async fn key_ring(state: &AppState) -> Result<Arc<KeyRing>, ApiError> {
    signing_keys(state)?.ring().await.map_err(unavailable)
}

/// The signing keys this function was started with (see `lambda::run`).
pub fn signing_keys(state: &AppState) -> Result<&SigningKeys, ApiError> {
    state
        .signing
        .as_deref()
        .and_then(|keys| keys.downcast_ref::<SigningKeys>())
        .ok_or_else(|| {
            ApiError::Internal("SIGNING_SECRET_ID is not configured for this function".into())
        })
}

fn unavailable(err: KeyError) -> ApiError {
    ApiError::Unavailable(Box::new(err))
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
    crate::sign(&ring, kind, claims).map_err(|err| ApiError::Internal(Box::new(err)))
}

/// The `app_name` of base access tokens exchanged for a temporary API token (reserved).
pub use tessera_common::limits::TEMP_API_TOKEN_APP_NAME;

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
            tessera_common::clock::secs_from_rfc3339(&token.generated_at)
                .is_some_and(|at| at <= issued_at)
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
    let Some(kid) = crate::kid_of(token) else {
        return Ok(None);
    };
    let ring = signing_keys(state)?
        .ring_for_kid(&kid)
        .await
        .map_err(unavailable)?;
    let latest_exp = state.clock.now_secs() + lifetime(state, kind).as_secs() + EXP_LEEWAY_SECS;
    Ok(crate::verify(&ring, kind, token).filter(|claims| claims.exp <= latest_exp))
}
