//! The secret-scanning endpoint, as GitHub calls it: reports signed with key pairs made
//! here and served as a key list from a local server; every token kind, live, revoked and
//! made-up tokens, replays, and every way a signature can be wrong.

use std::{
    io::{Read, Write},
    net::TcpListener,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, OnceLock,
    },
};

use aws_lc_rs::{
    encoding::AsDer,
    rand::SystemRandom,
    signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_ASN1_SIGNING},
};
use base64::{engine::general_purpose::STANDARD, Engine};
use serde_json::{json, Value};
use tessera_admin::fixtures;
use tessera_common::{
    token::{NewToken, TokenDigest, TokenKind},
    AppState,
};
use tessera_test_support::{fixture_state, route_request};
use tessera_tests::{call, Answer};

const ROUTE: &str = "/secret-scanning/github";
const SOURCE: &str = "commit";
const URL: &str = "https://github.com/octo/leaky/blob/abc/config.yml";

/// GitHub's side: two published keys (as after a rotation of theirs) and one that is not
/// published, and how often the key list was fetched.
struct GitHub {
    current: EcdsaKeyPair,
    older: EcdsaKeyPair,
    unpublished: EcdsaKeyPair,
    fetches: Arc<AtomicUsize>,
}

fn pem(key: &EcdsaKeyPair) -> String {
    let der = key.public_key().as_der().unwrap();
    format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        STANDARD.encode(der.as_ref())
    )
}

/// Starts once per test binary: the key list server runs on its own thread, so that it
/// outlives each test's runtime, and the function reads its URL once per process.
fn github() -> &'static GitHub {
    static GITHUB: OnceLock<GitHub> = OnceLock::new();
    GITHUB.get_or_init(|| {
        let generate = || EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).unwrap();
        let github = GitHub {
            current: generate(),
            older: generate(),
            unpublished: generate(),
            fetches: Arc::new(AtomicUsize::new(0)),
        };
        let list = json!({ "public_keys": [
            { "key_identifier": "current", "key": pem(&github.current), "is_current": true },
            { "key_identifier": "older", "key": pem(&github.older), "is_current": false },
        ]})
        .to_string();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/meta/public_keys/secret_scanning", listener.local_addr().unwrap());
        let fetches = github.fetches.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let mut stream = stream.unwrap();
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                fetches.fetch_add(1, Ordering::SeqCst);
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{list}",
                    list.len()
                );
            }
        });
        std::env::set_var("SECRET_SCANNING_KEYS_URL", url);
        github
    })
}

fn sign(key: &EcdsaKeyPair, body: &[u8]) -> String {
    STANDARD.encode(key.sign(&SystemRandom::new(), body).unwrap().as_ref())
}

fn report_body(tokens: &[&str]) -> String {
    let reports: Vec<Value> = tokens
        .iter()
        .map(|token| json!({ "token": token, "type": "tessera_token", "url": URL, "source": SOURCE }))
        .collect();
    Value::Array(reports).to_string()
}

async fn post(
    state: &AppState,
    body: &str,
    key_id: Option<&str>,
    signature: Option<String>,
) -> Answer {
    let mut request = route_request("POST", ROUTE, &[])
        .header("content-type", "application/json")
        .body(body.as_bytes().to_vec());
    if let Some(key_id) = key_id {
        request = request.header("github-public-key-identifier", key_id);
    }
    if let Some(signature) = signature {
        request = request.header("github-public-key-signature", &signature);
    }
    call(state, "secret-scanning", request).await
}

/// Posts `tokens` signed with GitHub's current key; the labels in order.
async fn report(state: &AppState, tokens: &[&str]) -> Vec<String> {
    let body = report_body(tokens);
    let answer = post(
        state,
        &body,
        Some("current"),
        Some(sign(&github().current, body.as_bytes())),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.json);
    let feedback = answer.json.as_array().unwrap();
    // One entry per distinct token, in the report's order.
    let mut distinct: Vec<&str> = Vec::new();
    for token in tokens {
        if !distinct.contains(token) {
            distinct.push(token);
        }
    }
    assert_eq!(feedback.len(), distinct.len(), "{}", answer.json);
    for (entry, token) in feedback.iter().zip(distinct) {
        assert_eq!(
            entry["token_hash"],
            TokenDigest::of(token).as_hex(),
            "named by hash"
        );
        assert_eq!(entry["token_type"], "tessera_token");
        assert!(
            !entry.to_string().contains(token),
            "the token is never echoed"
        );
    }
    feedback
        .iter()
        .map(|e| e["label"].as_str().unwrap().to_owned())
        .collect()
}

