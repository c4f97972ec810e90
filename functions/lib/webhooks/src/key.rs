//! Webhook signing secrets, derived: `HMAC-SHA256(key, "tessera webhook secret\0" + nonce)`
//! where the key is a Secrets Manager secret of the stack and the nonce is stored on the
//! endpoint. The table holds no secret, a rotation is a new nonce, and only the functions
//! that may read the key can show or sign with a secret.

use std::fmt;

use aws_sdk_secretsmanager::Client;
use base64::{engine::general_purpose::STANDARD, Engine};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use tokio::sync::OnceCell;
use zeroize::Zeroizing;

/// The shortest key accepted: the template generates 64 characters.
const MIN_KEY_BYTES: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the webhook key could not be read: {0}")]
    Unavailable(String),
    #[error("the webhook key is {0} bytes, under the {MIN_KEY_BYTES} required")]
    TooShort(usize),
}

/// The stack's webhook key, read from Secrets Manager once per container (it does not
/// rotate: each endpoint's secret does).
pub struct WebhookKey {
    client: Client,
    secret_id: String,
    key: OnceCell<Zeroizing<Vec<u8>>>,
}

impl fmt::Debug for WebhookKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookKey")
            .field("secret_id", &self.secret_id)
            .finish_non_exhaustive()
    }
}

impl WebhookKey {
    pub fn new(client: Client, secret_id: impl Into<String>) -> Self {
        WebhookKey {
            client,
            secret_id: secret_id.into(),
            key: OnceCell::new(),
        }
    }

    async fn key(&self) -> Result<&[u8], KeyError> {
        let key = self
            .key
            .get_or_try_init(|| async {
                let out = self
                    .client
                    .get_secret_value()
                    .secret_id(&self.secret_id)
                    .send()
                    .await
                    .map_err(|err| KeyError::Unavailable(err.to_string()))?;
                let text = out
                    .secret_string
                    .ok_or_else(|| KeyError::Unavailable("the secret has no string".into()))?;
                let key = Zeroizing::new(text.into_bytes());
                if key.len() < MIN_KEY_BYTES {
                    return Err(KeyError::TooShort(key.len()));
                }
                Ok(key)
            })
            .await?;
        Ok(key.as_slice())
    }

    /// The secret of `nonce`.
    pub async fn secret(&self, nonce: &str) -> Result<WebhookSecret, KeyError> {
        Ok(derive(self.key().await?, nonce))
    }
}

fn derive(key: &[u8], nonce: &str) -> WebhookSecret {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(b"tessera webhook secret\0");
    mac.update(nonce.as_bytes());
    WebhookSecret(Zeroizing::new(mac.finalize().into_bytes().into()))
}

/// An endpoint's signing secret: 32 bytes, shown as Standard Webhooks' `whsec_<base64>`.
pub struct WebhookSecret(Zeroizing<[u8; 32]>);

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

impl WebhookSecret {
    /// The bytes HMAC-SHA256 signs with.
    pub fn bytes(&self) -> &[u8] {
        self.0.as_slice()
    }

    /// As the endpoint's owner is shown it, once.
    pub fn expose_whsec(&self) -> String {
        format!("whsec_{}", STANDARD.encode(self.bytes()))
    }
}

impl From<KeyError> for tessera_common::ApiError {
    fn from(err: KeyError) -> Self {
        match err {
            KeyError::Unavailable(_) => tessera_common::ApiError::Unavailable(Box::new(err)),
            KeyError::TooShort(_) => tessera_common::ApiError::Internal(Box::new(err)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_nonce_has_its_own_secret_and_each_key_its_own_secrets() {
        let key = [7u8; 32];
        let a = derive(&key, "a").expose_whsec();
        assert_eq!(
            a,
            derive(&key, "a").expose_whsec(),
            "the same nonce, the same secret"
        );
        assert_ne!(a, derive(&key, "b").expose_whsec());
        assert_ne!(a, derive(&[8u8; 32], "a").expose_whsec());
        let raw = STANDARD.decode(a.strip_prefix("whsec_").unwrap()).unwrap();
        assert_eq!(raw.len(), 32);
    }

    #[test]
    fn a_secret_never_prints() {
        let secret = derive(&[7u8; 32], "a");
        assert_eq!(format!("{secret:?}"), "WebhookSecret(..)");
    }
}
