use serde_json::{json, Value};
use tessera_admin::apigw::HttpApiRequest;
use tessera_common::store::records::Role;
use tessera_test_support::{fresh_state, status_and_json, workspace};

use super::*;

async fn call(state: &AppState, auth: Option<&str>, body: &Value) -> (u16, Value) {
    let req = HttpApiRequest::new("POST", "/webhooks", "/webhooks")
        .authorization(auth)
        .header("content-type", "application/json")
        .body(body.to_string());
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

#[tokio::test]
async fn adds_an_endpoint_and_shows_its_secret_once() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (status, body) = call(
        &state,
        Some(&ws.basic_auth()),
        &json!({
            "url": "https://hooks.example.com/tessera",
            "eventTypes": ["Access Token Leaked", "Access Token Created", "Access Token Leaked"],
            "description": "billing",
        }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let data = &body["data"];
    let secret = data["secret"].as_str().unwrap();
    assert!(
        secret.starts_with("whsec_") && secret.len() > 40,
        "{secret}"
    );
    assert_eq!(
        data["eventTypes"],
        json!(["Access Token Leaked", "Access Token Created"]),
        "repeats dropped"
    );
    assert_eq!(data["failing"], false);
    let stored = state.store.webhooks(&ws.id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].id, data["id"].as_str().unwrap());
    let item = format!("{:?}", stored[0]);
    assert!(
        !item.contains(&secret[6..]),
        "the secret is not stored: {item}"
    );
    let derived = tessera_webhooks::key(&state)
        .unwrap()
        .secret(&stored[0].secret_nonce)
        .await
        .unwrap();
    assert_eq!(derived.expose_whsec(), secret, "derived again to sign");
    let log = state.store.audit_log(&ws.id, 10, None).await.unwrap();
    assert_eq!(log.entries[0].action, "webhook.create");
    assert!(!format!("{:?}", log.entries[0]).contains(&secret[6..]));
}

#[tokio::test]
async fn bad_input_is_a_400_that_says_what_is_wrong() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    for (body, says) in [
        (json!({ "url": "http://hooks.example.com/" }), "https"),
        (
            json!({ "url": "https://169.254.169.254/latest" }),
            "not public",
        ),
        (json!({ "url": "https://10.0.0.7/" }), "not public"),
        (json!({ "url": "https://localhost/" }), "public host"),
        (json!({ "url": "not a url" }), "absolute"),
        (
            json!({ "url": "https://hooks.example.com/", "eventTypes": ["Token Created"] }),
            "not an event type",
        ),
        (
            json!({ "url": "https://hooks.example.com/", "eventTypes": ["Webhook Test"] }),
            "not an event type",
        ),
        (
            json!({ "url": "https://hooks.example.com/", "description": "d".repeat(501) }),
            "description",
        ),
        (
            json!({ "url": "https://hooks.example.com/", "secret": "mine" }),
            "unknown field",
        ),
        (json!({ "eventTypes": [] }), "missing field `url`"),
    ] {
        let (status, answer) = call(&state, Some(&ws.basic_auth()), &body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        let error = answer["error"].as_str().unwrap();
        assert!(error.contains(says), "{body}: {error}");
    }
    assert!(state.store.webhooks(&ws.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn read_only_and_anonymous_callers_are_refused_and_a_workspace_has_at_most_twenty() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let body = json!({ "url": "https://hooks.example.com/" });
    let read_only = workspace(&state.store, Role::ReadOnly).await;
    assert_eq!(
        call(&state, Some(&read_only.basic_auth()), &body).await.0,
        403
    );
    assert_eq!(call(&state, None, &body).await.0, 401);
    for _ in 0..MAX_WEBHOOKS_PER_WORKSPACE {
        assert_eq!(call(&state, Some(&ws.basic_auth()), &body).await.0, 200);
    }
    let (status, answer) = call(&state, Some(&ws.basic_auth()), &body).await;
    assert_eq!(status, 400, "{answer}");
    assert!(answer["error"]
        .as_str()
        .unwrap()
        .contains("20 webhook endpoints"));
    assert_eq!(state.store.webhooks(&ws.id).await.unwrap().len(), 20);
}

#[tokio::test]
async fn a_key_that_cannot_be_read_is_a_503_and_nothing_is_stored() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let broken = AppState {
        webhook_key: tessera_test_support::broken_state().await.webhook_key,
        ..state.clone()
    };
    let (status, body) = call(
        &broken,
        Some(&ws.basic_auth()),
        &json!({ "url": "https://hooks.example.com/" }),
    )
    .await;
    assert_eq!(status, 503, "{body}");
    assert!(state.store.webhooks(&ws.id).await.unwrap().is_empty());
}
