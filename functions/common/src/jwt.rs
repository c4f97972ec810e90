//! Base access tokens: HS256 JWTs scoped to one base, as SeaTable issues them.

use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};

use crate::{signing_key::KeyRing, store::records::TokenPermission};

/// `token_type` of a temporary API token, so that no other JWT is taken for one.
pub const TEMP_API_TOKEN_TYPE: &str = "temp_api_token";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseClaims {
    pub exp: u64,
    pub iat: u64,
    pub dtable_uuid: String,
    pub username: String,
    pub permission: TokenPermission,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// Carried by temporary API tokens, which app-access-token exchanges without a lookup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dtable_name: Option<String>,
}

/// Signs with the current key; the header names it as `kid`.
pub fn sign(ring: &KeyRing, claims: &BaseClaims) -> Result<String, jsonwebtoken::errors::Error> {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(ring.current.kid.clone());
    encode(
        &header,
        claims,
        &EncodingKey::from_secret(ring.current.secret()),
    )
}

/// The claims of a token signed by the current or the previous key, unexpired; `None`
/// for anything else.
pub fn verify(ring: &KeyRing, token: &str) -> Option<BaseClaims> {
    let header = decode_header(token).ok()?;
    if header.alg != Algorithm::HS256 {
        return None;
    }
    let key = ring.by_kid(header.kid.as_deref()?)?;
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    decode::<BaseClaims>(token, &DecodingKey::from_secret(key.secret()), &validation)
        .ok()
        .map(|data| data.claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing_key::SigningKey;

    fn ring(current: &str, previous: Option<&str>) -> KeyRing {
        KeyRing {
            current: SigningKey::new(current, format!("secret-{current}")),
            previous: previous.map(|kid| SigningKey::new(kid, format!("secret-{kid}"))),
        }
    }

    fn claims(exp: u64) -> BaseClaims {
        BaseClaims {
            exp,
            iat: 1,
            dtable_uuid: "u".into(),
            username: "alice".into(),
            permission: TokenPermission::R,
            app_name: None,
            token_type: None,
            workspace_id: None,
            dtable_name: None,
        }
    }

    fn far_future() -> u64 {
        4_000_000_000
    }

    #[test]
    fn verifies_with_current_and_previous_but_not_older_keys() {
        let v1 = sign(&ring("v1", None), &claims(far_future())).unwrap();
        assert!(verify(&ring("v2", Some("v1")), &v1).is_some());
        assert!(verify(&ring("v3", Some("v2")), &v1).is_none());
    }

    #[test]
    fn refuses_expired_tampered_and_unsigned_tokens() {
        let keys = ring("v1", None);
        assert!(verify(&keys, &sign(&keys, &claims(1000)).unwrap()).is_none());
        let good = sign(&keys, &claims(far_future())).unwrap();
        let mut parts: Vec<&str> = good.split('.').collect();
        let forged_payload = sign(
            &keys,
            &BaseClaims {
                permission: TokenPermission::Rw,
                ..claims(far_future())
            },
        )
        .unwrap();
        parts[1] = forged_payload.split('.').nth(1).unwrap();
        assert!(verify(&keys, &parts.join(".")).is_none());
        assert!(verify(&keys, "not.a.jwt").is_none());
        // A token claiming "none" or no kid is never accepted.
        let none_header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
        assert!(verify(&keys, &format!("{none_header}.{}.", parts[1])).is_none());
    }

    #[test]
    fn a_different_secret_under_the_same_kid_fails() {
        let token = sign(&ring("v1", None), &claims(far_future())).unwrap();
        let impostor = KeyRing {
            current: SigningKey::new("v1", "another secret"),
            previous: None,
        };
        assert!(verify(&impostor, &token).is_none());
    }
}
