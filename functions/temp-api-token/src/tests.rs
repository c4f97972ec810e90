use serde_json::{json, Value};
use tessera_common::store::records::TokenPermission;
use tessera_jwt::JwtKind;
use tessera_test_support::{
    base, broken_state, claims_of, fresh_state, route_request, signing_keys, status_and_json,
    unknown_user_auth,
};

use super::*;

const ROUTE: &str = "/api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/temp-api-token/";

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
async fn issues_a_one_hour_temp_token_with_the_users_permission() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    for (who, permission) in [
        (&b.writer, TokenPermission::Rw),
        (&b.reader, TokenPermission::R),
    ] {
        let (status, body) = call(&state, Some(&who.auth()), &b.base.workspace_id, "Hello").await;
        assert_eq!(status, 200);
        assert_eq!(body.as_object().unwrap().len(), 1);
        let claims = claims_of(
            &state,
            JwtKind::TempApiToken,
            body["api_token"].as_str().unwrap(),
        )
        .await;
        assert_eq!(claims.exp - claims.iat.unwrap(), 3600);
        assert_eq!(claims.permission, permission);
        assert_eq!(claims.aud.as_deref(), JwtKind::TempApiToken.audience());
        assert_eq!(claims.sub.as_deref(), Some(who.id.as_str()));
        assert_eq!(claims.dtable_uuid, b.base.dtable_uuid);
        assert_eq!(
            claims.workspace_id.as_deref(),
            Some(b.base.workspace_id.as_str())
        );
        assert_eq!(claims.dtable_name.as_deref(), Some("Hello"));
        assert_eq!(claims.username, who.name);
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
    assert_eq!(
        call(&state, Some(&b.stranger.auth()), ws, "Hello").await,
        (403, json!({ "error_msg": "Permission denied." }))
    );
    assert_eq!(
        call(&state, Some(&b.admin.auth()), ws, "Nope").await,
        (404, json!({ "error_msg": "dtable Nope not found." }))
    );
}

#[tokio::test]
async fn faults_are_503_for_secrets_manager_and_500_for_the_store() {
    let mut state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    state.signing = Some(signing_keys("missing-secret").await);
    assert_eq!(
        call(&state, Some(&b.owner.auth()), &b.base.workspace_id, "Hello")
            .await
            .0,
        503
    );

    let broken = broken_state().await;
    let auth = unknown_user_auth();
    assert_eq!(
        call(&broken, Some(&auth), "ws", "Hello").await,
        (500, json!({ "error_msg": "Internal Server Error" }))
    );
}
