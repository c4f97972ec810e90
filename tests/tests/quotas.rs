//! Quotas keep every listing inside a Lambda response: a workspace holds at most
//! `MaxAccessTokensPerWorkspace` access tokens and a base `MaxApiTokensPerBase` API tokens,
//! counted in the same transactions that create and delete them.

use serde_json::json;
use tessera_common::{store::records::Role, AppState, Quotas};
use tessera_test_support::{base, fresh_state, route_request, workspace};
use tessera_tests::{call, Answer};

async fn create(state: &AppState, auth: &str, name: &str) -> Answer {
    let request = route_request("POST", "/accessTokens", &[])
        .header("content-type", "application/json")
        .body(json!({ "name": name }).to_string())
        .authorization(Some(auth));
    call(state, "create-access-token", request).await
}

async fn delete(state: &AppState, auth: &str, name: &str) -> Answer {
    let request = route_request("DELETE", "/accessTokens", &[])
        .query(&format!("name={name}"))
        .authorization(Some(auth));
    call(state, "delete-access-tokens", request).await
}

#[tokio::test]
async fn a_workspace_holds_at_most_its_quota_of_access_tokens() {
    let mut state = fresh_state().await;
    state.quotas = Quotas {
        access_tokens_per_workspace: 3,
        ..Quotas::DEFAULT
    };
    let ws = workspace(&state.store, Role::Admin).await;
    let auth = ws.basic_auth();
    for name in ["a", "b", "b"] {
        assert_eq!(create(&state, &auth, name).await.status, 200);
    }
    let full = create(&state, &auth, "c").await;
    assert_eq!(full.status, 400, "{}", full.json);
    assert_eq!(full.json["success"], false);
    assert!(full.json["error"]
        .as_str()
        .unwrap()
        .contains("3 access tokens"));
    assert_eq!(state.store.access_tokens(&ws.id).await.unwrap().len(), 3);

    // Deleting frees the quota by as many tokens as were deleted.
    assert_eq!(delete(&state, &auth, "b").await.status, 200);
    assert_eq!(create(&state, &auth, "c").await.status, 200);
    assert_eq!(create(&state, &auth, "d").await.status, 200);
    assert_eq!(create(&state, &auth, "e").await.status, 400);
    // Another workspace has a quota of its own.
    let other = workspace(&state.store, Role::Admin).await;
    assert_eq!(create(&state, &other.basic_auth(), "a").await.status, 200);
}

#[tokio::test]
async fn deleting_more_tokens_than_one_transaction_holds_deletes_them_all() {
    let mut state = fresh_state().await;
    let many = 120; // more than two transactions' worth (49 each)
    state.quotas = Quotas {
        access_tokens_per_workspace: many,
        ..Quotas::DEFAULT
    };
    let ws = workspace(&state.store, Role::Admin).await;
    let auth = ws.basic_auth();
    for _ in 0..many {
        assert_eq!(create(&state, &auth, "bulk").await.status, 200);
    }
    assert_eq!(create(&state, &auth, "one-more").await.status, 400);
    let answer = delete(&state, &auth, "bulk").await;
    assert_eq!(answer.status, 200, "{}", answer.json);
    assert!(state.store.access_tokens(&ws.id).await.unwrap().is_empty());
    // The counter went down by all of them.
    for _ in 0..many {
        assert_eq!(create(&state, &auth, "again").await.status, 200);
    }
}

#[tokio::test]
async fn a_base_holds_at_most_its_quota_of_api_tokens() {
    let mut state = fresh_state().await;
    state.quotas = Quotas {
        api_tokens_per_base: 2,
        ..Quotas::DEFAULT
    };
    let b = base(&state.store, "Hello").await;
    let params = [
        ("workspace_id", b.base.workspace_id.as_str()),
        ("dtable_name", "Hello"),
    ];
    let route = "/api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/api-tokens/";
    let create = |app: &str| {
        route_request("POST", route, &params)
            .header("content-type", "application/json")
            .body(json!({ "app_name": app, "permission": "r" }).to_string())
            .authorization(Some(&b.owner.auth()))
    };
    assert_eq!(
        call(&state, "create-api-token", create("a")).await.status,
        201
    );
    assert_eq!(
        call(&state, "create-api-token", create("b")).await.status,
        201
    );
    let full = call(&state, "create-api-token", create("c")).await;
    assert_eq!(full.status, 400, "{}", full.json);
    assert!(full.json["error_msg"].as_str().unwrap().contains("quota"));

    let delete = route_request(
        "DELETE",
        &format!("{route}{{app_name}}/"),
        &[params[0], params[1], ("app_name", "a")],
    )
    .authorization(Some(&b.owner.auth()));
    assert_eq!(call(&state, "delete-api-token", delete).await.status, 200);
    assert_eq!(
        call(&state, "create-api-token", create("c")).await.status,
        201
    );
}
