use serde_json::{json, Value};
use tessera_admin::apigw::HttpApiRequest;
use tessera_common::{store::records::Role, AppState};
use tessera_test_support::{body_json, fresh_state, workspace, TestWorkspace};

use super::*;

fn request(method: &str, path: &str, ws: &TestWorkspace, body: &Value) -> Request {
    HttpApiRequest::new(method, path, path)
        .header("content-type", "application/json")
        .body(body.to_string())
        .authorization(Some(&ws.basic_auth()))
        .to_lambda_request()
}

/// A token made by POST /accessTokens: its value and id.
async fn create(state: &AppState, ws: &TestWorkspace, body: Value) -> (String, String) {
    let response =
        create_access_token::handle(state, request("POST", "/accessTokens", ws, &body)).await;
    let json = body_json(&response);
    assert_eq!(response.status(), 200, "{json}");
    let token = json["data"]["token"].as_str().unwrap().to_owned();
    let id = state
        .store
        .access_tokens(&ws.id)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == body["name"])
        .unwrap()
        .id;
    (token, id)
}

async fn patch(state: &AppState, ws: &TestWorkspace, id: &str, body: Value) -> (u16, Value) {
    let route = "/accessTokens/{id}";
    let req = HttpApiRequest::new("PATCH", route, &format!("/accessTokens/{id}"))
        .path_parameter("id", id)
        .header("content-type", "application/json")
        .body(body.to_string())
        .authorization(Some(&ws.basic_auth()))
        .to_lambda_request();
    let response = handle(state, req).await;
    (response.status().as_u16(), body_json(&response))
}

async fn verify(state: &AppState, ws: &TestWorkspace, token: &str) -> Value {
    let req = request(
        "POST",
        "/accessTokens/verify",
        ws,
        &json!({ "token": token }),
    );
    body_json(&verify_access_token::handle(state, req).await)
}

#[tokio::test]
async fn changes_fields_and_answers_the_token_as_listed() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (token, id) = create(&state, &ws, json!({"name": "ci", "scopes": ["a"]})).await;
    let (status, json) = patch(
        &state,
        &ws,
        &id,
        json!({
            "description": "deploys",
            "scopes": ["docs.*"],
            "ratelimit": {"limit": 2, "durationSeconds": 60},
            "credits": {"remaining": 7},
            "meta": {"plan": "pro"},
            "externalId": "user_1",
            "enabled": false,
        }),
    )
    .await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["id"], id);
    assert_eq!(json["name"], "ci");
    assert_eq!(json["description"], "deploys");
    assert_eq!(json["scopes"], json!(["docs.*"]));
    assert_eq!(
        json["ratelimit"],
        json!({"limit": 2, "durationSeconds": 60})
    );
    assert_eq!(json["credits"], json!({"remaining": 7, "refill": null}));
    assert_eq!(json["meta"], json!({"plan": "pro"}));
    assert_eq!(json["externalId"], "user_1");
    assert_eq!(json["enabled"], false);
    assert!(json.get("token").is_none() && json.get("digest").is_none());

    assert_eq!(verify(&state, &ws, &token).await["code"], "DISABLED");
    let (status, _) = patch(&state, &ws, &id, json!({"enabled": true})).await;
    assert_eq!(status, 200);
    let verified = verify(&state, &ws, &token).await;
    assert_eq!(verified["code"], "VALID");
    assert_eq!(verified["credits"]["remaining"], 6);
    assert_eq!(verified["externalId"], "user_1");

    let log = state
        .store
        .audit_log(&ws.id, 10, None)
        .await
        .unwrap()
        .entries;
    let update = log
        .iter()
        .find(|e| e.action == "access_token.update")
        .unwrap();
    assert_eq!(update.object, format!("access_token:{id}"));
    assert_eq!(update.detail.as_deref(), Some("changed enabled"));
}

