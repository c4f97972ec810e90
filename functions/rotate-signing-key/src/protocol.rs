//! Rotation of the signing key by Secrets Manager's four-step protocol (createSecret,
//! setSecret, testSecret, finishSecret), with the checks AWS's own rotation templates
//! make before each step. Run by the rotation function on the secret's schedule, and by
//! `tessera-admin signing-key rotate` for operators without one.
//!
//! Tokens carry their key's version id as `kid`: after a rotation the old key is
//! `AWSPREVIOUS` and still verifies what it signed, and a container that has not seen the
//! new key refreshes on its unknown `kid` (see `signing_key`).

use std::collections::HashMap;

use aws_sdk_secretsmanager::{operation::get_secret_value::GetSecretValueError, Client};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use tessera_common::{
    rotation::{RotationError, Step},
    store::records::TokenPermission,
};
use tessera_jwt::{
    self as jwt,
    signing_key::{KeyRing, SigningKey},
    BaseClaims, JwtKind,
};

const CURRENT: &str = "AWSCURRENT";
const PENDING: &str = "AWSPENDING";
const PREVIOUS: &str = "AWSPREVIOUS";
/// Random bytes of a new key; its base64url text (86 characters) is the HMAC key.
const NEW_KEY_RANDOM_BYTES: usize = 64;

/// Only one previous key is kept, so a key must stay `AWSPREVIOUS` for as long as a
/// token it signed lives: a rotation interval under two token lifetimes would cut live
/// tokens off. `SIGNING_KEY_ROTATION_DAYS` and `ACCESS_TOKEN_TTL_SECONDS` as the template
/// sets them; either missing passes (a local or operator run).
pub fn check_rotation_interval() -> Result<(), RotationError> {
    let number = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    match (
        number("SIGNING_KEY_ROTATION_DAYS"),
        number("ACCESS_TOKEN_TTL_SECONDS"),
    ) {
        (Some(days), Some(ttl)) => rotation_interval_fits(days, ttl),
        _ => Ok(()),
    }
}

/// Whether rotating every `days` keeps every token of `ttl_secs` verifying to its end.
pub fn rotation_interval_fits(days: u64, ttl_secs: u64) -> Result<(), RotationError> {
    if days * 24 * 3600 >= 2 * ttl_secs {
        return Ok(());
    }
    Err(RotationError::Misconfigured(format!(
        "SigningKeyRotationDays ({days}) is shorter than two token lifetimes \
         (AccessTokenLifetimeSeconds {ttl_secs}): raise it to at least {} days",
        (2 * ttl_secs).div_ceil(24 * 3600)
    )))
}

fn sm_error(err: impl std::error::Error) -> RotationError {
    RotationError::SecretsManager(
        aws_smithy_types::error::display::DisplayErrorContext(err).to_string(),
    )
}

/// Rotates one secret. `require_rotation_enabled` is the rotation function's check (AWS
/// rotates only secrets configured for it); the operator's command rotates on demand.
pub struct Rotation<'a> {
    client: &'a Client,
    secret_id: &'a str,
    require_rotation_enabled: bool,
}

impl<'a> Rotation<'a> {
    /// What the rotation function runs for each event.
    pub fn scheduled(client: &'a Client, secret_id: &'a str) -> Self {
        Rotation {
            client,
            secret_id,
            require_rotation_enabled: true,
        }
    }

    /// One step, after the checks AWS's templates make: rotation is enabled, the token is
    /// a version of the secret, and it is pending (a version already current is done).
    pub async fn step(&self, step: Step, token: &str) -> Result<(), RotationError> {
        let versions = self.versions().await?;
        let stages = versions
            .get(token)
            .ok_or_else(|| RotationError::UnknownVersion {
                secret: self.secret_id.to_owned(),
                token: token.to_owned(),
            })?;
        if stages.iter().any(|s| s == CURRENT) {
            tracing::info!(?step, version = %token, "version is already AWSCURRENT");
            return Ok(());
        }
        if !stages.iter().any(|s| s == PENDING) {
            return Err(RotationError::NotPending {
                secret: self.secret_id.to_owned(),
                token: token.to_owned(),
            });
        }
        match step {
            Step::CreateSecret => self.create(token).await,
            // A symmetric key has no other system to be set in.
            Step::SetSecret => Ok(()),
            Step::TestSecret => self.test(token).await,
            Step::FinishSecret => self.finish(token, &versions).await,
        }
    }

