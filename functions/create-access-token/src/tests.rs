use lambda_http::Request;
use serde_json::{json, Value};
use tessera_admin::apigw::HttpApiRequest;
use tessera_common::{
    store::records::Role,
    token::{NewToken, TokenKind},
    verify::verify_access_token,
};
use tessera_test_support::{basic_auth_for, body_json, broken_state, fresh_state, workspace};

use super::*;
use tessera_common::limits::MAX_ACCESS_TOKEN_NAME_CHARS as MAX_NAME_CHARS;
use tessera_rudderstack::access_token_fields::MAX_DESCRIPTION_CHARS;

fn create_request(auth: Option<&str>, body: &str) -> Request {
    let req = HttpApiRequest::new("POST", "/accessTokens", "/accessTokens")
        .header("content-type", "application/json")
        .body(body)
        .authorization(auth);
    req.to_lambda_request()
}

async fn status_and_body(state: &AppState, req: Request) -> (u16, Value) {
    let response = handle(state, req).await;
    (response.status().as_u16(), body_json(&response))
}

#[tokio::test]
async fn creates_a_token_that_verifies_and_is_listed_with_its_fields() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let body = r#"{"name": "some-test-access-token", "description": "some-description"}"#;
    let (status, json) =
        status_and_body(&state, create_request(Some(&ws.basic_auth()), body)).await;

    assert_eq!(status, 200);
    assert_eq!(json["success"], true);
    let token = json["data"]["token"].as_str().expect("token in data");
    assert!(token.starts_with("tsa_"));
    let verified = verify_access_token(&state.store, &tessera_common::clock::SystemClock, token)
        .await
        .unwrap()
        .expect("verifies");
    assert_eq!(verified.workspace_id, ws.id);

    let stored = state.store.access_tokens(&ws.id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].name, "some-test-access-token");
    assert_eq!(stored[0].description, "some-description");
    assert_eq!(stored[0].user_id, ws.user_id);
    assert_eq!(stored[0].id, verified.token_id);
}

#[tokio::test]
async fn description_is_optional() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (status, _) = status_and_body(
        &state,
        create_request(Some(&ws.basic_auth()), r#"{"name": "n"}"#),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        state.store.access_tokens(&ws.id).await.unwrap()[0].description,
        ""
    );
}

#[tokio::test]
async fn bad_bodies_are_400_and_say_what_is_wrong() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let long_name = json!({ "name": "x".repeat(MAX_NAME_CHARS + 1) }).to_string();
    let long_description =
        json!({ "name": "n", "description": "x".repeat(MAX_DESCRIPTION_CHARS + 1) }).to_string();
    let cases = [
        ("", "missing"),
        ("not json", "not valid JSON"),
        ("{}", "name is required"),
        (r#"{"name": ""}"#, "must not be empty"),
        (r#"{"name": "   "}"#, "must not be empty"),
        (r#"{"name": 5}"#, "invalid request body"),
        (r#"{"name": "a\u0007b"}"#, "control characters"),
        (r#"["name"]"#, "invalid request body"),
        (long_name.as_str(), "at most 100"),
        (long_description.as_str(), "at most 1000"),
    ];
    for (body, expected) in cases {
        let (status, json) =
            status_and_body(&state, create_request(Some(&ws.basic_auth()), body)).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(json["success"], false);
        let message = json["error"].as_str().unwrap();
        assert!(message.contains(expected), "{body}: {message}");
    }
    assert!(state.store.access_tokens(&ws.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn missing_or_invalid_credentials_are_401() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let unknown = NewToken::generate(TokenKind::WorkspaceToken);
    let access_token_as_auth = NewToken::generate(TokenKind::AccessToken);
    let cases = [
        None,
        Some("Basic !!!".to_owned()),
        Some(format!("Bearer {}", ws.token)),
        Some(format!("Basic {}", ws.token)), // not base64 of "token:"
        Some(basic_auth_for("abcd1234")),
        Some(basic_auth_for(unknown.expose())),
        Some(basic_auth_for(access_token_as_auth.expose())),
    ];
    for auth in cases {
        let response = handle(&state, create_request(auth.as_deref(), r#"{"name": "n"}"#)).await;
        assert_eq!(response.status(), 401, "{auth:?}");
        assert!(response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic"));
        assert_eq!(body_json(&response)["success"], false);
    }
    // Bad credentials are checked before the body.
    let (status, _) = status_and_body(&state, create_request(None, "not json")).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_read_only_workspace_token_is_403() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::ReadOnly).await;
    let (status, json) = status_and_body(
        &state,
        create_request(Some(&ws.basic_auth()), r#"{"name": "n"}"#),
    )
    .await;
    assert_eq!(status, 403);
    assert!(json["error"].as_str().unwrap().contains("read-only"));
    assert!(state.store.access_tokens(&ws.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_store_fault_is_an_opaque_500() {
    let state = broken_state().await;
    let auth = basic_auth_for(NewToken::generate(TokenKind::WorkspaceToken).expose());
    let (status, json) =
        status_and_body(&state, create_request(Some(&auth), r#"{"name": "n"}"#)).await;
    assert_eq!(status, 500);
    assert_eq!(json, json!({ "success": false, "error": "internal error" }));
}
