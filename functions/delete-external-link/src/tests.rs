use serde_json::{json, Value};
use tessera_common::{
    store::records::{TokenLookup, TokenPermission},
    token::TokenDigest,
};
use tessera_test_support::{base, create_share_link, fresh_state, route_request, status_and_json};

use super::*;

const ROUTE: &str =
    "/api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/external-links/{token}/";

async fn call(state: &AppState, auth: Option<&str>, ws: &str, named: &str) -> (u16, Value) {
    let params = [
        ("workspace_id", ws),
        ("dtable_name", "Hello"),
        ("token", named),
    ];
    let req = route_request("DELETE", ROUTE, &params).authorization(auth);
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

async fn is_revoked(state: &AppState, token: &str) -> bool {
    matches!(
        state.store.lookup(&TokenDigest::of(token)).await.unwrap(),
        Some(TokenLookup::ShareLink { revoked: true, .. })
    )
}

#[tokio::test]
async fn a_base_admin_revokes_any_link_of_the_base_by_token_or_id() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let ws = &b.base.workspace_id;
    let (_, by_token) = create_share_link(
        &state.store,
        &b.base,
        &b.writer.id,
        TokenPermission::R,
        None,
    )
    .await
    .unwrap();
    let (by_id_link, by_id) =
        create_share_link(&state.store, &b.base, &b.owner.id, TokenPermission::R, None)
            .await
            .unwrap();
    let ok = (200, json!({ "success": true }));
    assert_eq!(
        call(&state, Some(&b.admin.auth()), ws, by_token.expose()).await,
        ok
    );
    assert!(is_revoked(&state, by_token.expose()).await);
    assert_eq!(
        call(&state, Some(&b.admin.auth()), ws, &by_id_link.id).await,
        ok
    );
    assert!(is_revoked(&state, by_id.expose()).await);
    let gone = (404, json!({ "error_msg": "External link not found." }));
    assert_eq!(
        call(&state, Some(&b.admin.auth()), ws, by_token.expose()).await,
        gone
    );
    assert!(state
        .store
        .share_links_of_base(&b.base.dtable_uuid)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn another_bases_link_and_callers_without_admin_are_refused() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let other = base(&state.store, "Hello").await;
    let (_, theirs) = create_share_link(
        &state.store,
        &other.base,
        &other.owner.id,
        TokenPermission::R,
        None,
    )
    .await
    .unwrap();
    let ws = &b.base.workspace_id;
    // Named through a base the caller administers, another base's link is not found.
    assert_eq!(
        call(&state, Some(&b.owner.auth()), ws, theirs.expose()).await,
        (404, json!({ "error_msg": "External link not found." }))
    );
    assert!(!is_revoked(&state, theirs.expose()).await);
    let (_, mine) = create_share_link(&state.store, &b.base, &b.owner.id, TokenPermission::R, None)
        .await
        .unwrap();
    for who in [&b.writer, &b.reader, &b.stranger] {
        assert_eq!(
            call(&state, Some(&who.auth()), ws, mine.expose()).await,
            (403, json!({ "error_msg": "Permission denied." }))
        );
    }
    assert_eq!(
        call(&state, None, ws, mine.expose()).await,
        (401, json!({ "detail": "Invalid token" }))
    );
    assert!(!is_revoked(&state, mine.expose()).await);
}
