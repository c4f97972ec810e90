//! A fixed data set with known ids and tokens, which the events in `events/` name: loaded
//! into local tables by the event tests, the runtime tests and `tessera-admin fixtures
//! load`. Its tokens are public, so it never belongs in a deployed table.

use crate::store::{SeaTableStore, WorkspaceStore};
use tessera_common::{
    audit::Auditor,
    clock::{self, now_rfc3339},
    store::{
        records::{
            AccessToken, ApiToken, Base, CreditsEvents, Member, MemberPermission, Role, ShareLink,
            TokenPermission, User, Workspace, WorkspaceToken,
        },
        webhooks::Webhook,
        Store, StoreError,
    },
    token::{NewToken, TokenKind},
    usage::RateLimit,
    Quotas,
};

/// A workspace id as SeaTable's are: a positive integer.
pub const WORKSPACE_ID: &str = "1";
pub const USER_ID: &str = "FixtureUser00000000001";
pub const USERNAME: &str = "fixture@example.com";
pub const DTABLE_NAME: &str = "Hello";
/// The seed's sample dtable_uuid.
pub const DTABLE_UUID: &str = "5a40dd8e59b749ff84a73c9fb8a0cf60";
pub const APP_NAME: &str = "fixture-app";
pub const ACCESS_TOKEN_NAME: &str = "fixture-token";
pub const METERED_ACCESS_TOKEN_NAME: &str = "fixture-metered-token";
pub const LAST_CREDIT_ACCESS_TOKEN_NAME: &str = "fixture-last-credit";
pub const EXPIRING_ACCESS_TOKEN_NAME: &str = "fixture-expiring";
pub const SHARDED_EMPTY_ACCESS_TOKEN_NAME: &str = "fixture-sharded-empty";
pub const SHARE_LINK_ID: &str = "FixtureShareLink000001";
/// A webhook endpoint of the workspace, at a port of this machine where nothing listens:
/// deliveries to it fail without a byte leaving 127.0.0.1 (and are refused outright
/// where loopback receivers are not allowed).
pub const WEBHOOK_ID: &str = "FixtureWebhook00000001";
pub const WEBHOOK_URL: &str = "http://127.0.0.1:9/fixture-hook";
pub const WEBHOOK_SECRET_NONCE: &str = "FixtureWebhookNonce001";
/// The secret of the rotation function's events (events/rotate-signing-key), staged by
/// the tests in the middle of a rotation: new version `ROTATION_VERSION`, key created.
pub const ROTATING_SECRET_ID: &str = "tessera-fixture-rotating-key";
pub const ROTATION_VERSION: &str = "FixtureRotationVersion0000000001";

/// The fixture's tokens, as a caller would present them.
pub struct FixtureTokens {
    pub workspace: NewToken,
    pub read_only_workspace: NewToken,
    pub user_auth: NewToken,
    pub api: NewToken,
    pub share_link: NewToken,
    pub access: NewToken,
    /// An access token with a rate limit and credits no benchmark exhausts: the metered
    /// path of the verify API and the authorizer.
    pub metered_access: NewToken,
    /// The first of the benchmark's extra tokens: metered, with a 2 KB `meta`, to measure
    /// what a large record costs a spend (`add_access_tokens`).
    pub metered_meta_access: NewToken,
    /// The second: metered, its meter split over 16 shards, for the hot-token simulation.
    pub hot_access: NewToken,
    /// An access token with one credit: the verification that spends it sends `Credits
    /// Exhausted` (events/verify-access-token, events/authorizer).
    pub last_credit_access: NewToken,
    /// An access token whose credits, split over 2 shards, are spent: every verification
    /// reads both shards (the verify API's and the authorizer's BatchGetItem).
    pub sharded_empty_access: NewToken,
}

pub fn tokens() -> FixtureTokens {
    FixtureTokens {
        workspace: NewToken::fixture(TokenKind::WorkspaceToken, "FixtureWorkspaceToken000000001"),
        read_only_workspace: NewToken::fixture(
            TokenKind::WorkspaceToken,
            "FixtureReadOnlyWorkspaceToken1",
        ),
        user_auth: NewToken::fixture(TokenKind::UserAuthToken, "FixtureUserAuthToken0000000001"),
        api: NewToken::fixture(TokenKind::ApiToken, "FixtureBaseApiToken00000000001"),
        share_link: NewToken::fixture(TokenKind::ShareLink, "FixtureShareLink00000000000001"),
        access: NewToken::fixture(TokenKind::AccessToken, "FixtureAccessToken000000000001"),
        metered_access: NewToken::fixture(TokenKind::AccessToken, "FixtureMeteredAccessToken00001"),
        metered_meta_access: NewToken::fixture(
            TokenKind::AccessToken,
            "FixtureMeteredMetaToken0000001",
        ),
        hot_access: NewToken::fixture(TokenKind::AccessToken, "FixtureHotShardedToken00000001"),
        last_credit_access: NewToken::fixture(
            TokenKind::AccessToken,
            "FixtureLastCreditToken00000001",
        ),
        sharded_empty_access: NewToken::fixture(
            TokenKind::AccessToken,
            "FixtureShardedEmptyToken000001",
        ),
    }
}

