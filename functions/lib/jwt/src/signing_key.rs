//! The HS256 signing key, read from Secrets Manager and cached between invocations.
//!
//! Tokens are signed with the `AWSCURRENT` version and carry its version id as `kid`;
//! verification also accepts `AWSPREVIOUS`, so a rotation never invalidates a live token.
//! Stages are always named explicitly, and both are read concurrently.
//!
//! The cache is refreshed every `refresh`. A token whose `kid` the cache does not know
//! refreshes it at once (another container may have seen a rotation first), but at most
//! once per `min_fetch_interval`, so that garbage tokens cannot hammer Secrets Manager.
//! When Secrets Manager fails, the cached keys keep serving for `stale_for` past their
//! refresh time (retried at most once per `min_fetch_interval`); after that, 503.

use std::{
    fmt,
    sync::{Arc, Mutex},
    time::{Duration, SystemTime},
};

use aws_sdk_secretsmanager::{operation::get_secret_value::GetSecretValueError, Client};

use tessera_common::clock::{elapsed_since, SharedClock};

/// HS256 keys shorter than this are refused (RFC 7518 asks for at least the hash size).
pub const MIN_KEY_BYTES: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("reading the signing secret from Secrets Manager failed")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("the signing secret's {0} version has no usable value")]
    Empty(&'static str),
    #[error("the signing secret's {stage} version is {len} bytes; at least {MIN_KEY_BYTES} are required")]
    TooShort { stage: &'static str, len: usize },
}

/// One version of the signing secret.
pub struct SigningKey {
    pub kid: String,
    secret: Vec<u8>,
}

impl SigningKey {
    pub fn new(kid: impl Into<String>, secret: impl Into<Vec<u8>>) -> Self {
        SigningKey {
            kid: kid.into(),
            secret: secret.into(),
        }
    }

    pub fn secret(&self) -> &[u8] {
        &self.secret
    }
}

impl fmt::Debug for SigningKey {
    // The key material never reaches a log line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// The keys in force: the one to sign with, and the one before it.
#[derive(Debug)]
pub struct KeyRing {
    pub current: SigningKey,
    pub previous: Option<SigningKey>,
}

impl KeyRing {
    pub fn by_kid(&self, kid: &str) -> Option<&SigningKey> {
        std::iter::once(&self.current)
            .chain(self.previous.as_ref())
            .find(|key| key.kid == kid)
    }
}

/// How long the cached keys are trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachePolicy {
    /// Keys younger than this are used without asking Secrets Manager.
    pub refresh: Duration,
    /// How long past `refresh` cached keys keep serving while Secrets Manager fails.
    pub stale_for: Duration,
    /// At most one read of Secrets Manager per this interval for unknown kids and retries.
    pub min_fetch_interval: Duration,
}

impl CachePolicy {
    pub const DEFAULT: CachePolicy = CachePolicy {
        refresh: Duration::from_secs(300),
        stale_for: Duration::from_secs(3600),
        min_fetch_interval: Duration::from_secs(5),
    };

    /// Reads Secrets Manager on every use: for tests that rotate without waiting.
    pub const UNCACHED: CachePolicy = CachePolicy {
        refresh: Duration::ZERO,
        stale_for: Duration::ZERO,
        min_fetch_interval: Duration::ZERO,
    };
}

#[derive(Default)]
struct Cached {
    ring: Option<(SystemTime, Arc<KeyRing>)>,
    last_fetch: Option<SystemTime>,
}

/// The signing secret of one deployment, with its cache.
pub struct SigningKeys {
    client: Client,
    secret_id: String,
    policy: CachePolicy,
    clock: SharedClock,
    cached: Mutex<Cached>,
    /// One read of Secrets Manager at a time; the others wait for its result.
    fetching: tokio::sync::Mutex<()>,
}

impl fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeys")
            .field("secret_id", &self.secret_id)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// Why the cache goes to Secrets Manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    Expired,
    UnknownKid,
}

