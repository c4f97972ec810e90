//! Issue 29: events from what the table committed. Each access-token change through the
//! API writes its event with its audit entry; the table's stream (DynamoDB Local's), read as
//! Lambda's event source hands it over, goes through `publish-events` to the emulator's
//! EventBridge, and a rule delivers to a queue, as a subscriber's would. Every event arrives
//! once per publication, in order, with its type's shape (checked against docs/events.md's
//! JSON Schemas by `jsonschema`) and no secret; a change that failed publishes nothing.

use std::time::Duration;

use serde_json::{json, Value};
use tessera_common::{audit::Auditor, config::sdk_config, store::records::Role, AppState, Quotas};
use tessera_test_support::{fresh_state_with_stream, workspace};
use tessera_tests::{
    call,
    event_pipeline::{
        bus_turn, check_against_schemas, event_bus, received, stream_of, subscribed_queue,
    },
    meter_calls::{create, patch, request, reroll, stored},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_access_token_change_is_published_once_in_order_with_its_shape() {
    let _turn = bus_turn().await;
    event_bus().await;
    let queue = subscribed_queue().await;
    let state = AppState {
        quotas: Quotas {
            access_tokens_per_workspace: 2,
            ..Quotas::DEFAULT
        },
        ..fresh_state_with_stream().await
    };
    let ws = workspace(&state.store, Role::Admin).await;
    let (token, id) = create(
        &state,
        &ws,
        json!({"name": "ci", "externalId": "customer-42", "credits": {"remaining": 100}}),
    )
    .await;
    assert_eq!(
        patch(&state, &ws, &id, json!({"enabled": false})).await.0,
        200
    );
    assert_eq!(
        patch(&state, &ws, &id, json!({"enabled": true})).await.0,
        200
    );
    assert_eq!(
        patch(&state, &ws, &id, json!({"description": "billing"}))
            .await
            .0,
        200
    );
    let (status, rerolled) = reroll(&state, &ws, &id, 3600).await;
    assert_eq!(status, 200, "{rerolled}");
    let successor_id = rerolled["data"]["id"].as_str().unwrap().to_owned();
    let successor_token = rerolled["data"]["token"].as_str().unwrap().to_owned();
    // A change that fails writes nothing, so publishes nothing: the quota of 2 is reached
    // (the rerolled token counts until its grace ends).
    let refused = call(
        &state,
        "create-access-token",
        request(
            "POST",
            "/accessTokens",
            "/accessTokens",
            &ws,
            &json!({"name": "one too many"}),
        ),
    )
    .await;
    assert_eq!(refused.status, 400, "{}", refused.json);
    let path = format!("/accessTokens/{successor_id}");
    let delete = request("DELETE", "/accessTokens/{id}", &path, &ws, &json!({}))
        .path_parameter("id", &successor_id);
    assert_eq!(
        call(&state, "delete-access-token", delete).await.status,
        200
    );
    // What secret scanning does with a reported token: delete it, as a leak response.
    let old = stored(&state, &ws, &id).await;
    let leak = Auditor::operator(state.clock.clone()).responding_to_leak();
    state.store.delete_access_token(&old, &leak).await.unwrap();

    let batch = stream_of(&state.store).await;
    let answer = publish_events::publish(&sdk_config().await, batch.clone()).await;
    assert!(answer.batch_item_failures.is_empty(), "{answer:?}");
    let envelopes = received(&queue, 8, Duration::from_secs(10)).await;
    let types: Vec<&str> = envelopes
        .iter()
        .map(|envelope| envelope["detail-type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "Access Token Created",
            "Access Token Disabled",
            "Access Token Enabled",
            "Access Token Updated",
            "Access Token Rerolled",
            "Access Token Deleted",
            "Access Token Leaked",
        ],
        "one event per committed change, in order: {envelopes:#?}"
    );
    let detail = |i: usize| &envelopes[i]["detail"];
    assert!(envelopes.iter().all(|e| e["source"] == "tessera"));
    assert_eq!(detail(0)["accessToken"]["id"], id.as_str());
    assert_eq!(detail(0)["accessToken"]["externalId"], "customer-42");
    assert_eq!(
        detail(0)["workspaceId"].as_u64().unwrap().to_string(),
        ws.id
    );
    assert_eq!(detail(3)["changed"], json!(["description"]));
    assert_eq!(detail(4)["successor"]["id"], successor_id.as_str());
    assert_eq!(detail(5)["accessToken"]["id"], successor_id.as_str());
    let ids: std::collections::BTreeSet<&str> = envelopes
        .iter()
        .map(|e| e["detail"]["eventId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), envelopes.len(), "each event its own id");
    check_against_schemas(&envelopes);
    // No secret: neither token, nor its digest, nor the workspace token.
    let text = serde_json::to_string(&envelopes).unwrap();
    for secret in [&token, &successor_token, &ws.token] {
        assert!(!text.contains(secret.as_str()));
        let digest = tessera_common::token::TokenDigest::of(secret);
        assert!(!text.contains(digest.as_hex()));
    }

    // Lambda redelivers a batch it retries: the events come again with the same ids, for
    // the consumer to drop.
    let again = publish_events::publish(&sdk_config().await, batch).await;
    assert!(again.batch_item_failures.is_empty());
    let redelivered = received(&queue, 7, Duration::from_secs(10)).await;
    let again_ids: std::collections::BTreeSet<&str> = redelivered
        .iter()
        .map(|e| e["detail"]["eventId"].as_str().unwrap())
        .collect();
    assert_eq!(again_ids, ids);
}

/// A new type comes with its schema and its example in the catalogue (which
/// infra/scripts/check-event-schemas.py checks against each other).
#[test]
fn every_event_type_has_a_schema_and_an_example() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let catalogue = std::fs::read_to_string(format!("{root}/docs/events.md")).unwrap();
    for kind in tessera_common::events::EventType::ALL {
        let detail_type = kind.detail_type();
        let slug = detail_type.to_lowercase().replace(' ', "-");
        let schema = format!("{root}/docs/event-schemas/{slug}.json");
        assert!(std::path::Path::new(&schema).exists(), "no {schema}");
        assert!(
            catalogue.contains(&format!("### `{detail_type}`")),
            "docs/events.md has no {detail_type}"
        );
    }
}

/// The SeaTable family's changes and the revocations of workspace and user tokens publish
/// their events too, each once, with its type's shape, the route or the reason it says, and
/// no secret.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seatable_family_and_revocations_publish_their_events() {
    use tessera_admin::store::{SeaTableStore, WorkspaceStore};
    use tessera_common::{events::LinkRoute, store::records::TokenPermission};
    use tessera_test_support::{base, create_api_token, create_share_link};

    let _turn = bus_turn().await;
    event_bus().await;
    let queue = subscribed_queue().await;
    let state = fresh_state_with_stream().await;
    let operator = Auditor::operator(state.clock.clone());
    let b = base(&state.store, "Sales").await;
    let (api_token, api_secret) = create_api_token(
        &state.store,
        &b.base,
        "nightly-sync",
        TokenPermission::Rw,
        "o",
    )
    .await
    .unwrap();
    state
        .store
        .delete_api_token(&api_token, &operator.clone().responding_to_leak())
        .await
        .unwrap();
    let (share, share_token) = create_share_link(
        &state.store,
        &b.base,
        &b.owner.id,
        TokenPermission::R,
        Some(7),
    )
    .await
    .unwrap();
    state
        .store
        .revoke_share_link(
            &share,
            state.clock.now_secs(),
            &operator,
            LinkRoute::ShareLink,
        )
        .await
        .unwrap();
    let external = tessera_seatable::tokens::NewLink {
        permission: TokenPermission::Rw,
        expire_days: None,
        custom_token: Some("quarterly-numbers-2026"),
        route: LinkRoute::ExternalLink,
    };
    let (external, _) = tessera_seatable::tokens::create_share_link(
        &state.store,
        &operator,
        &b.base,
        &b.owner.id,
        external,
        10,
    )
    .await
    .unwrap();
    state
        .store
        .revoke_share_link(
            &external,
            state.clock.now_secs(),
            &operator,
            LinkRoute::ExternalLink,
        )
        .await
        .unwrap();
    let issued = tessera_admin::workspace_admin::issue_workspace_token(
        &state.store,
        &b.base.workspace_id,
        "reader",
        Role::ReadOnly,
    )
    .await
    .unwrap();
    state
        .store
        .revoke_workspace_token(&issued.record, &operator)
        .await
        .unwrap();
    let reader = state.store.user(&b.reader.id).await.unwrap().unwrap();
    state.store.disable_user(&reader, &operator).await.unwrap();

    let batch = stream_of(&state.store).await;
    let answer = publish_events::publish(&sdk_config().await, batch).await;
    assert!(answer.batch_item_failures.is_empty(), "{answer:?}");
    let envelopes = received(&queue, 8, Duration::from_secs(10)).await;
    let types: Vec<&str> = envelopes
        .iter()
        .map(|e| e["detail-type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "API Token Created",
            "API Token Deleted",
            "Share Link Created",
            "Share Link Deleted",
            "External Link Created",
            "External Link Deleted",
            "Workspace Token Revoked",
            "User Token Revoked",
        ],
        "one per change, in order"
    );
    check_against_schemas(&envelopes);
    let detail = |i: usize| &envelopes[i]["detail"];
    assert_eq!(detail(1)["leaked"], true, "deleted as a leak response");
    assert_eq!(detail(1)["apiToken"]["appName"], "nightly-sync");
    assert_eq!(detail(3)["link"]["id"], share.id.as_str());
    assert_eq!(detail(4)["link"]["custom"], true);
    assert_eq!(detail(6)["workspaceToken"]["id"], issued.record.id.as_str());
    assert_eq!(detail(6)["reason"], "revoked");
    assert_eq!(detail(7)["userId"], b.reader.id.as_str());
    assert!(
        detail(7).get("workspaceId").is_none(),
        "a user is of no workspace"
    );
    let workspace_id: u64 = b.base.workspace_id.parse().unwrap();
    assert!((0..7).all(|i| detail(i)["workspaceId"] == workspace_id));
    let everything = serde_json::to_string(&envelopes).unwrap();
    for secret in [
        api_secret.expose(),
        share_token.expose(),
        issued.token.expose(),
        b.reader.token.as_str(),
        api_token.digest.as_hex(),
    ] {
        assert!(!everything.contains(secret), "a secret was published");
    }
}

/// notify-expiring's notices reach the bus with their types' shapes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiry_notices_are_published_with_their_shape() {
    let _turn = bus_turn().await;
    event_bus().await;
    let queue = subscribed_queue().await;
    let state = fresh_state_with_stream().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let now = state.clock.now_secs();
    let (soon, _) =
        tessera_test_support::access_token(&state, &ws, "soon", &[], Some(now + 20 * 3600)).await;
    assert_eq!(notify_expiring::notify(&state).await.unwrap(), 1);
    let batch = stream_of(&state.store).await;
    let answer = publish_events::publish(&sdk_config().await, batch).await;
    assert!(answer.batch_item_failures.is_empty(), "{answer:?}");
    let envelopes: Vec<Value> = received(&queue, 2, Duration::from_secs(10))
        .await
        .into_iter()
        .filter(|e| e["detail-type"] != "Access Token Created")
        .collect();
    assert_eq!(envelopes.len(), 1, "{envelopes:?}");
    assert_eq!(envelopes[0]["detail-type"], "Access Token Expiring");
    assert_eq!(envelopes[0]["detail"]["daysBefore"], 1);
    assert_eq!(
        envelopes[0]["detail"]["accessToken"]["id"],
        soon.id.as_str()
    );
    check_against_schemas(&envelopes);
}

/// A rotation's event reaches the bus with its type's shape, of no workspace.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signing_key_rotation_is_published_with_its_shape() {
    let _turn = bus_turn().await;
    event_bus().await;
    let queue = subscribed_queue().await;
    let state = fresh_state_with_stream().await;
    let secret_id = tessera_jwt::base_token::signing_keys(&state)
        .unwrap()
        .secret_id()
        .to_owned();
    let client = tessera_test_support::secretsmanager_client().await;
    rotate_signing_key::event::record_rotation(
        (&state.store, state.clock.now(), state.audit_retention),
        &client,
        &secret_id,
        "4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a99",
        "operator",
    )
    .await
    .unwrap();
    let batch = stream_of(&state.store).await;
    let answer = publish_events::publish(&sdk_config().await, batch).await;
    assert!(answer.batch_item_failures.is_empty(), "{answer:?}");
    let envelopes = received(&queue, 1, Duration::from_secs(10)).await;
    assert_eq!(envelopes.len(), 1, "{envelopes:?}");
    assert_eq!(envelopes[0]["detail-type"], "Signing Key Rotated");
    assert!(envelopes[0]["detail"].get("workspaceId").is_none());
    check_against_schemas(&envelopes);
}
