use serde_json::{json, Value};
use tessera_admin::apigw::HttpApiRequest;
use tessera_common::store::records::Role;
use tessera_test_support::{fresh_state, status_and_json, webhook, workspace, TestWorkspace};

use super::*;

/// The endpoint as stored now.
async fn stored_endpoint(state: &AppState, ws: &TestWorkspace, id: &str) -> Webhook {
    state
        .store
        .webhook(&ws.id, id)
        .await
        .unwrap()
        .expect("the endpoint exists")
}

async fn call(state: &AppState, auth: Option<&str>, id: &str, body: &Value) -> (u16, Value) {
    let req = HttpApiRequest::new("PATCH", "/webhooks/{id}", &format!("/webhooks/{id}"))
        .path_parameter("id", id)
        .authorization(auth)
        .header("content-type", "application/json")
        .body(body.to_string());
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

#[tokio::test]
async fn changes_what_is_sent_and_keeps_the_rest_and_the_secret() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let endpoint = webhook(&state, &ws, "https://a.example.com/", &[]).await;
    let (status, body) = call(
        &state,
        Some(&ws.basic_auth()),
        &endpoint.id,
        &json!({ "eventTypes": ["Access Token Leaked"] }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["url"], "https://a.example.com/");
    assert_eq!(body["data"]["eventTypes"], json!(["Access Token Leaked"]));
    let stored = stored_endpoint(&state, &ws, &endpoint.id).await;
    assert_eq!(
        stored.secret_nonce, endpoint.secret_nonce,
        "the secret stays"
    );
    let (status, body) = call(
        &state,
        Some(&ws.basic_auth()),
        &endpoint.id,
        &json!({ "url": "https://b.example.com/x", "description": "moved" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let stored = stored_endpoint(&state, &ws, &endpoint.id).await;
    assert_eq!(
        (stored.url.as_str(), stored.description.as_str()),
        ("https://b.example.com/x", "moved")
    );
    assert_eq!(stored.event_types, ["Access Token Leaked"]);
}

#[tokio::test]
async fn bad_input_unknown_ids_and_read_only_callers_are_refused() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let endpoint = webhook(&state, &ws, "https://a.example.com/", &[]).await;
    for (body, says) in [
        (json!({ "url": "https://192.168.0.1/" }), "not public"),
        (json!({ "eventTypes": ["nope"] }), "not an event type"),
        (json!({ "secret": "x" }), "unknown field"),
    ] {
        let (status, answer) = call(&state, Some(&ws.basic_auth()), &endpoint.id, &body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(answer["error"].as_str().unwrap().contains(says), "{answer}");
    }
    assert_eq!(
        call(&state, Some(&ws.basic_auth()), "nope", &json!({}))
            .await
            .0,
        404
    );
    let read_only = workspace(&state.store, Role::ReadOnly).await;
    assert_eq!(
        call(
            &state,
            Some(&read_only.basic_auth()),
            &endpoint.id,
            &json!({})
        )
        .await
        .0,
        403
    );
    assert_eq!(stored_endpoint(&state, &ws, &endpoint.id).await, endpoint);
}

/// Two edits of different fields at once: each that answers 200 is kept (a whole-item write
/// conditional on the URL and the secret alone let the later one undo the earlier).
#[tokio::test]
async fn concurrent_edits_of_different_fields_lose_neither() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    for round in 0..8 {
        let endpoint = webhook(&state, &ws, "https://a.example.com/", &[]).await;
        let description = format!("round {round}");
        let describe = json!({ "description": description });
        let type_it = json!({ "eventTypes": ["Access Token Leaked"] });
        let auth = ws.basic_auth();
        let (described, typed) = tokio::join!(
            call(&state, Some(&auth), &endpoint.id, &describe),
            call(&state, Some(&auth), &endpoint.id, &type_it),
        );
        for (status, body) in [&described, &typed] {
            assert!([200, 409].contains(status), "{body}");
        }
        let stored = stored_endpoint(&state, &ws, &endpoint.id).await;
        if described.0 == 200 {
            assert_eq!(stored.description, description, "round {round}: {typed:?}");
        }
        if typed.0 == 200 {
            assert_eq!(stored.event_types, ["Access Token Leaked"], "round {round}");
        }
    }
}

/// The same, deterministically: two edits from one read; the second is refused, and so is
/// an edit read before a delivery marked the endpoint failing.
#[tokio::test]
async fn an_edit_read_before_another_change_is_a_conflict() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let endpoint = webhook(&state, &ws, "https://a.example.com/", &[]).await;
    let auditor = tessera_common::audit::Auditor::new(
        "test",
        None,
        None,
        state.clock.clone(),
        state.audit_retention,
    );
    let read = stored_endpoint(&state, &ws, &endpoint.id).await;
    let described = Webhook {
        description: "first".into(),
        ..read.clone()
    };
    state
        .store
        .update_webhook(&read, &described, &auditor, "webhook.update")
        .await
        .unwrap();
    let typed = Webhook {
        event_types: vec!["Access Token Leaked".into()],
        ..read.clone()
    };
    assert!(matches!(
        state
            .store
            .update_webhook(&read, &typed, &auditor, "webhook.update")
            .await,
        Err(StoreError::Conflict)
    ));

    let read = stored_endpoint(&state, &ws, &endpoint.id).await;
    let entry = auditor.entry(
        &ws.id,
        "webhook.failing",
        format!("webhook:{}", read.id),
        None,
    );
    state
        .store
        .mark_webhook_failing(&read, "2026-12-06T00:00:00Z", &entry)
        .await
        .unwrap();
    let edited = Webhook {
        description: "second".into(),
        ..read.clone()
    };
    assert!(matches!(
        state
            .store
            .update_webhook(&read, &edited, &auditor, "webhook.update")
            .await,
        Err(StoreError::Conflict)
    ));
    let stored = stored_endpoint(&state, &ws, &endpoint.id).await;
    assert_eq!(
        stored.failing_since.as_deref(),
        Some("2026-12-06T00:00:00Z")
    );
    assert_eq!(stored.description, "first");
}
