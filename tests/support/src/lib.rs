//! Helpers for tests against the local stack: a fresh table per test, seeded workspaces.
//!
//! `make test` starts DynamoDB Local and exports its endpoint; these helpers refuse to
//! run against anything but a loopback endpoint, so a test can never touch real AWS.

mod manual_clock;

pub use manual_clock::ManualClock;

use base64::{engine::general_purpose::STANDARD, Engine};

use std::{sync::Arc, time::Duration};

use tessera_admin::{provision::TableDefinition, seatable_admin, workspace_admin};
use tessera_common::{
    clock,
    config::sdk_config,
    store::{
        records::{ApiToken, Base, MemberPermission, Role, ShareLink, TokenPermission},
        Store,
    },
    token::{new_id, random_base62, NewToken},
    AppState, Quotas, SeaTableSettings,
};
use tessera_jwt::{
    signing_key::{CachePolicy, SigningKeys},
    JwtKind,
};
use tessera_webhooks::WebhookKey;

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

/// An SDK client for the local DynamoDB, configured as the functions' are.
pub async fn dynamodb_client() -> aws_sdk_dynamodb::Client {
    local_endpoint("AWS_ENDPOINT_URL_DYNAMODB");
    aws_sdk_dynamodb::Client::new(&sdk_config().await)
}

/// An SDK client for the local Secrets Manager emulator, configured as the functions' are.
pub async fn secretsmanager_client() -> aws_sdk_secretsmanager::Client {
    local_endpoint("AWS_ENDPOINT_URL_SECRETS_MANAGER");
    aws_sdk_secretsmanager::Client::new(&sdk_config().await)
}

/// The SeaTable settings every test state uses.
pub fn test_settings() -> SeaTableSettings {
    SeaTableSettings {
        dtable_server: "https://tessera.test/dtable-server/".into(),
        dtable_socket: "https://tessera.test/".into(),
        dtable_db: "https://tessera.test/dtable-db/".into(),
        use_api_gateway: false,
        access_token_ttl: Duration::from_secs(3 * 24 * 3600),
    }
}

/// Signing keys for `secret_id`, re-read from Secrets Manager on every use.
pub async fn signing_keys(secret_id: &str) -> Arc<SigningKeys> {
    Arc::new(SigningKeys::new(
        secretsmanager_client().await,
        secret_id,
        CachePolicy::UNCACHED,
        clock::system(),
    ))
}

/// App state on a new, empty table created from the template (without the stream, which
/// only the events' tests read: `fresh_state_with_stream`), with a new signing secret.
pub async fn fresh_state() -> AppState {
    let definition = TableDefinition::from_template(TEMPLATE)
        .expect("template.yaml declares the table")
        .without_stream();
    state_on_new_table(definition).await
}

/// `fresh_state`, on a table with the template's stream.
pub async fn fresh_state_with_stream() -> AppState {
    let definition =
        TableDefinition::from_template(TEMPLATE).expect("template.yaml declares the table");
    state_on_new_table(definition).await
}

async fn state_on_new_table(definition: TableDefinition) -> AppState {
    let client = dynamodb_client().await;
    let table = format!("test-{}", new_id());
    definition
        .create(&client, &table)
        .await
        .expect("create a test table in DynamoDB Local");
    let secret_id = new_secret("test-signing").await;
    let webhook_key_id = new_secret("test-webhook-key").await;
    AppState {
        store: Store::new(client, table),
        seatable: test_settings(),
        signing: Some(signing_keys(&secret_id).await),
        webhook_key: Some(Arc::new(WebhookKey::new(
            secretsmanager_client().await,
            webhook_key_id,
        ))),
        quotas: Quotas::DEFAULT,
        clock: clock::system(),
        audit_retention: tessera_common::audit::DEFAULT_RETENTION,
        max_access_token_lifetime: Duration::from_secs(365 * 24 * 3600),
        verification_cache: Duration::ZERO,
    }
}

/// A new secret of 64 random characters in the Secrets Manager emulator: its id.
async fn new_secret(prefix: &str) -> String {
    let secret_id = format!("{prefix}-{}", new_id());
    secretsmanager_client()
        .await
        .create_secret()
        .name(&secret_id)
        .secret_string(random_base62(64))
        .send()
        .await
        .expect("create a secret in the Secrets Manager emulator");
    secret_id
}

