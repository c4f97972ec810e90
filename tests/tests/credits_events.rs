//! Issue 29: `Credits Low` and `Credits Exhausted`, once per grant of a token's credits,
//! however many verifications race over the line; again after an edit states credits
//! anew; and written by the next verification when the one that crossed the line did not.

use std::sync::{atomic::AtomicBool, Arc};

use serde_json::{json, Value};
use tessera_common::{config::sdk_config, store::records::Role, AppState};
use tessera_test_support::{fresh_state, fresh_state_with_stream, workspace, TestWorkspace};
use tessera_tests::{
    event_pipeline::{
        bus_turn, check_against_schemas, event_bus, received, stream_of, subscribed_queue,
    },
    meter_calls::{create, joined, patch, stored, verifiers, verify},
};

/// The credits events of a token's log: (action, what the event says is left).
async fn credits_events(state: &AppState, ws: &TestWorkspace, id: &str) -> Vec<(String, u64)> {
    let log = state.store.audit_log(&ws.id, 100, None).await.unwrap();
    let mut found: Vec<(String, u64)> = log
        .entries
        .into_iter()
        .filter(|e| {
            e.object == format!("access_token:{id}")
                && e.action.starts_with("access_token.credits_")
        })
        .map(|e| {
            let event = e.event.expect("a credits entry carries its event");
            let detail: Value = serde_json::from_str(&event.detail).unwrap();
            (e.action, detail["credits"]["remaining"].as_u64().unwrap())
        })
        .collect();
    found.reverse(); // oldest first
    found
}

/// 20 verifiers of `token` until none has credits left: how many were VALID.
async fn spend_all(state: &AppState, ws: &TestWorkspace, token: &str) -> usize {
    let tokens = Arc::new(std::sync::Mutex::new(vec![token.to_owned()]));
    let stop = Arc::new(AtomicBool::new(false));
    let tasks = verifiers(state, ws, &tokens, &stop, 20);
    let mut polled = 0;
    loop {
        match verify(state, ws, token).await.1.as_str() {
            "USAGE_EXCEEDED" => break,
            "VALID" => polled += 1,
            _ => {}
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = joined(tasks).await;
    assert!(
        seen.iter().all(|(status, _)| *status == 200),
        "every answer a 200"
    );
    seen.iter().filter(|(_, code)| code == "VALID").count() + polled
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_verifiers_over_the_lines_send_each_event_once_and_an_edit_arms_them_again() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (token, id) = create(&state, &ws, json!({ "credits": { "remaining": 100 } })).await;
    let valid = spend_all(&state, &ws, &token).await;
    assert_eq!(valid, 100, "exactly the credits, no more, no fewer");
    let mut events = credits_events(&state, &ws, &id).await;
    events.sort();
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0], ("access_token.credits_exhausted".to_owned(), 0));
    assert_eq!(events[1].0, "access_token.credits_low");
    assert!(events[1].1 < 10, "under the line (10% of 100): {events:?}");

    // Credits stated again: a new grant, whose lines are crossed again, once each.
    assert_eq!(
        patch(&state, &ws, &id, json!({ "credits": { "remaining": 40 } }))
            .await
            .0,
        200
    );
    let valid = spend_all(&state, &ws, &token).await;
    assert_eq!(valid, 40);
    // Sorted: racing verifications stamp their entries with their own start times.
    let mut events = credits_events(&state, &ws, &id).await;
    events.sort();
    assert_eq!(events.len(), 4, "{events:?}");
    assert_eq!(events[0], ("access_token.credits_exhausted".to_owned(), 0));
    assert_eq!(events[1], ("access_token.credits_exhausted".to_owned(), 0));
    assert_eq!(events[2].0, "access_token.credits_low");
    assert_eq!(events[3].0, "access_token.credits_low");
    assert!(events[2].1 < 4, "under 10% of 40: {events:?}");
    assert!(events[3].1 < 10, "under 10% of 100: {events:?}");
    // Verifications refused afterwards send nothing more.
    for _ in 0..3 {
        assert_eq!(verify(&state, &ws, &token).await.1, "USAGE_EXCEEDED");
    }
    assert_eq!(credits_events(&state, &ws, &id).await.len(), 4);
}

