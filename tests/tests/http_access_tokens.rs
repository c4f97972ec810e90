//! The access-token API over HTTP, through the local API (template routes, payload v2
//! events), as the seed's curl and httpie examples call it.

use aws_sdk_dynamodb::types::AttributeValue;
use futures::future::join_all;
use serde_json::{json, Value};
use tessera_common::{store::records::Role, verify::verify_access_token};
use tessera_test_support::{workspace, TestWorkspace};
use tessera_tests::LocalApi;

async fn create(api: &LocalApi, ws: &TestWorkspace, body: Value) -> (u16, Value) {
    let response = api
        .client
        .post(api.url("/accessTokens"))
        .header("Authorization", ws.basic_auth())
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn list(api: &LocalApi, ws: &TestWorkspace) -> Vec<Value> {
    let response = api
        .client
        .get(api.url("/accessTokens"))
        .header("Authorization", ws.basic_auth())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn delete(api: &LocalApi, ws: &TestWorkspace, name: &str) -> (u16, Value) {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("name", name)
        .finish();
    let response = api
        .client
        .delete(api.url(&format!("/accessTokens?{query}")))
        .header("Authorization", ws.basic_auth())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn the_seed_requests_behave_as_the_seed_says() {
    let api = LocalApi::start().await;
    let ws = workspace(&api.state.store, Role::Admin).await;

    // Generate: the curl example's body.
    let (status, body) = create(
        &api,
        &ws,
        json!({ "name": "some-test-access-token", "description": "some-description" }),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["success", "data"]
    );
    assert_eq!(body["success"], true);
    let token = body["data"]["token"].as_str().unwrap().to_owned();
    assert!(verify_access_token(
        &api.state.store,
        &tessera_common::clock::SystemClock,
        &token
    )
    .await
    .unwrap()
    .is_some());

    // List: a bare array without the token.
    let listed = list(&api, &ws).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["name"], "some-test-access-token");
    assert_eq!(listed[0]["description"], "some-description");
    assert_eq!(listed[0]["userId"], json!(ws.user_id));
    assert!(!listed[0].to_string().contains(&token));

    // Delete by name.
    let (status, body) = delete(&api, &ws, "some-test-access-token").await;
    assert_eq!((status, body), (200, json!({ "success": true })));
    assert!(list(&api, &ws).await.is_empty());
    assert!(verify_access_token(
        &api.state.store,
        &tessera_common::clock::SystemClock,
        &token
    )
    .await
    .unwrap()
    .is_none());

    // The seed's own example header is not a Tessera workspace token.
    let response = api
        .client
        .get(api.url("/accessTokens"))
        .header(
            "Authorization",
            "Basic MXBUbGc2MlpZcUgycWtDMDVmc1hUZlJQRWZyOg==",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn workspaces_are_isolated() {
    let api = LocalApi::start().await;
    let a = workspace(&api.state.store, Role::Admin).await;
    let b = workspace(&api.state.store, Role::Admin).await;
    create(&api, &a, json!({ "name": "same-name" })).await;
    let (_, b_token) = create(
        &api,
        &b,
        json!({ "name": "same-name", "description": "b's" }),
    )
    .await;

    let a_list = list(&api, &a).await;
    assert_eq!(a_list.len(), 1);
    assert_eq!(a_list[0]["userId"], json!(a.user_id));
    assert_eq!(a_list[0]["description"], "");

    // A deletes its own "same-name"; B's survives and still verifies.
    assert_eq!(delete(&api, &a, "same-name").await.0, 200);
    assert_eq!(delete(&api, &a, "same-name").await.0, 404);
    assert_eq!(list(&api, &b).await.len(), 1);
    let b_token = b_token["data"]["token"].as_str().unwrap();
    let verified = verify_access_token(
        &api.state.store,
        &tessera_common::clock::SystemClock,
        b_token,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(verified.workspace_id, b.id);
}

#[tokio::test]
async fn fifty_concurrent_creates_then_one_delete_removes_them_all() {
    let api = LocalApi::start().await;
    let ws = workspace(&api.state.store, Role::Admin).await;
    let creates = (0..50).map(|i| {
        create(
            &api,
            &ws,
            json!({ "name": "burst", "description": format!("#{i}") }),
        )
    });
    let results = join_all(creates).await;
    assert!(
        results.iter().all(|(status, _)| *status == 200),
        "{results:?}"
    );
    let tokens: Vec<String> = results
        .iter()
        .map(|(_, b)| b["data"]["token"].as_str().unwrap().to_owned())
        .collect();
    let mut unique = tokens.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 50);
    assert_eq!(list(&api, &ws).await.len(), 50);

    assert_eq!(
        delete(&api, &ws, "burst").await,
        (200, json!({ "success": true }))
    );
    assert!(list(&api, &ws).await.is_empty());
    for token in &tokens {
        assert!(
            verify_access_token(&api.state.store, &tessera_common::clock::SystemClock, token)
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn no_plaintext_token_is_stored_anywhere_in_the_table() {
    let api = LocalApi::start().await;
    let ws = workspace(&api.state.store, Role::Admin).await;
    let mut secrets = vec![ws.token.clone()];
    for i in 0..3 {
        let (_, body) = create(&api, &ws, json!({ "name": format!("t{i}") })).await;
        secrets.push(body["data"]["token"].as_str().unwrap().to_owned());
    }
    let items = api.table_items().await;
    assert!(
        items.len() >= 8,
        "expected token records and lookups, got {}",
        items.len()
    );
    let dump = format!("{items:?}");
    for secret in &secrets {
        assert!(
            !dump.contains(secret.as_str()),
            "plaintext token found in the table"
        );
        let random_part = &secret[4..];
        assert!(!dump.contains(random_part), "token body found in the table");
    }
    // What is stored is the digest.
    let digests: Vec<&AttributeValue> =
        items.iter().filter_map(|item| item.get("digest")).collect();
    assert!(digests
        .iter()
        .all(|d| d.as_s().is_ok_and(|s| s.len() == 64)));
}

#[tokio::test]
async fn a_read_only_workspace_token_lists_but_cannot_create_or_delete() {
    let api = LocalApi::start().await;
    let admin = workspace(&api.state.store, Role::Admin).await;
    create(&api, &admin, json!({ "name": "keep" })).await;
    let reader = TestWorkspace {
        token: tessera_admin::workspace_admin::issue_workspace_token(
            &api.state.store,
            &admin.id,
            &admin.user_id,
            Role::ReadOnly,
        )
        .await
        .unwrap()
        .token
        .expose()
        .to_owned(),
        ..admin.clone()
    };
    let (status, body) = create(&api, &reader, json!({ "name": "nope" })).await;
    assert_eq!(status, 403);
    assert_eq!(body["success"], false);
    assert_eq!(delete(&api, &reader, "keep").await.0, 403);
    assert_eq!(list(&api, &reader).await.len(), 1);
}

#[tokio::test]
async fn unknown_routes_answer_like_api_gateway() {
    let api = LocalApi::start().await;
    for (method, path) in [
        ("GET", "/nope"),
        ("PUT", "/accessTokens"),
        ("GET", "/accessTokens/"),
    ] {
        let response = api
            .client
            .request(method.parse().unwrap(), api.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{method} {path}");
        assert_eq!(
            response.json::<Value>().await.unwrap(),
            json!({ "message": "Not Found" })
        );
    }
}
