//! The signing-key cache with real lifetimes on a clock the tests move: an unknown kid
//! refreshes it (at most once per interval), a Secrets Manager outage is ridden out on
//! the cached keys for a bounded time, and a key too short to be safe is refused.

use std::{sync::Arc, time::Duration};

use tessera_admin::fixtures;
use tessera_common::{
    token::{new_id, random_base62},
    AppState,
};
use tessera_jwt::signing_key::{CachePolicy, KeyError, SigningKeys};
use tessera_test_support::{fixture_state, route_request, secretsmanager_client, ManualClock};
use tessera_tests::{
    call,
    faults::{Fault, FaultInjector},
};

/// Another container of the deployment `state` belongs to: its own key cache, with the
/// default lifetimes, on `clock`.
fn container(
    state: &AppState,
    client: aws_sdk_secretsmanager::Client,
    clock: &ManualClock,
) -> AppState {
    let secret_id = tessera_jwt::base_token::signing_keys(state)
        .unwrap()
        .secret_id()
        .to_owned();
    AppState {
        signing: Some(Arc::new(SigningKeys::new(
            client,
            secret_id,
            CachePolicy::DEFAULT,
            clock.shared(),
        ))),
        clock: clock.shared(),
        ..state.clone()
    }
}

fn keys(state: &AppState) -> &SigningKeys {
    tessera_jwt::base_token::signing_keys(state).unwrap()
}

fn temp_api_token_request() -> tessera_admin::apigw::HttpApiRequest {
    route_request(
        "GET",
        "/api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/temp-api-token/",
        &[
            ("workspace_id", fixtures::WORKSPACE_ID),
            ("dtable_name", fixtures::DTABLE_NAME),
        ],
    )
    .authorization(Some(&format!(
        "Token {}",
        fixtures::tokens().user_auth.expose()
    )))
}

fn exchange_request(temp_api_token: &str) -> tessera_admin::apigw::HttpApiRequest {
    route_request("GET", "/api/v2.1/dtable/app-access-token/", &[])
        .authorization(Some(&format!("Token {temp_api_token}")))
}

