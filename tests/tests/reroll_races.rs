//! Issue 16, items 1 and 2: reroll and delete act on the token as they read it, and a
//! token in its grace period counts against the quota until the grace ends. Afterwards,
//! always: at most one successor per token, and the workspace's counter equals a count of
//! its access-token records.

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use futures::future::join_all;
use serde_json::json;
use tessera_common::{
    audit::Auditor,
    clock::Clock,
    store::records::{AccessToken, Role},
    token::{new_id, NewToken, TokenKind},
    AppState, Quotas, StoreError,
};
use tessera_test_support::{access_token, fresh_state, workspace, ManualClock, TestWorkspace};
use tessera_tests::LocalApi;

/// The workspace item's `access_token_count`.
async fn counter(state: &AppState, workspace_id: &str) -> i64 {
    let item = state
        .store
        .client()
        .get_item()
        .table_name(state.store.table_name())
        .key("pk", AttributeValue::S(format!("WS#{workspace_id}")))
        .key("sk", AttributeValue::S("WORKSPACE".into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    match item.get("access_token_count") {
        Some(AttributeValue::N(n)) => n.parse().unwrap(),
        _ => 0,
    }
}

/// The invariants, for every token of the workspace.
async fn assert_consistent(state: &AppState, workspace_id: &str) {
    let tokens = state.store.access_tokens(workspace_id).await.unwrap();
    assert_eq!(
        counter(state, workspace_id).await,
        tokens.len() as i64,
        "the counter is a count of the records: {tokens:#?}"
    );
    for token in &tokens {
        let successors = tokens
            .iter()
            .filter(|t| token.rerolled_to.as_deref() == Some(t.id.as_str()))
            .count();
        assert!(successors <= 1, "{} has {successors} successors", token.id);
    }
}

fn successor_of(old: &AccessToken, clock: &dyn Clock) -> AccessToken {
    let token = NewToken::generate(TokenKind::AccessToken);
    AccessToken {
        scopes: old.scopes.clone(),
        expires: old.expires,
        ..AccessToken::new(
            new_id(),
            old.workspace_id.clone(),
            old.name.clone(),
            old.description.clone(),
            old.user_id.clone(),
            token.digest().clone(),
            clock.now_rfc3339(),
        )
    }
}

#[tokio::test]
async fn a_stale_copy_never_rerolls_or_deletes_twice() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (stale, _) = access_token(&state, &ws, "t", &[], None).await;
    let auditor = Auditor::operator(state.clock.clone());
    let now = state.clock.now_secs();
    let max = Quotas::DEFAULT.access_tokens_per_workspace;
    let grace = successor_of(&stale, state.clock.as_ref());
    state
        .store
        .reroll_access_token(&stale, &grace, Some(now + 3600), max, &auditor)
        .await
        .unwrap();
    // The same copy, read before that reroll committed: each write must fail.
    let second = successor_of(&stale, state.clock.as_ref());
    assert!(matches!(
        state
            .store
            .reroll_access_token(&stale, &second, None, max, &auditor)
            .await,
        Err(StoreError::Conflict)
    ));
    assert!(matches!(
        state.store.delete_access_token(&stale, &auditor).await,
        Err(StoreError::Conflict)
    ));
    assert_consistent(&state, &ws.id).await;
    assert_eq!(
        counter(&state, &ws.id).await,
        2,
        "the old token counts in its grace"
    );
    // A fresh read deletes it, once.
    let fresh = state
        .store
        .access_token_by_id(&ws.id, &stale.id)
        .await
        .unwrap()
        .unwrap();
    state
        .store
        .delete_access_token(&fresh, &auditor)
        .await
        .unwrap();
    assert!(matches!(
        state.store.delete_access_token(&fresh, &auditor).await,
        Err(StoreError::Conflict)
    ));
    assert_consistent(&state, &ws.id).await;
    assert_eq!(counter(&state, &ws.id).await, 1);
}

/// 20 rerolls (with and without a grace period) and deletes of one token at once, over
/// HTTP, five times over.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_rerolls_and_deletes_leave_one_successor_and_an_exact_count() {
    let api = LocalApi::start().await;
    let ws = workspace(&api.state.store, Role::Admin).await;
    for round in 0..5 {
        let (token, _) = access_token(&api.state, &ws, &format!("t{round}"), &[], None).await;
        let requests = (0..20).map(|i| {
            let client = api.client.clone();
            let auth = ws.basic_auth();
            let (method, path, body) = match i % 3 {
                0 => (
                    "POST",
                    format!("/accessTokens/{}/reroll", token.id),
                    json!({ "gracePeriodSeconds": 3600 }),
                ),
                1 => (
                    "POST",
                    format!("/accessTokens/{}/reroll", token.id),
                    json!({}),
                ),
                _ => ("DELETE", format!("/accessTokens/{}", token.id), json!({})),
            };
            let url = api.url(&path);
            async move {
                let request = match method {
                    "POST" => client.post(url).body(body.to_string()),
                    _ => client.delete(url),
                };
                let response = request
                    .header("Authorization", auth)
                    .header("Content-Type", "application/json")
                    .send()
                    .await
                    .unwrap();
                (method, response.status().as_u16())
            }
        });
        let answers = join_all(requests).await;
        for (_, status) in &answers {
            assert!([200, 404, 409].contains(status), "{answers:?}");
        }
        let won = answers.iter().filter(|(_, status)| *status == 200).count();
        let deletes_won = answers
            .iter()
            .filter(|(method, status)| *method == "DELETE" && *status == 200)
            .count();
        assert!(deletes_won <= 1, "{answers:?}");
        // One winner, or a grace reroll and then a delete of the (still live) old token.
        assert!((1..=2).contains(&won), "{answers:?}");
        assert_consistent(&api.state, &ws.id).await;
    }
}