/// Empties a local table (a Scan, then deletes): to load the fixture afresh.
pub async fn reset(store: &Store) -> Result<usize, StoreError> {
    let mut removed = 0;
    loop {
        let page = store
            .client()
            .scan()
            .table_name(store.table_name())
            .projection_expression("pk, sk")
            .send()
            .await?;
        let items = page.items.unwrap_or_default();
        if items.is_empty() {
            return Ok(removed);
        }
        for item in items {
            store
                .client()
                .delete_item()
                .table_name(store.table_name())
                .set_key(Some(item))
                .send()
                .await?;
            removed += 1;
        }
    }
}

/// Adds `count` more access tokens to the fixture workspace (`bench-token-<i>`, with fresh
/// tokens nobody holds but the first two, `metered_meta_access` and `hot_access`): a listing
/// of a realistic size for `make bench`, a metered token with a 2 KB `meta`, and a metered
/// token whose meter is split over 16 shards.
pub async fn add_access_tokens(store: &Store, count: u32) -> Result<(), StoreError> {
    let operator = Auditor::operator(clock::system());
    for i in 1..=count {
        let token = NewToken::generate(TokenKind::AccessToken);
        let mut record = AccessToken::new(
            tessera_common::token::new_id(),
            WORKSPACE_ID.into(),
            format!("bench-token-{i}"),
            "added for the benchmark".into(),
            USER_ID.into(),
            token.digest().clone(),
            now_rfc3339(),
        );
        if i == 1 {
            // Metered, with `meta` at its 2 KB bound: a spend of a well-described token.
            record = AccessToken {
                digest: tokens().metered_meta_access.digest().clone(),
                ratelimit: Some(RateLimit {
                    limit: 1_000_000,
                    duration_secs: 60,
                }),
                credits_remaining: Some(1_000_000_000),
                meta: Some(serde_json::json!({ "notes": "m".repeat(2036) }).to_string()),
                ..record
            };
        }
        if i == 2 {
            // Limits no simulation exhausts, over 16 shards: a token too busy for one item.
            record = AccessToken {
                digest: tokens().hot_access.digest().clone(),
                ratelimit: Some(RateLimit {
                    limit: 1_000_000_000,
                    duration_secs: 60,
                }),
                credits_remaining: Some(1_000_000_000_000),
                meter_shards: Some(16),
                ..record
            };
        }
        let quota = Quotas::DEFAULT.access_tokens_per_workspace;
        store.create_access_token(&record, quota, &operator).await?;
    }
    Ok(())
}

