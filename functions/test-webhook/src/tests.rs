use serde_json::Value;
use tessera_admin::apigw::HttpApiRequest;
use tessera_common::store::records::Role;
use tessera_test_support::{fresh_state, status_and_json, webhook, workspace};

use super::*;

async fn call(state: &AppState, auth: Option<&str>, id: &str) -> (u16, Value) {
    let path = format!("/webhooks/{id}/test");
    let req = HttpApiRequest::new("POST", "/webhooks/{id}/test", &path)
        .path_parameter("id", id)
        .authorization(auth);
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

#[tokio::test]
async fn writes_a_test_event_for_that_endpoint() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let endpoint = webhook(
        &state,
        &ws,
        "https://a.example.com/",
        &["Access Token Leaked"],
    )
    .await;
    let (status, body) = call(&state, Some(&ws.basic_auth()), &endpoint.id).await;
    assert_eq!(status, 202, "{body}");
    let log = state.store.audit_log(&ws.id, 10, None).await.unwrap();
    let entry = &log.entries[0];
    assert_eq!(entry.id, body["data"]["eventId"].as_str().unwrap());
    let event = entry.event.as_ref().unwrap();
    assert_eq!(event.detail_type, "Webhook Test");
    let detail: Value = serde_json::from_str(&event.detail).unwrap();
    assert_eq!(detail["webhook"]["id"], endpoint.id.as_str());
}

#[tokio::test]
async fn another_workspaces_endpoint_and_read_only_callers_are_refused() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let other = workspace(&state.store, Role::Admin).await;
    let theirs = webhook(&state, &other, "https://theirs.example.com/", &[]).await;
    assert_eq!(
        call(&state, Some(&ws.basic_auth()), &theirs.id).await.0,
        404
    );
    let read_only = workspace(&state.store, Role::ReadOnly).await;
    assert_eq!(
        call(&state, Some(&read_only.basic_auth()), &theirs.id)
            .await
            .0,
        403
    );
    let log = state.store.audit_log(&other.id, 10, None).await.unwrap();
    assert!(log.entries.iter().all(|e| e.action != "webhook.test"));
}
