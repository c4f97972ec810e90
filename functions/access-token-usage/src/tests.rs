//! GET /accessTokens/{id}/usage on DynamoDB Local, counting what the verify API answered:
//! exact counts of metered tokens (also under concurrency and across midnight), the
//! minute-bounded counts of other tokens through one container, and each status.

use std::time::Duration;

use serde_json::{json, Value};
use tessera_admin::apigw::HttpApiRequest;
use tessera_common::{store::records::Role, AppState};
use tessera_test_support::{body_json, fresh_state, workspace, ManualClock, TestWorkspace};

use super::*;

const DAY: u64 = 86_400;

fn request(
    method: &str,
    route: &str,
    path: &str,
    ws: &TestWorkspace,
    body: Option<&Value>,
) -> Request {
    let mut req = HttpApiRequest::new(method, route, path).authorization(Some(&ws.basic_auth()));
    if let Some(body) = body {
        req = req
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    req.to_lambda_request()
}

/// A token created through POST /accessTokens with `fields`: (id, token).
async fn create(state: &AppState, ws: &TestWorkspace, fields: Value) -> (String, String) {
    let mut body = json!({ "name": "counted" });
    body.as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    let req = request("POST", "/accessTokens", "/accessTokens", ws, Some(&body));
    let json = body_json(&create_access_token::handle(state, req).await);
    let token = json["data"]["token"].as_str().expect("created").to_owned();
    let found = tessera_common::verify::look_up_access_token(&state.store, &token)
        .await
        .unwrap()
        .unwrap();
    (found.token_id, token)
}

async fn verify(state: &AppState, ws: &TestWorkspace, body: Value) -> String {
    let req = request(
        "POST",
        "/accessTokens/verify",
        "/accessTokens/verify",
        ws,
        Some(&body),
    );
    let response = verify_access_token::handle(state, req).await;
    let json = body_json(&response);
    assert_eq!(response.status(), 200, "{json}");
    json["code"].as_str().unwrap().to_owned()
}

/// `n` verifications of `token` at once, each a task of its own.
async fn concurrently(state: &AppState, ws: &TestWorkspace, token: &str, n: usize) {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (state, ws, token) = (state.clone(), ws.clone(), token.to_owned());
            tokio::spawn(async move { verify(&state, &ws, json!({ "token": token })).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
}

async fn usage(state: &AppState, ws: &TestWorkspace, id: &str, query: &str) -> (u16, Value) {
    let path = format!("/accessTokens/{id}/usage");
    let req = HttpApiRequest::new("GET", "/accessTokens/{id}/usage", &path)
        .query(query.trim_start_matches('?'))
        .path_parameter("id", id)
        .authorization(Some(&ws.basic_auth()))
        .to_lambda_request();
    let response = handle(state, req).await;
    (response.status().as_u16(), body_json(&response))
}

/// The counts of the newest day (today), or of the day `back` days before.
async fn day(state: &AppState, ws: &TestWorkspace, id: &str, back: usize) -> Value {
    let (status, json) = usage(state, ws, id, "?days=3").await;
    assert_eq!(status, 200, "{json}");
    json["days"][back].clone()
}

/// A state on a clock the test moves, at the start of a minute, an hour before midnight.
async fn state_on(clock: &ManualClock) -> AppState {
    let now = clock.shared().now_secs();
    clock.advance(Duration::from_secs(DAY - now % DAY + DAY - 3600));
    AppState {
        clock: clock.shared(),
        ..fresh_state().await
    }
}

/// A clock the test moves, a state on it and an admin workspace.
async fn clocked() -> (ManualClock, AppState, TestWorkspace) {
    let clock = ManualClock::new();
    let state = state_on(&clock).await;
    let ws = admin_workspace(&state).await;
    (clock, state, ws)
}

fn to_midnight(clock: &ManualClock) {
    let now = clock.shared().now_secs();
    clock.advance(Duration::from_secs(DAY - now % DAY));
}

async fn admin_workspace(state: &AppState) -> TestWorkspace {
    workspace(&state.store, Role::Admin).await
}

#[tokio::test]
async fn a_metered_tokens_verifications_are_counted_exactly_by_outcome_under_concurrency() {
    let (_clock, state, ws) = clocked().await;
    let (id, token) = create(
        &state,
        &ws,
        json!({"ratelimit": {"limit": 3, "durationSeconds": 60}, "credits": {"remaining": 100}, "scopes": ["docs.read"]}),
    )
    .await;
    concurrently(&state, &ws, &token, 12).await;
    assert_eq!(
        verify(&state, &ws, json!({"token": token, "permissions": "admin"})).await,
        "INSUFFICIENT_PERMISSIONS"
    );
    let today = day(&state, &ws, &id, 0).await;
    assert_eq!(today["valid"], 3, "{today}");
    assert_eq!(today["rateLimited"], 9, "{today}");
    assert_eq!(today["insufficientPermissions"], 1, "{today}");
    assert_eq!(today["usageExceeded"], 0, "{today}");
    assert_eq!(today["disabled"], 0, "{today}");
    assert_eq!(today["expired"], 0, "{today}");
}

#[tokio::test]
async fn at_midnight_the_days_counts_move_once_under_concurrency() {
    let (clock, state, ws) = clocked().await;
    let (id, token) = create(&state, &ws, json!({"credits": {"remaining": 1000}})).await;
    concurrently(&state, &ws, &token, 4).await;
    to_midnight(&clock);
    concurrently(&state, &ws, &token, 10).await;
    let (status, json) = usage(&state, &ws, &id, "?days=2").await;
    assert_eq!(status, 200, "{json}");
    let days = json["days"].as_array().unwrap();
    assert_eq!(days.len(), 2);
    assert_eq!(days[0]["valid"], 10, "{json}");
    assert_eq!(days[1]["valid"], 4, "{json}");
    assert!(
        days[0]["date"].as_str() > days[1]["date"].as_str(),
        "newest first"
    );
    // A day later still, both past days come from their own items.
    to_midnight(&clock);
    verify(&state, &ws, json!({"token": token})).await;
    let days = usage(&state, &ws, &id, "?days=3").await.1["days"].clone();
    assert_eq!(
        [&days[0]["valid"], &days[1]["valid"], &days[2]["valid"]],
        [1, 10, 4]
    );
}

/// Issue 19: counts of a token without limits are kept in memory and written at most once
/// a minute per token and container; the local process is one container.
#[tokio::test]
async fn an_unmetered_tokens_counts_are_written_at_most_once_a_minute() {
    let (clock, state, ws) = clocked().await;
    let (id, token) = create(&state, &ws, json!({})).await;
    // The first verification in a container is written at once.
    verify(&state, &ws, json!({"token": token})).await;
    assert_eq!(day(&state, &ws, &id, 0).await["valid"], 1);
    for _ in 0..4 {
        verify(&state, &ws, json!({"token": token})).await;
    }
    verify(&state, &ws, json!({"token": token, "permissions": "admin"})).await;
    clock.advance(Duration::from_secs(59));
    verify(&state, &ws, json!({"token": token})).await;
    // Within the minute nothing more was written: at most this much is lost if the
    // container ends now.
    assert_eq!(day(&state, &ws, &id, 0).await["valid"], 1);
    clock.advance(Duration::from_secs(1));
    verify(&state, &ws, json!({"token": token})).await;
    let today = day(&state, &ws, &id, 0).await;
    assert_eq!(today["valid"], 7, "{today}");
    assert_eq!(today["insufficientPermissions"], 1, "{today}");
}

#[tokio::test]
async fn disabled_and_expired_verifications_are_counted() {
    let (clock, state, ws) = clocked().await;
    let (disabled, disabled_token) = create(
        &state,
        &ws,
        json!({"enabled": false, "ratelimit": {"limit": 5, "durationSeconds": 60}}),
    )
    .await;
    let expires_at = tessera_common::clock::rfc3339_from_secs(clock.shared().now_secs() + 120);
    let (expiring, expiring_token) = create(
        &state,
        &ws,
        json!({"name": "expiring", "expiresAt": expires_at, "credits": {"remaining": 5}}),
    )
    .await;
    assert_eq!(
        verify(&state, &ws, json!({"token": disabled_token})).await,
        "DISABLED"
    );
    clock.advance(Duration::from_secs(180));
    assert_eq!(
        verify(&state, &ws, json!({"token": expiring_token})).await,
        "EXPIRED"
    );
    assert_eq!(day(&state, &ws, &disabled, 0).await["disabled"], 1);
    let expired = day(&state, &ws, &expiring, 0).await;
    assert_eq!(expired["expired"], 1, "{expired}");
}

#[tokio::test]
async fn days_default_to_30_newest_first_and_reach_back_90() {
    let state = fresh_state().await;
    let ws = admin_workspace(&state).await;
    let (id, _) = create(&state, &ws, json!({})).await;
    let (status, json) = usage(&state, &ws, &id, "").await;
    assert_eq!(status, 200, "{json}");
    let days = json["days"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    let today = tessera_common::clock::now_rfc3339()[..10].to_owned();
    assert_eq!(days[0]["date"], today.as_str());
    assert_eq!(days[0]["valid"], 0);
    assert_eq!(
        usage(&state, &ws, &id, "?days=90").await.1["days"]
            .as_array()
            .unwrap()
            .len(),
        90
    );
}

#[tokio::test]
async fn days_out_of_range_are_a_400_that_says_so() {
    let state = fresh_state().await;
    let ws = admin_workspace(&state).await;
    let (id, _) = create(&state, &ws, json!({})).await;
    for query in ["?days=0", "?days=91", "?days=ten", "?days=-1"] {
        let (status, json) = usage(&state, &ws, &id, query).await;
        assert_eq!(status, 400, "{query}: {json}");
        assert!(
            json.to_string()
                .contains("days must be an integer from 1 to 90"),
            "{json}"
        );
    }
}

#[tokio::test]
async fn another_workspaces_or_an_unknown_token_is_a_404() {
    let state = fresh_state().await;
    let ws = admin_workspace(&state).await;
    let other = admin_workspace(&state).await;
    let (id, _) = create(&state, &other, json!({})).await;
    for id in [id.as_str(), "NoSuchToken000000000001", "../x"] {
        let (status, json) = usage(&state, &ws, id, "").await;
        assert_eq!(status, 404, "{id}: {json}");
    }
}

#[tokio::test]
async fn a_read_only_workspace_token_may_read_usage_and_a_wrong_one_may_not() {
    let state = fresh_state().await;
    let admin = admin_workspace(&state).await;
    let (id, _) = create(&state, &admin, json!({})).await;
    let read_only = admin.with_role(&state.store, Role::ReadOnly).await;
    assert_eq!(usage(&state, &read_only, &id, "").await.0, 200);
    let wrong = TestWorkspace {
        token: "wst_not-a-token".into(),
        ..admin
    };
    assert_eq!(usage(&state, &wrong, &id, "").await.0, 401);
}