/// Audit entries written by the secret scanner.
async fn scanner_audit_entries(state: &AppState) -> Vec<(String, String)> {
    let items = state
        .store
        .client()
        .scan()
        .table_name(state.store.table_name())
        .send()
        .await
        .unwrap()
        .items
        .unwrap_or_default();
    let text =
        |item: &std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>,
         name: &str| {
            item.get(name)
                .and_then(|v| v.as_s().ok())
                .cloned()
                .unwrap_or_default()
        };
    let mut entries: Vec<(String, String)> = items
        .iter()
        .filter(|item| text(item, "pk").starts_with("AUDIT#"))
        .filter(|item| text(item, "actor") == format!("secret scanning: {SOURCE} at {URL}"))
        .map(|item| (text(item, "action"), text(item, "object")))
        .collect();
    entries.sort();
    entries
}

#[tokio::test]
async fn every_live_kind_is_revoked_once_and_the_rest_are_false_positives() {
    github();
    let state = fixture_state().await;
    let tokens = fixtures::tokens();
    let live = [
        tokens.workspace.expose(),
        tokens.access.expose(),
        tokens.user_auth.expose(),
        tokens.api.expose(),
        tokens.share_link.expose(),
    ];
    let unknown = NewToken::generate(TokenKind::AccessToken);
    let mut bad_checksum = tokens.access.expose().to_owned();
    bad_checksum.replace_range(
        10..11,
        if &bad_checksum[10..11] == "A" {
            "B"
        } else {
            "A"
        },
    );
    let mut all: Vec<&str> = live.to_vec();
    all.extend([
        unknown.expose(),
        bad_checksum.as_str(),
        "ghp_not-ours-at-all",
    ]);

    let labels = report(&state, &all).await;
    assert_eq!(
        labels,
        ["true_positive"; 5]
            .into_iter()
            .chain(["false_positive"; 3])
            .collect::<Vec<_>>()
    );
    for token in live {
        let digest = TokenDigest::of(token);
        match state.store.lookup(&digest).await.unwrap() {
            None => {}
            // A share link's lookup stays as a tombstone, so that it answers 403.
            Some(tessera_common::store::records::TokenLookup::ShareLink { revoked, .. }) => {
                assert!(revoked)
            }
            Some(other) => panic!("{other:?} still live"),
        }
    }
    let user = state.store.user(fixtures::USER_ID).await.unwrap().unwrap();
    assert!(user.disabled, "a user whose auth token leaked is disabled");
    // The reported access token is gone; the fixture's others were not reported.
    let mut left: Vec<String> = state
        .store
        .access_tokens(fixtures::WORKSPACE_ID)
        .await
        .unwrap()
        .into_iter()
        .map(|token| token.name)
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            fixtures::EXPIRING_ACCESS_TOKEN_NAME,
            fixtures::LAST_CREDIT_ACCESS_TOKEN_NAME,
            fixtures::METERED_ACCESS_TOKEN_NAME,
            fixtures::SHARDED_EMPTY_ACCESS_TOKEN_NAME,
        ]
    );
    let audited = scanner_audit_entries(&state).await;
    let actions: Vec<&str> = audited.iter().map(|(action, _)| action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "access_token.delete",
            "api_token.delete",
            "share_link.revoke",
            "user.disable",
            "workspace_token.revoke"
        ]
    );

    // The same report again (GitHub replays): nothing is revoked twice, and the labels
    // still say which strings are real credentials.
    let again = report(&state, &all).await;
    assert_eq!(again, labels, "a replay is labelled as the first report");
    assert_eq!(scanner_audit_entries(&state).await, audited);
}

/// One label per token, even when a report lists it twice.
#[tokio::test]
async fn a_token_listed_twice_gets_one_label() {
    github();
    let state = fixture_state().await;
    let tokens = fixtures::tokens();
    let access = tokens.access.expose();
    let unknown = NewToken::generate(TokenKind::AccessToken);
    assert_eq!(
        report(
            &state,
            &[access, access, unknown.expose(), unknown.expose()]
        )
        .await,
        ["true_positive", "false_positive"]
    );
    assert_eq!(
        report(&state, &[access, access]).await,
        ["true_positive"],
        "replayed"
    );
}

