use std::time::Duration;

use serde_json::{json, Value};
use tessera_admin::{apigw::HttpApiRequest, seatable_admin};
use tessera_common::{
    store::records::TokenPermission,
    token::{NewToken, TokenKind},
};
use tessera_jwt::{base_token, JwtKind};
use tessera_test_support::{
    base, broken_state, claims_of, create_api_token, fresh_state, keys, signing_keys,
    status_and_json, unknown_user_auth, TestBase,
};

use super::*;

const ROUTE: &str = "/api/v2.1/dtable/app-access-token/";
const DENIED: (u16, &str) = (403, "Permission denied.");

async fn call(state: &AppState, auth: Option<&str>) -> (u16, Value) {
    let req = HttpApiRequest::new("GET", ROUTE, ROUTE).authorization(auth);
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

fn denied(result: (u16, Value)) -> bool {
    result == (DENIED.0, json!({ "error_msg": DENIED.1 }))
}

async fn api_token(
    state: &AppState,
    b: &TestBase,
    app_name: &str,
    permission: TokenPermission,
) -> String {
    let (_, token) = create_api_token(&state.store, &b.base, app_name, permission, &b.owner.name)
        .await
        .unwrap();
    token.expose().to_owned()
}

/// A JWT of `kind` for the base's reader, as temp-api-token issues it, expiring `expires_in`
/// seconds from now (negative: expired).
async fn temp_token(state: &AppState, b: &TestBase, kind: JwtKind, expires_in: i64) -> String {
    let mut claims = base_token::claims(
        state,
        kind,
        &b.base.dtable_uuid,
        &b.reader.name,
        TokenPermission::R,
        Duration::ZERO,
    );
    claims.exp = state.clock.now_secs().saturating_add_signed(expires_in);
    claims.sub = Some(b.reader.id.clone());
    claims.workspace_id = Some(b.base.workspace_id.clone());
    claims.dtable_name = Some(b.base.name.clone());
    base_token::sign(state, kind, &claims).await.unwrap()
}

#[tokio::test]
async fn an_api_token_yields_everything_the_official_client_reads() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let token = api_token(&state, &b, "my-app", TokenPermission::Rw).await;

    let (status, body) = call(&state, Some(&format!("Token {token}"))).await;
    assert_eq!(status, 200);
    let keys: Vec<&str> = keys(&body);
    assert_eq!(
        keys,
        [
            "app_name",
            "access_token",
            "dtable_uuid",
            "dtable_server",
            "dtable_socket",
            "dtable_db",
            "workspace_id",
            "dtable_name",
            "use_api_gateway"
        ]
    );
    assert_eq!(body["app_name"], "my-app");
    assert_eq!(body["dtable_uuid"], json!(b.base.dtable_uuid));
    assert_eq!(body["dtable_server"], json!(state.seatable.dtable_server));
    assert_eq!(body["dtable_db"], json!(state.seatable.dtable_db));
    // A JSON number, as SeaTable answers it.
    assert_eq!(
        body["workspace_id"],
        json!(b.base.workspace_id.parse::<u64>().unwrap())
    );
    assert_eq!(body["dtable_name"], "Hello");
    assert_eq!(body["use_api_gateway"], false);
    let claims = claims_of(
        &state,
        tessera_jwt::JwtKind::BaseAccessToken,
        body["access_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(claims.app_name.as_deref(), Some("my-app"));
    assert_eq!(claims.permission, TokenPermission::Rw);
    assert_eq!(claims.dtable_uuid, b.base.dtable_uuid);

    let stored = state
        .store
        .api_token(&b.base.dtable_uuid, "my-app")
        .await
        .unwrap()
        .unwrap();
    assert!(stored.last_access.is_some(), "last_access is recorded");
}

#[tokio::test]
async fn a_read_only_api_token_yields_read_only_access() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let token = api_token(&state, &b, "reader", TokenPermission::R).await;
    let (_, body) = call(&state, Some(&format!("Token {token}"))).await;
    let claims = claims_of(
        &state,
        tessera_jwt::JwtKind::BaseAccessToken,
        body["access_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(claims.permission, TokenPermission::R);
}

#[tokio::test]
async fn a_temp_api_token_is_accepted_and_other_jwts_are_not() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let temp = temp_token(&state, &b, JwtKind::TempApiToken, 3600).await;
    let (status, body) = call(&state, Some(&format!("Token {temp}"))).await;
    assert_eq!(status, 200);
    assert_eq!(body["dtable_name"], "Hello");
    assert_eq!(
        claims_of(
            &state,
            tessera_jwt::JwtKind::BaseAccessToken,
            body["access_token"].as_str().unwrap()
        )
        .await
        .permission,
        TokenPermission::R
    );

    // A base access token is not an API token, and an expired temp token is refused.
    let access = temp_token(&state, &b, JwtKind::BaseAccessToken, 3600).await;
    assert!(denied(call(&state, Some(&format!("Token {access}"))).await));
    let expired = temp_token(&state, &b, JwtKind::TempApiToken, -1).await;
    assert!(denied(
        call(&state, Some(&format!("Token {expired}"))).await
    ));
}

#[tokio::test]
async fn a_disabled_users_temp_api_token_is_refused_at_once() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let temp = temp_token(&state, &b, JwtKind::TempApiToken, 3600).await;
    assert_eq!(call(&state, Some(&format!("Token {temp}"))).await.0, 200);
    seatable_admin::disable_user(&state.store, &b.reader.id)
        .await
        .unwrap();
    assert!(denied(call(&state, Some(&format!("Token {temp}"))).await));
    // Enabled again, the user's tokens from before the disable stay refused.
    seatable_admin::enable_user(&state.store, &b.reader.id)
        .await
        .unwrap();
    assert!(denied(call(&state, Some(&format!("Token {temp}"))).await));
}

#[tokio::test]
async fn invalid_tokens_are_403_permission_denied() {
    let state = fresh_state().await;
    let unknown = format!("Token {}", NewToken::generate(TokenKind::ApiToken).expose());
    let user_token = unknown_user_auth();
    for auth in [
        None,
        Some("Token nonsense"),
        Some("Token a.b.c"),
        Some(unknown.as_str()),
        Some(user_token.as_str()),
    ] {
        assert!(denied(call(&state, auth).await), "{auth:?}");
    }
}

#[tokio::test]
async fn a_deleted_api_token_stops_working_at_once() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let token = api_token(&state, &b, "doomed", TokenPermission::Rw).await;
    assert_eq!(call(&state, Some(&format!("Token {token}"))).await.0, 200);
    let record = state
        .store
        .api_token(&b.base.dtable_uuid, "doomed")
        .await
        .unwrap()
        .unwrap();
    state
        .store
        .delete_api_token(&record, &tessera_admin::seatable_admin::operator())
        .await
        .unwrap();
    assert!(denied(call(&state, Some(&format!("Token {token}"))).await));
}

#[tokio::test]
async fn faults_are_503_for_secrets_manager_and_500_for_the_store() {
    let mut state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let token = api_token(&state, &b, "app", TokenPermission::Rw).await;
    state.signing = Some(signing_keys("missing-secret").await);
    assert_eq!(call(&state, Some(&format!("Token {token}"))).await.0, 503);
    // A JWT naming a key cannot be checked without the keys; garbage needs no keys.
    let well_formed = format!(
        "{}.e30.c2ln",
        base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            r#"{"alg":"HS256","typ":"temp-api-token+jwt","kid":"k"}"#
        )
    );
    assert_eq!(
        call(&state, Some(&format!("Token {well_formed}"))).await.0,
        503,
        "a temp token cannot be checked without keys"
    );
    assert!(denied(call(&state, Some("Token a.b.c")).await));

    let broken = broken_state().await;
    assert_eq!(
        call(&broken, Some(&format!("Token {token}"))).await,
        (500, json!({ "error_msg": "Internal Server Error" }))
    );
}
