//! The cross-tenant matrix: callers of workspace A (its workspace token; users with no
//! role, r, rw and admin in A) against every object of workspace B, on every endpoint.
//! Every cell is refused with the family's status, and B is unchanged afterwards.

use serde_json::{json, Value};
use tessera_admin::{apigw::HttpApiRequest, seatable_admin};
use tessera_common::{
    store::records::{MemberPermission, Role, TokenPermission},
    verify::verify_access_token,
};
use tessera_test_support::{
    access_token, base, create_api_token, create_share_link, fresh_state, route_request, user,
    webhook, workspace, TestUser,
};
use tessera_tests::call;

fn check(problems: &mut Vec<String>, cell: String, status: u16, expected: u16, body: &Value) {
    if status != expected {
        problems.push(format!("{cell}: {status} (expected {expected}) {body}"));
    }
}

const BASE: &str = "/api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}";

#[tokio::test]
async fn no_caller_of_workspace_a_reaches_anything_of_workspace_b() {
    let state = fresh_state().await;
    // Workspace B: a base with an API token and a share link, and an access token.
    let b = base(&state.store, "Secret").await;
    let ws_b = b.base.workspace_id.clone();
    let b_token = tessera_admin::workspace_admin::issue_workspace_token(
        &state.store,
        &ws_b,
        "b-owner",
        Role::Admin,
    )
    .await
    .unwrap();
    let b_ws = tessera_test_support::TestWorkspace {
        id: ws_b.clone(),
        user_id: "b-owner".into(),
        token: b_token.token.expose().to_owned(),
    };
    let (b_access, b_access_token) = access_token(&state, &b_ws, "b-token", &[], None).await;
    let (_, b_api_token) =
        create_api_token(&state.store, &b.base, "b-app", TokenPermission::Rw, "o")
            .await
            .unwrap();
    let (b_link, b_link_token) =
        create_share_link(&state.store, &b.base, &b.owner.id, TokenPermission::R, None)
            .await
            .unwrap();
    let b_webhook = webhook(&state, &b_ws, "https://b.example.com/hook", &[]).await;

    // Workspace A: its admin workspace token, and users with each role in A only.
    let a = workspace(&state.store, Role::Admin).await;
    let none = user(&state.store, "none@a.example.com").await;
    let mut members: Vec<(&str, TestUser)> = vec![("none", none)];
    for (role, permission) in [
        ("r", MemberPermission::R),
        ("rw", MemberPermission::Rw),
        ("admin", MemberPermission::Admin),
    ] {
        let member = user(&state.store, &format!("{role}@a.example.com")).await;
        seatable_admin::grant(&state.store, &a.id, &member.id, permission)
            .await
            .unwrap();
        members.push((role, member));
    }

    let mut problems = Vec::new();

    // The RudderStack family, with workspace A's admin token.
    let rs = |method: &str, route: &str, params: &[(&str, &str)]| {
        route_request(method, route, params).authorization(Some(&a.basic_auth()))
    };
    let rudderstack: Vec<(&str, HttpApiRequest, u16)> = vec![
        (
            "delete-access-tokens",
            rs("DELETE", "/accessTokens", &[]).query("name=b-token"),
            404,
        ),
        (
            "delete-access-token",
            rs("DELETE", "/accessTokens/{id}", &[("id", &b_access.id)]),
            404,
        ),
        (
            "reroll-access-token",
            rs("POST", "/accessTokens/{id}/reroll", &[("id", &b_access.id)]).body("{}"),
            404,
        ),
        (
            "update-access-token",
            rs("PATCH", "/accessTokens/{id}", &[("id", &b_access.id)])
                .header("content-type", "application/json")
                .body(r#"{"enabled": false}"#),
            404,
        ),
        (
            "access-token-usage",
            rs("GET", "/accessTokens/{id}/usage", &[("id", &b_access.id)]),
            404,
        ),
        (
            "update-webhook",
            rs("PATCH", "/webhooks/{id}", &[("id", &b_webhook.id)])
                .header("content-type", "application/json")
                .body(r#"{"url": "https://a.example.com/stolen"}"#),
            404,
        ),
        (
            "delete-webhook",
            rs("DELETE", "/webhooks/{id}", &[("id", &b_webhook.id)]),
            404,
        ),
        (
            "rotate-webhook-secret",
            rs(
                "POST",
                "/webhooks/{id}/rotate-secret",
                &[("id", &b_webhook.id)],
            ),
            404,
        ),
        (
            "test-webhook",
            rs("POST", "/webhooks/{id}/test", &[("id", &b_webhook.id)]),
            404,
        ),
        (
            "list-webhook-deliveries",
            rs("GET", "/webhooks/{id}/deliveries", &[("id", &b_webhook.id)]),
            404,
        ),
    ];
    for (function, request, expected) in rudderstack {
        let answer = call(&state, function, request).await;
        check(
            &mut problems,
            format!("workspace A token, {function}"),
            answer.status,
            expected,
            &answer.json,
        );
        if answer.json["success"] != false {
            problems.push(format!(
                "{function}: not the RudderStack error shape: {}",
                answer.json
            ));
        }
    }
    let listed = call(
        &state,
        "list-access-tokens",
        rs("GET", "/accessTokens", &[]),
    )
    .await;
    check(
        &mut problems,
        "list-access-tokens".into(),
        listed.status,
        200,
        &listed.json,
    );
    if listed.json.to_string().contains(&b_access.id) {
        problems.push("list-access-tokens shows workspace B's token".into());
    }
    let hooks = call(&state, "list-webhooks", rs("GET", "/webhooks", &[])).await;
    check(
        &mut problems,
        "list-webhooks".into(),
        hooks.status,
        200,
        &hooks.json,
    );
    if hooks.json.to_string().contains(&b_webhook.id) {
        problems.push("list-webhooks shows workspace B's endpoint".into());
    }
    let introspected = call(
        &state,
        "introspect",
        rs("POST", "/introspect", &[])
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("token={}", b_access_token.expose())),
    )
    .await;
    if introspected.json != json!({ "active": false }) {
        problems.push(format!("introspect of B's token: {}", introspected.json));
    }
    // Verify answers 200 to a well-formed request: another workspace's token is exactly
    // NOT_FOUND, and spends and counts nothing of it.
    let verified = call(
        &state,
        "verify-access-token",
        rs("POST", "/accessTokens/verify", &[])
            .header("content-type", "application/json")
            .body(json!({ "token": b_access_token.expose() }).to_string()),
    )
    .await;
    if (verified.status, &verified.json) != (200, &json!({ "valid": false, "code": "NOT_FOUND" })) {
        problems.push(format!(
            "verify of B's token: {} {}",
            verified.status, verified.json
        ));
    }
    let log = call(&state, "audit-log", rs("GET", "/auditLog", &[])).await;
    // Workspace ids are small integers: look for B's as a whole word where entries name
    // objects, not as a digit anywhere (a timestamp has many).
    let names_b = |entry: &Value| {
        format!("{} {}", entry["object"], entry["detail"])
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| word == ws_b)
    };
    let entries = log.json["entries"].as_array().cloned().unwrap_or_default();
    assert!(!entries.is_empty(), "A's own log has entries: {}", log.json);
    if log.json.to_string().contains(&b_access.id) || entries.iter().any(names_b) {
        problems.push("audit-log shows workspace B's entries".into());
    }

    // The SeaTable family, with each user of workspace A, against B's base.
    let base_params = [("workspace_id", ws_b.as_str()), ("dtable_name", "Secret")];
    let app_params = [base_params[0], base_params[1], ("app_name", "b-app")];
    for (role, member) in &members {
        let st = |method: &str, route: &str, params: &[(&str, &str)]| {
            route_request(method, route, params).authorization(Some(&member.auth()))
        };
        let json_body = |req: HttpApiRequest, body: Value| {
            req.header("content-type", "application/json")
                .body(body.to_string())
        };
        let seatable: Vec<(&str, HttpApiRequest, u16)> = vec![
            (
                "base-access-token",
                st("GET", &format!("{BASE}/access-token/"), &base_params),
                403,
            ),
            (
                "temp-api-token",
                st("GET", &format!("{BASE}/temp-api-token/"), &base_params),
                403,
            ),
            (
                "list-api-tokens",
                st("GET", &format!("{BASE}/api-tokens/"), &base_params),
                403,
            ),
            (
                "create-api-token",
                json_body(
                    st("POST", &format!("{BASE}/api-tokens/"), &base_params),
                    json!({ "app_name": "mine", "permission": "rw" }),
                ),
                403,
            ),
            (
                "update-api-token",
                json_body(
                    st(
                        "PUT",
                        &format!("{BASE}/api-tokens/{{app_name}}/"),
                        &app_params,
                    ),
                    json!({ "permission": "rw" }),
                ),
                403,
            ),
            (
                "delete-api-token",
                st(
                    "DELETE",
                    &format!("{BASE}/api-tokens/{{app_name}}/"),
                    &app_params,
                ),
                403,
            ),
            (
                "create-share-link",
                json_body(
                    st("POST", "/api/v2.1/dtables/share-links/", &[]),
                    json!({ "workspace_id": ws_b, "table_name": "Secret", "permission": "rw" }),
                ),
                403,
            ),
            (
                "delete-share-link",
                st(
                    "DELETE",
                    "/api/v2.1/dtables/share-links/{token}/",
                    &[("token", &b_link.id)],
                ),
                404,
            ),
            (
                "delete-share-link",
                st(
                    "DELETE",
                    "/api/v2.1/dtables/share-links/{token}/",
                    &[("token", b_link_token.expose())],
                ),
                403,
            ),
            (
                "list-external-links",
                st("GET", &format!("{BASE}/external-links/"), &base_params),
                403,
            ),
            (
                "create-external-link",
                json_body(
                    st("POST", &format!("{BASE}/external-links/"), &base_params),
                    json!({ "permission": "read-write" }),
                ),
                403,
            ),
            (
                "delete-external-link",
                st(
                    "DELETE",
                    &format!("{BASE}/external-links/{{token}}/"),
                    &[
                        base_params[0],
                        base_params[1],
                        ("token", b_link_token.expose()),
                    ],
                ),
                403,
            ),
            (
                "delete-external-link",
                st(
                    "DELETE",
                    &format!("{BASE}/external-links/{{token}}/"),
                    &[base_params[0], base_params[1], ("token", &b_link.id)],
                ),
                403,
            ),
        ];
        for (function, request, expected) in seatable {
            let answer = call(&state, function, request).await;
            check(
                &mut problems,
                format!("user with {role} in A, {function}"),
                answer.status,
                expected,
                &answer.json,
            );
            if answer.json["error_msg"].as_str().is_none() {
                problems.push(format!(
                    "{function}: not SeaTable's error shape: {}",
                    answer.json
                ));
            }
        }
        let links = call(
            &state,
            "list-share-links",
            st("GET", "/api/v2.1/dtables/share-links/", &[]),
        )
        .await;
        if links.json.to_string().contains(&b_link.id) {
            problems.push(format!("user with {role} in A sees B's share link"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");

    // Workspace B is unchanged: its tokens live, its API token as it was.
    assert!(verify_access_token(
        &state.store,
        &tessera_common::clock::SystemClock,
        b_access_token.expose()
    )
    .await
    .unwrap()
    .is_some());
    let api = state
        .store
        .api_token(&b.base.dtable_uuid, "b-app")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (api.permission, &api.digest),
        (TokenPermission::Rw, b_api_token.digest())
    );
    assert_eq!(
        state
            .store
            .api_tokens(&b.base.dtable_uuid)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(state
        .store
        .share_link(&b.owner.id, &b_link.id)
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        state.store.webhook(&ws_b, &b_webhook.id).await.unwrap(),
        Some(b_webhook),
        "B's endpoint as it was, its secret unrotated"
    );
}
