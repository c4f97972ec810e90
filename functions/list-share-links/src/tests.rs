use serde_json::{json, Value};
use tessera_admin::{apigw::HttpApiRequest, seatable_admin::create_base};
use tessera_common::store::records::TokenPermission;
use tessera_test_support::{
    base, broken_state, create_share_link, fresh_state, status_and_json, unknown_user_auth,
};

use super::*;

const ROUTE: &str = "/api/v2.1/dtables/share-links/";

async fn call(state: &AppState, auth: Option<&str>, query: &str) -> (u16, Value) {
    let req = HttpApiRequest::new("GET", ROUTE, ROUTE)
        .query(query)
        .authorization(auth);
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

#[tokio::test]
async fn lists_the_callers_own_links_without_tokens_and_filters() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let other = create_base(&state.store, &b.base.workspace_id, "Other", &b.owner.id)
        .await
        .unwrap();
    let (_, first) = create_share_link(
        &state.store,
        &b.base,
        &b.owner.id,
        TokenPermission::R,
        Some(1),
    )
    .await
    .unwrap();
    create_share_link(&state.store, &other, &b.owner.id, TokenPermission::Rw, None)
        .await
        .unwrap();
    create_share_link(&state.store, &b.base, &b.admin.id, TokenPermission::R, None)
        .await
        .unwrap();

    let (status, body) = call(&state, Some(&b.owner.auth()), "").await;
    assert_eq!(status, 200);
    assert!(!body.to_string().contains(first.expose()));
    let links = body["share_link_list"].as_array().unwrap();
    assert_eq!(links.len(), 2, "only the owner's links");
    assert!(links
        .iter()
        .all(|l| l["token"].is_null() && l["username"] == b.owner.name.as_str()));

    let query = format!("workspace_id={}&table_name=Other", b.base.workspace_id);
    let (_, body) = call(&state, Some(&b.owner.auth()), &query).await;
    let links = body["share_link_list"].as_array().unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0]["dtable_name"], "Other");
    assert_eq!(links[0]["permission"], "rw");
}

#[tokio::test]
async fn errors_are_seatables() {
    let state = fresh_state().await;
    assert_eq!(
        call(&state, None, "").await,
        (401, json!({ "detail": "Invalid token" }))
    );
    let auth = unknown_user_auth();
    assert_eq!(call(&state, Some(&auth), "").await.0, 401);
    assert_eq!(call(&broken_state().await, Some(&auth), "").await.0, 500);
}
