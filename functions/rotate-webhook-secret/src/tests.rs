use serde_json::Value;
use tessera_admin::apigw::HttpApiRequest;
use tessera_common::store::records::Role;
use tessera_test_support::{fresh_state, status_and_json, webhook, workspace};

use super::*;

async fn call(state: &AppState, auth: Option<&str>, id: &str) -> (u16, Value) {
    let path = format!("/webhooks/{id}/rotate-secret");
    let req = HttpApiRequest::new("POST", "/webhooks/{id}/rotate-secret", &path)
        .path_parameter("id", id)
        .authorization(auth);
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

#[tokio::test]
async fn a_new_secret_is_shown_once_and_the_old_one_signs_for_a_day() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let endpoint = webhook(&state, &ws, "https://a.example.com/", &[]).await;
    let key = tessera_webhooks::key(&state).unwrap();
    let old_secret = key
        .secret(&endpoint.secret_nonce)
        .await
        .unwrap()
        .expose_whsec();
    let (status, body) = call(&state, Some(&ws.basic_auth()), &endpoint.id).await;
    assert_eq!(status, 200, "{body}");
    let new_secret = body["data"]["secret"].as_str().unwrap();
    assert!(new_secret.starts_with("whsec_"));
    assert_ne!(new_secret, old_secret);
    let stored = state
        .store
        .webhook(&ws.id, &endpoint.id)
        .await
        .unwrap()
        .unwrap();
    let now = state.clock.now_secs();
    let nonces = stored.signing_nonces(now);
    assert_eq!(
        nonces,
        [stored.secret_nonce.as_str(), endpoint.secret_nonce.as_str()]
    );
    assert_eq!(
        key.secret(nonces[0]).await.unwrap().expose_whsec(),
        new_secret
    );
    assert_eq!(
        stored.signing_nonces(now + SECRET_OVERLAP_SECS).len(),
        1,
        "a day later"
    );
    let log = state.store.audit_log(&ws.id, 10, None).await.unwrap();
    assert_eq!(log.entries[0].action, "webhook.rotate_secret");
    assert!(!format!("{log:?}").contains(&new_secret[6..]));
}

#[tokio::test]
async fn concurrent_rotations_leave_one_secret_that_was_shown() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let endpoint = webhook(&state, &ws, "https://a.example.com/", &[]).await;
    let answers = futures_join(&state, &ws.basic_auth(), &endpoint.id).await;
    let shown: Vec<&str> = answers
        .iter()
        .filter(|(status, _)| *status == 200)
        .map(|(_, body)| body["data"]["secret"].as_str().unwrap())
        .collect();
    assert!(
        answers
            .iter()
            .all(|(status, _)| [200, 409].contains(status)),
        "{answers:?}"
    );
    let stored = state
        .store
        .webhook(&ws.id, &endpoint.id)
        .await
        .unwrap()
        .unwrap();
    let current = tessera_webhooks::key(&state)
        .unwrap()
        .secret(&stored.secret_nonce)
        .await
        .unwrap()
        .expose_whsec();
    assert!(
        shown.contains(&current.as_str()),
        "the stored secret was shown to someone"
    );
}

async fn futures_join(state: &AppState, auth: &str, id: &str) -> Vec<(u16, Value)> {
    futures::future::join_all((0..5).map(|_| call(state, Some(auth), id))).await
}