/// App state whose table and secret do not exist: every call fails as a real fault would.
pub async fn broken_state() -> AppState {
    AppState {
        store: Store::new(dynamodb_client().await, "no-such-table"),
        seatable: test_settings(),
        signing: Some(signing_keys("no-such-secret").await),
        webhook_key: Some(Arc::new(WebhookKey::new(
            secretsmanager_client().await,
            "no-such-secret",
        ))),
        quotas: Quotas::DEFAULT,
        clock: clock::system(),
        audit_retention: tessera_common::audit::DEFAULT_RETENTION,
        max_access_token_lifetime: Duration::from_secs(365 * 24 * 3600),
        verification_cache: Duration::ZERO,
    }
}

/// A SeaTable user as a caller holds them.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub name: String,
    pub token: String,
}

impl TestUser {
    /// `Authorization` header value, as the seed sends it.
    pub fn auth(&self) -> String {
        format!("Token {}", self.token)
    }
}

pub async fn user(store: &Store, name: &str) -> TestUser {
    let (user, token) = seatable_admin::create_user(store, name)
        .await
        .expect("create user");
    TestUser {
        id: user.id,
        name: user.name,
        token: token.expose().to_owned(),
    }
}

/// A base in a new workspace, owned by a new user, with one more user per permission.
pub struct TestBase {
    pub base: Base,
    pub owner: TestUser,
    pub admin: TestUser,
    pub writer: TestUser,
    pub reader: TestUser,
    pub stranger: TestUser,
}