    /// Every version of the secret with its stages (one DescribeSecret per step).
    async fn versions(&self) -> Result<HashMap<String, Vec<String>>, RotationError> {
        let meta = self
            .client
            .describe_secret()
            .secret_id(self.secret_id)
            .send()
            .await
            .map_err(sm_error)?;
        if self.require_rotation_enabled && meta.rotation_enabled() != Some(true) {
            return Err(RotationError::NotEnabled(self.secret_id.to_owned()));
        }
        Ok(meta.version_ids_to_stages.unwrap_or_default())
    }

    /// The pending version's key, if it has one yet.
    async fn pending_key(&self, token: &str) -> Result<Option<String>, RotationError> {
        let result = self
            .client
            .get_secret_value()
            .secret_id(self.secret_id)
            .version_id(token)
            .version_stage(PENDING)
            .send()
            .await;
        match result {
            Ok(out) => Ok(out
                .secret_string()
                .filter(|s| !s.is_empty())
                .map(str::to_owned)),
            Err(err)
                if matches!(
                    err.as_service_error(),
                    Some(GetSecretValueError::ResourceNotFoundException(_))
                ) =>
            {
                Ok(None)
            }
            Err(err) => Err(sm_error(err)),
        }
    }

    /// A new random key as the pending version; nothing when it already has one (a retried
    /// step), so a retry never replaces a key that may already have been tested.
    async fn create(&self, token: &str) -> Result<(), RotationError> {
        self.client
            .get_secret_value()
            .secret_id(self.secret_id)
            .version_stage(CURRENT)
            .send()
            .await
            .map_err(|_| RotationError::NoCurrent(self.secret_id.to_owned()))?;
        if self.pending_key(token).await?.is_some() {
            tracing::info!(version = %token, "pending version already has its key");
            return Ok(());
        }
        stage_new_key(self.client, self.secret_id, token).await?;
        tracing::info!(version = %token, "new signing key staged as AWSPENDING");
        Ok(())
    }

    /// The pending key, refused unless it is long enough to be a key we made.
    async fn checked_pending_key(&self, token: &str) -> Result<String, RotationError> {
        let key = self
            .pending_key(token)
            .await?
            .ok_or_else(|| RotationError::TestFailed("the pending version has no key".into()))?;
        if key.len() < NEW_KEY_RANDOM_BYTES {
            return Err(RotationError::TestFailed(format!(
                "the pending key is {} bytes; at least {NEW_KEY_RANDOM_BYTES} are required",
                key.len()
            )));
        }
        Ok(key)
    }

