//! Issue 28, item 4: `VerificationCacheSeconds`. With N, a container answers the verify API
//! and the authorizer from a token's lookup it read within N seconds: no read per
//! verification, and a token revoked or disabled meanwhile passes for at most N seconds
//! in that container. With 0 (the default) every verification reads. The verify API keeps
//! its caller (the workspace token) as long.

use std::time::Duration;

use serde_json::json;
use tessera_admin::apigw::HttpApiRequest;
use tessera_common::{audit::Auditor, store::records::Role, AppState};
use tessera_test_support::{access_token, fresh_state, workspace, ManualClock, TestWorkspace};
use tessera_tests::{call, faults::FaultInjector};

async fn code(state: &AppState, ws: &TestWorkspace, token: &str) -> String {
    let request = HttpApiRequest::new("POST", "/accessTokens/verify", "/accessTokens/verify")
        .header("content-type", "application/json")
        .authorization(Some(&ws.basic_auth()))
        .body(json!({ "token": token }).to_string());
    let answer = call(state, "verify-access-token", request).await;
    assert_eq!(answer.status, 200, "{}", answer.json);
    answer.json["code"].as_str().unwrap().to_owned()
}

async fn authorized(state: &AppState, token: &str) -> bool {
    let request = HttpApiRequest::new("GET", "/whoami", "/whoami")
        .authorization(Some(&format!("Bearer {token}")));
    let request = request.to_authorizer_request(vec![format!("Bearer {token}")]);
    authorizer::authorize(state, request)
        .await
        .unwrap()
        .is_authorized
}

async fn state_with_cache(clock: &ManualClock, seconds: u64, faults: &FaultInjector) -> AppState {
    faults
        .on_store_of(AppState {
            clock: clock.shared(),
            verification_cache: Duration::from_secs(seconds),
            ..fresh_state().await
        })
        .await
}

#[tokio::test]
async fn a_revoked_token_passes_for_at_most_the_cache_lifetime_and_reads_stop() {
    let clock = ManualClock::new();
    let faults = FaultInjector::default();
    let state = state_with_cache(&clock, 30, &faults).await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (record, secret) = access_token(&state, &ws, "cached", &[], None).await;
    let token = secret.expose();
    assert_eq!(code(&state, &ws, token).await, "VALID");
    assert!(authorized(&state, token).await);

    // Within the lifetime a verification reads nothing: neither the token's lookup nor
    // the caller's workspace token.
    let reads = faults.attempts("GetItem");
    assert_eq!(code(&state, &ws, token).await, "VALID");
    assert_eq!(faults.attempts("GetItem") - reads, 0, "no read at all");

    let auditor = Auditor::operator(state.clock.clone());
    state
        .store
        .delete_access_token(&record, &auditor)
        .await
        .unwrap();
    clock.advance(Duration::from_secs(29));
    assert_eq!(code(&state, &ws, token).await, "VALID", "the bound: 30 s");
    assert!(authorized(&state, token).await);
    clock.advance(Duration::from_secs(1));
    assert_eq!(code(&state, &ws, token).await, "NOT_FOUND");
    assert!(!authorized(&state, token).await);
}

#[tokio::test]
async fn without_a_cache_a_revoked_or_disabled_token_is_refused_at_once() {
    let clock = ManualClock::new();
    let faults = FaultInjector::default();
    let state = state_with_cache(&clock, 0, &faults).await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (record, secret) = access_token(&state, &ws, "uncached", &[], None).await;
    let token = secret.expose();
    assert_eq!(code(&state, &ws, token).await, "VALID");
    let reads = faults.attempts("GetItem");
    assert_eq!(code(&state, &ws, token).await, "VALID");
    assert_eq!(
        faults.attempts("GetItem") - reads,
        2,
        "the workspace token and the lookup"
    );
    let disabled = tessera_common::store::records::AccessToken {
        disabled: true,
        ..record.clone()
    };
    let auditor = Auditor::operator(state.clock.clone());
    state
        .store
        .update_access_token(&record, &disabled, "test".into(), &auditor)
        .await
        .unwrap();
    assert_eq!(code(&state, &ws, token).await, "DISABLED");
    assert!(!authorized(&state, token).await);
}

/// The verify API's caller, a workspace token, is kept as long as the tokens it verifies:
/// revoked, it is still accepted for at most the lifetime by a container that accepted it
/// (so a hot token's verifications do not all read it), then refused.
#[tokio::test]
async fn a_revoked_workspace_token_calls_the_verify_api_for_at_most_the_cache_lifetime() {
    let clock = ManualClock::new();
    let faults = FaultInjector::default();
    let state = state_with_cache(&clock, 30, &faults).await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (_, secret) = access_token(&state, &ws, "cached", &[], None).await;
    let token = secret.expose();
    assert_eq!(code(&state, &ws, token).await, "VALID");
    let digest = tessera_common::token::TokenDigest::of(&ws.token);
    state
        .store
        .client()
        .delete_item()
        .table_name(state.store.table_name())
        .set_key(Some(tessera_common::store::key(
            tessera_common::store::keys::lookup_pk(&digest),
            tessera_common::store::keys::LOOKUP_SK,
        )))
        .send()
        .await
        .unwrap();
    clock.advance(Duration::from_secs(29));
    assert_eq!(code(&state, &ws, token).await, "VALID", "the bound: 30 s");
    clock.advance(Duration::from_secs(1));
    let request = HttpApiRequest::new("POST", "/accessTokens/verify", "/accessTokens/verify")
        .header("content-type", "application/json")
        .authorization(Some(&ws.basic_auth()))
        .body(json!({ "token": token }).to_string());
    let answer = call(&state, "verify-access-token", request).await;
    assert_eq!(answer.status, 401, "{}", answer.json);
}
