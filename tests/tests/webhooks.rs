//! Issue 29: webhooks end to end on the local stack. Changes through the API write their
//! events; the table's stream goes through `publish-events` to the emulator's EventBridge; a
//! rule puts every event on a queue, worked as Lambda's SQS event source works it, through
//! `deliver-webhooks` to receivers on 127.0.0.1 that verify each delivery with the
//! `standardwebhooks` package (not Tessera's code).

use std::{
    collections::BTreeSet,
    sync::{Arc, Mutex},
    time::Duration,
};

use deliver_webhooks::{Deliverer, RetryPolicy, Sender, SystemResolver};
use serde_json::{json, Value};
use tessera_common::{config::sdk_config, store::records::Role, AppState};
use tessera_test_support::{fresh_state_with_stream, workspace, TestWorkspace};
use tessera_tests::{
    call,
    event_pipeline::{bus_turn, check_against_schemas, event_bus, stream_of, subscribed_queue},
    meter_calls::{create, patch, request},
    webhooks::{free_port, work_queue, Receiver},
};
use tessera_webhooks::url::AddressPolicy;

/// Loopback receivers are what `make dev` and the tests allow, and only they.
fn allow_loopback() {
    std::env::set_var("WEBHOOKS_ALLOW_LOOPBACK", "true");
}

/// POST /webhooks for a receiver on `port`: the endpoint's id and its secret.
async fn add_endpoint(
    state: &AppState,
    ws: &TestWorkspace,
    port: u16,
    types: Value,
) -> (String, String) {
    let body = json!({ "url": format!("http://127.0.0.1:{port}/hook"), "eventTypes": types });
    let answer = call(
        state,
        "create-webhook",
        request("POST", "/webhooks", "/webhooks", ws, &body),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.json);
    (
        answer.json["data"]["id"].as_str().unwrap().to_owned(),
        answer.json["data"]["secret"].as_str().unwrap().to_owned(),
    )
}

async fn deliverer(queue_url: &str, first_retry: Duration, longest: Duration) -> Deliverer {
    Deliverer {
        retry: RetryPolicy {
            max_attempts: 13,
            first: first_retry,
            longest,
        },
        sender: Sender::new(
            Arc::new(SystemResolver),
            AddressPolicy {
                allow_loopback: true,
            },
            deliver_webhooks::TIMEOUT,
        ),
        queue: Some((
            aws_sdk_sqs::Client::new(&sdk_config().await),
            queue_url.to_owned(),
        )),
    }
}

/// Publishes everything the table's stream holds so far.
async fn publish_all(state: &AppState) {
    let batch = stream_of(&state.store).await;
    let answer = publish_events::publish(&sdk_config().await, batch).await;
    assert!(answer.batch_item_failures.is_empty(), "{answer:?}");
}

/// The ids of the events a workspace's log holds.
/// `POST /webhooks/{id}/test`: a test event for the endpoint, accepted.
async fn send_test_event(state: &AppState, ws: &TestWorkspace, hook: &str) {
    let test = request(
        "POST",
        "/webhooks/{id}/test",
        &format!("/webhooks/{hook}/test"),
        ws,
        &json!({}),
    )
    .path_parameter("id", hook);
    assert_eq!(call(state, "test-webhook", test).await.status, 202);
}

/// Publishes what the stream holds, then delivers from the queue (retries after 1 s, at
/// most 2 s apart) until `done` or `timeout`; the deliverer, to go on with.
async fn deliver_until(
    state: &AppState,
    queue: &str,
    timeout: Duration,
    done: impl Fn() -> bool,
) -> Deliverer {
    publish_all(state).await;
    let deliverer = deliverer(queue, Duration::from_secs(1), Duration::from_secs(2)).await;
    work_queue(state, &deliverer, queue, timeout, done).await;
    deliverer
}

