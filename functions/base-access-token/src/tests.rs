use serde_json::{json, Value};
use tessera_common::{
    store::records::TokenPermission,
    token::{NewToken, TokenKind},
};
use tessera_test_support::{
    base, broken_state, claims_of, fresh_state, keys, route_request, signing_keys, status_and_json,
    unknown_user_auth, user, TestUser,
};

use super::*;

const ROUTE: &str = "/api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/access-token/";

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
    .header("accept", "application/json; charset=utf-8; indent=4")
    .authorization(auth);
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

#[tokio::test]
async fn members_get_a_token_with_their_permission_and_the_seed_fields() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let cases: [(&TestUser, TokenPermission); 4] = [
        (&b.owner, TokenPermission::Rw),
        (&b.admin, TokenPermission::Rw),
        (&b.writer, TokenPermission::Rw),
        (&b.reader, TokenPermission::R),
    ];
    for (who, permission) in cases {
        let (status, body) = call(&state, Some(&who.auth()), &b.base.workspace_id, "Hello").await;
        assert_eq!(status, 200, "{}", who.name);
        let keys: Vec<&str> = keys(&body);
        assert_eq!(
            keys,
            [
                "access_token",
                "dtable_uuid",
                "dtable_server",
                "dtable_socket",
                "workspace_id",
                "dtable_name"
            ]
        );
        assert_eq!(body["dtable_uuid"], json!(b.base.dtable_uuid));
        assert_eq!(body["dtable_server"], json!(state.seatable.dtable_server));
        assert_eq!(body["dtable_socket"], json!(state.seatable.dtable_socket));
        assert_eq!(body["dtable_name"], "Hello");
        let claims = claims_of(
            &state,
            tessera_jwt::JwtKind::BaseAccessToken,
            body["access_token"].as_str().unwrap(),
        )
        .await;
        assert_eq!(claims.permission, permission, "{}", who.name);
        assert_eq!(claims.username, who.name);
        assert_eq!(claims.dtable_uuid, b.base.dtable_uuid);
        // SeaTable's claims only: PyJWT refuses `aud`, and `iat` ahead of its clock.
        let lifetime = claims.exp - state.clock.now_secs();
        assert!((3 * 24 * 3600 - 5..=3 * 24 * 3600).contains(&lifetime));
        assert_eq!((claims.iat, claims.aud), (None, None));
        assert_eq!(claims.app_name, None);
    }
}

#[tokio::test]
async fn bad_auth_tokens_are_401_invalid_token() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let unknown = unknown_user_auth();
    let api_token = format!("Token {}", NewToken::generate(TokenKind::ApiToken).expose());
    let seed = "Token 57782e1e42a7fefc6a5026e00c6a62c9d249e760";
    for auth in [
        None,
        Some(seed),
        Some(unknown.as_str()),
        Some(api_token.as_str()),
        Some("Basic abc"),
    ] {
        let (status, body) = call(&state, auth, &b.base.workspace_id, "Hello").await;
        assert_eq!(
            (status, body),
            (401, json!({ "detail": "Invalid token" })),
            "{auth:?}"
        );
    }
}

#[tokio::test]
async fn a_user_without_access_is_403_whether_or_not_the_base_exists() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    for name in ["Hello", "Hallo"] {
        let (status, body) =
            call(&state, Some(&b.stranger.auth()), &b.base.workspace_id, name).await;
        assert_eq!(
            (status, body),
            (403, json!({ "error_msg": "Permission denied." })),
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_user_of_workspace_a_is_403_for_a_base_of_workspace_b() {
    let state = fresh_state().await;
    let a = base(&state.store, "Mine").await;
    let b = base(&state.store, "Theirs").await;
    let (status, body) = call(
        &state,
        Some(&a.owner.auth()),
        &b.base.workspace_id,
        "Theirs",
    )
    .await;
    assert_eq!(
        (status, body),
        (403, json!({ "error_msg": "Permission denied." }))
    );
}

#[tokio::test]
async fn a_missing_base_is_404_as_the_seed_says() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let (status, body) = call(
        &state,
        Some(&b.reader.auth()),
        &b.base.workspace_id,
        "Hallo",
    )
    .await;
    assert_eq!(
        (status, body),
        (404, json!({ "error_msg": "dtable Hallo not found." }))
    );
}

#[tokio::test]
async fn a_secrets_manager_fault_is_503_and_is_not_cached() {
    let mut state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let secret_id = format!("late-{}", tessera_common::token::new_id());
    state.signing = Some(signing_keys(&secret_id).await);
    let (status, body) = call(&state, Some(&b.owner.auth()), &b.base.workspace_id, "Hello").await;
    assert_eq!(status, 503);
    assert!(body["error_msg"].is_string());

    tessera_test_support::secretsmanager_client()
        .await
        .create_secret()
        .name(&secret_id)
        .secret_string("now it exists, and it is long enough to sign with")
        .send()
        .await
        .unwrap();
    let (status, _) = call(&state, Some(&b.owner.auth()), &b.base.workspace_id, "Hello").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_store_fault_is_an_opaque_500() {
    let state = broken_state().await;
    let auth = unknown_user_auth();
    let (status, body) = call(&state, Some(&auth), "ws", "Hello").await;
    assert_eq!(
        (status, body),
        (500, json!({ "error_msg": "Internal Server Error" }))
    );
}

#[tokio::test]
async fn bearer_is_accepted_like_token() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let someone = user(&state.store, "x").await;
    let (status, _) = call(
        &state,
        Some(&format!("Bearer {}", b.reader.token)),
        &b.base.workspace_id,
        "Hello",
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(&state, Some(&someone.auth()), &b.base.workspace_id, "Hello").await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn workspace_ids_are_integers_in_paths_and_answers() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    // The seed's own URL shape: /api/v2.1/workspace/<number>/dtable/<name>/access-token/.
    assert!(
        b.base.workspace_id.parse::<u64>().is_ok(),
        "{}",
        b.base.workspace_id
    );
    let (status, body) = call(&state, Some(&b.owner.auth()), &b.base.workspace_id, "Hello").await;
    assert_eq!(status, 200);
    assert_eq!(
        body["workspace_id"],
        json!(b.base.workspace_id.parse::<u64>().unwrap())
    );
    for bad in ["abc", "0", "01", "-1", "1.5", "1e3", "9999999999999999"] {
        assert_eq!(
            call(&state, Some(&b.owner.auth()), bad, "Hello").await,
            (400, json!({ "error_msg": "workspace_id invalid." })),
            "{bad}"
        );
    }
}
