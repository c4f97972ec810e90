//! GitHub's secret scanning partner program: GitHub posts the tokens it finds in public
//! code, signed with ECDSA P-256 / SHA-256 over the raw body; each live Tessera token is
//! revoked at once, and the answer is GitHub's feedback format.
//!
//! The public keys come from a key list in GitHub's format (`{"public_keys":
//! [{"key_identifier", "key" (PEM)}]}`), fetched from `SECRET_SCANNING_KEYS_URL` (GitHub's
//! by default) and cached: an unknown key identifier fetches again, at most once a minute.
//! Tests and other scanners serve their own list, or give it inline in
//! `SECRET_SCANNING_PUBLIC_KEYS` (local stacks and events: nothing is fetched then).

use std::{
    collections::HashMap,
    sync::OnceLock,
    time::{Duration, Instant},
};

use aws_lc_rs::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_ASN1};
use aws_smithy_http_client::{
    tls::{self, rustls_provider::CryptoMode},
    Connector,
};
use aws_smithy_runtime_api::client::{http::HttpConnector, orchestrator::HttpRequest};
use aws_smithy_types::body::SdkBody;
use base64::{engine::general_purpose::STANDARD, Engine};
use http_body_util::{BodyExt, Limited};
use serde::{Deserialize, Serialize};

use crate::leaks::{LeakOutcome, LeakStore};
use tessera_common::{
    audit::Auditor,
    store::{records::TokenLookup, Store, StoreError},
    token::{PresentedToken, TokenDigest},
};

pub const GITHUB_KEYS_URL: &str = "https://api.github.com/meta/public_keys/secret_scanning";
/// How long a fetched key list is used before it is fetched again.
const KEYS_FRESH_FOR: Duration = Duration::from_secs(3600);
/// The least time between two fetches (an unknown key id must not make us hammer GitHub).
const MIN_FETCH_INTERVAL: Duration = Duration::from_secs(60);
const FETCH_TIMEOUT: Duration = Duration::from_secs(3);
const MAX_KEY_LIST_BYTES: usize = 64 * 1024;
/// Most tokens one report may carry (GitHub sends a few at a time).
pub const MAX_REPORTED_TOKENS: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("the request is not signed (GITHUB-PUBLIC-KEY-IDENTIFIER and GITHUB-PUBLIC-KEY-SIGNATURE are required)")]
    Unsigned,
    #[error("the signature does not verify with the named key")]
    BadSignature,
    #[error("the public keys cannot be fetched: {0}")]
    KeysUnavailable(String),
}

/// One token GitHub found.
#[derive(Debug, Clone, Deserialize)]
pub struct Report {
    pub token: String,
    #[serde(rename = "type")]
    pub token_type: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub source: String,
}

/// GitHub's feedback on one token: named by its SHA-256, never echoed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    pub token_hash: String,
    pub token_type: String,
    pub label: String,
}

#[derive(Deserialize)]
struct KeyList {
    public_keys: Vec<PublishedKey>,
}

#[derive(Deserialize)]
struct PublishedKey {
    key_identifier: String,
    key: String,
}

/// A list fetched from a URL, cached for the container's life.
struct Fetched {
    url: String,
    /// Built at the first fetch: it loads the system's roots (GitHub's certificate is not
    /// Amazon's), which is not worth a cold start where the keys are given inline.
    connector: OnceLock<Connector>,
    cache: tokio::sync::Mutex<Cache>,
}

#[derive(Default)]
struct Cache {
    keys: HashMap<String, Vec<u8>>,
    fetched: Option<Instant>,
    last_attempt: Option<Instant>,
}

/// The verifying keys, by key identifier (DER `SubjectPublicKeyInfo`).
pub struct ScanKeys(Source);

enum Source {
    /// Given as a key list: never fetched.
    Fixed(HashMap<String, Vec<u8>>),
    Fetched(Fetched),
    /// No list may be trusted (the reason): every report answers 503.
    Misconfigured(String),
}

/// `https`, or `http` to a loopback address (tests and local stacks); never with userinfo,
/// which a hand-written check once took for the host (`http://127.0.0.1:1@evil.example/`
/// goes to evil.example). Parsed as the HTTP client parses it.
pub fn key_url_allowed(url: &str) -> bool {
    let Ok(uri) = url.parse::<lambda_http::http::Uri>() else {
        return false;
    };
    let Some(authority) = uri.authority() else {
        return false;
    };
    if authority.as_str().contains('@') {
        return false;
    }
    match uri.scheme_str() {
        Some("https") => true,
        Some("http") => matches!(authority.host(), "127.0.0.1" | "localhost" | "[::1]"),
        _ => false,
    }
}

