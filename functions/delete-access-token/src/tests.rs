use serde_json::json;
use tessera_admin::apigw::HttpApiRequest;
use tessera_common::{clock::SystemClock, store::records::Role, verify::verify_access_token};
use tessera_test_support::{access_token, fresh_state, status_and_json, workspace};

use super::*;

const ROUTE: &str = "/accessTokens/{id}";

async fn call(state: &AppState, auth: Option<&str>, id: &str) -> (u16, serde_json::Value) {
    let req = HttpApiRequest::new("DELETE", ROUTE, &format!("/accessTokens/{id}"))
        .path_parameter("id", id)
        .authorization(auth);
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

#[tokio::test]
async fn deletes_one_token_by_id_and_it_stops_at_once() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (first, first_token) = access_token(&state, &ws, "same-name", &[], None).await;
    let (_, second_token) = access_token(&state, &ws, "same-name", &[], None).await;
    assert_eq!(
        call(&state, Some(&ws.basic_auth()), &first.id).await,
        (200, json!({ "success": true }))
    );
    let live = |token: String| {
        let state = &state;
        async move {
            verify_access_token(&state.store, &SystemClock, &token)
                .await
                .unwrap()
                .is_some()
        }
    };
    assert!(!live(first_token.expose().to_owned()).await);
    assert!(
        live(second_token.expose().to_owned()).await,
        "only that one"
    );
    let (status, body) = call(&state, Some(&ws.basic_auth()), &first.id).await;
    assert_eq!(status, 404, "{body}");
    let log = state.store.audit_log(&ws.id, 10, None).await.unwrap();
    assert_eq!(log.entries[0].action, "access_token.delete");
    assert_eq!(log.entries[0].object, format!("access_token:{}", first.id));
}

#[tokio::test]
async fn another_workspaces_token_unknown_ids_and_read_only_callers_are_refused() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let other = workspace(&state.store, Role::Admin).await;
    let (theirs, _) = access_token(&state, &other, "theirs", &[], None).await;
    for id in [theirs.id.as_str(), "nope", &"x".repeat(300)] {
        let (status, body) = call(&state, Some(&ws.basic_auth()), id).await;
        assert_eq!(status, 404, "{id}: {body}");
        assert_eq!(body["success"], false);
    }
    let read_only = workspace(&state.store, Role::ReadOnly).await;
    assert_eq!(
        call(&state, Some(&read_only.basic_auth()), &theirs.id)
            .await
            .0,
        403
    );
    assert_eq!(call(&state, None, &theirs.id).await.0, 401);
    assert_eq!(state.store.access_tokens(&other.id).await.unwrap().len(), 1);
}
