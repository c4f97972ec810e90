use serde_json::{json, Value};
use tessera_admin::apigw::HttpApiRequest;
use tessera_common::{
    store::records::Role,
    token::{NewToken, TokenKind},
};
use tessera_test_support::{basic_auth_for, fresh_state, status_and_json, workspace};

use super::*;

async fn call(state: &AppState, authorization: Option<&str>) -> (u16, Value) {
    let req = HttpApiRequest::new("GET", "/workspace", "/workspace").authorization(authorization);
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

#[tokio::test]
async fn names_the_workspace_and_the_tokens_role() {
    let state = fresh_state().await;
    let admin = workspace(&state.store, Role::Admin).await;
    let read_only = admin.with_role(&state.store, Role::ReadOnly).await;
    assert_eq!(
        call(&state, Some(&admin.basic_auth())).await,
        (200, json!({"id": admin.id, "role": "admin"}))
    );
    assert_eq!(
        call(&state, Some(&read_only.basic_auth())).await,
        (200, json!({"id": admin.id, "role": "read_only"}))
    );
}

#[tokio::test]
async fn unknown_or_missing_tokens_are_401() {
    let state = fresh_state().await;
    let unknown = basic_auth_for(NewToken::generate(TokenKind::WorkspaceToken).expose());
    for authorization in [None, Some(unknown.as_str()), Some("Basic !!")] {
        let (status, body) = call(&state, authorization).await;
        assert_eq!(status, 401, "{authorization:?}: {body}");
        assert_eq!(body["success"], false);
    }
}
