use serde_json::{json, Value};
use tessera_common::{
    store::records::{TokenLookup, TokenPermission},
    token::PresentedToken,
};
use tessera_test_support::{
    base, broken_state, create_api_token, fresh_state, route_request, status_and_json,
    unknown_user_auth,
};

use super::*;

const ROUTE: &str =
    "/api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/api-tokens/{app_name}/";

async fn call(
    state: &AppState,
    auth: Option<&str>,
    ws: &str,
    dtable: &str,
    app: &str,
    body: &str,
) -> (u16, Value) {
    let req = route_request(
        "PUT",
        ROUTE,
        &[
            ("workspace_id", ws),
            ("dtable_name", dtable),
            ("app_name", app),
        ],
    )
    .header("content-type", "application/json")
    .body(body)
    .authorization(auth);
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

#[tokio::test]
async fn changes_the_permission_where_the_exchange_reads_it() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let (_, token) = create_api_token(&state.store, &b.base, "app", TokenPermission::R, "o")
        .await
        .unwrap();
    let ws = b.base.workspace_id.as_str();
    let result = call(
        &state,
        Some(&b.admin.auth()),
        ws,
        "Hello",
        "app",
        r#"{"permission": "rw"}"#,
    )
    .await;
    assert_eq!(result, (200, json!({ "success": true })));
    let stored = state
        .store
        .api_token(&b.base.dtable_uuid, "app")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.permission, TokenPermission::Rw);
    let digest = PresentedToken::parse(token.expose()).unwrap();
    assert!(matches!(
        state.store.lookup(digest.digest()).await.unwrap(),
        Some(TokenLookup::ApiToken {
            permission: TokenPermission::Rw,
            ..
        })
    ));
}

#[tokio::test]
async fn errors_are_seatables() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    create_api_token(&state.store, &b.base, "app", TokenPermission::R, "o")
        .await
        .unwrap();
    let ws = b.base.workspace_id.as_str();
    let rw = r#"{"permission": "rw"}"#;
    let owner = b.owner.auth();
    assert_eq!(
        call(&state, None, ws, "Hello", "app", rw).await,
        (401, json!({ "detail": "Invalid token" }))
    );
    assert_eq!(
        call(&state, Some(&b.writer.auth()), ws, "Hello", "app", rw).await,
        (403, json!({ "error_msg": "Permission denied." }))
    );
    for body in [r#"{"permission": "x"}"#, "{}", ""] {
        assert_eq!(
            call(&state, Some(&owner), ws, "Hello", "app", body).await,
            (400, json!({ "error_msg": "permission invalid." })),
            "{body}"
        );
    }
    assert_eq!(
        call(&state, Some(&owner), ws, "Hello", "other", rw).await,
        (404, json!({ "error_msg": "api token not found." }))
    );
    assert_eq!(
        call(&state, Some(&b.admin.auth()), ws, "Nope", "app", rw).await,
        (404, json!({ "error_msg": "dtable Nope not found." }))
    );
    let auth = unknown_user_auth();
    assert_eq!(
        call(&broken_state().await, Some(&auth), ws, "Hello", "app", rw)
            .await
            .0,
        500
    );
}