pub async fn base(store: &Store, name: &str) -> TestBase {
    let (ws, _) = workspace_admin::create_workspace(store, "seatable", None)
        .await
        .expect("create workspace");
    // Usernames are unique per table: each test base has its own domain.
    let domain = format!("{}.example.com", ws.id.to_lowercase());
    let owner = user(store, &format!("owner@{domain}")).await;
    let base = seatable_admin::create_base(store, &ws.id, name, &owner.id)
        .await
        .expect("create base");
    let mut members = Vec::new();
    for (name, permission) in [
        ("admin", MemberPermission::Admin),
        ("writer", MemberPermission::Rw),
        ("reader", MemberPermission::R),
    ] {
        let member = user(store, &format!("{name}@{domain}")).await;
        seatable_admin::grant(store, &ws.id, &member.id, permission)
            .await
            .expect("grant");
        members.push(member);
    }
    let [admin, writer, reader] = <[TestUser; 3]>::try_from(members).expect("three members");
    let stranger = user(store, &format!("stranger@{domain}")).await;
    TestBase {
        base,
        owner,
        admin,
        writer,
        reader,
        stranger,
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

    /// The same workspace and user, with a new token of `role`.
    pub async fn with_role(&self, store: &Store, role: Role) -> TestWorkspace {
        let issued = workspace_admin::issue_workspace_token(store, &self.id, &self.user_id, role)
            .await
            .expect("issue a workspace token");
        TestWorkspace {
            token: issued.token.expose().to_owned(),
            ..self.clone()
        }
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

/// A request for a route with its path parameters filled in, as API Gateway matches it.
pub fn route_request(
    method: &str,
    route: &str,
    params: &[(&str, &str)],
) -> tessera_admin::apigw::HttpApiRequest {
    let path = params.iter().fold(route.to_owned(), |path, (name, value)| {
        path.replace(&format!("{{{name}}}"), value)
    });
    params.iter().fold(
        tessera_admin::apigw::HttpApiRequest::new(method, route, &path),
        |req, (name, value)| req.path_parameter(name, value),
    )
}

/// The claims of a JWT of `kind` this state signed (panics if it does not verify).
pub async fn claims_of(state: &AppState, kind: JwtKind, token: &str) -> tessera_jwt::BaseClaims {
    tessera_jwt::base_token::verify(state, kind, token)
        .await
        .expect("keys")
        .expect("the JWT verifies")
}

/// The status and JSON body of a handler's response.
pub fn status_and_json(
    response: &lambda_http::Response<lambda_http::Body>,
) -> (u16, serde_json::Value) {
    (response.status().as_u16(), body_json(response))
}

/// A fresh state with the fixture data set (`events/` names its tokens) loaded.
pub async fn fixture_state() -> AppState {
    let state = fresh_state().await;
    tessera_admin::fixtures::load(&state.store)
        .await
        .expect("load the fixture");
    state
}

/// `Token <t>` for a well-formed user auth token that no table knows.
pub fn unknown_user_auth() -> String {
    format!(
        "Token {}",
        tessera_common::token::NewToken::generate(tessera_common::token::TokenKind::UserAuthToken)
            .expose()
    )
}

/// The keys of a JSON object, in order.
pub fn keys(value: &serde_json::Value) -> Vec<&str> {
    value
        .as_object()
        .expect("a JSON object")
        .keys()
        .map(String::as_str)
        .collect()
}

/// A base's API token with the system clock and the default quota.
pub async fn create_api_token(
    store: &Store,
    base: &Base,
    app_name: &str,
    permission: TokenPermission,
    generated_by: &str,
) -> Result<(ApiToken, NewToken), tessera_common::ApiError> {
    tessera_seatable::tokens::create_api_token(
        store,
        &tessera_common::audit::Auditor::operator(clock::system()),
        base,
        app_name,
        permission,
        generated_by,
        Quotas::DEFAULT.api_tokens_per_base,
    )
    .await
}

/// A base's share link with the system clock.
pub async fn create_share_link(
    store: &Store,
    base: &Base,
    created_by: &str,
    permission: TokenPermission,
    expire_days: Option<u64>,
) -> Result<(ShareLink, tessera_seatable::tokens::LinkToken), tessera_common::ApiError> {
    let new = tessera_seatable::tokens::NewLink {
        permission,
        expire_days,
        custom_token: None,
        route: tessera_common::events::LinkRoute::ShareLink,
    };
    tessera_seatable::tokens::create_share_link(
        store,
        &tessera_common::audit::Auditor::operator(clock::system()),
        base,
        created_by,
        new,
        tessera_common::Quotas::DEFAULT.share_links_per_base,
    )
    .await
}

/// An access token of the workspace, issued by its owner through the store (as
/// POST /accessTokens does), with `scopes` and an expiry in Unix seconds.
pub async fn access_token(
    state: &AppState,
    ws: &TestWorkspace,
    name: &str,
    scopes: &[&str],
    expires: Option<u64>,
) -> (tessera_common::store::records::AccessToken, NewToken) {
    let template = tessera_common::store::records::AccessToken {
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        expires,
        ..new_access_token(state, &ws.id, &ws.user_id, name, "")
    };
    store_access_token(state, template).await
}

/// An access token of any workspace id and user, with a description, stored as
/// POST /accessTokens stores it; the plaintext token.
pub async fn seed_access_token(
    state: &AppState,
    workspace_id: &str,
    user_id: &str,
    name: &str,
    description: &str,
) -> String {
    let record = new_access_token(state, workspace_id, user_id, name, description);
    store_access_token(state, record)
        .await
        .1
        .expose()
        .to_owned()
}

/// A record for `store_access_token`, which gives it its token's digest.
fn new_access_token(
    state: &AppState,
    workspace_id: &str,
    user_id: &str,
    name: &str,
    description: &str,
) -> tessera_common::store::records::AccessToken {
    tessera_common::store::records::AccessToken::new(
        new_id(),
        workspace_id.to_owned(),
        name.to_owned(),
        description.to_owned(),
        user_id.to_owned(),
        tessera_common::token::TokenDigest::of(""),
        state.clock.now_rfc3339(),
    )
}

/// Stores `record` under a new token's digest; the record and the token.
async fn store_access_token(
    state: &AppState,
    record: tessera_common::store::records::AccessToken,
) -> (tessera_common::store::records::AccessToken, NewToken) {
    let token = NewToken::generate(tessera_common::token::TokenKind::AccessToken);
    let record = tessera_common::store::records::AccessToken {
        digest: token.digest().clone(),
        ..record
    };
    state
        .store
        .create_access_token(
            &record,
            state.quotas.access_tokens_per_workspace,
            &tessera_common::audit::Auditor::operator(state.clock.clone()),
        )
        .await
        .expect("create an access token");
    (record, token)
}

/// A webhook endpoint of `ws` for `url`, stored as POST /webhooks stores it, taking
/// `event_types` (empty: all).
pub async fn webhook(
    state: &AppState,
    ws: &TestWorkspace,
    url: &str,
    event_types: &[&str],
) -> tessera_common::store::webhooks::Webhook {
    let webhook = tessera_common::store::webhooks::Webhook {
        id: new_id(),
        workspace_id: ws.id.clone(),
        url: url.to_owned(),
        event_types: event_types.iter().map(|t| t.to_string()).collect(),
        description: String::new(),
        created_at: state.clock.now_rfc3339(),
        secret_nonce: new_id(),
        previous_secret_nonce: None,
        previous_secret_until: None,
        failing_since: None,
    };
    state
        .store
        .create_webhook(
            &webhook,
            tessera_webhooks::MAX_WEBHOOKS_PER_WORKSPACE,
            &tessera_common::audit::Auditor::operator(state.clock.clone()),
        )
        .await
        .expect("store a webhook endpoint");
    webhook
}
