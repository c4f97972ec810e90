//! Issue 28, item 2: a hot token's meter split over shards (`meterShards`), each an item
//! and a partition of its own. Under 20 concurrent verifiers on DynamoDB Local it never
//! admits more than its limits, and, since a use falls back to any shard with room, it
//! admits all of them; edits, rerolls and deletes race the verifiers as they do unsharded.

use serde_json::json;
use tessera_common::{
    store::{meters::ShardKey, records::Role},
    AppState,
};
use tessera_metering::{counts, Outcome};
use tessera_test_support::{fresh_state, workspace, ManualClock, TestWorkspace};
use tessera_tests::{
    call,
    meter_calls::{create, patch, request, reroll, state_on, stored, valid_while, verify},
};

/// `n` verifiers, each verifying `token` `each` times: every status and code.
async fn race(
    state: &AppState,
    ws: &TestWorkspace,
    token: &str,
    n: usize,
    each: usize,
) -> Vec<(u16, String)> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (state, ws, token) = (state.clone(), ws.clone(), token.to_owned());
            tokio::spawn(async move {
                let mut seen = Vec::new();
                for _ in 0..each {
                    seen.push(verify(&state, &ws, &token).await);
                }
                seen
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    assert!(all.iter().all(|(status, _)| *status == 200), "{all:?}");
    all
}

fn count(codes: &[(u16, String)], code: &str) -> usize {
    codes.iter().filter(|(_, c)| c == code).count()
}

/// The VALID uses each shard counted today.
async fn valid_by_shard(state: &AppState, meter_id: &str, shards: u32) -> Vec<u64> {
    let mut counted = Vec::new();
    for shard in 0..shards {
        let meter = state
            .store
            .meter_shard(&ShardKey::new(meter_id, shard))
            .await
            .unwrap()
            .expect("every shard is stored");
        counted.push(
            meter
                .usage
                .unwrap_or_default()
                .get("valid")
                .copied()
                .unwrap_or(0),
        );
    }
    counted
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sharded_token_racing_twenty_verifiers_admits_exactly_its_credits() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (token, id) = create(
        &state,
        &ws,
        json!({"credits": {"remaining": 100}, "meterShards": 8}),
    )
    .await;
    // Few more tries than credits: a shard that ran out sends its use to another.
    let codes = race(&state, &ws, &token, 20, 6).await;
    assert_eq!(
        count(&codes, "VALID"),
        100,
        "exactly the balance: {codes:?}"
    );
    assert_eq!(count(&codes, "USAGE_EXCEEDED"), 20);
    let by_shard = valid_by_shard(&state, &id, 8).await;
    assert_eq!(by_shard.iter().sum::<u64>(), 100);
    assert!(
        by_shard.iter().filter(|n| **n > 0).count() > 1,
        "the uses spread over the shards: {by_shard:?}"
    );
    let stored = stored(&state, &ws, &id).await;
    assert_eq!(stored.credits_remaining, Some(0));
    let today = counts::day_of(state.clock.now_secs());
    let days = counts::by_day(&state.store, &stored, today, 1)
        .await
        .unwrap();
    assert_eq!(days[0].1.get(Outcome::Valid), 100);
    assert_eq!(days[0].1.get(Outcome::UsageExceeded), 20);
    let listed = call(
        &state,
        "list-access-tokens",
        request("GET", "/accessTokens", "/accessTokens", &ws, &json!({})),
    )
    .await;
    assert_eq!(listed.json[0]["meterShards"], 8, "{}", listed.json);
    assert_eq!(listed.json[0]["credits"]["remaining"], 0, "{}", listed.json);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sharded_rate_limit_racing_twenty_verifiers_admits_exactly_its_limit() {
    let clock = ManualClock::new();
    let state = state_on(&clock).await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (token, _) = create(
        &state,
        &ws,
        json!({"ratelimit": {"limit": 50, "durationSeconds": 3600}, "meterShards": 8}),
    )
    .await;
    let codes = race(&state, &ws, &token, 20, 3).await;
    assert_eq!(count(&codes, "VALID"), 50, "exactly the limit: {codes:?}");
    assert_eq!(count(&codes, "RATE_LIMITED"), 10);
}

/// One credit and one use per shard: every one of them is admitted, one after another,
/// whichever shard each verification picks first; then the token is refused.
#[tokio::test]
async fn every_shards_last_credit_and_use_is_admitted() {
    let clock = ManualClock::new();
    let state = state_on(&clock).await;
    let ws = workspace(&state.store, Role::Admin).await;
    for (fields, refused) in [
        (json!({"credits": {"remaining": 8}}), "USAGE_EXCEEDED"),
        (
            json!({"ratelimit": {"limit": 8, "durationSeconds": 3600}}),
            "RATE_LIMITED",
        ),
    ] {
        let mut fields = fields;
        fields["meterShards"] = json!(8);
        let (token, _) = create(&state, &ws, fields).await;
        for i in 0..8 {
            assert_eq!(
                verify(&state, &ws, &token).await,
                (200, "VALID".into()),
                "use {i} of 8"
            );
        }
        assert_eq!(verify(&state, &ws, &token).await, (200, refused.into()));
    }
}

/// An edit of a sharded token's credits racing 20 verifiers: each shard takes its share
/// of the new balance, and exactly the balance is admitted.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_credits_edit_of_a_sharded_token_racing_twenty_verifiers_admits_exactly_the_balance() {
    let clock = ManualClock::new();
    let state = state_on(&clock).await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (token, id) = create(
        &state,
        &ws,
        json!({"credits": {"remaining": 0}, "meterShards": 4}),
    )
    .await;
    let edit = patch(&state, &ws, &id, json!({"credits": {"remaining": 50}}));
    let valid = valid_while(&state, &ws, &token, edit, "USAGE_EXCEEDED").await;
    assert_eq!(valid, 50);
}

/// An edit of a sharded token's rate limit racing 20 verifiers: each shard keeps the uses
/// it admitted in the window, so the window admits exactly the new limit in all.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rate_limit_edit_of_a_sharded_token_racing_twenty_verifiers_admits_exactly_the_limit() {
    let clock = ManualClock::new();
    let state = state_on(&clock).await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (token, id) = create(
        &state,
        &ws,
        json!({"ratelimit": {"limit": 10, "durationSeconds": 3600}, "meterShards": 4}),
    )
    .await;
    let edit = patch(
        &state,
        &ws,
        &id,
        json!({"ratelimit": {"limit": 30, "durationSeconds": 3600}}),
    );
    let valid = valid_while(&state, &ws, &token, edit, "RATE_LIMITED").await;
    assert_eq!(valid, 30);
}