impl ScanKeys {
    /// The list at `url`, fetched when first needed.
    pub fn new(url: impl Into<String>) -> Self {
        ScanKeys(Source::Fetched(Fetched {
            url: url.into(),
            connector: OnceLock::new(),
            cache: tokio::sync::Mutex::new(Cache::default()),
        }))
    }

    /// Keys given as a key list.
    pub fn fixed(key_list: &str) -> Result<Self, String> {
        Ok(ScanKeys(Source::Fixed(parse_key_list(
            key_list.as_bytes(),
        )?)))
    }

    /// `SECRET_SCANNING_PUBLIC_KEYS` (a key list) if set, else the list at
    /// `SECRET_SCANNING_KEYS_URL`, GitHub's by default.
    pub fn from_env() -> Self {
        let var = |name| {
            std::env::var(name)
                .ok()
                .filter(|v: &String| !v.trim().is_empty())
        };
        if let Some(list) = var("SECRET_SCANNING_PUBLIC_KEYS") {
            match Self::fixed(&list) {
                Ok(keys) => return keys,
                // Refuses every report (401) rather than trusting nothing silently.
                Err(err) => tracing::error!("SECRET_SCANNING_PUBLIC_KEYS is not a key list: {err}"),
            }
            return ScanKeys(Source::Fixed(HashMap::new()));
        }
        let url = var("SECRET_SCANNING_KEYS_URL").unwrap_or_else(|| GITHUB_KEYS_URL.to_owned());
        if !key_url_allowed(&url) {
            // Keys fetched in clear could be swapped on the way: refuse them, and answer 503
            // (GitHub retries) until the deployment is fixed.
            tracing::error!(%url, "SECRET_SCANNING_KEYS_URL must be https (http only on loopback)");
            return ScanKeys(Source::Misconfigured(format!(
                "the key list URL {url} is not https"
            )));
        }
        Self::new(url)
    }

    /// Checks the request's signature over its raw body.
    pub async fn verify(
        &self,
        key_id: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<(), ScanError> {
        let (Some(key_id), Some(signature)) = (key_id, signature) else {
            return Err(ScanError::Unsigned);
        };
        let signature = STANDARD
            .decode(signature.trim())
            .map_err(|_| ScanError::BadSignature)?;
        let key = self.key(key_id).await?.ok_or(ScanError::BadSignature)?;
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, key)
            .verify(body, &signature)
            .map_err(|_| ScanError::BadSignature)
    }

    async fn key(&self, key_id: &str) -> Result<Option<Vec<u8>>, ScanError> {
        match &self.0 {
            Source::Fixed(keys) => Ok(keys.get(key_id).cloned()),
            Source::Fetched(fetched) => fetched.key(key_id).await,
            Source::Misconfigured(reason) => Err(ScanError::KeysUnavailable(reason.clone())),
        }
    }
}

impl Fetched {
    async fn key(&self, key_id: &str) -> Result<Option<Vec<u8>>, ScanError> {
        let mut cache = self.cache.lock().await;
        let fresh = cache
            .fetched
            .is_some_and(|at| at.elapsed() < KEYS_FRESH_FOR);
        if fresh && cache.keys.contains_key(key_id) {
            return Ok(cache.keys.get(key_id).cloned());
        }
        let may_fetch = cache
            .last_attempt
            .is_none_or(|at| at.elapsed() >= MIN_FETCH_INTERVAL);
        if may_fetch {
            cache.last_attempt = Some(Instant::now());
            match self.fetch().await {
                Ok(keys) => {
                    cache.keys = keys;
                    cache.fetched = Some(Instant::now());
                }
                // Keys fetched before still verify what they signed.
                Err(err) if !cache.keys.is_empty() => {
                    tracing::warn!("public keys not refreshed: {err}")
                }
                Err(err) => return Err(err),
            }
        }
        if cache.fetched.is_none() {
            // Never fetched: a retry (GitHub's, on 503) may find the list reachable again.
            return Err(ScanError::KeysUnavailable(format!(
                "{} not fetched yet",
                self.url
            )));
        }
        match cache.keys.get(key_id) {
            Some(key) => Ok(Some(key.clone())),
            // The list was just read and lacks it: no such key.
            None if may_fetch => Ok(None),
            // Not read again yet (at most once a minute): GitHub may have rotated its key
            // since, so ask for a retry (503) rather than refuse a real report.
            None => Err(ScanError::KeysUnavailable(format!(
                "key {key_id:?} is not in the list read less than a minute ago"
            ))),
        }
    }

