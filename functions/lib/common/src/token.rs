//! The format of every secret token Tessera issues.
//!
//! `<prefix>_<30 random base62 chars><6 base62 chars of CRC-32>`: 30 base62 characters
//! carry about 178 bits from the OS CSPRNG, the prefix tells a reader (and a secret
//! scanner) what kind of token it is, and the checksum lets a scanner or Tessera itself
//! reject noise without a lookup. Only the SHA-256 digest of a token is ever stored.

use std::fmt;

use sha2::{Digest, Sha256};

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const RANDOM_LEN: usize = 30;
const CHECKSUM_LEN: usize = 6;

/// The kinds of token Tessera issues, each with its own prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Authenticates a workspace's owner to the access-token API (HTTP Basic user name).
    WorkspaceToken,
    /// A named opaque access token created through `POST /accessTokens`.
    AccessToken,
    /// A user's auth token (`Authorization: Token ...` on the SeaTable API).
    UserAuthToken,
    /// A base's API token, exchanged for a base access token by app-access-token.
    ApiToken,
    /// A base's external share link, exchanged for a read-only base access token.
    ShareLink,
}

impl TokenKind {
    const ALL: [TokenKind; 5] = [
        TokenKind::WorkspaceToken,
        TokenKind::AccessToken,
        TokenKind::UserAuthToken,
        TokenKind::ApiToken,
        TokenKind::ShareLink,
    ];

    pub fn prefix(self) -> &'static str {
        match self {
            TokenKind::WorkspaceToken => "tsw",
            TokenKind::AccessToken => "tsa",
            TokenKind::UserAuthToken => "tsu",
            TokenKind::ApiToken => "tsk",
            TokenKind::ShareLink => "tss",
        }
    }
}

/// A freshly generated token: the plaintext exists only until it is shown to its owner.
pub struct NewToken {
    plaintext: String,
    digest: TokenDigest,
}

impl NewToken {
    pub fn generate(kind: TokenKind) -> Self {
        let body = format!("{}_{}", kind.prefix(), random_base62(RANDOM_LEN));
        let plaintext = format!("{body}{}", checksum(&body));
        let digest = TokenDigest::of(&plaintext);
        NewToken { plaintext, digest }
    }

    /// The token to show once, at creation.
    pub fn expose(&self) -> &str {
        &self.plaintext
    }

    pub fn digest(&self) -> &TokenDigest {
        &self.digest
    }
}

#[cfg(feature = "local")]
impl NewToken {
    /// A token fixed by its 30 base62 characters, for the public fixture data set of
    /// local stacks and events (see `fixtures`); never issued by a function.
    pub fn fixture(kind: TokenKind, random: &str) -> Self {
        assert!(
            random.len() == RANDOM_LEN && random.bytes().all(|b| BASE62.contains(&b)),
            "a fixture token body is {RANDOM_LEN} base62 characters"
        );
        let body = format!("{}_{random}", kind.prefix());
        let plaintext = format!("{body}{}", checksum(&body));
        let digest = TokenDigest::of(&plaintext);
        NewToken { plaintext, digest }
    }
}

impl fmt::Debug for NewToken {
    // Keeps the plaintext out of logs and panic messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewToken")
            .field("digest", &self.digest)
            .finish()
    }
}

/// A token presented by a caller whose format and checksum are valid. It may still be
/// unknown, revoked or expired: only a lookup of its digest tells.
pub struct PresentedToken {
    kind: TokenKind,
    digest: TokenDigest,
}

impl PresentedToken {
    /// Checks prefix, length, alphabet and checksum; `None` for anything else.
    pub fn parse(candidate: &str) -> Option<Self> {
        let (prefix, rest) = candidate.split_once('_')?;
        let kind = TokenKind::ALL.into_iter().find(|k| k.prefix() == prefix)?;
        if rest.len() != RANDOM_LEN + CHECKSUM_LEN || !rest.bytes().all(|b| BASE62.contains(&b)) {
            return None;
        }
        let (body, sum) = candidate.split_at(candidate.len() - CHECKSUM_LEN);
        if checksum(body) != sum {
            return None;
        }
        Some(PresentedToken {
            kind,
            digest: TokenDigest::of(candidate),
        })
    }

