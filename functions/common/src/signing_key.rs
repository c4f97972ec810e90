//! The HS256 signing key, read from Secrets Manager and cached between invocations.
//!
//! Tokens are signed with the `AWSCURRENT` version and carry its version id as `kid`;
//! verification also accepts `AWSPREVIOUS`, so a rotation never invalidates a live token.
//! Stages are always named explicitly. A failed read is not cached: the next request
//! tries again.

use std::{
    fmt,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use aws_sdk_secretsmanager::{operation::get_secret_value::GetSecretValueError, Client};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("reading the signing secret from Secrets Manager failed")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("the signing secret's {0} version has no usable value")]
    Empty(&'static str),
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

/// The signing secret of one deployment, with its cache.
pub struct SigningKeys {
    client: Client,
    secret_id: String,
    refresh: Duration,
    cached: Mutex<Option<(Instant, Arc<KeyRing>)>>,
}

impl fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeys")
            .field("secret_id", &self.secret_id)
            .field("refresh", &self.refresh)
            .finish_non_exhaustive()
    }
}

impl SigningKeys {
    pub fn new(client: Client, secret_id: impl Into<String>, refresh: Duration) -> Self {
        SigningKeys {
            client,
            secret_id: secret_id.into(),
            refresh,
            cached: Mutex::new(None),
        }
    }

    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    /// The keys, from the cache while it is fresh, else from Secrets Manager.
    pub async fn ring(&self) -> Result<Arc<KeyRing>, KeyError> {
        if let Some((fetched, ring)) = self.cached.lock().expect("cache lock").as_ref() {
            if fetched.elapsed() < self.refresh {
                return Ok(ring.clone());
            }
        }
        let ring = Arc::new(self.fetch().await?);
        *self.cached.lock().expect("cache lock") = Some((Instant::now(), ring.clone()));
        tracing::debug!(kid = %ring.current.kid, "signing key loaded");
        Ok(ring)
    }

    async fn fetch(&self) -> Result<KeyRing, KeyError> {
        let current = self
            .version("AWSCURRENT")
            .await?
            .ok_or(KeyError::Empty("AWSCURRENT"))?;
        let previous = self.version("AWSPREVIOUS").await?;
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
        let kid = out.version_id().ok_or(KeyError::Empty(stage))?;
        Ok(Some(SigningKey::new(kid, secret)))
    }
}
