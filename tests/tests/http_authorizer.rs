//! Access tokens protecting an API end to end, through the local API, which runs the
//! template's authorizer as API Gateway does (its cache included): a token opens
//! /whoami, and once revoked is refused within the cache's bound, `AuthorizerCacheSeconds`.

use std::time::Duration;

use serde_json::{json, Value};
use tessera_common::{
    authorizer::AuthorizerRequest, clock::Clock, store::records::Role, AppState, Store,
};
use tessera_local_api::routes::api_from_template;
use tessera_test_support::{access_token, basic_auth_for, fresh_state, workspace, ManualClock};
use tessera_tests::{recorder::ActionRecorder, LocalApi, TEMPLATE};

async fn whoami(api: &LocalApi, authorization: Option<&str>) -> (u16, Value) {
    let mut request = api.client.get(api.url("/whoami"));
    if let Some(authorization) = authorization {
        request = request.header("Authorization", authorization);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// The revocation bound the template sets (`AuthorizerCacheSeconds`' default).
fn cache_bound() -> Duration {
    api_from_template(TEMPLATE).unwrap().authorizers["TesseraAccessToken"].reauthorize_every
}

#[tokio::test]
async fn a_token_opens_whoami_and_once_revoked_is_refused_within_the_cache_bound() {
    let clock = ManualClock::new();
    let api = LocalApi::start_with(AppState {
        clock: clock.shared(),
        ..fresh_state().await
    })
    .await;
    let ws = workspace(&api.state.store, Role::Admin).await;
    let (status, created) = api
        .post_json(
            "/accessTokens",
            &ws.basic_auth(),
            &json!({ "name": "ci", "scopes": ["read:events"] }),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let token = created["data"]["token"].as_str().unwrap().to_owned();
    let bearer = format!("Bearer {token}");

    let (status, me) = whoami(&api, Some(&bearer)).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["workspaceId"], json!(ws.id.parse::<u64>().unwrap()));
    assert_eq!(me["tokenName"], "ci");
    assert_eq!(me["scopes"], "read:events");
    assert_eq!(
        whoami(&api, Some(&basic_auth_for(&token))).await.0,
        200,
        "Basic too"
    );

    let deleted = api
        .client
        .delete(api.url("/accessTokens?name=ci"))
        .header("Authorization", ws.basic_auth())
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 200);
    // Until the cached answer expires, API Gateway lets it through: that is the bound.
    clock.advance(cache_bound() - Duration::from_secs(1));
    assert_eq!(whoami(&api, Some(&bearer)).await.0, 200);
    clock.advance(Duration::from_secs(1));
    assert_eq!(
        whoami(&api, Some(&bearer)).await,
        (403, json!({ "message": "Forbidden" })),
        "refused once the cache bound has passed"
    );
    assert_eq!(
        whoami(&api, None).await,
        (401, json!({ "message": "Unauthorized" })),
        "no identity source: API Gateway answers without calling the authorizer"
    );
    assert_eq!(whoami(&api, Some("Bearer garbage")).await.0, 403);
}

#[tokio::test]
async fn a_verification_is_one_get_item_and_a_use_is_written_at_most_once_a_minute() {
    let clock = ManualClock::new();
    let fresh = fresh_state().await;
    let recorder = ActionRecorder::default();
    let state = AppState {
        clock: clock.shared(),
        store: Store::new(recorder.client().await, fresh.store.table_name()),
        ..fresh
    };
    let ws = workspace(&state.store, Role::Admin).await;
    let (_, token) = access_token(&state, &ws, "ci", &[], None).await;
    let before = recorder.calls();
    let request = AuthorizerRequest {
        identity_source: Some(vec![format!("Bearer {}", token.expose())]),
        ..Default::default()
    };
    let verifications = 100;
    for _ in 0..verifications {
        let answer = authorizer::authorize(&state, request.clone())
            .await
            .unwrap();
        assert!(answer.is_authorized);
        clock.advance(Duration::from_millis(500)); // 100 verifications in 50 s
    }
    let calls = |operation: &str| {
        recorder.calls().get(operation).copied().unwrap_or(0)
            - before.get(operation).copied().unwrap_or(0)
    };
    assert_eq!(
        calls("GetItem"),
        verifications,
        "one GetItem per verification"
    );
    assert_eq!(
        calls("TransactWriteItems"),
        1,
        "one write in the first minute"
    );
    assert_eq!(calls("UpdateItem") + calls("PutItem") + calls("Query"), 0);
    clock.advance(Duration::from_secs(10));
    authorizer::authorize(&state, request).await.unwrap();
    assert_eq!(
        calls("TransactWriteItems"),
        2,
        "and one more after a minute"
    );
    let recorded = state.store.access_tokens(&ws.id).await.unwrap()[0].last_used_at;
    assert_eq!(recorded, Some(clock.now_secs()));
}

/// API Gateway joins a repeated header's values with commas, and the authorizer receives
/// the joined value as its identity source: two `Authorization` headers are one malformed
/// credential, refused, even when each alone would pass. (The local API took the first.)
#[tokio::test]
async fn repeated_authorization_headers_are_joined_as_api_gateway_does_and_refused() {
    let api = LocalApi::start().await;
    let ws = workspace(&api.state.store, Role::Admin).await;
    let (_, token) = access_token(&api.state, &ws, "ci", &[], None).await;
    let bearer = format!("Bearer {}", token.expose());
    assert_eq!(
        whoami(&api, Some(&bearer)).await.0,
        200,
        "one header passes"
    );
    for second in [bearer.clone(), "Bearer garbage".to_owned()] {
        let response = api
            .client
            .get(api.url("/whoami"))
            .header("Authorization", &bearer)
            .header("Authorization", &second)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 403, "{second}");
    }
    // What the authorizer itself makes of the joined value.
    let joined = format!("{bearer},{bearer}");
    let request: AuthorizerRequest = serde_json::from_value(json!({
        "version": "2.0", "type": "REQUEST", "routeKey": "GET /whoami",
        "identitySource": [joined], "headers": { "authorization": joined },
    }))
    .unwrap();
    let answer = authorizer::authorize(&api.state, request).await.unwrap();
    assert!(!answer.is_authorized);
}