/// A reroll of a sharded token racing 20 verifiers: the successor spends the same shards,
/// and the two tokens together admit exactly the balance. Deleting the successor then
/// removes every shard.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sharded_token_rerolled_and_deleted_under_twenty_verifiers_keeps_one_balance() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (token, id) = create(
        &state,
        &ws,
        json!({"credits": {"remaining": 120}, "meterShards": 4}),
    )
    .await;
    let racing = tokio::spawn({
        let (state, ws, token) = (state.clone(), ws.clone(), token.clone());
        async move { race(&state, &ws, &token, 20, 3).await }
    });
    let (status, json) = reroll(&state, &ws, &id, 3600).await;
    assert_eq!(status, 200, "{json}");
    let successor = json["data"]["token"].as_str().unwrap().to_owned();
    let successor_id = json["data"]["id"].as_str().unwrap().to_owned();
    let before = racing.await.unwrap();
    let after = race(&state, &ws, &successor, 20, 4).await;
    assert_eq!(
        count(&before, "VALID") + count(&after, "VALID"),
        120,
        "one balance across the reroll"
    );
    let (status, _) = call_delete(&state, &ws, &successor_id).await;
    assert_eq!(status, 200);
    for shard in 0..4 {
        let left = state
            .store
            .meter_shard(&ShardKey::new(&id, shard))
            .await
            .unwrap();
        assert!(left.is_none(), "shard {shard} outlived its token");
    }
    assert_eq!(verify(&state, &ws, &token).await, (200, "NOT_FOUND".into()));
}

async fn call_delete(state: &AppState, ws: &TestWorkspace, id: &str) -> (u16, serde_json::Value) {
    let path = format!("/accessTokens/{id}");
    let req =
        request("DELETE", "/accessTokens/{id}", &path, ws, &json!({})).path_parameter("id", id);
    let answer = call(state, "delete-access-token", req).await;
    (answer.status, answer.json)
}

/// `meterShards` is checked (1 to 32) and fixed at creation: PATCH refuses it.
#[tokio::test]
async fn meter_shards_are_checked_and_fixed_at_creation() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    for bad in [json!(0), json!(33), json!("8"), json!(2.5)] {
        let body = json!({"name": "hot", "meterShards": bad});
        let answer = call(
            &state,
            "create-access-token",
            request("POST", "/accessTokens", "/accessTokens", &ws, &body),
        )
        .await;
        assert_eq!(answer.status, 400, "{bad}: {}", answer.json);
        assert!(
            answer.json.to_string().contains("meterShards"),
            "{}",
            answer.json
        );
    }
    let (_, id) = create(&state, &ws, json!({"meterShards": 2})).await;
    let (status, json) = patch(&state, &ws, &id, json!({"meterShards": 4})).await;
    assert_eq!(status, 400, "{json}");
    assert!(json.to_string().contains("cannot change"), "{json}");
}
