//! Tessera's JWTs: HS256, signed with the current key, named by `kid`.
//!
//! Two kinds share the key, so each carries its own audience (`aud`) and `typ` header and
//! is verified only as its own kind: a base access token is never taken for a temporary
//! API token, nor the reverse.

use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};

use crate::{signing_key::KeyRing, store::records::TokenPermission};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtKind {
    /// SeaTable's base access token, for the platform's base servers.
    BaseAccessToken,
    /// A temporary API token, exchanged by app-access-token like a base's API token.
    TempApiToken,
}

impl JwtKind {
    pub const ALL: [JwtKind; 2] = [JwtKind::BaseAccessToken, JwtKind::TempApiToken];

    /// The `aud` claim: who the token is for.
    pub fn audience(self) -> &'static str {
        match self {
            JwtKind::BaseAccessToken => "tessera:base-access-token",
            JwtKind::TempApiToken => "tessera:temp-api-token",
        }
    }

    /// The `typ` header. Base access tokens keep SeaTable's plain `JWT`.
    pub fn typ(self) -> &'static str {
        match self {
            JwtKind::BaseAccessToken => "JWT",
            JwtKind::TempApiToken => "temp-api-token+jwt",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseClaims {
    pub exp: u64,
    pub iat: u64,
    pub aud: String,
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

/// Signs with the current key; the header names it as `kid` and the kind as `typ`.
pub fn sign(
    ring: &KeyRing,
    kind: JwtKind,
    claims: &BaseClaims,
) -> Result<String, jsonwebtoken::errors::Error> {
    debug_assert_eq!(claims.aud, kind.audience());
    let mut header = Header::new(Algorithm::HS256);
    header.typ = Some(kind.typ().to_owned());
    header.kid = Some(ring.current.kid.clone());
    encode(
        &header,
        claims,
        &EncodingKey::from_secret(ring.current.secret()),
    )
}

/// The `kid` a token names, if it is a JWT of the form Tessera signs at all.
pub fn kid_of(token: &str) -> Option<String> {
    let header = decode_header(token).ok()?;
    (header.alg == Algorithm::HS256).then_some(header.kid?)
}

/// The claims of a `kind` token signed by a key of the ring, unexpired, already valid
/// (`nbf`), for its audience; `None` for anything else.
pub fn verify(ring: &KeyRing, kind: JwtKind, token: &str) -> Option<BaseClaims> {
    let header = decode_header(token).ok()?;
    if header.alg != Algorithm::HS256 || header.typ.as_deref() != Some(kind.typ()) {
        return None;
    }
    let key = ring.by_kid(header.kid.as_deref()?)?;
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.validate_nbf = true;
    validation.set_audience(&[kind.audience()]);
    validation.set_required_spec_claims(&["exp", "iat", "aud"]);
    decode::<BaseClaims>(token, &DecodingKey::from_secret(key.secret()), &validation)
        .ok()
        .map(|data| data.claims)
}

#[cfg(test)]
mod tests;
