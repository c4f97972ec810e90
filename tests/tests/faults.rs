//! Faults are not bugs: an unreachable or throttling DynamoDB answers 503 with
//! `Retry-After` in each family's shape, and best-effort writes never fail a request.

use serde_json::json;
use tessera_admin::fixtures;
use tessera_common::{store::records::Role, AppState, Store};
use tessera_test_support::{fixture_state, fresh_state, route_request, workspace};
use tessera_tests::{
    call,
    faults::{Fault, FaultInjector},
    Answer,
};

/// A DynamoDB client whose endpoint is a loopback port nothing listens on.
async fn unreachable_dynamodb() -> aws_sdk_dynamodb::Client {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&sdk)
            .endpoint_url(format!("http://127.0.0.1:{port}"))
            .build(),
    )
}

fn assert_unavailable(answer: &Answer, what: &str) {
    assert_eq!(answer.status, 503, "{what}: {}", answer.json);
    let retry_after: u64 = answer
        .header("retry-after")
        .unwrap_or_else(|| panic!("{what}: no Retry-After"))
        .parse()
        .expect("Retry-After is a number of seconds");
    assert!(retry_after >= 1, "{what}");
}

fn fixture_requests() -> Vec<(&'static str, tessera_admin::apigw::HttpApiRequest)> {
    let tokens = fixtures::tokens();
    let basic = tessera_test_support::basic_auth_for(tokens.workspace.expose());
    vec![
        (
            "list-access-tokens",
            route_request("GET", "/accessTokens", &[]).authorization(Some(&basic)),
        ),
        (
            "base-access-token",
            route_request(
                "GET",
                "/api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/access-token/",
                &[
                    ("workspace_id", fixtures::WORKSPACE_ID),
                    ("dtable_name", fixtures::DTABLE_NAME),
                ],
            )
            .authorization(Some(&format!("Token {}", tokens.user_auth.expose()))),
        ),
    ]
}

#[tokio::test]
async fn an_unreachable_dynamodb_is_503_with_retry_after_in_each_family() {
    let fixture = fixture_state().await;
    let state = AppState {
        store: Store::new(unreachable_dynamodb().await, fixture.store.table_name()),
        ..fixture
    };
    for (function, request) in fixture_requests() {
        let answer = call(&state, function, request).await;
        assert_unavailable(&answer, function);
        let shape = if function == "list-access-tokens" {
            json!({ "success": false, "error": answer.json["error"] })
        } else {
            json!({ "error_msg": answer.json["error_msg"] })
        };
        assert_eq!(answer.json, shape, "{function}: the family's error shape");
    }
}

#[tokio::test]
async fn a_throttling_dynamodb_is_503_with_retry_after() {
    let faults = FaultInjector::default();
    let state = faults.on_store_of(fixture_state().await).await;
    faults.set("GetItem", Fault::Throttle);
    tessera_common::metrics::capture();
    for (function, request) in fixture_requests() {
        let answer = call(&state, function, request).await;
        assert_unavailable(&answer, function);
    }
    assert!(faults.injected() >= 2);
    // An operator sees both in the metrics (docs/operations.md#metrics).
    let metrics = tessera_common::metrics::captured();
    let counted = |name: &str| {
        metrics
            .iter()
            .filter(|doc| doc[name].as_u64() == Some(1))
            .count()
    };
    assert!(counted("ServiceUnavailable") >= 2, "{metrics:?}");
    assert!(
        metrics
            .iter()
            .any(|doc| doc["DependencyThrottled"] == 1 && doc["Dependency"] == "DynamoDB"),
        "{metrics:?}"
    );
}