    pub fn kind(&self) -> TokenKind {
        self.kind
    }

    pub fn digest(&self) -> &TokenDigest {
        &self.digest
    }
}

/// Hex SHA-256 of a token: the only form in which a token is stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct TokenDigest(String);

impl TokenDigest {
    pub fn of(token: &str) -> Self {
        TokenDigest(hex::encode(Sha256::digest(token.as_bytes())))
    }

    pub fn as_hex(&self) -> &str {
        &self.0
    }
}

/// A random uuid in SeaTable's form: 32 lowercase hex digits (a version 4 uuid).
pub fn new_uuid_hex() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the OS random number generator failed");
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    hex::encode(bytes)
}

/// Short random identifiers for records (not secrets, but unguessable all the same).
pub fn new_id() -> String {
    random_base62(22)
}

/// `len` characters of base62 from the OS CSPRNG (about 5.95 bits each).
pub fn random_base62(len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        getrandom::fill(&mut buf).expect("the OS random number generator failed");
        // Rejection sampling: 248 = 4 * 62, so every kept byte maps uniformly onto base62.
        out.extend(
            buf.iter()
                .filter(|&&b| b < 248)
                .map(|&b| BASE62[(b % 62) as usize] as char)
                .take(len - out.len()),
        );
    }
    out
}

fn checksum(body: &str) -> String {
    let mut n = crc32fast::hash(body.as_bytes());
    let mut digits = [b'0'; CHECKSUM_LEN];
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8(digits.to_vec()).expect("base62 is ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_parse_back_with_kind_and_digest() {
        for kind in TokenKind::ALL {
            let token = NewToken::generate(kind);
            assert!(token.expose().starts_with(&format!("{}_", kind.prefix())));
            assert_eq!(token.expose().len(), kind.prefix().len() + 1 + 36);
            let parsed = PresentedToken::parse(token.expose()).expect("valid token");
            assert_eq!(parsed.kind(), kind);
            assert_eq!(parsed.digest(), token.digest());
        }
    }

    #[test]
    fn tokens_are_unique() {
        let a = NewToken::generate(TokenKind::AccessToken);
        let b = NewToken::generate(TokenKind::AccessToken);
        assert_ne!(a.expose(), b.expose());
    }

    #[test]
    fn a_changed_character_fails_the_checksum() {
        let token = NewToken::generate(TokenKind::AccessToken);
        let mut bytes = token.expose().as_bytes().to_vec();
        bytes[6] = if bytes[6] == b'a' { b'b' } else { b'a' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert!(PresentedToken::parse(&tampered).is_none());
    }

    #[test]
    fn noise_and_unknown_prefixes_are_rejected() {
        let token = NewToken::generate(TokenKind::AccessToken);
        let foreign = token.expose().replacen("tsa_", "xyz_", 1);
        for bad in ["", "tsa_", "abcd1234", "tsa_!!!", foreign.as_str()] {
            assert!(PresentedToken::parse(bad).is_none(), "{bad:?} parsed");
        }
        let truncated = &token.expose()[..token.expose().len() - 1];
        assert!(PresentedToken::parse(truncated).is_none());
    }

    #[test]
    fn digest_is_sha256_hex() {
        assert_eq!(
            TokenDigest::of("abc").as_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn debug_output_hides_the_plaintext() {
        let token = NewToken::generate(TokenKind::WorkspaceToken);
        assert!(!format!("{token:?}").contains(token.expose()));
    }

    #[test]
    fn random_ids_use_the_whole_alphabet_roughly_evenly() {
        let sample: String = (0..400).map(|_| new_id()).collect();
        for c in BASE62.iter() {
            assert!(sample.contains(*c as char), "{} never drawn", *c as char);
        }
    }
}