async fn clocked() -> (AppState, ManualClock) {
    let clock = ManualClock::new();
    let state = AppState {
        clock: clock.shared(),
        ..fresh_state().await
    };
    (state, clock)
}

async fn reroll(
    api: &LocalApi,
    ws: &TestWorkspace,
    id: &str,
    grace: u64,
) -> (u16, serde_json::Value) {
    api.post_json(
        &format!("/accessTokens/{id}/reroll"),
        &ws.basic_auth(),
        &json!({ "gracePeriodSeconds": grace }),
    )
    .await
}

#[tokio::test]
async fn tokens_in_a_grace_period_count_against_the_quota_until_it_ends() {
    let (mut state, clock) = clocked().await;
    state.quotas = Quotas {
        access_tokens_per_workspace: 2,
        ..Quotas::DEFAULT
    };
    let api = LocalApi::start_with(state).await;
    let ws = workspace(&api.state.store, Role::Admin).await;
    let (token, _) = access_token(&api.state, &ws, "t", &[], None).await;
    let week = 7 * 24 * 3600;
    // Room for one more: a reroll with grace takes it (two live tokens).
    let (status, body) = reroll(&api, &ws, &token.id, week).await;
    assert_eq!(status, 200, "{body}");
    let successor = body["data"]["id"].as_str().unwrap().to_owned();
    // No room now: a second reroll with grace would make three live tokens.
    let (status, body) = reroll(&api, &ws, &successor, week).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"].as_str().unwrap_or_default().contains("grace")
            || body.to_string().contains("grace"),
        "{body}"
    );
    let (status, body) = api
        .post_json(
            "/accessTokens",
            &ws.basic_auth(),
            &json!({ "name": "third" }),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_consistent(&api.state, &ws.id).await;
    // A reroll without grace needs no room.
    let (status, body) = reroll(&api, &ws, &successor, 0).await;
    assert_eq!(status, 200, "{body}");
    let successor = body["data"]["id"].as_str().unwrap().to_owned();
    assert_consistent(&api.state, &ws.id).await;
    // When the grace ends, its room is made again (the ended record is purged).
    clock.advance(Duration::from_secs(week + 1));
    let (status, body) = reroll(&api, &ws, &successor, week).await;
    assert_eq!(status, 200, "{body}");
    assert_consistent(&api.state, &ws.id).await;
    assert_eq!(counter(&api.state, &ws.id).await, 2);
    // The listing never showed the ended one.
    let listed: serde_json::Value = api
        .client
        .get(api.url("/accessTokens"))
        .header("Authorization", ws.basic_auth())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");
}