    async fn fetch(&self) -> Result<HashMap<String, Vec<u8>>, ScanError> {
        let unavailable = |what: String| ScanError::KeysUnavailable(what);
        let request = lambda_http::http::Request::get(&self.url)
            .header("user-agent", concat!("tessera/", env!("CARGO_PKG_VERSION")))
            .header("accept", "application/json")
            .body(SdkBody::empty())
            .map_err(|err| unavailable(err.to_string()))?;
        let request = HttpRequest::try_from(request).map_err(|err| unavailable(err.to_string()))?;
        let connector = self.connector.get_or_init(|| {
            Connector::builder()
                .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
                .build()
        });
        // One deadline over the whole exchange, the body included: a server that answers
        // and then stalls must not hold the function.
        let exchange = async {
            let response = connector
                .call(request)
                .await
                .map_err(|err| unavailable(err.to_string()))?;
            if !response.status().is_success() {
                return Err(unavailable(format!(
                    "{} answered {}",
                    self.url,
                    response.status()
                )));
            }
            // Read at most the bound: a larger list is refused before it is all in memory.
            Limited::new(response.into_body(), MAX_KEY_LIST_BYTES)
                .collect()
                .await
                .map(|body| body.to_bytes())
                .map_err(|err| unavailable(format!("the key list could not be read: {err}")))
        };
        let body = tokio::time::timeout(FETCH_TIMEOUT, exchange)
            .await
            .map_err(|_| unavailable(format!("no whole answer from {} within 3 s", self.url)))??;
        parse_key_list(&body).map_err(unavailable)
    }
}

/// The key list's keys, by identifier, as DER `SubjectPublicKeyInfo`.
pub fn parse_key_list(json: &[u8]) -> Result<HashMap<String, Vec<u8>>, String> {
    let list: KeyList =
        serde_json::from_slice(json).map_err(|err| format!("not a key list: {err}"))?;
    list.public_keys
        .into_iter()
        .map(|key| Ok((key.key_identifier, pem_to_der(&key.key)?)))
        .collect()
}

fn pem_to_der(pem: &str) -> Result<Vec<u8>, String> {
    let base64: String = pem
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("-----"))
        .collect();
    STANDARD
        .decode(base64)
        .map_err(|err| format!("a key is not PEM: {err}"))
}

/// Revokes every live token of the reports and says, once per distinct token, whether it
/// is a real Tessera credential: `true_positive` when it was live (and is now revoked),
/// and also when a report of it was already acted on (a replay) or it is a revoked share
/// link; `false_positive` otherwise.
pub async fn revoke_reported(
    store: &Store,
    now: u64,
    reports: &[Report],
    auditor_for: impl Fn(&Report) -> Auditor,
) -> Result<Vec<Feedback>, StoreError> {
    let mut feedback = Vec::with_capacity(reports.len());
    let mut seen = std::collections::HashSet::new();
    for report in reports {
        if !seen.insert(report.token.as_str()) {
            continue; // one label per token
        }
        let real = match PresentedToken::parse(&report.token) {
            // The checksum rejects what is not ours without a lookup.
            None => false,
            Some(token) => {
                let digest = token.digest();
                match store.lookup(digest).await? {
                    Some(TokenLookup::ShareLink { revoked: true, .. }) => true,
                    Some(lookup) => {
                        store.mark_leaked(digest, now).await?;
                        let outcome = store
                            .revoke_leaked(digest, lookup, now, &auditor_for(report))
                            .await?;
                        if outcome == LeakOutcome::Revoked {
                            tessera_common::metrics::increment("LeakedTokensRevoked");
                            tracing::warn!(kind = ?token.kind(), source = %report.source, "leaked token revoked");
                        }
                        true
                    }
                    None => store.was_leaked(digest).await?,
                }
            }
        };
        feedback.push(Feedback {
            token_hash: TokenDigest::of(&report.token).as_hex().to_owned(),
            token_type: report.token_type.clone(),
            label: if real {
                "true_positive"
            } else {
                "false_positive"
            }
            .to_owned(),
        });
    }
    Ok(feedback)
}

#[cfg(test)]
mod tests {
    use super::key_url_allowed;

    #[test]
    fn key_lists_are_fetched_over_https_only_but_on_loopback() {
        for allowed in [
            "https://api.github.com/meta/public_keys/secret_scanning",
            "http://127.0.0.1:8080/keys",
            "http://localhost/keys",
            "http://[::1]:9/keys",
        ] {
            assert!(key_url_allowed(allowed), "{allowed}");
        }
        for refused in [
            "http://api.github.com/meta/public_keys/secret_scanning",
            "http://127.0.0.1.example.com/keys",
            "http://127.0.0.1@example.com/keys",
            "http://example.com:80@127.0.0.1/keys",
            "http://127.0.0.1:1@evil.example/k",
            "https://user:password@api.github.com/meta/public_keys/secret_scanning",
            "ftp://127.0.0.1/keys",
            "api.github.com/keys",
        ] {
            assert!(!key_url_allowed(refused), "{refused}");
        }
    }
}