async fn event_ids(state: &AppState, ws: &TestWorkspace) -> BTreeSet<String> {
    let log = state.store.audit_log(&ws.id, 100, None).await.unwrap();
    log.entries
        .into_iter()
        .filter(|e| e.event.is_some())
        .map(|e| e.id)
        .collect()
}

fn ids(received: &[Value]) -> Vec<String> {
    received
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_delivery_verifies_and_no_endpoint_sees_another_workspaces_events() {
    let _turn = bus_turn().await;
    allow_loopback();
    event_bus().await;
    let queue = subscribed_queue().await;
    let state = fresh_state_with_stream().await;
    let a = workspace(&state.store, Role::Admin).await;
    let b = workspace(&state.store, Role::Admin).await;
    let (port_a, port_leaks, port_b) = (free_port(), free_port(), free_port());
    let (hook_a, secret_a) = add_endpoint(&state, &a, port_a, json!([])).await;
    let (_, secret_leaks) =
        add_endpoint(&state, &a, port_leaks, json!(["Access Token Leaked"])).await;
    let (_, secret_b) = add_endpoint(&state, &b, port_b, json!([])).await;
    let receiver_a = Receiver::start(port_a, &[&secret_a, &secret_b]);
    let receiver_leaks = Receiver::start(port_leaks, &[&secret_leaks]);
    let receiver_b = Receiver::start(port_b, &[&secret_b]);

    let (token_a, id_a) = create(&state, &a, json!({ "name": "ci" })).await;
    assert_eq!(
        patch(&state, &a, &id_a, json!({ "enabled": false }))
            .await
            .0,
        200
    );
    let delete = request(
        "DELETE",
        "/accessTokens/{id}",
        &format!("/accessTokens/{id_a}"),
        &a,
        &json!({}),
    )
    .path_parameter("id", &id_a);
    assert_eq!(
        call(&state, "delete-access-token", delete).await.status,
        200
    );
    let (token_b, id_b) = create(&state, &b, json!({ "name": "theirs" })).await;
    send_test_event(&state, &a, &hook_a).await;

    let deliverer = deliver_until(&state, &queue, Duration::from_secs(60), || {
        receiver_a.received().len() >= 4 && !receiver_b.received().is_empty()
    })
    .await;
    // Anything sent where it should not be would arrive meanwhile.
    work_queue(&state, &deliverer, &queue, Duration::from_secs(3), || false).await;

    let got_a = receiver_a.received();
    let mut types: Vec<&str> = got_a.iter().map(|r| r["type"].as_str().unwrap()).collect();
    types.sort();
    assert_eq!(
        types,
        [
            "Access Token Created",
            "Access Token Deleted",
            "Access Token Disabled",
            "Webhook Test"
        ],
        "{got_a:#?}"
    );
    for delivery in &got_a {
        assert_eq!(
            delivery["verifiedWith"],
            json!([0]),
            "signed with A's secret only: {delivery}"
        );
        assert_eq!(delivery["data"]["eventId"], delivery["id"]);
    }
    let unique: BTreeSet<String> = ids(&got_a).into_iter().collect();
    assert_eq!(unique.len(), got_a.len(), "none twice");
    assert_eq!(
        unique,
        event_ids(&state, &a).await,
        "every event of A's log"
    );
    assert!(receiver_leaks.received().is_empty(), "it takes leaks only");

    let got_b = receiver_b.received();
    assert_eq!(got_b.len(), 1, "{got_b:#?}");
    assert_eq!(got_b[0]["type"], "Access Token Created");
    assert_eq!(got_b[0]["data"]["accessToken"]["id"], id_b.as_str());
    assert_eq!(got_b[0]["verifiedWith"], json!([0]));

    // What endpoints get is what the bus carries: each type's schema holds.
    let as_published: Vec<Value> = got_a
        .iter()
        .chain(&got_b)
        .map(|d| json!({ "source": "tessera", "detail-type": d["type"], "detail": d["data"] }))
        .collect();
    check_against_schemas(&as_published);
    let everything = serde_json::to_string(&[got_a, got_b]).unwrap();
    for secret in [&token_a, &token_b, &secret_a, &secret_b, &a.token, &b.token] {
        assert!(
            !everything.contains(secret.as_str()),
            "a secret was delivered"
        );
    }
    assert!(!everything.contains("whsec_"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_down_for_thirty_seconds_then_up_gets_every_event_once() {
    let _turn = bus_turn().await;
    allow_loopback();
    event_bus().await;
    let queue = subscribed_queue().await;
    let state = fresh_state_with_stream().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let port = free_port();
    let (hook, secret) = add_endpoint(&state, &ws, port, json!([])).await;
    for n in 0..5 {
        create(&state, &ws, json!({ "name": format!("token-{n}") })).await;
    }
    publish_all(&state).await;
    let receiver: Arc<Mutex<Option<Receiver>>> = Arc::default();
    let started = receiver.clone();
    let up = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(30)).await;
        let up = tokio::task::spawn_blocking(move || Receiver::start(port, &[&secret]))
            .await
            .unwrap();
        *started.lock().unwrap() = Some(up);
    });
    let received = || {
        receiver
            .lock()
            .unwrap()
            .as_ref()
            .map(Receiver::received)
            .unwrap_or_default()
    };
    // Retries every 1, 2, 4, 4, ... s: the receiver is tried while down, and again once up.
    let deliverer = deliverer(&queue, Duration::from_secs(1), Duration::from_secs(4)).await;
    work_queue(&state, &deliverer, &queue, Duration::from_secs(90), || {
        received().len() >= 5
    })
    .await;
    up.await.unwrap();
    work_queue(&state, &deliverer, &queue, Duration::from_secs(3), || false).await;

    let got = received();
    let unique: BTreeSet<String> = ids(&got).into_iter().collect();
    assert_eq!(
        unique,
        event_ids(&state, &ws).await,
        "every event: {got:#?}"
    );
    assert_eq!(got.len(), 5, "none twice: {got:#?}");
    assert!(got.iter().all(|d| d["verifiedWith"] == json!([0])));
    let attempts = state.store.delivery_attempts(&hook, 100).await.unwrap();
    let refused = attempts
        .iter()
        .filter(|a| {
            a.error
                .as_deref()
                .is_some_and(|e| e.starts_with("connection failed"))
        })
        .count();
    assert!(refused >= 5, "tried while it was down: {attempts:#?}");
    assert_eq!(attempts.iter().filter(|a| a.succeeded()).count(), 5);
    let endpoint = state.store.webhook(&ws.id, &hook).await.unwrap().unwrap();
    assert!(endpoint.failing_since.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_rotation_deliveries_verify_with_the_old_secret_and_the_new() {
    let _turn = bus_turn().await;
    allow_loopback();
    event_bus().await;
    let queue = subscribed_queue().await;
    let state = fresh_state_with_stream().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let port = free_port();
    let (hook, old_secret) = add_endpoint(&state, &ws, port, json!([])).await;
    let path = format!("/webhooks/{hook}/rotate-secret");
    let rotate = request(
        "POST",
        "/webhooks/{id}/rotate-secret",
        &path,
        &ws,
        &json!({}),
    )
    .path_parameter("id", &hook);
    let rotated = call(&state, "rotate-webhook-secret", rotate).await;
    assert_eq!(rotated.status, 200, "{}", rotated.json);
    let new_secret = rotated.json["data"]["secret"].as_str().unwrap().to_owned();
    let receiver = Receiver::start(port, &[&old_secret, &new_secret]);
    send_test_event(&state, &ws, &hook).await;
    deliver_until(&state, &queue, Duration::from_secs(30), || {
        !receiver.received().is_empty()
    })
    .await;
    let got = receiver.received();
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!(
        got[0]["verifiedWith"],
        json!([0, 1]),
        "both secrets sign during the overlap"
    );
}
