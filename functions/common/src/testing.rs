//! Helpers for tests against the local stack: a fresh table per test, seeded workspaces.
//!
//! `make test` starts DynamoDB Local and exports its endpoint; these helpers refuse to
//! run against anything but a loopback endpoint, so a test can never touch real AWS.

use aws_config::BehaviorVersion;
use base64::{engine::general_purpose::STANDARD, Engine};

use crate::{
    provision::TableDefinition,
    store::{records::Role, Store},
    token::new_id,
    workspace_admin, AppState,
};

/// The template every table is made from.
pub const TEMPLATE: &str = include_str!("../../../template.yaml");

fn local_endpoint(var: &str) -> String {
    let endpoint = std::env::var(var).unwrap_or_default();
    assert!(
        endpoint.starts_with("http://127.0.0.1:") || endpoint.starts_with("http://localhost:"),
        "{var} must point at the local stack (got {endpoint:?}). Run the tests with `make test`, \
         which starts DynamoDB Local and the Secrets Manager emulator and sets it."
    );
    endpoint
}

/// An SDK client for the local DynamoDB.
pub async fn dynamodb_client() -> aws_sdk_dynamodb::Client {
    local_endpoint("AWS_ENDPOINT_URL_DYNAMODB");
    let sdk = aws_config::load_defaults(BehaviorVersion::latest()).await;
    aws_sdk_dynamodb::Client::new(&sdk)
}

/// App state on a new, empty table created from the template.
pub async fn fresh_state() -> AppState {
    let client = dynamodb_client().await;
    let table = format!("test-{}", new_id());
    TableDefinition::from_template(TEMPLATE)
        .expect("template.yaml declares the table")
        .create(&client, &table)
        .await
        .expect("create a test table in DynamoDB Local");
    AppState {
        store: Store::new(client, table),
    }
}

/// App state whose table does not exist: every store call fails as a real fault would.
pub async fn broken_state() -> AppState {
    AppState {
        store: Store::new(dynamodb_client().await, "no-such-table"),
    }
}

/// A response body as JSON (panics on anything else, which is a test failure).
pub fn body_json(response: &lambda_http::Response<lambda_http::Body>) -> serde_json::Value {
    serde_json::from_slice(response.body().as_ref()).expect("response body is JSON")
}

/// A workspace and one of its tokens, as a caller would hold them.
#[derive(Debug, Clone)]
pub struct TestWorkspace {
    pub id: String,
    pub user_id: String,
    pub token: String,
}

impl TestWorkspace {
    /// `Authorization` header value for this workspace's token, as the seed describes.
    pub fn basic_auth(&self) -> String {
        basic_auth_for(&self.token)
    }
}

pub fn basic_auth_for(token: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{token}:")))
}

/// A new workspace whose caller holds a token with `role`.
pub async fn workspace(store: &Store, role: Role) -> TestWorkspace {
    let (ws, admin) = workspace_admin::create_workspace(store, "test workspace", None)
        .await
        .expect("create workspace");
    let issued = match role {
        Role::Admin => admin,
        Role::ReadOnly => {
            workspace_admin::issue_workspace_token(store, &ws.id, &admin.record.user_id, role)
                .await
                .expect("issue read-only token")
        }
    };
    TestWorkspace {
        id: ws.id,
        user_id: issued.record.user_id.clone(),
        token: issued.token.expose().to_owned(),
    }
}