/// Loads the fixture into an empty table.
pub async fn load(store: &Store) -> Result<(), StoreError> {
    let tokens = tokens();
    let operator = Auditor::operator(clock::system());
    let now = now_rfc3339();
    let fixed_id = WORKSPACE_ID
        .parse()
        .expect("the fixture's workspace id is an integer");
    store.reserve_workspace_ids_through(fixed_id).await?;
    let workspace = Workspace {
        id: WORKSPACE_ID.into(),
        name: "fixture".into(),
        created_at: now.clone(),
    };
    let workspace_token = |id: &str, token: &NewToken, role| WorkspaceToken {
        id: id.into(),
        workspace_id: WORKSPACE_ID.into(),
        user_id: USER_ID.into(),
        role,
        digest: token.digest().clone(),
        created_at: now.clone(),
    };
    store
        .create_workspace(
            &workspace,
            &workspace_token("FixtureWsToken00000001", &tokens.workspace, Role::Admin),
            &operator,
        )
        .await?;
    store
        .add_workspace_token(
            &workspace_token(
                "FixtureWsToken00000002",
                &tokens.read_only_workspace,
                Role::ReadOnly,
            ),
            &operator,
        )
        .await?;
    store
        .create_access_token(
            &AccessToken::new(
                "FixtureAccessToken0001".into(),
                WORKSPACE_ID.into(),
                ACCESS_TOKEN_NAME.into(),
                "loaded with the fixture".into(),
                USER_ID.into(),
                tokens.access.digest().clone(),
                now.clone(),
            ),
            Quotas::DEFAULT.access_tokens_per_workspace,
            &operator,
        )
        .await?;
    store
        .create_access_token(
            &AccessToken {
                ratelimit: Some(RateLimit {
                    limit: 1_000_000,
                    duration_secs: 60,
                }),
                credits_remaining: Some(1_000_000_000),
                ..AccessToken::new(
                    "FixtureMeteredToken001".into(),
                    WORKSPACE_ID.into(),
                    METERED_ACCESS_TOKEN_NAME.into(),
                    "loaded with the fixture: metered".into(),
                    USER_ID.into(),
                    tokens.metered_access.digest().clone(),
                    now.clone(),
                )
            },
            Quotas::DEFAULT.access_tokens_per_workspace,
            &operator,
        )
        .await?;
    store
        .create_access_token(
            &AccessToken {
                credits_remaining: Some(1),
                credits_events: Some(CreditsEvents::granted(1, clock::now_secs())),
                ..AccessToken::new(
                    "FixtureLastCreditTok01".into(),
                    WORKSPACE_ID.into(),
                    LAST_CREDIT_ACCESS_TOKEN_NAME.into(),
                    "loaded with the fixture: one credit".into(),
                    USER_ID.into(),
                    tokens.last_credit_access.digest().clone(),
                    now.clone(),
                )
            },
            Quotas::DEFAULT.access_tokens_per_workspace,
            &operator,
        )
        .await?;
    store
        .create_user(
            &User {
                id: USER_ID.into(),
                name: USERNAME.into(),
                digest: tokens.user_auth.digest().clone(),
                created_at: now.clone(),
                disabled: false,
                revoked_before: None,
            },
            &operator,
        )
        .await?;
    let base = Base {
        workspace_id: WORKSPACE_ID.into(),
        name: DTABLE_NAME.into(),
        dtable_uuid: DTABLE_UUID.into(),
        owner_id: USER_ID.into(),
        created_at: now.clone(),
    };
    store.create_base(&base, &operator).await?;
    store
        .put_member(
            &Member {
                workspace_id: WORKSPACE_ID.into(),
                user_id: USER_ID.into(),
                permission: MemberPermission::Admin,
            },
            &operator,
        )
        .await?;
    store
        .create_api_token(
            &ApiToken {
                dtable_uuid: DTABLE_UUID.into(),
                workspace_id: WORKSPACE_ID.into(),
                dtable_name: DTABLE_NAME.into(),
                app_name: APP_NAME.into(),
                permission: TokenPermission::Rw,
                generated_by: USERNAME.into(),
                generated_at: now.clone(),
                last_access: None,
                digest: tokens.api.digest().clone(),
            },
            Quotas::DEFAULT.api_tokens_per_base,
            &operator,
        )
        .await?;
    store
        .create_share_link(
            &ShareLink {
                id: SHARE_LINK_ID.into(),
                dtable_uuid: DTABLE_UUID.into(),
                workspace_id: WORKSPACE_ID.into(),
                dtable_name: DTABLE_NAME.into(),
                permission: TokenPermission::R,
                created_by: USER_ID.into(),
                created_at: now,
                expires_at: None,
                digest: tokens.share_link.digest().clone(),
                is_custom: false,
            },
            Quotas::DEFAULT.share_links_per_base,
            &operator,
            tessera_common::events::LinkRoute::ShareLink,
        )
        .await?;
    store
        .create_access_token(
            &AccessToken {
                credits_remaining: Some(0),
                credits_events: Some(CreditsEvents::granted(0, clock::now_secs())),
                meter_shards: Some(2),
                ..AccessToken::new(
                    "FixtureShardedEmpty001".into(),
                    WORKSPACE_ID.into(),
                    SHARDED_EMPTY_ACCESS_TOKEN_NAME.into(),
                    "loaded with the fixture: no credits left, over 2 shards".into(),
                    USER_ID.into(),
                    tokens.sharded_empty_access.digest().clone(),
                    now_rfc3339(),
                )
            },
            Quotas::DEFAULT.access_tokens_per_workspace,
            &operator,
        )
        .await?;
    // A token that expires in 6 days: notify-expiring's 7-day notice is due.
    store
        .create_access_token(
            &AccessToken {
                expires: Some(clock::now_secs() + 6 * 86_400),
                ..AccessToken::new(
                    "FixtureExpiringToken01".into(),
                    WORKSPACE_ID.into(),
                    EXPIRING_ACCESS_TOKEN_NAME.into(),
                    "loaded with the fixture: expires in 6 days".into(),
                    USER_ID.into(),
                    NewToken::generate(TokenKind::AccessToken).digest().clone(),
                    now_rfc3339(),
                )
            },
            Quotas::DEFAULT.access_tokens_per_workspace,
            &operator,
        )
        .await?;
    store
        .create_webhook(
            &Webhook {
                id: WEBHOOK_ID.into(),
                workspace_id: WORKSPACE_ID.into(),
                url: WEBHOOK_URL.into(),
                event_types: Vec::new(),
                description: "fixture".into(),
                created_at: now_rfc3339(),
                secret_nonce: WEBHOOK_SECRET_NONCE.into(),
                previous_secret_nonce: None,
                previous_secret_until: None,
                failing_since: None,
            },
            20,
            &operator,
        )
        .await
}