async fn rotate(secret_id: &str) {
    secretsmanager_client()
        .await
        .put_secret_value()
        .secret_id(secret_id)
        .secret_string(random_base62(64))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_token_from_a_refreshed_container_verifies_in_a_stale_one() {
    let state = fixture_state().await;
    let clock = ManualClock::new();
    let stale = container(&state, secretsmanager_client().await, &clock);
    keys(&stale).ring().await.unwrap(); // cached before the rotation
    clock.advance(Duration::from_secs(60)); // well inside its 300 s refresh
    rotate(keys(&stale).secret_id()).await;

    let refreshed = container(&state, secretsmanager_client().await, &clock);
    let issued = call(&refreshed, "temp-api-token", temp_api_token_request()).await;
    assert_eq!(issued.status, 200, "{}", issued.json);
    let token = issued.json["api_token"].as_str().unwrap();
    let answer = call(&stale, "app-access-token", exchange_request(token)).await;
    assert_eq!(answer.status, 200, "{}", answer.json);
}

#[tokio::test]
async fn unknown_kids_refresh_the_cache_at_most_once_per_interval() {
    let state = fixture_state().await;
    let clock = ManualClock::new();
    let faults = FaultInjector::default();
    let cached = container(&state, faults.secretsmanager_client().await, &clock);
    keys(&cached).ring().await.unwrap();
    let reads_at_start = faults.attempts("GetSecretValue");
    assert_eq!(reads_at_start, 2, "one load reads both stages");

    let garbage = |kid: &str| {
        // A well-formed HS256 token with a kid no key has.
        let header = base64_url(&format!(
            r#"{{"alg":"HS256","typ":"temp-api-token+jwt","kid":"{kid}"}}"#
        ));
        format!("{header}.e30.c2lnbmF0dXJl")
    };
    clock.advance(CachePolicy::DEFAULT.min_fetch_interval);
    for _ in 0..50 {
        let answer = call(
            &cached,
            "app-access-token",
            exchange_request(&garbage(&new_id())),
        )
        .await;
        assert_eq!(answer.status, 403, "{}", answer.json);
    }
    assert_eq!(
        faults.attempts("GetSecretValue") - reads_at_start,
        2,
        "50 unknown kids caused one refresh"
    );
    clock.advance(CachePolicy::DEFAULT.min_fetch_interval);
    for _ in 0..50 {
        call(
            &cached,
            "app-access-token",
            exchange_request(&garbage(&new_id())),
        )
        .await;
    }
    assert_eq!(faults.attempts("GetSecretValue") - reads_at_start, 4);
}

fn base64_url(text: &str) -> String {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    URL_SAFE_NO_PAD.encode(text)
}

#[tokio::test]
async fn an_outage_is_served_from_the_cache_for_the_stale_window_then_503_then_recovers() {
    let state = fixture_state().await;
    let clock = ManualClock::new();
    let faults = FaultInjector::default();
    let cached = container(&state, faults.secretsmanager_client().await, &clock);
    keys(&cached).ring().await.unwrap();
    let policy = CachePolicy::DEFAULT;

    faults.set("GetSecretValue", Fault::Unreachable);
    clock.advance(policy.refresh + Duration::from_secs(1));
    let answer = call(&cached, "temp-api-token", temp_api_token_request()).await;
    assert_eq!(answer.status, 200, "stale keys serve: {}", answer.json);
    let tried = faults.attempts("GetSecretValue");
    assert!(faults.injected() >= 1, "the refresh was attempted");
    // Within the retry interval the outage is not asked again.
    for _ in 0..10 {
        assert_eq!(
            call(&cached, "temp-api-token", temp_api_token_request())
                .await
                .status,
            200
        );
    }
    assert_eq!(faults.attempts("GetSecretValue"), tried);

    clock.advance(policy.stale_for);
    let answer = call(&cached, "temp-api-token", temp_api_token_request()).await;
    assert_eq!(answer.status, 503, "past the stale window: {}", answer.json);
    assert!(answer.header("retry-after").is_some());

    faults.clear("GetSecretValue");
    clock.advance(policy.min_fetch_interval);
    let answer = call(&cached, "temp-api-token", temp_api_token_request()).await;
    assert_eq!(answer.status, 200, "recovered: {}", answer.json);
}

#[tokio::test]
async fn a_signing_key_shorter_than_32_bytes_is_refused_at_start_and_never_used() {
    let secret_id = format!("short-{}", new_id());
    secretsmanager_client()
        .await
        .create_secret()
        .name(&secret_id)
        .secret_string("only-31-bytes-long-not-enough!!")
        .send()
        .await
        .unwrap();
    let keys = SigningKeys::new(
        secretsmanager_client().await,
        &secret_id,
        CachePolicy::DEFAULT,
        ManualClock::new().shared(),
    );
    assert!(matches!(
        keys.load_at_start().await,
        Err(KeyError::TooShort { len: 31, .. })
    ));
    assert!(keys.ring().await.is_err());
    // A missing secret is not fatal at start: requests retry it.
    let missing = SigningKeys::new(
        secretsmanager_client().await,
        format!("missing-{}", new_id()),
        CachePolicy::DEFAULT,
        ManualClock::new().shared(),
    );
    assert!(missing.load_at_start().await.is_ok());
}

/// Issue 27, item 5: `signing-key rotate --revoke-previous` retires the old key in Secrets
/// Manager at once, but a container that cached its key ring keeps accepting what the old
/// key signed until its cache refreshes: at most `CachePolicy::DEFAULT.refresh` (5 minutes),
/// the bound docs/security.md and docs/operations.md state. A new container refuses at once.
#[tokio::test]
async fn a_revoked_previous_key_verifies_nothing_once_each_container_refreshes() {
    let state = fixture_state().await;
    let clock = ManualClock::new();
    let cached = container(&state, secretsmanager_client().await, &clock);
    let issued = call(&cached, "temp-api-token", temp_api_token_request()).await;
    assert_eq!(issued.status, 200, "{}", issued.json);
    let signed_by_old = issued.json["api_token"].as_str().unwrap().to_owned();

    let client = secretsmanager_client().await;
    let secret_id = keys(&cached).secret_id().to_owned();
    rotate_signing_key::protocol::rotate_now(&client, &secret_id)
        .await
        .unwrap();
    rotate_signing_key::protocol::retire_previous(&client, &secret_id)
        .await
        .unwrap()
        .expect("the old key was AWSPREVIOUS");

    let fresh = container(&state, secretsmanager_client().await, &clock);
    let answer = call(&fresh, "app-access-token", exchange_request(&signed_by_old)).await;
    assert_eq!(answer.status, 403, "a new container refuses it at once");
    let refresh = CachePolicy::DEFAULT.refresh;
    clock.advance(refresh - Duration::from_secs(1));
    let answer = call(
        &cached,
        "app-access-token",
        exchange_request(&signed_by_old),
    )
    .await;
    assert_eq!(
        answer.status, 200,
        "within the bound the cached ring still has it"
    );
    clock.advance(Duration::from_secs(1));
    let answer = call(
        &cached,
        "app-access-token",
        exchange_request(&signed_by_old),
    )
    .await;
    assert_eq!(answer.status, 403, "past the bound: {}", answer.json);
}
