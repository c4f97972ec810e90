use serde_json::{json, Value};
use tessera_common::store::records::TokenPermission;
use tessera_test_support::{base, create_share_link, fresh_state, route_request, status_and_json};

use super::*;

const ROUTE: &str = "/api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/external-links/";

async fn call(state: &AppState, auth: Option<&str>, ws: &str, name: &str) -> (u16, Value) {
    let req = route_request("GET", ROUTE, &[("workspace_id", ws), ("dtable_name", name)])
        .authorization(auth);
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

#[tokio::test]
async fn lists_every_link_of_the_base_without_tokens() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let other = base(&state.store, "Other").await;
    // A seed share link by the owner, one by another admin, and one of another base.
    let (mine, token) = create_share_link(
        &state.store,
        &b.base,
        &b.owner.id,
        TokenPermission::Rw,
        Some(7),
    )
    .await
    .unwrap();
    let (theirs, _) =
        create_share_link(&state.store, &b.base, &b.admin.id, TokenPermission::R, None)
            .await
            .unwrap();
    create_share_link(
        &state.store,
        &other.base,
        &other.owner.id,
        TokenPermission::R,
        None,
    )
    .await
    .unwrap();

    let (status, body) = call(&state, Some(&b.admin.auth()), &b.base.workspace_id, "Hello").await;
    assert_eq!(status, 200, "{body}");
    let links = body["links"].as_array().unwrap();
    let mut ids: Vec<&str> = links.iter().map(|l| l["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    let mut expected = [mine.id.as_str(), theirs.id.as_str()];
    expected.sort_unstable();
    assert_eq!(ids, expected);
    let listed = links.iter().find(|l| l["id"] == json!(mine.id)).unwrap();
    assert_eq!(listed["permission"], "read-write");
    assert_eq!(listed["is_expired"], false);
    assert!(listed["expire_date"].is_string());
    assert_eq!(listed["url"], Value::Null, "Tessera keeps only digests");
    assert!(listed.get("token").is_none());
    assert!(!body.to_string().contains(token.expose()));
}

#[tokio::test]
async fn only_base_admins_may_list() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let ws = &b.base.workspace_id;
    assert_eq!(
        call(&state, None, ws, "Hello").await,
        (401, json!({ "detail": "Invalid token" }))
    );
    for who in [&b.writer, &b.reader, &b.stranger] {
        assert_eq!(
            call(&state, Some(&who.auth()), ws, "Hello").await,
            (403, json!({ "error_msg": "Permission denied." }))
        );
    }
    assert_eq!(
        call(&state, Some(&b.admin.auth()), ws, "Nope").await,
        (404, json!({ "error_msg": "dtable Nope not found." }))
    );
    assert_eq!(
        call(&state, Some(&b.owner.auth()), "abc", "Hello").await,
        (400, json!({ "error_msg": "workspace_id invalid." }))
    );
}
