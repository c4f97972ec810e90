use std::time::Duration;

use serde_json::{json, Value};
use tessera_common::store::records::TokenPermission;
use tessera_jwt::JwtKind;
use tessera_seatable::tokens::{create_share_link, NewLink};
use tessera_test_support::{
    base, claims_of, create_share_link as seed_link, fresh_state, route_request, status_and_json,
    ManualClock,
};

use super::*;

const ROUTE: &str = "/api/v2.1/external-link-tokens/{token}/access-token/";

async fn call(state: &AppState, token: &str) -> (u16, Value) {
    let req = route_request("GET", ROUTE, &[("token", token)]);
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

#[tokio::test]
async fn a_link_yields_a_token_with_its_permission_and_where_the_base_lives() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    for permission in [TokenPermission::R, TokenPermission::Rw] {
        let (_, token) = seed_link(&state.store, &b.base, &b.owner.id, permission, Some(1))
            .await
            .unwrap();
        let (status, body) = call(&state, token.expose()).await;
        assert_eq!(status, 200, "{body}");
        let keys: Vec<&str> = body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "access_token",
                "dtable_uuid",
                "dtable_server",
                "dtable_socket",
                "dtable_db"
            ]
        );
        assert_eq!(body["dtable_uuid"], json!(b.base.dtable_uuid));
        assert_eq!(body["dtable_db"], json!(state.seatable.dtable_db));
        let claims = claims_of(
            &state,
            JwtKind::BaseAccessToken,
            body["access_token"].as_str().unwrap(),
        )
        .await;
        assert_eq!(claims.permission, permission);
        assert_eq!(claims.dtable_uuid, b.base.dtable_uuid);
    }
}

#[tokio::test]
async fn unknown_revoked_and_expired_links_are_404_naming_the_token() {
    let clock = ManualClock::new();
    let state = AppState {
        clock: clock.shared(),
        ..fresh_state().await
    };
    let b = base(&state.store, "Hello").await;
    let new = NewLink {
        permission: TokenPermission::R,
        expire_days: Some(1),
        custom_token: Some("quarterly-numbers"),
        route: tessera_common::events::LinkRoute::ExternalLink,
    };
    let auditor = tessera_common::audit::Auditor::operator(state.clock.clone());
    let (link, _) = create_share_link(&state.store, &auditor, &b.base, &b.owner.id, new, 10)
        .await
        .unwrap();
    assert_eq!(call(&state, "quarterly-numbers").await.0, 200);
    let not_found = |token: &str| {
        (
            404,
            json!({ "error_msg": format!("Token {token} not found") }),
        )
    };
    for token in [
        "no-such-link",
        "tss_FixtureShareLink00000000000001xxxxxx",
        "bad token",
    ] {
        assert_eq!(call(&state, token).await, not_found(token));
    }
    clock.advance(Duration::from_secs(24 * 3600));
    assert_eq!(
        call(&state, "quarterly-numbers").await,
        not_found("quarterly-numbers")
    );
    state
        .store
        .revoke_share_link(
            &link,
            state.clock.now_secs(),
            &auditor,
            tessera_common::events::LinkRoute::ExternalLink,
        )
        .await
        .unwrap();
    assert_eq!(
        call(&state, "quarterly-numbers").await,
        not_found("quarterly-numbers")
    );
}
