use std::time::Duration;

use serde_json::{json, Value};
use tessera_admin::apigw::HttpApiRequest;
use tessera_common::{clock::Clock, store::records::Role, verify::verify_access_token};
use tessera_test_support::{
    access_token, fresh_state, status_and_json, workspace, ManualClock, TestWorkspace,
};

use super::*;

async fn call(state: &AppState, ws: &TestWorkspace, id: &str, body: &str) -> (u16, Value) {
    let req = HttpApiRequest::new(
        "POST",
        "/accessTokens/{id}/reroll",
        &format!("/accessTokens/{id}/reroll"),
    )
    .path_parameter("id", id)
    .header("content-type", "application/json")
    .body(body)
    .authorization(Some(&ws.basic_auth()));
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

async fn live(state: &AppState, token: &str) -> bool {
    verify_access_token(&state.store, state.clock.as_ref(), token)
        .await
        .unwrap()
        .is_some()
}

async fn clocked_state() -> (AppState, ManualClock) {
    let clock = ManualClock::new();
    let state = AppState {
        clock: clock.shared(),
        ..fresh_state().await
    };
    (state, clock)
}

#[tokio::test]
async fn the_old_token_works_through_the_grace_period_then_stops() {
    let (state, clock) = clocked_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (old, old_token) = access_token(&state, &ws, "ci", &["read"], None).await;
    let (status, body) = call(&state, &ws, &old.id, r#"{"gracePeriodSeconds": 3600}"#).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["success"], true);
    let new_token = body["data"]["token"].as_str().unwrap();
    let new_id = body["data"]["id"].as_str().unwrap();
    assert!(new_token.starts_with("tsa_") && new_token != old_token.expose());

    assert!(
        live(&state, old_token.expose()).await,
        "within the grace period"
    );
    assert!(live(&state, new_token).await);
    // The successor has the same name, description, scopes and expiry.
    let listed = state.store.access_tokens(&ws.id).await.unwrap();
    let successor = listed.iter().find(|t| t.id == new_id).unwrap();
    assert_eq!(
        (successor.name.as_str(), successor.scopes.clone()),
        ("ci", vec!["read".to_owned()])
    );
    let retired = listed.iter().find(|t| t.id == old.id).unwrap();
    assert_eq!(retired.rerolled_to.as_deref(), Some(new_id));

    clock.advance(Duration::from_secs(3599));
    assert!(live(&state, old_token.expose()).await);
    clock.advance(Duration::from_secs(1));
    assert!(
        !live(&state, old_token.expose()).await,
        "refused when the grace ends"
    );
    assert!(live(&state, new_token).await);
}

#[tokio::test]
async fn without_a_grace_period_the_old_token_stops_at_once() {
    let (state, _) = clocked_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (old, old_token) = access_token(&state, &ws, "ci", &[], None).await;
    let (mut id, mut token) = (old.id, old_token.expose().to_owned());
    for body in ["", "{}", r#"{"gracePeriodSeconds": 0}"#] {
        let (status, answer) = call(&state, &ws, &id, body).await;
        assert_eq!(status, 200, "{body:?}: {answer}");
        let next = answer["data"]["token"].as_str().unwrap().to_owned();
        assert!(live(&state, &next).await);
        assert!(
            !live(&state, &token).await,
            "{body:?}: the old token still works"
        );
        (id, token) = (answer["data"]["id"].as_str().unwrap().to_owned(), next);
    }
    assert_eq!(state.store.access_tokens(&ws.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_token_has_exactly_one_successor_even_when_rerolls_race() {
    let (state, _) = clocked_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (old, _) = access_token(&state, &ws, "ci", &[], None).await;
    let grace = r#"{"gracePeriodSeconds": 60}"#;
    let (a, b) = tokio::join!(
        call(&state, &ws, &old.id, grace),
        call(&state, &ws, &old.id, grace)
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{a:?} {b:?}");
    // Rerolling the old token again is refused; its successor can be rerolled.
    let (status, body) = call(&state, &ws, &old.id, grace).await;
    assert_eq!(status, 409, "{body}");
    let listed = state.store.access_tokens(&ws.id).await.unwrap();
    assert_eq!(listed.len(), 2, "the retired token and one successor");
    let successor = listed.iter().find(|t| t.rerolled_to.is_none()).unwrap();
    assert_eq!(call(&state, &ws, &successor.id, "{}").await.0, 200);
}

#[tokio::test]
async fn bad_requests_are_4xx_and_say_why() {
    let (state, clock) = clocked_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (old, _) = access_token(&state, &ws, "ci", &[], None).await;
    for body in [
        r#"{"gracePeriodSeconds": 604801}"#,
        r#"{"gracePeriodSeconds": -1}"#,
        r#"{"gracePeriodSeconds": "60"}"#,
        r#"{"gracePeriod": 60}"#,
        "not json",
    ] {
        let (status, answer) = call(&state, &ws, &old.id, body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["success"], false);
    }
    assert_eq!(call(&state, &ws, "nope", "{}").await.0, 404);
    let (expiring, _) = access_token(&state, &ws, "short", &[], Some(clock.now_secs() + 10)).await;
    clock.advance(Duration::from_secs(10));
    assert_eq!(call(&state, &ws, &expiring.id, "{}").await.0, 409);
    let read_only = workspace(&state.store, Role::ReadOnly).await;
    let req = HttpApiRequest::new("POST", "/accessTokens/{id}/reroll", "/x")
        .path_parameter("id", &old.id)
        .authorization(Some(&read_only.basic_auth()));
    assert_eq!(handle(&state, req.to_lambda_request()).await.status(), 403);
    assert_eq!(json!(call(&state, &ws, &old.id, "{}").await.0), json!(200));
}

/// Issue 19: a rerolled token keeps its usage control: limits (with the credits that
/// remain), enabled, meta and externalId.
#[tokio::test]
async fn the_successor_keeps_the_usage_control() {
    let (state, _) = clocked_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (mut old, _) = access_token(&state, &ws, "metered", &["read"], None).await;
    let template = AccessToken {
        ratelimit: Some(tessera_common::usage::RateLimit {
            limit: 5,
            duration_secs: 60,
        }),
        credits_remaining: Some(7),
        credits_refill: Some(tessera_common::usage::Refill {
            interval: tessera_common::usage::Interval::Daily,
            amount: 10,
            refill_day: None,
        }),
        credits_period: Some(state.clock.now_secs() / 86_400),
        disabled: true,
        external_id: Some("user_42".into()),
        meta: Some(r#"{"plan":"pro"}"#.into()),
        ..old.clone()
    };
    state
        .store
        .update_access_token(
            &old,
            &template,
            "test".into(),
            &tessera_common::audit::Auditor::operator(state.clock.clone()),
        )
        .await
        .unwrap();
    old = template;
    let (status, body) = call(&state, &ws, &old.id, "{}").await;
    assert_eq!(status, 200, "{body}");
    let new_id = body["data"]["id"].as_str().unwrap();
    let successor = state
        .store
        .access_token_by_id(&ws.id, new_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(successor.ratelimit, old.ratelimit);
    assert_eq!(successor.credits_remaining, Some(7));
    assert_eq!(successor.credits_refill, old.credits_refill);
    assert_eq!(successor.credits_period, old.credits_period);
    assert!(successor.disabled);
    assert_eq!(successor.external_id.as_deref(), Some("user_42"));
    assert_eq!(successor.meta, old.meta);
    // One meter across a reroll (issue 28): the successor spends the old token's.
    assert_eq!(successor.meter_id(), old.id);
    assert_eq!(
        (successor.rl_window, successor.rl_count),
        (old.rl_window, old.rl_count)
    );
}
