use serde_json::json;
use tessera_admin::apigw::HttpApiRequest;
use tessera_test_support::{broken_state, status_and_json};

use super::*;

#[tokio::test]
async fn answers_the_authorizers_context_and_401_without_one() {
    let state = broken_state().await; // it must not need DynamoDB
    let context = json!({
        "workspaceId": "W", "tokenId": "T", "tokenName": "ci", "scopes": "read write"
    });
    let req = HttpApiRequest::new("GET", "/whoami", "/whoami")
        .authorizer_context(context.as_object().unwrap().clone())
        .to_lambda_request();
    assert_eq!(status_and_json(&handle(&state, req).await), (200, context));

    let bare = HttpApiRequest::new("GET", "/whoami", "/whoami").to_lambda_request();
    let (status, body) = status_and_json(&handle(&state, bare).await);
    assert_eq!(status, 401);
    assert_eq!(body["success"], false);
}
