//! Deletes that race re-creates, and SDK retries after a lost response: no token may be
//! lost (live but unlisted) and no success may turn into an error.

use serde_json::json;
use tessera_admin::{apigw::HttpApiRequest, seatable_admin};
use tessera_common::{
    store::records::{Role, TokenLookup, TokenPermission},
    token::PresentedToken,
    verify::verify_access_token,
    AppState, Store,
};
use tessera_test_support::{base, fresh_state, route_request, workspace, TestWorkspace};
use tessera_tests::{
    call,
    faults::{Fault, FaultInjector},
};

const API_TOKENS: &str = "/api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/api-tokens/";

async fn live(store: &Store, token: &str) -> bool {
    let presented = PresentedToken::parse(token).expect("a well-formed token");
    store.lookup(presented.digest()).await.unwrap().is_some()
}

#[tokio::test]
async fn a_stale_delete_never_removes_a_re_created_api_token() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let uuid = &b.base.dtable_uuid;
    tessera_test_support::create_api_token(&state.store, &b.base, "etl", TokenPermission::R, "o")
        .await
        .unwrap();
    // Request A reads the token, then stalls.
    let stale = state.store.api_token(uuid, "etl").await.unwrap().unwrap();
    // Request B deletes it and request C creates another under the same app name.
    state
        .store
        .delete_api_token(&stale, &seatable_admin::operator())
        .await
        .unwrap();
    let (_, second) = tessera_test_support::create_api_token(
        &state.store,
        &b.base,
        "etl",
        TokenPermission::Rw,
        "o",
    )
    .await
    .unwrap();
    // A's delete must not touch C's token.
    let _ = state
        .store
        .delete_api_token(&stale, &seatable_admin::operator())
        .await;
    let listed = state.store.api_token(uuid, "etl").await.unwrap();
    assert!(
        listed
            .as_ref()
            .is_some_and(|t| &t.digest == second.digest()),
        "the re-created token is no longer listed: {listed:?}"
    );
    assert!(live(&state.store, second.expose()).await);
}

/// Every API token lookup has its record with the same digest, and every record its lookup.
async fn api_tokens_consistent(state: &AppState, dtable_uuid: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for token in state.store.api_tokens(dtable_uuid).await.unwrap() {
        match state.store.lookup(&token.digest).await.unwrap() {
            Some(TokenLookup::ApiToken { app_name, .. }) if app_name == token.app_name => {}
            other => problems.push(format!("record {} has lookup {other:?}", token.app_name)),
        }
    }
    problems
}

#[tokio::test]
async fn interleaved_deletes_and_re_creates_leave_every_token_listed_or_dead() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let params = [
        ("workspace_id", b.base.workspace_id.as_str()),
        ("dtable_name", "Hello"),
    ];
    let mut issued = Vec::new();
    for round in 0..12 {
        let create = || {
            route_request("POST", API_TOKENS, &params)
                .header("content-type", "application/json")
                .body(json!({ "app_name": "etl", "permission": "r" }).to_string())
                .authorization(Some(&b.owner.auth()))
        };
        let delete = || {
            route_request(
                "DELETE",
                &format!("{API_TOKENS}{{app_name}}/"),
                &[params[0], params[1], ("app_name", "etl")],
            )
            .authorization(Some(&b.owner.auth()))
        };
        let (c1, d1, d2, c2) = tokio::join!(
            call(&state, "create-api-token", create()),
            call(&state, "delete-api-token", delete()),
            call(&state, "delete-api-token", delete()),
            call(&state, "create-api-token", create()),
        );
        for answer in [&c1, &d1, &d2, &c2] {
            assert!(
                [200, 201, 400, 404].contains(&answer.status),
                "round {round}: {} {}",
                answer.status,
                answer.json
            );
        }
        issued.extend(
            [c1, c2]
                .into_iter()
                .filter(|a| a.status == 201)
                .map(|a| a.json["api_token"].as_str().unwrap().to_owned()),
        );
    }
    let problems = api_tokens_consistent(&state, &b.base.dtable_uuid).await;
    assert!(problems.is_empty(), "{problems:?}");
    // Every token ever issued is either the one listed or dead.
    let listed = state.store.api_tokens(&b.base.dtable_uuid).await.unwrap();
    for token in &issued {
        let digest = PresentedToken::parse(token).unwrap().digest().clone();
        let is_listed = listed.iter().any(|t| t.digest == digest);
        assert_eq!(
            live(&state.store, token).await,
            is_listed,
            "a token is live but not listed (or listed but dead)"
        );
    }
}

