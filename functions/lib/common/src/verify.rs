//! Verification of a presented access token: what the API Gateway authorizer and
//! introspection answer. One consistent GetItem, plus at most one best-effort write a
//! minute per token to record its last use.

use std::{sync::OnceLock, time::Duration};

use crate::{
    clock::Clock,
    store::{records::TokenLookup, Store, StoreError},
    token::{PresentedToken, TokenDigest, TokenKind},
    ttl_cache::TtlCache,
};

/// A use is recorded at most this often per token (seconds).
pub const LAST_USED_RESOLUTION_SECS: u64 = 60;

/// A live access token, as its lookup describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedAccessToken {
    pub workspace_id: String,
    pub token_id: String,
    pub name: String,
    pub scopes: Vec<String>,
    /// Unix seconds.
    pub created_at: u64,
    pub expires_at: Option<u64>,
    pub last_used_at: Option<u64>,
    pub digest: TokenDigest,
    pub disabled: bool,
    /// It has a rate limit or credits: a use is checked and spent on its record.
    pub metered: bool,
    pub external_id: Option<String>,
    /// A JSON object, as text.
    pub meta: Option<String>,
    /// The meter its uses are spent and counted on (`Meter`), and its shards.
    pub meter_id: String,
    pub meter_shards: u32,
}

impl VerifiedAccessToken {
    pub fn is_expired(&self, now: u64) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

/// `Some` when `presented` is a live access token (neither expired nor disabled), in at
/// most one GetItem: a malformed token or one with a wrong checksum is refused without
/// touching DynamoDB, and an expired one at once (not when the table's TTL gets to it).
pub async fn verify_access_token(
    store: &Store,
    clock: &dyn Clock,
    presented: &str,
) -> Result<Option<VerifiedAccessToken>, StoreError> {
    let now = clock.now_secs();
    Ok(look_up_access_token(store, presented)
        .await?
        .filter(|token| !token.disabled && !token.is_expired(now)))
}

/// The access token `presented` names, live or not (expired, disabled), in one GetItem;
/// `None` for anything else.
pub async fn look_up_access_token(
    store: &Store,
    presented: &str,
) -> Result<Option<VerifiedAccessToken>, StoreError> {
    let Some(token) =
        PresentedToken::parse(presented).filter(|t| t.kind() == TokenKind::AccessToken)
    else {
        return Ok(None);
    };
    let Some(TokenLookup::AccessToken {
        workspace_id,
        token_id,
        name,
        scopes,
        created_at,
        expires_at,
        last_used_at,
        disabled,
        metered,
        external_id,
        meta,
        meter_id,
        meter_shards,
    }) = store.lookup(token.digest()).await?
    else {
        return Ok(None);
    };
    Ok(Some(VerifiedAccessToken {
        workspace_id,
        name,
        scopes,
        created_at,
        expires_at,
        last_used_at,
        digest: token.digest().clone(),
        disabled,
        metered,
        external_id,
        meta,
        meter_id: meter_id.unwrap_or_else(|| token_id.clone()),
        meter_shards: meter_shards.unwrap_or(1).max(1),
        token_id,
    }))
}

/// Entries past which the expired ones are dropped (and all, if none has expired): memory
/// stays bounded by the tokens verified within the cache's lifetime.
const MAX_CACHED_LOOKUPS: usize = 10_000;

/// Lookups this container keeps, by table and digest.
fn lookup_cache() -> &'static TtlCache<VerifiedAccessToken> {
    static CACHE: OnceLock<TtlCache<VerifiedAccessToken>> = OnceLock::new();
    CACHE.get_or_init(|| TtlCache::new(MAX_CACHED_LOOKUPS))
}

pub fn cache_key(store: &Store, digest: &TokenDigest) -> String {
    format!("{}/{}", store.table_name(), digest.as_hex())
}

/// `look_up_access_token`, answered from this container's memory for up to `lifetime`
/// after a read (`VerificationCacheSeconds`; zero reads every time). So a token revoked,
/// disabled or edited within `lifetime` may still be seen as it was by a container that
/// read it before: that is the delay a platform accepts for not paying a read per
/// verification. Only tokens found are kept: a new token verifies at once.
pub async fn look_up_access_token_cached(
    store: &Store,
    clock: &dyn Clock,
    presented: &str,
    lifetime: Duration,
) -> Result<Option<VerifiedAccessToken>, StoreError> {
    if lifetime.is_zero() {
        return look_up_access_token(store, presented).await;
    }
    let Some(parsed) = PresentedToken::parse(presented) else {
        return Ok(None);
    };
    let key = cache_key(store, parsed.digest());
    let now = clock.now_secs();
    if let Some(token) = lookup_cache().get(&key, now, lifetime.as_secs()) {
        return Ok(Some(token));
    }
    let found = look_up_access_token(store, presented).await?;
    match &found {
        Some(token) => lookup_cache().put(key, now, lifetime.as_secs(), token.clone()),
        None => lookup_cache().remove(&key),
    }
    Ok(found)
}

/// Keeps a cached lookup's last use current after this container recorded one, so that
/// its next verifications do not try (and fail) to record it again within the minute.
fn note_use_in_cache(store: &Store, digest: &TokenDigest, at: u64) {
    lookup_cache().update(&cache_key(store, digest), |token| {
        token.last_used_at = Some(at)
    });
}

/// Records that `token` was used now, unless a use was recorded within the last minute.
/// Best effort: a failure is logged, never returned.
pub async fn record_use(store: &Store, clock: &dyn Clock, token: &VerifiedAccessToken) {
    let now = clock.now_secs();
    if token
        .last_used_at
        .is_some_and(|at| now < at + LAST_USED_RESOLUTION_SECS)
    {
        return;
    }
    if let Err(err) = record_use_at(store, token, now).await {
        tracing::warn!(error = %err, token_id = %token.token_id, "last use not recorded");
    }
    // Recorded now, or by another container within the minute: either way, not again yet.
    note_use_in_cache(store, &token.digest, now);
}

/// Records a use of `token` at `at` (Unix seconds) in its lookup and its record, in one
/// write, unless another verification recorded one since the lookup was read: a lost race
/// (or a token deleted meanwhile) is not an error.
pub async fn record_use_at(
    store: &Store,
    token: &VerifiedAccessToken,
    at: u64,
) -> Result<(), StoreError> {
    let record = (
        token.workspace_id.as_str(),
        token.name.as_str(),
        token.token_id.as_str(),
    );
    match store
        .record_access_token_use(&token.digest, record, token.last_used_at, at)
        .await
    {
        Ok(()) | Err(StoreError::Conflict) => Ok(()),
        Err(err) => Err(err),
    }
}
