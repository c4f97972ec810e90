use serde_json::Value;
use tessera_admin::apigw::HttpApiRequest;
use tessera_common::store::records::Role;
use tessera_test_support::{fresh_state, status_and_json, webhook, workspace};

use super::*;

async fn call(state: &AppState, auth: Option<&str>) -> (u16, Value) {
    let req = HttpApiRequest::new("GET", "/webhooks", "/webhooks").authorization(auth);
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

#[tokio::test]
async fn lists_the_workspaces_endpoints_oldest_first_without_secrets() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let other = workspace(&state.store, Role::Admin).await;
    let first = webhook(&state, &ws, "https://a.example.com/", &[]).await;
    let second = webhook(
        &state,
        &ws,
        "https://b.example.com/",
        &["Access Token Leaked"],
    )
    .await;
    webhook(&state, &other, "https://theirs.example.com/", &[]).await;
    let read_only = workspace(&state.store, Role::ReadOnly).await;
    let (status, body) = call(&state, Some(&ws.basic_auth())).await;
    assert_eq!(status, 200, "{body}");
    let ids: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap())
        .collect();
    let mut expected = [first.id.as_str(), second.id.as_str()];
    if first.created_at == second.created_at {
        expected.sort();
    }
    assert_eq!(ids, expected, "only this workspace's");
    assert_eq!(
        body["data"][ids.iter().position(|id| *id == second.id).unwrap()]["eventTypes"][0],
        "Access Token Leaked"
    );
    assert!(!body.to_string().contains("secret"), "{body}");
    assert!(!body.to_string().contains(&first.secret_nonce), "{body}");
    let (status, body) = call(&state, Some(&read_only.basic_auth())).await;
    assert_eq!((status, body["data"].as_array().unwrap().len()), (200, 0));
    assert_eq!(call(&state, None).await.0, 401);
}