/// A state whose DynamoDB client goes through `faults`.
async fn state_with(faults: &FaultInjector) -> AppState {
    faults.on_store_of(fresh_state().await).await
}

fn create_access_token(ws: &TestWorkspace, name: &str) -> HttpApiRequest {
    route_request("POST", "/accessTokens", &[])
        .header("content-type", "application/json")
        .body(json!({ "name": name }).to_string())
        .authorization(Some(&ws.basic_auth()))
}

#[tokio::test]
async fn a_create_whose_response_was_lost_still_succeeds_and_its_token_works() {
    let faults = FaultInjector::default();
    let state = state_with(&faults).await;
    let ws = workspace(&state.store, Role::Admin).await;
    faults.set("TransactWriteItems", Fault::LoseFirstResponse);
    let answer = call(
        &state,
        "create-access-token",
        create_access_token(&ws, "retried"),
    )
    .await;
    assert_eq!(faults.injected(), 1, "the fault was injected");

    assert_eq!(answer.status, 200, "{}", answer.json);
    let token = answer.json["data"]["token"].as_str().unwrap();
    assert!(
        verify_access_token(&state.store, &tessera_common::clock::SystemClock, token)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(state.store.access_tokens(&ws.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_api_token_create_whose_response_was_lost_still_succeeds() {
    let faults = FaultInjector::default();
    let state = state_with(&faults).await;
    let b = base(&state.store, "Hello").await;
    faults.set("TransactWriteItems", Fault::LoseFirstResponse);
    let params = [
        ("workspace_id", b.base.workspace_id.as_str()),
        ("dtable_name", "Hello"),
    ];
    let request = route_request("POST", API_TOKENS, &params)
        .header("content-type", "application/json")
        .body(json!({ "app_name": "etl", "permission": "rw" }).to_string())
        .authorization(Some(&b.owner.auth()));
    let answer = call(&state, "create-api-token", request).await;
    assert_eq!(faults.injected(), 1);
    assert_eq!(answer.status, 201, "{}", answer.json);
    assert!(live(&state.store, answer.json["api_token"].as_str().unwrap()).await);
}

#[tokio::test]
async fn a_delete_whose_response_was_lost_still_succeeds() {
    let faults = FaultInjector::default();
    let state = state_with(&faults).await;
    let ws = workspace(&state.store, Role::Admin).await;
    let token = call(
        &state,
        "create-access-token",
        create_access_token(&ws, "doomed"),
    )
    .await
    .json["data"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    faults.set("TransactWriteItems", Fault::LoseFirstResponse);
    let delete = route_request("DELETE", "/accessTokens", &[])
        .query("name=doomed")
        .authorization(Some(&ws.basic_auth()));
    let answer = call(&state, "delete-access-tokens", delete).await;
    assert_eq!(faults.injected(), 1);
    assert_eq!(answer.status, 200, "{}", answer.json);
    assert!(
        verify_access_token(&state.store, &tessera_common::clock::SystemClock, &token)
            .await
            .unwrap()
            .is_none()
    );
}

/// The negative control of the tests above: the fault they inject is real, and what makes
/// a retried create succeed is the request token the SDK puts on each TransactWriteItems
/// call. Without it, the retry fails its own `attribute_not_exists` condition.
#[tokio::test]
async fn without_the_request_token_a_lost_response_would_turn_success_into_an_error() {
    let faults = FaultInjector::default();
    let state = state_with(&faults).await;
    let ws = workspace(&state.store, Role::Admin).await;
    faults.strip_request_tokens();
    faults.set("TransactWriteItems", Fault::LoseFirstResponse);
    let answer = call(
        &state,
        "create-access-token",
        create_access_token(&ws, "retried"),
    )
    .await;
    assert_eq!(faults.injected(), 1);
    assert_eq!(answer.status, 500, "{}", answer.json);
    // ... although the token was stored: its plaintext is lost with the response.
    assert_eq!(state.store.access_tokens(&ws.id).await.unwrap().len(), 1);
}
