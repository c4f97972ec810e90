use serde_json::{json, Value};
use tessera_common::{
    store::records::{TokenLookup, TokenPermission},
    token::{NewToken, PresentedToken, TokenKind},
};
use tessera_test_support::{
    base, broken_state, create_share_link, fresh_state, route_request, status_and_json,
    unknown_user_auth,
};

use super::*;

const ROUTE: &str = "/api/v2.1/dtables/share-links/{token}/";

async fn call(state: &AppState, auth: Option<&str>, token: &str) -> (u16, Value) {
    let req = route_request("DELETE", ROUTE, &[("token", token)]).authorization(auth);
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

async fn is_revoked(state: &AppState, token: &str) -> bool {
    let presented = PresentedToken::parse(token).unwrap();
    matches!(
        state.store.lookup(presented.digest()).await.unwrap(),
        Some(TokenLookup::ShareLink { revoked: true, .. })
    )
}

#[tokio::test]
async fn the_creator_revokes_by_token_or_by_id() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let (_, by_token) =
        create_share_link(&state.store, &b.base, &b.owner.id, TokenPermission::R, None)
            .await
            .unwrap();
    let (by_id_link, by_id) =
        create_share_link(&state.store, &b.base, &b.owner.id, TokenPermission::R, None)
            .await
            .unwrap();

    assert_eq!(
        call(&state, Some(&b.owner.auth()), by_token.expose()).await,
        (200, json!({ "success": true }))
    );
    assert!(is_revoked(&state, by_token.expose()).await);
    assert_eq!(
        call(&state, Some(&b.owner.auth()), &by_id_link.id).await,
        (200, json!({ "success": true }))
    );
    assert!(is_revoked(&state, by_id.expose()).await);
    assert!(state
        .store
        .share_links_of(&b.owner.id)
        .await
        .unwrap()
        .is_empty());

    let gone = (404, json!({ "error_msg": "Share link not found." }));
    assert_eq!(
        call(&state, Some(&b.owner.auth()), by_token.expose()).await,
        gone
    );
    assert_eq!(
        call(&state, Some(&b.owner.auth()), &by_id_link.id).await,
        gone
    );
}

#[tokio::test]
async fn a_base_admin_may_revoke_anothers_link_and_others_may_not() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let (link, token) =
        create_share_link(&state.store, &b.base, &b.owner.id, TokenPermission::R, None)
            .await
            .unwrap();
    assert_eq!(
        call(&state, Some(&b.writer.auth()), token.expose()).await,
        (403, json!({ "error_msg": "Permission denied." }))
    );
    assert_eq!(
        call(&state, Some(&b.stranger.auth()), &link.id).await.0,
        404,
        "ids are per creator"
    );
    assert!(!is_revoked(&state, token.expose()).await);
    assert_eq!(
        call(&state, Some(&b.admin.auth()), token.expose()).await.0,
        200
    );
    assert!(is_revoked(&state, token.expose()).await);
}

#[tokio::test]
async fn errors_are_seatables() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    assert_eq!(
        call(&state, None, "x").await,
        (401, json!({ "detail": "Invalid token" }))
    );
    let unknown = NewToken::generate(TokenKind::ShareLink);
    assert_eq!(
        call(&state, Some(&b.owner.auth()), unknown.expose())
            .await
            .0,
        404
    );
    let auth = unknown_user_auth();
    assert_eq!(call(&broken_state().await, Some(&auth), "x").await.0, 500);
}