#[tokio::test]
async fn null_clears_and_a_new_name_keeps_the_secret() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (token, id) = create(
        &state,
        &ws,
        json!({"name": "old", "credits": {"remaining": 1}, "externalId": "x", "meta": {"a": 1}}),
    )
    .await;
    let (status, json) = patch(
        &state,
        &ws,
        &id,
        json!({"name": "new", "credits": null, "externalId": null, "meta": null}),
    )
    .await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(
        (json["name"].clone(), json["credits"].clone()),
        (json!("new"), Value::Null)
    );
    assert_eq!(
        (json["externalId"].clone(), json["meta"].clone()),
        (Value::Null, Value::Null)
    );
    let stored = state.store.access_tokens(&ws.id).await.unwrap();
    assert_eq!(stored.len(), 1, "the record moved, not copied");
    assert_eq!(stored[0].name, "new");
    let verified = verify(&state, &ws, &token).await;
    assert_eq!(
        (verified["code"].clone(), verified["name"].clone()),
        (json!("VALID"), json!("new"))
    );
    assert_eq!(verified["credits"], Value::Null);
}

#[tokio::test]
async fn bad_requests_say_what_is_wrong() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (_, id) = create(&state, &ws, json!({"name": "n"})).await;
    for (body, says) in [
        (json!({}), "nothing to change"),
        (json!({"token": "x"}), "token is not a field"),
        (json!({"name": null}), "name must be a string"),
        (json!({"name": " "}), "name must not be empty"),
        (json!({"scopes": [1]}), "scopes must be an array of strings"),
        (
            json!({"expiresAt": "tomorrow"}),
            "expiresAt must be an RFC 3339",
        ),
        (
            json!({"ratelimit": {"limit": 0, "durationSeconds": 1}}),
            "ratelimit.limit",
        ),
        (
            json!({"credits": {"remaining": 1, "refill": {"interval": "daily", "amount": 1, "refillDay": 2}}}),
            "refillDay",
        ),
        (json!({"enabled": "no"}), "enabled must be true or false"),
        (json!({"meta": [1]}), "meta must be a JSON object"),
        (json!({"externalId": ""}), "externalId"),
    ] {
        let (status, json) = patch(&state, &ws, &id, body.clone()).await;
        assert_eq!(status, 400, "{body}: {json}");
        assert!(
            json["error"].as_str().unwrap().contains(says),
            "{body}: {json}"
        );
    }
    let (status, _) = patch(&state, &ws, "no-such-id", json!({"enabled": false})).await;
    assert_eq!(status, 404);
    let other = workspace(&state.store, Role::Admin).await;
    let (status, _) = patch(&state, &other, &id, json!({"enabled": false})).await;
    assert_eq!(status, 404, "another workspace's token is not found");
    let read_only = workspace(&state.store, Role::ReadOnly).await;
    let (status, _) = patch(&state, &read_only, &id, json!({"enabled": false})).await;
    assert_eq!(status, 403);
}

/// An edit racing verifications that spend credits loses none of them: its write is
/// conditional on the counters it read, and redone when a spend got there first.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_edit_racing_spends_loses_no_spend() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (token, id) = create(
        &state,
        &ws,
        json!({"name": "n", "credits": {"remaining": 100}}),
    )
    .await;
    let spends: Vec<_> = (0..20)
        .map(|_| {
            let (state, ws, token) = (state.clone(), ws.clone(), token.clone());
            tokio::spawn(async move { verify(&state, &ws, &token).await["code"] == "VALID" })
        })
        .collect();
    let edits: Vec<_> = (0..3)
        .map(|n| {
            let (state, ws, id) = (state.clone(), ws.clone(), id.clone());
            tokio::spawn(async move { patch(&state, &ws, &id, json!({"meta": {"n": n}})).await.0 })
        })
        .collect();
    let mut valid = 0;
    for spend in spends {
        valid += u64::from(spend.await.unwrap());
    }
    for edit in edits {
        assert!([200, 409].contains(&edit.await.unwrap()));
    }
    assert_eq!(valid, 20);
    let stored = &state.store.access_tokens(&ws.id).await.unwrap()[0];
    assert_eq!(stored.credits_remaining, Some(100 - valid));
}
