use serde_json::{json, Value};
use tessera_admin::apigw::HttpApiRequest;
use tessera_common::{
    clock::{now_rfc3339, now_secs},
    store::records::{ShareLink, TokenPermission},
    token::{new_id, NewToken, TokenKind},
};
use tessera_test_support::{
    base, broken_state, claims_of, create_share_link, fresh_state, keys, signing_keys,
    status_and_json,
};

use super::*;

const ROUTE: &str = "/api/v2.1/dtable/share-link-access-token/";

async fn call(state: &AppState, query: &str) -> (u16, Value) {
    let req = HttpApiRequest::new("GET", ROUTE, ROUTE)
        .query(query)
        .header("accept", "application/json; charset=utf-8; indent=4");
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

#[tokio::test]
async fn a_share_link_yields_a_read_only_token_even_when_the_link_is_rw() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    for permission in [TokenPermission::R, TokenPermission::Rw] {
        let (_, token) = create_share_link(&state.store, &b.base, &b.owner.id, permission, Some(7))
            .await
            .unwrap();
        let (status, body) = call(&state, &format!("token={}", token.expose())).await;
        assert_eq!(status, 200);
        let keys: Vec<&str> = keys(&body);
        assert_eq!(keys, ["access_token", "dtable_uuid"]);
        assert_eq!(body["dtable_uuid"], json!(b.base.dtable_uuid));
        let claims = claims_of(
            &state,
            tessera_jwt::JwtKind::BaseAccessToken,
            body["access_token"].as_str().unwrap(),
        )
        .await;
        assert_eq!(claims.permission, TokenPermission::R);
        assert_eq!(claims.dtable_uuid, b.base.dtable_uuid);
    }
}

#[tokio::test]
async fn a_missing_token_is_400_and_an_unknown_one_404() {
    let state = fresh_state().await;
    for query in ["", "token=", "other=1"] {
        assert_eq!(
            call(&state, query).await,
            (400, json!({ "error_msg": "token invalid." })),
            "{query}"
        );
    }
    let unknown = NewToken::generate(TokenKind::ShareLink);
    for query in [
        format!("token={}", unknown.expose()),
        "token=d64ec2886e9e45b696d9".to_owned(),
    ] {
        assert_eq!(
            call(&state, &query).await,
            (404, json!({ "error_msg": "Share link not found." })),
            "{query}"
        );
    }
}

#[tokio::test]
async fn expired_and_revoked_links_are_403() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let token = NewToken::generate(TokenKind::ShareLink);
    let expired = ShareLink {
        id: new_id(),
        dtable_uuid: b.base.dtable_uuid.clone(),
        workspace_id: b.base.workspace_id.clone(),
        dtable_name: b.base.name.clone(),
        permission: TokenPermission::R,
        created_by: b.owner.id.clone(),
        created_at: now_rfc3339(),
        expires_at: Some(now_secs() - 1),
        digest: token.digest().clone(),
        is_custom: false,
    };
    state
        .store
        .create_share_link(
            &expired,
            tessera_common::Quotas::DEFAULT.share_links_per_base,
            &tessera_admin::seatable_admin::operator(),
            tessera_common::events::LinkRoute::ShareLink,
        )
        .await
        .unwrap();
    let denied = (403, json!({ "error_msg": "Permission denied." }));
    assert_eq!(
        call(&state, &format!("token={}", token.expose())).await,
        denied
    );

    let (link, live) =
        create_share_link(&state.store, &b.base, &b.owner.id, TokenPermission::R, None)
            .await
            .unwrap();
    assert_eq!(
        call(&state, &format!("token={}", live.expose())).await.0,
        200
    );
    state
        .store
        .revoke_share_link(
            &link,
            now_secs(),
            &tessera_admin::seatable_admin::operator(),
            tessera_common::events::LinkRoute::ShareLink,
        )
        .await
        .unwrap();
    assert_eq!(
        call(&state, &format!("token={}", live.expose())).await,
        denied
    );
}

#[tokio::test]
async fn faults_are_503_for_secrets_manager_and_500_for_the_store() {
    let mut state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let (_, token) =
        create_share_link(&state.store, &b.base, &b.owner.id, TokenPermission::R, None)
            .await
            .unwrap();
    state.signing = Some(signing_keys("missing-secret").await);
    assert_eq!(
        call(&state, &format!("token={}", token.expose())).await.0,
        503
    );
    let broken = broken_state().await;
    assert_eq!(
        call(&broken, &format!("token={}", token.expose())).await,
        (500, json!({ "error_msg": "Internal Server Error" }))
    );
}
