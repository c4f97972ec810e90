use serde_json::{json, Value};
use tessera_admin::apigw::HttpApiRequest;
use tessera_common::store::records::Role;
use tessera_test_support::{fresh_state, status_and_json, webhook, workspace};

use super::*;

async fn call(state: &AppState, auth: Option<&str>, id: &str) -> (u16, Value) {
    let req = HttpApiRequest::new("DELETE", "/webhooks/{id}", &format!("/webhooks/{id}"))
        .path_parameter("id", id)
        .authorization(auth);
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

#[tokio::test]
async fn deletes_an_endpoint_once_and_frees_its_place() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let endpoint = webhook(&state, &ws, "https://a.example.com/", &[]).await;
    assert_eq!(
        call(&state, Some(&ws.basic_auth()), &endpoint.id).await,
        (200, json!({ "success": true }))
    );
    assert!(state.store.webhooks(&ws.id).await.unwrap().is_empty());
    assert_eq!(
        call(&state, Some(&ws.basic_auth()), &endpoint.id).await.0,
        404
    );
    let log = state.store.audit_log(&ws.id, 10, None).await.unwrap();
    assert_eq!(log.entries[0].action, "webhook.delete");
    for _ in 0..tessera_webhooks::MAX_WEBHOOKS_PER_WORKSPACE {
        webhook(&state, &ws, "https://a.example.com/", &[]).await;
    }
}

#[tokio::test]
async fn another_workspaces_endpoint_and_read_only_callers_are_refused() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let other = workspace(&state.store, Role::Admin).await;
    let theirs = webhook(&state, &other, "https://theirs.example.com/", &[]).await;
    for id in [theirs.id.as_str(), "nope", &"x".repeat(300)] {
        let (status, body) = call(&state, Some(&ws.basic_auth()), id).await;
        assert_eq!(status, 404, "{id}: {body}");
    }
    let read_only = workspace(&state.store, Role::ReadOnly).await;
    assert_eq!(
        call(&state, Some(&read_only.basic_auth()), &theirs.id)
            .await
            .0,
        403
    );
    assert_eq!(call(&state, None, &theirs.id).await.0, 401);
    assert_eq!(state.store.webhooks(&other.id).await.unwrap().len(), 1);
}