#[tokio::test]
async fn the_next_verification_sends_what_the_one_that_crossed_the_line_did_not() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (token, id) = create(&state, &ws, json!({ "credits": { "remaining": 100 } })).await;
    // As if a spend took 95 credits and its function died before writing the event.
    let meter_id = stored(&state, &ws, &id).await.meter_id.unwrap();
    state
        .store
        .client()
        .update_item()
        .table_name(state.store.table_name())
        .set_key(Some(tessera_common::store::meters::meter_key(&meter_id)))
        .update_expression("SET credits_remaining = :five")
        .expression_attribute_values(
            ":five",
            aws_sdk_dynamodb::types::AttributeValue::N("5".into()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(verify(&state, &ws, &token).await.1, "VALID");
    assert_eq!(
        credits_events(&state, &ws, &id).await,
        [("access_token.credits_low".to_owned(), 4)]
    );
    assert_eq!(verify(&state, &ws, &token).await.1, "VALID");
    assert_eq!(credits_events(&state, &ws, &id).await.len(), 1, "once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credits_events_are_published_with_their_shape() {
    let _turn = bus_turn().await;
    event_bus().await;
    let queue = subscribed_queue().await;
    let state = fresh_state_with_stream().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (token, id) = create(
        &state,
        &ws,
        json!({ "credits": { "remaining": 20 }, "externalId": "customer-42" }),
    )
    .await;
    for _ in 0..20 {
        assert_eq!(verify(&state, &ws, &token).await.1, "VALID");
    }
    let batch = stream_of(&state.store).await;
    let answer = publish_events::publish(&sdk_config().await, batch).await;
    assert!(answer.batch_item_failures.is_empty(), "{answer:?}");
    let envelopes: Vec<Value> = received(&queue, 3, std::time::Duration::from_secs(10))
        .await
        .into_iter()
        .filter(|e| e["detail-type"] != "Access Token Created")
        .collect();
    let types: Vec<&str> = envelopes
        .iter()
        .map(|e| e["detail-type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["Credits Low", "Credits Exhausted"]);
    check_against_schemas(&envelopes);
    let low = &envelopes[0]["detail"];
    assert_eq!(low["accessToken"]["id"], id.as_str());
    assert_eq!(low["accessToken"]["externalId"], "customer-42");
    assert_eq!(low["credits"], json!({ "remaining": 1, "lowLine": 2 }));
    assert!(!serde_json::to_string(&envelopes).unwrap().contains(&token));
}

#[tokio::test]
async fn a_token_states_its_own_low_line() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (token, id) = create(
        &state,
        &ws,
        json!({ "credits": { "remaining": 50, "lowThreshold": 30 } }),
    )
    .await;
    let listed = tessera_tests::call(
        &state,
        "list-access-tokens",
        tessera_tests::meter_calls::request(
            "GET",
            "/accessTokens",
            "/accessTokens",
            &ws,
            &json!({}),
        ),
    )
    .await;
    assert_eq!(
        listed.json[0]["credits"],
        json!({ "remaining": 50, "refill": null, "lowThreshold": 30 })
    );
    for _ in 0..20 {
        assert_eq!(verify(&state, &ws, &token).await.1, "VALID");
    }
    assert!(
        credits_events(&state, &ws, &id).await.is_empty(),
        "30 left: not under 30"
    );
    assert_eq!(verify(&state, &ws, &token).await.1, "VALID");
    assert_eq!(
        credits_events(&state, &ws, &id).await,
        [("access_token.credits_low".to_owned(), 29)]
    );
    // Credits stated without a line: 10% of the grant again.
    assert_eq!(
        patch(&state, &ws, &id, json!({ "credits": { "remaining": 100 } }))
            .await
            .0,
        200
    );
    for _ in 0..90 {
        assert_eq!(verify(&state, &ws, &token).await.1, "VALID");
    }
    assert_eq!(
        credits_events(&state, &ws, &id).await.len(),
        1,
        "10 left: not under 10"
    );
    assert_eq!(verify(&state, &ws, &token).await.1, "VALID");
    let events = credits_events(&state, &ws, &id).await;
    assert_eq!(events.len(), 2);
    assert!(
        events.contains(&("access_token.credits_low".to_owned(), 9)),
        "{events:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_token_split_over_shards_sends_each_event_once_for_the_token() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (token, id) = create(
        &state,
        &ws,
        json!({ "credits": { "remaining": 200 }, "meterShards": 4 }),
    )
    .await;
    let valid = spend_all(&state, &ws, &token).await;
    assert_eq!(valid, 200, "exactly the credits, no more, no fewer");
    let mut events = credits_events(&state, &ws, &id).await;
    events.sort();
    assert_eq!(
        events.len(),
        2,
        "once for the token, not once a shard: {events:?}"
    );
    assert_eq!(events[0], ("access_token.credits_exhausted".to_owned(), 0));
    assert_eq!(events[1].0, "access_token.credits_low");
    assert!(
        events[1].1 < 20,
        "the token's credits under 10% of 200: {events:?}"
    );
    for _ in 0..3 {
        assert_eq!(verify(&state, &ws, &token).await.1, "USAGE_EXCEEDED");
    }
    assert_eq!(credits_events(&state, &ws, &id).await.len(), 2);
}