#[tokio::test]
async fn a_report_signed_by_an_older_published_key_is_accepted() {
    github();
    let state = fixture_state().await;
    let token = fixtures::tokens().access;
    let body = report_body(&[token.expose()]);
    let answer = post(
        &state,
        &body,
        Some("older"),
        Some(sign(&github().older, body.as_bytes())),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.json);
    assert_eq!(answer.json[0]["label"], "true_positive");
}

#[tokio::test]
async fn unsigned_badly_signed_and_tampered_reports_are_refused_and_revoke_nothing() {
    github();
    let state = fixture_state().await;
    let token = fixtures::tokens().access;
    let body = report_body(&[token.expose()]);
    let signed = sign(&github().current, body.as_bytes());
    let tampered = body.replace(URL, "https://example.com/elsewhere");
    let cases = [
        ("no headers", body.clone(), None, None),
        ("no signature", body.clone(), Some("current"), None),
        ("no key id", body.clone(), None, Some(signed.clone())),
        (
            "an unpublished key",
            body.clone(),
            Some("current"),
            Some(sign(&github().unpublished, body.as_bytes())),
        ),
        (
            "another published key's signature",
            body.clone(),
            Some("older"),
            Some(signed.clone()),
        ),
        (
            "a tampered body",
            tampered,
            Some("current"),
            Some(signed.clone()),
        ),
        (
            "a signature that is not base64",
            body.clone(),
            Some("current"),
            Some("%%%".into()),
        ),
    ];
    for (case, body, key_id, signature) in cases {
        let answer = post(&state, &body, key_id, signature).await;
        assert_eq!(answer.status, 401, "{case}: {}", answer.json);
    }
    // A key id the list, read less than a minute ago, lacks may be GitHub's newly rotated
    // key: 503 with Retry-After, so that GitHub retries once the list may be read again.
    for key_id in ["no-such-key", "no-such-key-2", "no-such-key-3"] {
        let answer = post(&state, &body, Some(key_id), Some(signed.clone())).await;
        assert_eq!(answer.status, 503, "{key_id}: {}", answer.json);
        assert!(answer.header("retry-after").is_some(), "{key_id}");
    }
    assert!(
        state.store.lookup(token.digest()).await.unwrap().is_some(),
        "nothing revoked"
    );
    // Unknown key ids fetch the list again at most once a minute: within this test binary's
    // run, the first fetch is the only one.
    assert_eq!(github().fetches.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_signed_body_that_is_not_a_report_is_a_400() {
    github();
    let state = fixture_state().await;
    for body in ["{}", "[{\"type\": \"x\"}]", "not json"] {
        let answer = post(
            &state,
            body,
            Some("current"),
            Some(sign(&github().current, body.as_bytes())),
        )
        .await;
        assert_eq!(answer.status, 400, "{body}: {}", answer.json);
    }
}

/// A key-list server that answers with `head` (and `body_bytes` of body), then holds the
/// connection open until the client gives up.
fn stalling_server(head: &'static str, body_bytes: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/keys", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = [0u8; 4096];
        let _ = stream.read(&mut request);
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(&vec![b' '; body_bytes]);
        let _ = stream.flush();
        // Held until the client closes it (a read then returns 0 or fails).
        let _ = stream.read(&mut request);
    });
    url
}

async fn fetch_error(url: String) -> String {
    let keys = secret_scanning::reports::ScanKeys::new(url);
    // A safety net against a hang, not a measurement: the fetch's own deadline is 3 s.
    let result = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        keys.verify(Some("current"), Some("c2ln"), b"{}"),
    )
    .await
    .expect("the fetch gives up by itself");
    match result {
        Err(err @ secret_scanning::reports::ScanError::KeysUnavailable(_)) => err.to_string(),
        other => panic!("expected the keys to be unavailable, got {other:?}"),
    }
}

/// The fetch's deadline covers the body, and the size bound is checked while reading.
#[tokio::test]
async fn a_stalled_or_oversized_key_list_fails_without_holding_the_function() {
    let stalled = stalling_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n",
        10,
    );
    assert!(fetch_error(stalled).await.contains("within 3 s"));
    let oversized = stalling_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 10000000\r\n\r\n",
        100 * 1024,
    );
    let error = fetch_error(oversized).await;
    assert!(
        error.contains("could not be read"),
        "refused for its size: {error}"
    );
}
