use serde_json::Value;
use tessera_admin::apigw::HttpApiRequest;
use tessera_common::store::{records::Role, webhooks::DeliveryAttempt};
use tessera_test_support::{fresh_state, status_and_json, webhook, workspace};

use super::*;

async fn call(state: &AppState, auth: Option<&str>, id: &str, query: &str) -> (u16, Value) {
    let path = format!("/webhooks/{id}/deliveries");
    let req = HttpApiRequest::new("GET", "/webhooks/{id}/deliveries", &path)
        .path_parameter("id", id)
        .authorization(auth)
        .query(query);
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

fn attempt(webhook_id: &str, at_ms: u64, status: Option<u16>) -> DeliveryAttempt {
    DeliveryAttempt {
        webhook_id: webhook_id.into(),
        event_id: format!("event{at_ms}"),
        event_type: "Access Token Created".into(),
        at: "2026-12-05T00:00:00.000Z".into(),
        at_ms,
        attempt: 1,
        status,
        error: status.is_none().then(|| "connection refused".into()),
        latency_ms: 12,
        next_retry_at: None,
        expires_at: 4_000_000_000,
    }
}

#[tokio::test]
async fn lists_the_last_attempts_newest_first_and_only_the_endpoints() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let endpoint = webhook(&state, &ws, "https://a.example.com/", &[]).await;
    let other = webhook(&state, &ws, "https://b.example.com/", &[]).await;
    for (at, status) in [(1, Some(200)), (2, None), (3, Some(500))] {
        state
            .store
            .record_attempt(&attempt(&endpoint.id, at, status), 4_000_000_000)
            .await
            .unwrap();
    }
    state
        .store
        .record_attempt(&attempt(&other.id, 4, Some(200)), 4_000_000_000)
        .await
        .unwrap();
    let (status, body) = call(&state, Some(&ws.basic_auth()), &endpoint.id, "").await;
    assert_eq!(status, 200, "{body}");
    let events: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["eventId"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["event3", "event2", "event1"]);
    assert_eq!(body["data"][1]["error"], "connection refused");
    assert_eq!(body["data"][2]["succeeded"], true);
    let (_, body) = call(&state, Some(&ws.basic_auth()), &endpoint.id, "limit=1").await;
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    for bad in ["limit=0", "limit=101", "limit=x"] {
        assert_eq!(
            call(&state, Some(&ws.basic_auth()), &endpoint.id, bad)
                .await
                .0,
            400,
            "{bad}"
        );
    }
    let stranger = workspace(&state.store, Role::Admin).await;
    assert_eq!(
        call(&state, Some(&stranger.basic_auth()), &endpoint.id, "")
            .await
            .0,
        404
    );
    assert!(state.store.delivered(&endpoint.id, "event1").await.unwrap());
    assert!(!state.store.delivered(&endpoint.id, "event2").await.unwrap());
}