#[tokio::test]
async fn recording_last_access_is_best_effort() {
    let faults = FaultInjector::default();
    let state = faults.on_store_of(fixture_state().await).await;
    faults.set("UpdateItem", Fault::Throttle);
    let request = route_request("GET", "/api/v2.1/dtable/app-access-token/", &[])
        .authorization(Some(&format!("Token {}", fixtures::tokens().api.expose())));
    let answer = call(&state, "app-access-token", request).await;
    assert!(
        faults.attempts("UpdateItem") >= 1,
        "last_access was attempted"
    );
    assert_eq!(answer.status, 200, "{}", answer.json);
}

#[tokio::test]
async fn every_response_that_carries_a_secret_is_no_store() {
    let state = fixture_state().await;
    let tokens = fixtures::tokens();
    let user = format!("Token {}", tokens.user_auth.expose());
    let base_params = [
        ("workspace_id", fixtures::WORKSPACE_ID),
        ("dtable_name", fixtures::DTABLE_NAME),
    ];
    let base_route = "/api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}";
    let ws = workspace(&state.store, Role::Admin).await;
    let cases = [
        (
            "create-access-token",
            route_request("POST", "/accessTokens", &[])
                .header("content-type", "application/json")
                .body(r#"{"name": "n"}"#)
                .authorization(Some(&ws.basic_auth())),
        ),
        (
            "base-access-token",
            route_request("GET", &format!("{base_route}/access-token/"), &base_params)
                .authorization(Some(&user)),
        ),
        (
            "temp-api-token",
            route_request(
                "GET",
                &format!("{base_route}/temp-api-token/"),
                &base_params,
            )
            .authorization(Some(&user)),
        ),
        (
            "app-access-token",
            route_request("GET", "/api/v2.1/dtable/app-access-token/", &[])
                .authorization(Some(&format!("Token {}", tokens.api.expose()))),
        ),
        (
            "share-link-access-token",
            route_request("GET", "/api/v2.1/dtable/share-link-access-token/", &[])
                .query(&format!("token={}", tokens.share_link.expose())),
        ),
        (
            "create-api-token",
            route_request("POST", &format!("{base_route}/api-tokens/"), &base_params)
                .header("content-type", "application/json")
                .body(r#"{"app_name": "new-app", "permission": "r"}"#)
                .authorization(Some(&user)),
        ),
        (
            "create-share-link",
            route_request("POST", "/api/v2.1/dtables/share-links/", &[])
                .header("content-type", "application/json")
                .body(
                    json!({ "workspace_id": fixtures::WORKSPACE_ID, "table_name": "Hello" })
                        .to_string(),
                )
                .authorization(Some(&user)),
        ),
    ];
    for (function, request) in cases {
        let answer = call(&state, function, request).await;
        assert!(answer.status < 300, "{function}: {}", answer.json);
        assert_eq!(
            answer.header("cache-control"),
            Some("no-store"),
            "{function}"
        );
    }
    // Unused state: a fresh table must also answer errors as no-store.
    let empty = fresh_state().await;
    let answer = call(
        &empty,
        "list-access-tokens",
        route_request("GET", "/accessTokens", &[]),
    )
    .await;
    assert_eq!(answer.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn a_dependency_that_never_answers_is_503_well_inside_the_function_timeout() {
    // Accepts connections and never answers them.
    let blackhole = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = blackhole.local_addr().unwrap().port();
    let _held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = blackhole.accept().await {
            open.push(socket);
        }
    });
    let sdk = tessera_common::config::sdk_config().await;
    let client = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&sdk)
            .endpoint_url(format!("http://127.0.0.1:{port}"))
            .build(),
    );
    let fixture = fixture_state().await;
    let state = AppState {
        store: Store::new(client, fixture.store.table_name()),
        ..fixture
    };
    let started = std::time::Instant::now();
    let (function, request) = fixture_requests().remove(0);
    let answer = call(&state, function, request).await;
    let took = started.elapsed();
    assert_unavailable(&answer, function);
    // Lambda stops the function at 10 s; the SDK's operation timeout ends it at 3 s.
    assert!(took < std::time::Duration::from_secs(8), "took {took:?}");
}
