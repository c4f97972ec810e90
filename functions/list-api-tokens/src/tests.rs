use serde_json::{json, Value};
use tessera_common::store::records::TokenPermission;
use tessera_test_support::{
    base, broken_state, create_api_token, fresh_state, keys, route_request, status_and_json,
    unknown_user_auth,
};

use super::*;

const ROUTE: &str = "/api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/api-tokens/";

async fn call(
    state: &AppState,
    auth: Option<&str>,
    workspace_id: &str,
    dtable_name: &str,
) -> (u16, Value) {
    let req = route_request(
        "GET",
        ROUTE,
        &[("workspace_id", workspace_id), ("dtable_name", dtable_name)],
    )
    .authorization(auth);
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

#[tokio::test]
async fn admins_list_the_tokens_without_the_secrets() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let (_, secret) = create_api_token(
        &state.store,
        &b.base,
        "app-1",
        TokenPermission::Rw,
        "owner@example.com",
    )
    .await
    .unwrap();
    create_api_token(
        &state.store,
        &b.base,
        "app-2",
        TokenPermission::R,
        "owner@example.com",
    )
    .await
    .unwrap();
    for who in [&b.owner, &b.admin] {
        let (status, body) = call(&state, Some(&who.auth()), &b.base.workspace_id, "Hello").await;
        assert_eq!(status, 200);
        assert!(!body.to_string().contains(secret.expose()));
        let tokens = body["api_tokens"].as_array().unwrap();
        assert_eq!(tokens.len(), 2);
        assert_eq!(tokens[0]["app_name"], "app-1");
        assert_eq!(tokens[0]["permission"], "rw");
        assert_eq!(tokens[1]["permission"], "r");
        assert_eq!(tokens[0]["generated_by"], "owner@example.com");
        let keys: Vec<&str> = keys(&tokens[0]);
        assert_eq!(
            keys,
            [
                "app_name",
                "permission",
                "generated_by",
                "generated_at",
                "last_access"
            ]
        );
    }
}

#[tokio::test]
async fn errors_are_seatables() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let ws = b.base.workspace_id.as_str();
    assert_eq!(
        call(&state, None, ws, "Hello").await,
        (401, json!({ "detail": "Invalid token" }))
    );
    for who in [&b.writer, &b.reader, &b.stranger] {
        assert_eq!(
            call(&state, Some(&who.auth()), ws, "Hello").await,
            (403, json!({ "error_msg": "Permission denied." })),
            "{}",
            who.name
        );
    }
    assert_eq!(
        call(&state, Some(&b.admin.auth()), ws, "Nope").await,
        (404, json!({ "error_msg": "dtable Nope not found." }))
    );
    let auth = unknown_user_auth();
    assert_eq!(
        call(&broken_state().await, Some(&auth), ws, "Hello")
            .await
            .0,
        500
    );
}
