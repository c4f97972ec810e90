use serde_json::{json, Value};
use tessera_common::Quotas;
use tessera_test_support::{base, fresh_state, route_request, status_and_json};

use super::*;

const ROUTE: &str = "/api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/external-links/";

async fn call(state: &AppState, auth: Option<&str>, ws: &str, body: Value) -> (u16, Value) {
    let req = route_request(
        "POST",
        ROUTE,
        &[("workspace_id", ws), ("dtable_name", "Hello")],
    )
    .authorization(auth)
    .header("content-type", "application/json")
    .body(body.to_string());
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

#[tokio::test]
async fn a_base_admin_creates_a_generated_or_custom_link_shown_once() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let ws = &b.base.workspace_id;
    let (status, link) = call(&state, Some(&b.owner.auth()), ws, json!({})).await;
    assert_eq!(status, 200, "{link}");
    assert_eq!(link["permission"], "read-only", "the default");
    assert_eq!(link["is_custom"], false);
    assert_eq!(link["is_expired"], false);
    assert_eq!(link["expire_date"], Value::Null);
    let token = link["token"].as_str().unwrap();
    assert!(
        token.starts_with("tss_"),
        "a generated, scannable token: {token}"
    );
    assert_eq!(
        link["url"],
        json!(format!(
            "{}/dtable/external-links/{token}/",
            state.seatable.dtable_socket.trim_end_matches('/')
        ))
    );

    let custom =
        json!({ "token": "Sales-Report-2026", "permission": "read-write", "expire_days": 3 });
    let (status, link) = call(&state, Some(&b.admin.auth()), ws, custom.clone()).await;
    assert_eq!(status, 200, "{link}");
    assert_eq!(
        (&link["token"], &link["is_custom"], &link["permission"]),
        (
            &json!("Sales-Report-2026"),
            &json!(true),
            &json!("read-write")
        )
    );
    assert!(link["expire_date"].is_string());
    assert_eq!(
        call(&state, Some(&b.owner.auth()), ws, custom).await,
        (
            400,
            json!({ "error_msg": "This URL already exists, please try another URL" })
        )
    );
}

#[tokio::test]
async fn bad_values_are_seatables_400s() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let ws = &b.base.workspace_id;
    let url_invalid = json!({ "error_msg": "URL is invalid." });
    let long = "a".repeat(101);
    for token in ["with space", "under_score", "ümlaut", "a/b", long.as_str()] {
        assert_eq!(
            call(&state, Some(&b.owner.auth()), ws, json!({ "token": token })).await,
            (400, url_invalid.clone()),
            "{token}"
        );
    }
    assert_eq!(
        call(
            &state,
            Some(&b.owner.auth()),
            ws,
            json!({ "token": "a".repeat(100) })
        )
        .await
        .0,
        200
    );
    for days in [json!(0), json!(-1), json!("soon"), json!(100000)] {
        assert_eq!(
            call(
                &state,
                Some(&b.owner.auth()),
                ws,
                json!({ "expire_days": days })
            )
            .await,
            (400, json!({ "error_msg": "expire_days is invalid." })),
            "{days}"
        );
    }
    assert_eq!(
        call(
            &state,
            Some(&b.owner.auth()),
            ws,
            json!({ "permission": "rw" })
        )
        .await,
        (400, json!({ "error_msg": "permission invalid." }))
    );
    assert_eq!(
        call(
            &state,
            Some(&b.owner.auth()),
            ws,
            json!({ "password": "hunter22" })
        )
        .await
        .0,
        400,
        "a password Tessera does not check is refused, not ignored"
    );
}

#[tokio::test]
async fn only_base_admins_may_and_the_quota_counts_every_link() {
    let mut state = fresh_state().await;
    state.quotas = Quotas {
        share_links_per_base: 2,
        ..Quotas::DEFAULT
    };
    let b = base(&state.store, "Hello").await;
    let ws = &b.base.workspace_id;
    assert_eq!(
        call(&state, None, ws, json!({})).await,
        (401, json!({ "detail": "Invalid token" }))
    );
    for who in [&b.writer, &b.reader, &b.stranger] {
        assert_eq!(
            call(&state, Some(&who.auth()), ws, json!({})).await,
            (403, json!({ "error_msg": "Permission denied." })),
            "{}",
            who.name
        );
    }
    // A seed share link and an external link count against one quota.
    tessera_test_support::create_share_link(
        &state.store,
        &b.base,
        &b.owner.id,
        tessera_common::store::records::TokenPermission::R,
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        call(&state, Some(&b.owner.auth()), ws, json!({})).await.0,
        200
    );
    let (status, full) = call(&state, Some(&b.owner.auth()), ws, json!({})).await;
    assert_eq!(status, 400);
    assert!(
        full["error_msg"].as_str().unwrap().contains("at most 2"),
        "{full}"
    );
}

/// Issue 27, item 3: a custom token is exchanged without authentication in one global
/// namespace, so a one-character read-write link could be found in a few requests (every
/// name of up to 3 characters is about 254,000). Custom tokens are 16 characters or more.
#[tokio::test]
async fn custom_tokens_too_short_to_be_unguessable_are_refused() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let ws = &b.base.workspace_id;
    let too_short = json!({ "error_msg": "token must be at least 16 characters: a shorter one could be guessed." });
    for (token, permission) in [
        ("a", "read-write"),
        ("abc", "read-only"),
        ("fifteen-chars-x", "read-only"),
    ] {
        let body = json!({ "token": token, "permission": permission });
        assert_eq!(
            call(&state, Some(&b.owner.auth()), ws, body).await,
            (400, too_short.clone()),
            "{token}"
        );
    }
    let body = json!({ "token": "sixteen-chars-xx", "permission": "read-write" });
    assert_eq!(call(&state, Some(&b.owner.auth()), ws, body).await.0, 200);
}
