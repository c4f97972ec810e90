use serde_json::{json, Value};
use tessera_common::{store::records::TokenPermission, token::PresentedToken};
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
) -> (u16, Value) {
    let req = route_request(
        "DELETE",
        ROUTE,
        &[
            ("workspace_id", ws),
            ("dtable_name", dtable),
            ("app_name", app),
        ],
    )
    .authorization(auth);
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

#[tokio::test]
async fn deletes_the_token_and_its_lookup() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let (_, token) = create_api_token(&state.store, &b.base, "app", TokenPermission::R, "o")
        .await
        .unwrap();
    let ws = b.base.workspace_id.as_str();
    assert_eq!(
        call(&state, Some(&b.owner.auth()), ws, "Hello", "app").await,
        (200, json!({ "success": true }))
    );
    assert!(state
        .store
        .api_tokens(&b.base.dtable_uuid)
        .await
        .unwrap()
        .is_empty());
    let presented = PresentedToken::parse(token.expose()).unwrap();
    assert_eq!(state.store.lookup(presented.digest()).await.unwrap(), None);
    assert_eq!(
        call(&state, Some(&b.owner.auth()), ws, "Hello", "app").await,
        (404, json!({ "error_msg": "api token not found." }))
    );
}

#[tokio::test]
async fn errors_are_seatables() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    create_api_token(&state.store, &b.base, "app", TokenPermission::R, "o")
        .await
        .unwrap();
    let ws = b.base.workspace_id.as_str();
    assert_eq!(
        call(&state, None, ws, "Hello", "app").await,
        (401, json!({ "detail": "Invalid token" }))
    );
    assert_eq!(
        call(&state, Some(&b.reader.auth()), ws, "Hello", "app").await,
        (403, json!({ "error_msg": "Permission denied." }))
    );
    assert_eq!(
        state
            .store
            .api_tokens(&b.base.dtable_uuid)
            .await
            .unwrap()
            .len(),
        1
    );
    let auth = unknown_user_auth();
    assert_eq!(
        call(&broken_state().await, Some(&auth), ws, "Hello", "app")
            .await
            .0,
        500
    );
}
