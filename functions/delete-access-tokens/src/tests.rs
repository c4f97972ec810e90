use lambda_http::Request;
use serde_json::json;
use tessera_admin::apigw::HttpApiRequest;
use tessera_common::{
    store::records::{AccessToken, Role},
    token::{NewToken, TokenKind},
    verify::verify_access_token,
};
use tessera_test_support::{
    basic_auth_for, body_json, broken_state, fresh_state, seed_access_token, workspace,
};

use super::*;

fn delete_request(auth: Option<&str>, query: &str) -> Request {
    let req = HttpApiRequest::new("DELETE", "/accessTokens", "/accessTokens")
        .query(query)
        .authorization(auth);
    req.to_lambda_request()
}

async fn seed(state: &AppState, workspace_id: &str, name: &str) -> String {
    seed_access_token(state, workspace_id, "u", name, "").await
}

fn names(tokens: &[AccessToken]) -> Vec<&str> {
    tokens.iter().map(|t| t.name.as_str()).collect()
}

#[tokio::test]
async fn deletes_every_token_with_the_name_and_nothing_else() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let doomed = [
        seed(&state, &ws.id, "a b").await,
        seed(&state, &ws.id, "a b").await,
    ];
    let kept = seed(&state, &ws.id, "a b#2").await; // shares the prefix "a b"
    seed(&state, &ws.id, "other").await;

    let response = handle(&state, delete_request(Some(&ws.basic_auth()), "name=a%20b")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(body_json(&response), json!({ "success": true }));

    assert_eq!(
        names(&state.store.access_tokens(&ws.id).await.unwrap()),
        ["a b#2", "other"]
    );
    for token in doomed {
        assert_eq!(
            verify_access_token(&state.store, &tessera_common::clock::SystemClock, &token)
                .await
                .unwrap(),
            None
        );
    }
    assert!(
        verify_access_token(&state.store, &tessera_common::clock::SystemClock, &kept)
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn an_unknown_name_is_404() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    seed(&state, &ws.id, "present").await;
    let response = handle(
        &state,
        delete_request(Some(&ws.basic_auth()), "name=absent"),
    )
    .await;
    assert_eq!(response.status(), 404);
    assert_eq!(body_json(&response)["success"], false);
    assert_eq!(state.store.access_tokens(&ws.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn another_workspace_tokens_are_404_and_survive() {
    let state = fresh_state().await;
    let mine = workspace(&state.store, Role::Admin).await;
    let theirs = workspace(&state.store, Role::Admin).await;
    let token = seed(&state, &theirs.id, "shared-name").await;
    let response = handle(
        &state,
        delete_request(Some(&mine.basic_auth()), "name=shared-name"),
    )
    .await;
    assert_eq!(response.status(), 404);
    assert!(
        verify_access_token(&state.store, &tessera_common::clock::SystemClock, &token)
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn a_missing_name_is_400() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    for query in ["", "name=", "other=x"] {
        let response = handle(&state, delete_request(Some(&ws.basic_auth()), query)).await;
        assert_eq!(response.status(), 400, "{query}");
        assert!(body_json(&response)["error"]
            .as_str()
            .unwrap()
            .contains("name"));
    }
}

#[tokio::test]
async fn a_read_only_workspace_token_is_403_and_deletes_nothing() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::ReadOnly).await;
    seed(&state, &ws.id, "n").await;
    let response = handle(&state, delete_request(Some(&ws.basic_auth()), "name=n")).await;
    assert_eq!(response.status(), 403);
    assert_eq!(state.store.access_tokens(&ws.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn missing_or_invalid_credentials_are_401() {
    let state = fresh_state().await;
    let unknown = basic_auth_for(NewToken::generate(TokenKind::WorkspaceToken).expose());
    for auth in [None, Some("Basic Og=="), Some(unknown.as_str())] {
        let response = handle(&state, delete_request(auth, "name=n")).await;
        assert_eq!(response.status(), 401, "{auth:?}");
    }
}

#[tokio::test]
async fn a_store_fault_is_an_opaque_500() {
    let state = broken_state().await;
    let auth = basic_auth_for(NewToken::generate(TokenKind::WorkspaceToken).expose());
    let response = handle(&state, delete_request(Some(&auth), "name=n")).await;
    assert_eq!(response.status(), 500);
    assert_eq!(
        body_json(&response),
        json!({ "success": false, "error": "internal error" })
    );
}
