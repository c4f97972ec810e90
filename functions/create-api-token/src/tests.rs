use serde_json::{json, Value};
use tessera_admin::apigw::HttpApiRequest;
use tessera_common::{
    store::records::{TokenLookup, TokenPermission},
    token::PresentedToken,
};
use tessera_test_support::{
    base, broken_state, fresh_state, keys, route_request, status_and_json, unknown_user_auth,
};

use super::*;

const ROUTE: &str = "/api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/api-tokens/";

fn request(auth: Option<&str>, workspace_id: &str, dtable_name: &str) -> HttpApiRequest {
    let req = route_request(
        "POST",
        ROUTE,
        &[("workspace_id", workspace_id), ("dtable_name", dtable_name)],
    );
    match auth {
        Some(auth) => req.header("authorization", auth),
        None => req,
    }
}

async fn call(state: &AppState, req: HttpApiRequest) -> (u16, Value) {
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

fn json_body(req: HttpApiRequest, body: Value) -> HttpApiRequest {
    req.header("content-type", "application/json")
        .body(body.to_string())
}

#[tokio::test]
async fn creates_a_token_shown_once_from_json_or_form_bodies() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let ws = b.base.workspace_id.as_str();
    let (status, body) = call(
        &state,
        json_body(
            request(Some(&b.owner.auth()), ws, "Hello"),
            json!({ "app_name": "json-app", "permission": "rw" }),
        ),
    )
    .await;
    assert_eq!(status, 201);
    let keys: Vec<&str> = keys(&body);
    assert_eq!(
        keys,
        [
            "app_name",
            "api_token",
            "generated_by",
            "generated_at",
            "last_access",
            "permission"
        ]
    );
    assert_eq!(body["permission"], "rw");
    assert_eq!(body["generated_by"], json!(b.owner.name));
    let token = PresentedToken::parse(body["api_token"].as_str().unwrap()).expect("a tsk_ token");
    assert!(matches!(
        state.store.lookup(token.digest()).await.unwrap(),
        Some(TokenLookup::ApiToken {
            permission: TokenPermission::Rw,
            ..
        })
    ));

    let form = request(Some(&b.admin.auth()), ws, "Hello")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("app_name=form+app&permission=r");
    let (status, body) = call(&state, form).await;
    assert_eq!(status, 201);
    assert_eq!(body["app_name"], "form app");
    assert_eq!(body["permission"], "r");
    assert_eq!(
        state
            .store
            .api_tokens(&b.base.dtable_uuid)
            .await
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn bad_fields_are_400_with_seatables_messages() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let ws = b.base.workspace_id.as_str();
    let first = json_body(
        request(Some(&b.owner.auth()), ws, "Hello"),
        json!({ "app_name": "taken", "permission": "r" }),
    );
    assert_eq!(call(&state, first).await.0, 201);
    let cases = [
        (json!({ "permission": "r" }), "app_name invalid."),
        (
            json!({ "app_name": "  ", "permission": "r" }),
            "app_name invalid.",
        ),
        (
            json!({ "app_name": "a/b", "permission": "r" }),
            "app_name invalid.",
        ),
        (
            json!({ "app_name": "x".repeat(256), "permission": "r" }),
            "app_name invalid.",
        ),
        (json!({ "app_name": "ok" }), "permission invalid."),
        (
            json!({ "app_name": "ok", "permission": "admin" }),
            "permission invalid.",
        ),
        (
            json!({ "app_name": "taken", "permission": "rw" }),
            "api token already exist.",
        ),
    ];
    for (body, message) in cases {
        let req = json_body(request(Some(&b.owner.auth()), ws, "Hello"), body.clone());
        assert_eq!(
            call(&state, req).await,
            (400, json!({ "error_msg": message })),
            "{body}"
        );
    }
    let not_json = request(Some(&b.owner.auth()), ws, "Hello").body("[1, 2]");
    assert_eq!(call(&state, not_json).await.0, 400);
    assert_eq!(
        state
            .store
            .api_tokens(&b.base.dtable_uuid)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn only_admins_may_create_and_errors_are_seatables() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let ws = b.base.workspace_id.as_str();
    let body = json!({ "app_name": "a", "permission": "r" });
    assert_eq!(
        call(&state, json_body(request(None, ws, "Hello"), body.clone())).await,
        (401, json!({ "detail": "Invalid token" }))
    );
    for who in [&b.writer, &b.reader, &b.stranger] {
        let req = json_body(request(Some(&who.auth()), ws, "Hello"), body.clone());
        assert_eq!(
            call(&state, req).await,
            (403, json!({ "error_msg": "Permission denied." }))
        );
    }
    // A missing base is 404 for the workspace's admins; its owner owns only their base.
    let req = json_body(request(Some(&b.admin.auth()), ws, "Nope"), body.clone());
    assert_eq!(
        call(&state, req).await,
        (404, json!({ "error_msg": "dtable Nope not found." }))
    );
    let auth = unknown_user_auth();
    assert_eq!(
        call(
            &broken_state().await,
            json_body(request(Some(&auth), ws, "Hello"), body)
        )
        .await
        .0,
        500
    );
}

/// Issue 27, item 1: introspection checks no API token for base access tokens whose
/// `app_name` is `temp_api_token` (those come from temporary API tokens), so an API token
/// of that name escaped revocation for three days. The name is reserved.
#[tokio::test]
async fn the_temporary_tokens_app_name_is_reserved() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let ws = b.base.workspace_id.as_str();
    let (status, body) = call(
        &state,
        json_body(
            request(Some(&b.owner.auth()), ws, "Hello"),
            json!({ "app_name": "temp_api_token", "permission": "rw" }),
        ),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"error_msg": "app_name temp_api_token is reserved."})
        )
    );
    assert!(state
        .store
        .api_token(&b.base.dtable_uuid, "temp_api_token")
        .await
        .unwrap()
        .is_none());
}