impl SigningKeys {
    pub fn new(
        client: Client,
        secret_id: impl Into<String>,
        policy: CachePolicy,
        clock: SharedClock,
    ) -> Self {
        SigningKeys {
            client,
            secret_id: secret_id.into(),
            policy,
            clock,
            cached: Mutex::new(Cached::default()),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    /// Loads the keys during a function's init. A key too short to be safe is an error:
    /// the function must not start with it. Any other failure is left for requests to
    /// retry (Secrets Manager may be back by then).
    pub async fn load_at_start(&self) -> Result<(), KeyError> {
        match self.ring().await {
            Err(err @ KeyError::TooShort { .. }) => Err(err),
            Err(err) => {
                tracing::warn!("signing key not loaded during init: {err}");
                Ok(())
            }
            Ok(_) => Ok(()),
        }
    }

    /// The keys to sign with: cached while fresh, else read again (stale keys serve
    /// while Secrets Manager fails, for a bounded time).
    pub async fn ring(&self) -> Result<Arc<KeyRing>, KeyError> {
        match self.usable(Reason::Expired) {
            Some(ring) => Ok(ring),
            None => self.refresh(Reason::Expired).await,
        }
    }

    /// The keys to verify a token that names `kid`: an unknown kid refreshes the cache
    /// once (rate-limited), since the secret may have rotated since it was read.
    pub async fn ring_for_kid(&self, kid: &str) -> Result<Arc<KeyRing>, KeyError> {
        let ring = self.ring().await?;
        if ring.by_kid(kid).is_some() || self.usable(Reason::UnknownKid).is_some() {
            return Ok(ring);
        }
        self.refresh(Reason::UnknownKid).await
    }

    /// The cached ring if it may be used without a read for `reason`.
    fn usable(&self, reason: Reason) -> Option<Arc<KeyRing>> {
        let cached = self.cached.lock().expect("cache lock");
        let (fetched, ring) = cached.ring.as_ref()?;
        let age = elapsed_since(self.clock.as_ref(), *fetched);
        let recently_tried = cached.last_fetch.is_some_and(|at| {
            elapsed_since(self.clock.as_ref(), at) < self.policy.min_fetch_interval
        });
        let ok = match reason {
            Reason::Expired => {
                age < self.policy.refresh
                    || (recently_tried && age < self.policy.refresh + self.policy.stale_for)
            }
            Reason::UnknownKid => recently_tried,
        };
        ok.then(|| ring.clone())
    }

    async fn refresh(&self, reason: Reason) -> Result<Arc<KeyRing>, KeyError> {
        let _one_at_a_time = self.fetching.lock().await;
        // Another task may have read the secret while this one waited.
        if let Some(ring) = self.usable(reason) {
            return Ok(ring);
        }
        let started = self.clock.now();
        self.cached.lock().expect("cache lock").last_fetch = Some(started);
        match self.fetch().await {
            Ok(ring) => {
                let ring = Arc::new(ring);
                self.cached.lock().expect("cache lock").ring = Some((started, ring.clone()));
                tracing::debug!(kid = %ring.current.kid, ?reason, "signing key loaded");
                Ok(ring)
            }
            Err(err) => {
                let cached = self.cached.lock().expect("cache lock");
                match &cached.ring {
                    Some((fetched, ring))
                        if elapsed_since(self.clock.as_ref(), *fetched)
                            < self.policy.refresh + self.policy.stale_for =>
                    {
                        tracing::warn!(error = %err, kid = %ring.current.kid, "Secrets Manager failed; serving the cached signing key");
                        Ok(ring.clone())
                    }
                    _ => Err(err),
                }
            }
        }
    }

    async fn fetch(&self) -> Result<KeyRing, KeyError> {
        let (current, previous) =
            tokio::join!(self.version("AWSCURRENT"), self.version("AWSPREVIOUS"));
        let current = current?.ok_or(KeyError::Empty("AWSCURRENT"))?;
        // A short previous key is not used, but does not stop signing with the current one.
        let previous = match previous {
            Err(KeyError::TooShort { .. }) => None,
            other => other?,
        };
        Ok(KeyRing { current, previous })
    }

    /// One stage of the secret; `None` when the secret has no version in that stage.
    async fn version(&self, stage: &'static str) -> Result<Option<SigningKey>, KeyError> {
        let result = self
            .client
            .get_secret_value()
            .secret_id(&self.secret_id)
            .version_stage(stage)
            .send()
            .await;
        let out = match result {
            Ok(out) => out,
            Err(err)
                if stage != "AWSCURRENT"
                    && matches!(
                        err.as_service_error(),
                        Some(GetSecretValueError::ResourceNotFoundException(_))
                    ) =>
            {
                return Ok(None)
            }
            Err(err) => return Err(KeyError::Unavailable(Box::new(err))),
        };
        let secret = match (out.secret_string(), out.secret_binary()) {
            (Some(text), _) if !text.is_empty() => text.as_bytes().to_vec(),
            (_, Some(blob)) if !blob.as_ref().is_empty() => blob.as_ref().to_vec(),
            _ => return Err(KeyError::Empty(stage)),
        };
        if secret.len() < MIN_KEY_BYTES {
            return Err(KeyError::TooShort {
                stage,
                len: secret.len(),
            });
        }
        let kid = out.version_id().ok_or(KeyError::Empty(stage))?;
        Ok(Some(SigningKey::new(kid, secret)))
    }
}
