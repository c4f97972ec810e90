use serde_json::{json, Value};
use tessera_admin::apigw::HttpApiRequest;
use tessera_common::{
    clock::now_secs,
    store::records::{TokenLookup, TokenPermission},
    token::PresentedToken,
};
use tessera_test_support::{base, broken_state, fresh_state, status_and_json, unknown_user_auth};

use super::*;

const ROUTE: &str = "/api/v2.1/dtables/share-links/";

async fn call(
    state: &AppState,
    auth: Option<&str>,
    content_type: &str,
    body: &str,
) -> (u16, Value) {
    let req = HttpApiRequest::new("POST", ROUTE, ROUTE)
        .header("content-type", content_type)
        .body(body)
        .authorization(auth);
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test]
async fn creates_links_from_json_or_form_with_expiry() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let ws = &b.base.workspace_id;
    let body =
        json!({ "workspace_id": ws, "table_name": "Hello", "permission": "rw", "expire_days": 7 })
            .to_string();
    let (status, created) = call(&state, Some(&b.owner.auth()), JSON, &body).await;
    assert_eq!(status, 200);
    assert_eq!(created["permission"], "rw");
    assert_eq!(created["dtable_name"], "Hello");
    assert_eq!(created["username"], json!(b.owner.name));
    assert!(created["expire_date"].is_string());
    let token = PresentedToken::parse(created["token"].as_str().unwrap()).expect("a tss_ token");
    let Some(TokenLookup::ShareLink {
        expires_at: Some(at),
        ..
    }) = state.store.lookup(token.digest()).await.unwrap()
    else {
        panic!("lookup stored");
    };
    assert!((at as i64 - (now_secs() + 7 * 86400) as i64).abs() < 5);

    let form = format!("workspace_id={ws}&table_name=Hello");
    let (status, created) = call(&state, Some(&b.admin.auth()), FORM, &form).await;
    assert_eq!(status, 200);
    assert_eq!(created["permission"], "r", "r is the default");
    assert_eq!(created["expire_date"], Value::Null);
    let links = state.store.share_links_of(&b.admin.id).await.unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].permission, TokenPermission::R);
}

#[tokio::test]
async fn bad_fields_are_400() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let ws = &b.base.workspace_id;
    let cases = [
        (json!({ "table_name": "Hello" }), "workspace_id invalid."),
        (json!({ "workspace_id": ws }), "table_name invalid."),
        (
            json!({ "workspace_id": ws, "table_name": "Hello", "permission": "admin" }),
            "permission invalid.",
        ),
        (
            json!({ "workspace_id": ws, "table_name": "Hello", "expire_days": 0 }),
            "expire_days invalid.",
        ),
        (
            json!({ "workspace_id": ws, "table_name": "Hello", "expire_days": -1 }),
            "expire_days invalid.",
        ),
        (
            json!({ "workspace_id": ws, "table_name": "Hello", "expire_days": "soon" }),
            "expire_days invalid.",
        ),
        (
            json!({ "workspace_id": ws, "table_name": "Hello", "expire_days": 100000 }),
            "expire_days invalid.",
        ),
    ];
    for (body, message) in cases {
        let result = call(&state, Some(&b.owner.auth()), JSON, &body.to_string()).await;
        assert_eq!(result, (400, json!({ "error_msg": message })), "{body}");
    }
    assert!(state
        .store
        .share_links_of(&b.owner.id)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn errors_are_seatables() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let body = json!({ "workspace_id": b.base.workspace_id, "table_name": "Hello" }).to_string();
    assert_eq!(
        call(&state, None, JSON, &body).await,
        (401, json!({ "detail": "Invalid token" }))
    );
    for who in [&b.writer, &b.reader, &b.stranger] {
        assert_eq!(
            call(&state, Some(&who.auth()), JSON, &body).await,
            (403, json!({ "error_msg": "Permission denied." }))
        );
    }
    let missing = json!({ "workspace_id": b.base.workspace_id, "table_name": "Nope" }).to_string();
    assert_eq!(
        call(&state, Some(&b.admin.auth()), JSON, &missing).await,
        (404, json!({ "error_msg": "dtable Nope not found." }))
    );
    let auth = unknown_user_auth();
    assert_eq!(
        call(&broken_state().await, Some(&auth), JSON, &body)
            .await
            .0,
        500
    );
}
