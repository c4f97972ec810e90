//! Values that reach a DynamoDB key are bounded: anything longer than a key can hold is
//! the family's 400, never a 500 from DynamoDB's key-size limit.

use serde_json::json;
use tessera_common::store::records::Role;
use tessera_test_support::{base, fresh_state, route_request, workspace};
use tessera_tests::call;

const BASE_ROUTE: &str = "/api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}";

#[tokio::test]
async fn an_overlong_name_on_delete_access_tokens_is_400() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    for name in ["x".repeat(3000), "漢".repeat(300), "x".repeat(101)] {
        let request = route_request("DELETE", "/accessTokens", &[])
            .query(&format!("name={name}"))
            .authorization(Some(&ws.basic_auth()));
        let answer = call(&state, "delete-access-tokens", request).await;
        assert_eq!(answer.status, 400, "{} chars: {}", name.len(), answer.json);
        assert_eq!(answer.json["success"], false);
        assert!(answer.json["error"].as_str().unwrap().contains("name"));
    }
}

#[tokio::test]
async fn overlong_path_parameters_of_the_seatable_family_are_400() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let ws = b.base.workspace_id.as_str();
    let long_name = "n".repeat(600);
    let cjk_name = "表".repeat(300);
    let long_ws = "7".repeat(3000);
    let access_token = format!("{BASE_ROUTE}/access-token/");
    let api_token = format!("{BASE_ROUTE}/api-tokens/{{app_name}}/");
    let cases = [
        ("base-access-token", &access_token, [ws, &long_name, ""]),
        ("base-access-token", &access_token, [ws, &cjk_name, ""]),
        ("base-access-token", &access_token, [&long_ws, "Hello", ""]),
        (
            "temp-api-token",
            &format!("{BASE_ROUTE}/temp-api-token/"),
            [ws, &long_name, ""],
        ),
        (
            "list-api-tokens",
            &format!("{BASE_ROUTE}/api-tokens/"),
            [ws, &cjk_name, ""],
        ),
        ("delete-api-token", &api_token, [ws, "Hello", &cjk_name]),
        ("update-api-token", &api_token, [ws, "Hello", &long_name]),
    ];
    let mut problems = Vec::new();
    for (function, route, [workspace_id, dtable_name, app_name]) in cases {
        let mut params = vec![("workspace_id", workspace_id), ("dtable_name", dtable_name)];
        if !app_name.is_empty() {
            params.push(("app_name", app_name));
        }
        let request = route_request("GET", route, &params)
            .header("content-type", "application/json")
            .body(r#"{"permission": "r"}"#)
            .authorization(Some(&b.admin.auth()));
        let answer = call(&state, function, request).await;
        let message = answer.json["error_msg"].as_str().unwrap_or_default();
        if answer.status != 400 || !message.ends_with(" invalid.") {
            problems.push(format!("{function}: {} {message}", answer.status));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[tokio::test]
async fn an_app_name_too_long_for_a_key_is_app_name_invalid() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let params = [
        ("workspace_id", b.base.workspace_id.as_str()),
        ("dtable_name", "Hello"),
    ];
    // 255 characters is SeaTable's limit, but 255 CJK characters are 765 bytes.
    let request = route_request("POST", &format!("{BASE_ROUTE}/api-tokens/"), &params)
        .header("content-type", "application/json")
        .body(json!({ "app_name": "応".repeat(255), "permission": "r" }).to_string())
        .authorization(Some(&b.owner.auth()));
    let answer = call(&state, "create-api-token", request).await;
    assert_eq!(answer.status, 400, "{}", answer.json);
    assert_eq!(answer.json, json!({ "error_msg": "app_name invalid." }));
}

#[tokio::test]
async fn an_overlong_share_link_or_workspace_id_is_4xx() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let long = "t".repeat(2000);
    let request = route_request(
        "DELETE",
        "/api/v2.1/dtables/share-links/{token}/",
        &[("token", &long)],
    )
    .authorization(Some(&b.owner.auth()));
    let answer = call(&state, "delete-share-link", request).await;
    assert_eq!(answer.status, 400, "{}", answer.json);

    let request = route_request("POST", "/api/v2.1/dtables/share-links/", &[])
        .header("content-type", "application/json")
        .body(json!({ "workspace_id": "9".repeat(3000), "table_name": "Hello" }).to_string())
        .authorization(Some(&b.owner.auth()));
    let answer = call(&state, "create-share-link", request).await;
    assert_eq!(answer.status, 400, "{}", answer.json);
    assert_eq!(answer.json, json!({ "error_msg": "workspace_id invalid." }));
}
