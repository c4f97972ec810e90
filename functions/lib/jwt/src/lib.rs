//! Tessera's JWTs: HS256, named by `kid` (the signing secret's version id).
//!
//! A base access token is SeaTable's, for the platform's base servers, which verify it as
//! SeaTable's own do: PyJWT `jwt.decode(token, key, algorithms=["HS256"])` with no audience,
//! or Node's `jsonwebtoken.verify(token, key)`. PyJWT refuses any token with an `aud` when
//! no audience is asked for, and an `iat` ahead of its clock, so a base access token carries
//! SeaTable's claims only: no `aud`, no `iat`.
//!
//! The kinds stay apart by key, not by claim (RFC 8725 §3.11): a temporary API token is
//! signed with a key derived from the secret (HKDF-SHA256 with a label), so no verifier
//! that holds the secret takes it for a base access token, nor the reverse. It keeps its
//! own `aud` and `typ` as well, for Tessera's verifier.

use std::borrow::Cow;

use aws_lc_rs::hkdf::{Salt, HKDF_SHA256};
use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};

use signing_key::{KeyRing, SigningKey};
use tessera_common::store::records::TokenPermission;

pub mod base_token;
pub mod lambda;
pub mod signing_key;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtKind {
    /// SeaTable's base access token, for the platform's base servers.
    BaseAccessToken,
    /// A temporary API token, exchanged by app-access-token like a base's API token.
    TempApiToken,
}

/// The HKDF label of the temporary API tokens' key. Changing it retires every such token.
const TEMP_API_TOKEN_KEY_LABEL: &[u8] = b"tessera/temp-api-token/v1";

impl JwtKind {
    pub const ALL: [JwtKind; 2] = [JwtKind::BaseAccessToken, JwtKind::TempApiToken];

    /// The `aud` claim, where the kind has one: base access tokens have none, since
    /// SeaTable's verifiers refuse it.
    pub fn audience(self) -> Option<&'static str> {
        match self {
            JwtKind::BaseAccessToken => None,
            JwtKind::TempApiToken => Some("tessera:temp-api-token"),
        }
    }

    /// Whether tokens of this kind carry `iat` (base access tokens do not: a verifier
    /// whose clock runs behind would refuse them).
    pub fn has_issued_at(self) -> bool {
        matches!(self, JwtKind::TempApiToken)
    }

    /// The `typ` header. Base access tokens keep SeaTable's plain `JWT`.
    pub fn typ(self) -> &'static str {
        match self {
            JwtKind::BaseAccessToken => "JWT",
            JwtKind::TempApiToken => "temp-api-token+jwt",
        }
    }

    /// The HMAC key of this kind under one version of the signing secret: the secret
    /// itself for base access tokens (the base servers hold it), a derived key otherwise.
    pub fn hmac_key(self, key: &SigningKey) -> Cow<'_, [u8]> {
        match self {
            JwtKind::BaseAccessToken => Cow::Borrowed(key.secret()),
            JwtKind::TempApiToken => Cow::Owned(derive_key(key.secret(), TEMP_API_TOKEN_KEY_LABEL)),
        }
    }
}

/// HKDF-SHA256 (RFC 5869) of the secret, without salt, for `label`: 32 bytes.
fn derive_key(secret: &[u8], label: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; 32];
    Salt::new(HKDF_SHA256, &[])
        .extract(secret)
        .expand(&[label], HKDF_SHA256)
        .and_then(|okm| okm.fill(&mut out))
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    out
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseClaims {
    pub exp: u64,
    /// Temporary API tokens only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    /// Temporary API tokens only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    pub dtable_uuid: String,
    pub username: String,
    pub permission: TokenPermission,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_name: Option<String>,
    /// The user's id: temporary API tokens carry it, so that a disabled user's stop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// The base's workspace: lets introspection scope a token to a workspace, and lets
    /// app-access-token exchange a temporary API token without a lookup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dtable_name: Option<String>,
}

impl BaseClaims {
    /// Claims of a `kind` token issued at `now`, valid until `exp`; the caller fills in
    /// what it grants beyond the base and the user.
    pub fn new(
        kind: JwtKind,
        now: u64,
        exp: u64,
        dtable_uuid: &str,
        username: &str,
        permission: TokenPermission,
    ) -> Self {
        BaseClaims {
            exp,
            iat: kind.has_issued_at().then_some(now),
            aud: kind.audience().map(str::to_owned),
            dtable_uuid: dtable_uuid.to_owned(),
            username: username.to_owned(),
            permission,
            app_name: None,
            sub: None,
            workspace_id: None,
            dtable_name: None,
        }
    }
}

/// Signs with the current key; the header names it as `kid` and the kind as `typ`.
pub fn sign(
    ring: &KeyRing,
    kind: JwtKind,
    claims: &BaseClaims,
) -> Result<String, jsonwebtoken::errors::Error> {
    debug_assert_eq!(claims.aud.as_deref(), kind.audience());
    let mut header = Header::new(Algorithm::HS256);
    header.typ = Some(kind.typ().to_owned());
    header.kid = Some(ring.current.kid.clone());
    encode(
        &header,
        claims,
        &EncodingKey::from_secret(&kind.hmac_key(&ring.current)),
    )
}

/// The `kid` a token names, if it is a JWT of the form Tessera signs at all.
pub fn kid_of(token: &str) -> Option<String> {
    let header = decode_header(token).ok()?;
    (header.alg == Algorithm::HS256).then_some(header.kid?)
}

/// The claims of a `kind` token signed by that kind's key under a version of the ring,
/// unexpired, already valid (`nbf`); a temporary API token also for its audience, and a
/// base access token without any (as PyJWT refuses one). `None` for anything else.
pub fn verify(ring: &KeyRing, kind: JwtKind, token: &str) -> Option<BaseClaims> {
    let header = decode_header(token).ok()?;
    if header.alg != Algorithm::HS256 || header.typ.as_deref() != Some(kind.typ()) {
        return None;
    }
    let key = ring.by_kid(header.kid.as_deref()?)?;
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.validate_nbf = true;
    match kind.audience() {
        Some(audience) => {
            validation.set_audience(&[audience]);
            validation.set_required_spec_claims(&["exp", "iat", "aud"]);
        }
        None => validation.set_required_spec_claims(&["exp"]),
    }
    let claims = decode::<BaseClaims>(
        token,
        &DecodingKey::from_secret(&kind.hmac_key(key)),
        &validation,
    )
    .ok()?
    .claims;
    // Whatever jsonwebtoken does with an unasked-for `aud`, a base access token has none.
    (claims.aud.as_deref() == kind.audience()).then_some(claims)
}

#[cfg(test)]
mod tests;