    /// Signs a token with the pending key and verifies it, as every function will.
    async fn test(&self, token: &str) -> Result<(), RotationError> {
        let key = self.checked_pending_key(token).await?;
        let ring = KeyRing {
            current: SigningKey::new(token, key.into_bytes()),
            previous: None,
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let kind = JwtKind::BaseAccessToken;
        let claims = BaseClaims::new(
            kind,
            now,
            now + 60,
            "rotation-test",
            "rotation-test",
            TokenPermission::R,
        );
        let signed = jwt::sign(&ring, kind, &claims)
            .map_err(|err| RotationError::TestFailed(err.to_string()))?;
        match jwt::verify(&ring, kind, &signed) {
            Some(verified) if verified.dtable_uuid == claims.dtable_uuid => Ok(()),
            _ => Err(RotationError::TestFailed(
                "a token signed with the pending key did not verify".into(),
            )),
        }
    }

    /// Makes the pending version current; the old current becomes `AWSPREVIOUS`. Checks
    /// the key again: a version without one must never become the signing key.
    async fn finish(
        &self,
        token: &str,
        versions: &HashMap<String, Vec<String>>,
    ) -> Result<(), RotationError> {
        self.checked_pending_key(token).await?;
        let current = versions
            .iter()
            .find(|(_, stages)| stages.iter().any(|s| s == CURRENT))
            .map(|(version, _)| version.clone());
        let Some(current) = current else {
            return Err(RotationError::NoCurrent(self.secret_id.to_owned()));
        };
        self.client
            .update_secret_version_stage()
            .secret_id(self.secret_id)
            .version_stage(CURRENT)
            .move_to_version_id(token)
            .remove_from_version_id(&current)
            .send()
            .await
            .map_err(sm_error)?;
        // The label has done its job; left on the current version it would only confuse
        // the next rotation's "is one still in progress?" check.
        self.client
            .update_secret_version_stage()
            .secret_id(self.secret_id)
            .version_stage(PENDING)
            .remove_from_version_id(token)
            .send()
            .await
            .map_err(sm_error)?;
        tracing::info!(version = %token, previous = %current, "signing key rotated");
        Ok(())
    }
}

/// Rotates now, for an operator: stages a new version as Secrets Manager does when it
/// starts a rotation, then runs the four steps. Returns the new key's version id (`kid`).
#[cfg(feature = "operator")]
pub async fn rotate_now(client: &Client, secret_id: &str) -> Result<String, RotationError> {
    let rotation = Rotation {
        client,
        secret_id,
        require_rotation_enabled: false,
    };
    let token = tessera_common::token::new_uuid_hex();
    // Secrets Manager labels the new version AWSPENDING before it calls createSecret;
    // here createSecret's put does both.
    stage_new_key(client, secret_id, &token).await?;
    for step in [
        Step::CreateSecret,
        Step::SetSecret,
        Step::TestSecret,
        Step::FinishSecret,
    ] {
        rotation.step(step, &token).await?;
    }
    Ok(token)
}

/// Retires the `AWSPREVIOUS` key at once (after a key compromise: tokens a leaked key signs
/// must stop verifying now, not at the next rotation). Returns the retired version, if one
/// was labelled. Containers stop accepting it when they next read the secret (their cache
/// refreshes every `SIGNING_KEY_REFRESH_SECONDS`, 5 minutes by default).
pub async fn retire_previous(
    client: &Client,
    secret_id: &str,
) -> Result<Option<String>, RotationError> {
    let meta = client
        .describe_secret()
        .secret_id(secret_id)
        .send()
        .await
        .map_err(sm_error)?;
    let previous = meta.version_ids_to_stages().and_then(|versions| {
        versions
            .iter()
            .find(|(_, stages)| stages.iter().any(|s| s == PREVIOUS))
            .map(|(version, _)| version.clone())
    });
    if let Some(version) = &previous {
        client
            .update_secret_version_stage()
            .secret_id(secret_id)
            .version_stage(PREVIOUS)
            .remove_from_version_id(version)
            .send()
            .await
            .map_err(sm_error)?;
    }
    Ok(previous)
}

/// A new random key as version `token`, labelled `AWSPENDING`.
async fn stage_new_key(client: &Client, secret_id: &str, token: &str) -> Result<(), RotationError> {
    client
        .put_secret_value()
        .secret_id(secret_id)
        .client_request_token(token)
        .secret_string(new_key()?)
        .version_stages(PENDING)
        .send()
        .await
        .map_err(sm_error)?;
    Ok(())
}

fn new_key() -> Result<String, RotationError> {
    let mut bytes = [0u8; NEW_KEY_RANDOM_BYTES];
    getrandom::fill(&mut bytes)
        .map_err(|err| RotationError::TestFailed(format!("no randomness: {err}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}
