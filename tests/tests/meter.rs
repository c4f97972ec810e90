//! Issue 26: a meter a platform can bill by. Edits, rerolls and clocks never lock a token
//! out, mint credits or lose spends; each race runs with real concurrency on DynamoDB Local.
//! Issue 28: the meter in an item of its own, and records from before it moved there.

use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::json;
use tessera_common::{
    store::{
        keys,
        records::{Role, REROLL_ABANDONED_SECS},
    },
    token::TokenDigest,
    verify::look_up_access_token,
    AppState,
};
use tessera_metering::{counts, Outcome};
use tessera_test_support::{access_token, fresh_state, workspace, ManualClock};
use tessera_tests::{
    call,
    faults::{Fault, FaultInjector},
    meter_calls::{
        create, joined, patch, request, reroll, state_on, stored, valid_while, verifiers, verify,
    },
    old_shape::make_old_shape,
};

/// Item 1: an edit of the window's duration (the console's "per hour") answered 503 on
/// every verification until the next full hour; now the next spend is VALID at once.
#[tokio::test]
async fn a_spend_after_an_edit_of_the_window_is_valid_at_once() {
    let clock = ManualClock::new();
    let state = state_on(&clock).await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (token, id) = create(
        &state,
        &ws,
        json!({"ratelimit": {"limit": 100, "durationSeconds": 60}}),
    )
    .await;
    // Into the hour, so that the minute's window is later than the hour's.
    clock.advance(Duration::from_secs(600));
    assert_eq!(verify(&state, &ws, &token).await, (200, "VALID".into()));
    for duration in [3600, 86_400, 60] {
        let (status, json) = patch(
            &state,
            &ws,
            &id,
            json!({"ratelimit": {"limit": 100, "durationSeconds": duration}}),
        )
        .await;
        assert_eq!(status, 200, "{json}");
        assert_eq!(
            verify(&state, &ws, &token).await,
            (200, "VALID".into()),
            "after {duration} s windows"
        );
    }
    // The uses of the current window carry over: 1 + 3 verifications, so 96 remain.
    let body = json!({ "token": token });
    let answer = call(
        &state,
        "verify-access-token",
        request(
            "POST",
            "/accessTokens/verify",
            "/accessTokens/verify",
            &ws,
            &body,
        ),
    )
    .await;
    assert_eq!(answer.json["ratelimit"]["remaining"], 95, "{}", answer.json);
}

/// Item 1, refills: a daily refill changed to a monthly one (a later period number than
/// any day's) or back never leaves the credits unspendable.
#[tokio::test]
async fn a_spend_after_an_edit_of_the_refill_is_valid_at_once() {
    let clock = ManualClock::new();
    let state = state_on(&clock).await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (token, id) = create(
        &state,
        &ws,
        json!({"credits": {"remaining": 5, "refill": {"interval": "monthly", "amount": 5}}}),
    )
    .await;
    assert_eq!(verify(&state, &ws, &token).await, (200, "VALID".into()));
    let (status, json) = patch(
        &state,
        &ws,
        &id,
        json!({"credits": {"remaining": 3, "refill": {"interval": "daily", "amount": 3}}}),
    )
    .await;
    assert_eq!(status, 200, "{json}");
    let codes: Vec<_> =
        futures::future::join_all((0..4).map(|_| verify(&state, &ws, &token))).await;
    assert_eq!(
        codes.iter().filter(|(_, c)| c == "VALID").count(),
        3,
        "{codes:?}"
    );
    assert!(codes.iter().all(|(status, _)| *status == 200), "{codes:?}");
}

/// Item 1, clocks: two containers whose clocks differ by 30 s verify across window and
/// refill edges at once; none answers 503, and the limits hold.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn verifiers_whose_clocks_differ_by_30_s_never_answer_503() {
    let ahead = ManualClock::new();
    let state = state_on(&ahead).await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (token, _) = create(&state, &ws, json!({"ratelimit": {"limit": 1000, "durationSeconds": 60}, "credits": {"remaining": 1000, "refill": {"interval": "daily", "amount": 1000}}})).await;
    let behind = ManualClock::new();
    let behind_state = AppState {
        clock: behind.shared(),
        ..state.clone()
    };
    let mut valid = 0;
    // Each round: the clock ahead just past a minute's (and, last, a day's) start, the
    // other 30 s behind it, in the previous window.
    for round in 0..4 {
        let to_edge = if round == 3 {
            86_400 - ahead.shared().now_secs() % 86_400
        } else {
            60 - ahead.shared().now_secs() % 60
        };
        ahead.advance(Duration::from_secs(to_edge + 10));
        let gap = ahead.shared().now_secs() - 30 - behind.shared().now_secs();
        behind.advance(Duration::from_secs(gap));
        let tasks: Vec<_> = (0..20)
            .map(|i| {
                let (state, ws, token) = (
                    if i % 2 == 0 {
                        state.clone()
                    } else {
                        behind_state.clone()
                    },
                    ws.clone(),
                    token.clone(),
                );
                tokio::spawn(async move { verify(&state, &ws, &token).await })
            })
            .collect();
        for task in tasks {
            let (status, code) = task.await.unwrap();
            assert_eq!(status, 200, "round {round}: {code}");
            valid += usize::from(code == "VALID");
        }
    }
    assert_eq!(
        valid, 80,
        "the limits are far from reached: every verification is VALID"
    );
}

/// Item 3: edits racing 20 verifiers of the same token all succeed (a PATCH was a whole-item
/// Put conditional on the counters, and lost to traffic), and no spend is lost or minted.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn edits_racing_twenty_verifiers_succeed_and_lose_no_spend() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let credits = 1_000_000;
    let (token, id) = create(&state, &ws, json!({"credits": {"remaining": credits}, "ratelimit": {"limit": 1_000_000, "durationSeconds": 60}})).await;
    let tokens = Arc::new(std::sync::Mutex::new(vec![token.clone()]));
    let stop = Arc::new(AtomicBool::new(false));
    let tasks = verifiers(&state, &ws, &tokens, &stop, 20);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let edits = [
        json!({"description": "edited under load"}),
        json!({"enabled": false}),
        json!({"meta": {"plan": "pro"}, "externalId": "user_7"}),
        json!({"scopes": ["read"]}),
        json!({"ratelimit": {"limit": 2_000_000, "durationSeconds": 60}}),
        json!({"enabled": true}),
        json!({"expiresAt": tessera_common::clock::rfc3339_from_secs(state.clock.now_secs() + 86_400)}),
    ];
    for edit in edits {
        let (status, json) = patch(&state, &ws, &id, edit.clone()).await;
        assert_eq!(status, 200, "{edit} under load: {json}");
        if edit == json!({"enabled": false}) {
            assert_eq!(verify(&state, &ws, &token).await, (200, "DISABLED".into()));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, Ordering::SeqCst);
    let seen = joined(tasks).await;
    assert!(
        seen.iter().all(|(status, _)| *status == 200),
        "no verification failed: {:?}",
        seen.iter().find(|(s, _)| *s != 200)
    );
    let valid = seen.iter().filter(|(_, code)| code == "VALID").count() as u64;
    assert!(valid > 20, "the verifiers ran while the edits did: {valid}");
    let stored = stored(&state, &ws, &id).await;
    assert_eq!(
        stored.credits_remaining,
        Some(credits - valid),
        "every VALID spent one credit, no more"
    );
    assert_eq!(stored.description, "edited under load");
    assert!(!stored.disabled);
}

/// Item 2: a reroll racing 20 spenders, with and without a grace period: the VALID answers
/// across the old and the new value are exactly the credits (with a grace period they
/// were twice the credits, and spends between the reroll's read and write were forgotten).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reroll_racing_twenty_spenders_neither_mints_nor_loses_credits() {
    for grace in [3600, 0] {
        let state = fresh_state().await;
        let ws = workspace(&state.store, Role::Admin).await;
        let credits = 400;
        let (token, id) = create(&state, &ws, json!({"credits": {"remaining": credits}})).await;
        let tokens = Arc::new(std::sync::Mutex::new(vec![token.clone()]));
        let stop = Arc::new(AtomicBool::new(false));
        let tasks = verifiers(&state, &ws, &tokens, &stop, 20);
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (status, json) = reroll(&state, &ws, &id, grace).await;
        assert_eq!(status, 200, "{json}");
        let new = json["data"]["token"].as_str().unwrap().to_owned();
        tokens.lock().unwrap().push(new.clone());
        // Until both values are refused for want of credits (or the old one is gone); these
        // verifications spend too.
        let mut polled = 0;
        loop {
            let old_code = verify(&state, &ws, &token).await.1;
            let new_code = verify(&state, &ws, &new).await.1;
            polled += usize::from(old_code == "VALID") + usize::from(new_code == "VALID");
            if new_code == "USAGE_EXCEEDED" && (old_code == "USAGE_EXCEEDED" || grace == 0) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        stop.store(true, Ordering::SeqCst);
        let seen = joined(tasks).await;
        assert!(
            seen.iter().all(|(status, _)| *status == 200),
            "grace {grace}: {:?}",
            seen.iter().find(|(s, _)| *s != 200)
        );
        let valid = seen.iter().filter(|(_, code)| code == "VALID").count() + polled;
        assert_eq!(
            valid, credits as usize,
            "grace {grace}: VALID across old and new"
        );
        let refused_old = seen.iter().filter(|(_, code)| code == "NOT_FOUND").count();
        assert!(
            grace > 0 || refused_old > 0,
            "the old value ends with the reroll"
        );
        if grace > 0 {
            // One balance, as the listing shows it for both values.
            let answer = call(
                &state,
                "list-access-tokens",
                request("GET", "/accessTokens", "/accessTokens", &ws, &json!({})),
            )
            .await;
            let listed = answer.json.as_array().unwrap();
            assert_eq!(listed.len(), 2);
            assert!(
                listed.iter().all(|t| t["credits"]["remaining"] == 0),
                "{listed:?}"
            );
        }
    }
}

/// Item 4: a flush of an unmetered token's tally that spans midnight and fails after
/// writing the first day puts back only the day it did not write (it put back both, and
/// the next flush counted the first day twice).
#[tokio::test]
async fn a_failed_flush_across_midnight_puts_back_only_the_days_it_did_not_write() {
    let clock = ManualClock::new();
    let now = clock.shared().now_secs();
    clock.advance(Duration::from_secs(86_400 - now % 86_400 - 60));
    let faults = FaultInjector::default();
    let state = faults
        .on_store_of(AppState {
            clock: clock.shared(),
            ..fresh_state().await
        })
        .await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (record, secret) = access_token(&state, &ws, "unmetered", &[], None).await;
    let token = look_up_access_token(&state.store, secret.expose())
        .await
        .unwrap()
        .unwrap();
    let verify = || tessera_metering::check(&state.store, state.clock.as_ref(), &token, 1, true);
    let day = counts::day_of(state.clock.now_secs());
    // 23:59:00 is written at once; 23:59:10 waits for the next write.
    verify().await.unwrap();
    clock.advance(Duration::from_secs(10));
    verify().await.unwrap();
    // 00:00:10: both days are due; the first day's write goes through, the second fails.
    clock.advance(Duration::from_secs(60));
    faults.set("UpdateItem", Fault::UnreachableAfter(1));
    verify().await.unwrap();
    assert!(faults.injected() > 0, "the second day's write failed");
    faults.clear("UpdateItem");
    // 00:01:10: what was put back is written with this verification.
    clock.advance(Duration::from_secs(60));
    verify().await.unwrap();
    let record = stored(&state, &ws, &record.id).await;
    let days = counts::by_day(&state.store, &record, day + 1, 2)
        .await
        .unwrap();
    assert_eq!(
        days[1].1.get(Outcome::Valid),
        2,
        "23:59:00 and 23:59:10, once each"
    );
    assert_eq!(days[0].1.get(Outcome::Valid), 2, "00:00:10 and 00:01:10");
}

/// A reroll of issue 26 to 28 (before meters had items of their own) that froze a token's
/// counters and died before storing the successor (its function timed out between the two
/// writes): verifications wait and answer 503 with Retry-After meanwhile, and after
/// `REROLL_ABANDONED_SECS` the freeze is undone, the counters move to the token's meter and
/// it spends its own credits again; a new reroll may take over.
#[tokio::test]
async fn a_reroll_that_died_midway_is_undone_after_a_minute() {
    let clock = ManualClock::new();
    let state = state_on(&clock).await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (token, id) = create(&state, &ws, json!({"credits": {"remaining": 5}})).await;
    let record = stored(&state, &ws, &id).await;
    let never_stored = TokenDigest::of("tat_never_stored");
    make_old_shape(
        &state,
        &record,
        &[
            (
                "successor_digest",
                AttributeValue::S(never_stored.as_hex().into()),
            ),
            (
                "successor_pending_since",
                AttributeValue::N(state.clock.now_secs().to_string()),
            ),
        ],
        true,
    )
    .await;
    let body = json!({ "token": token });
    let verify_req = || {
        request(
            "POST",
            "/accessTokens/verify",
            "/accessTokens/verify",
            &ws,
            &body,
        )
    };
    let answer = call(&state, "verify-access-token", verify_req()).await;
    assert_eq!(answer.status, 503, "{}", answer.json);
    assert!(answer.header("retry-after").is_some());
    assert_eq!(
        reroll(&state, &ws, &id, 0).await.0,
        409,
        "one reroll at a time"
    );
    clock.advance(Duration::from_secs(REROLL_ABANDONED_SECS));
    let answer = call(&state, "verify-access-token", verify_req()).await;
    assert_eq!(answer.status, 200, "{}", answer.json);
    assert_eq!(
        (
            answer.json["code"].as_str(),
            answer.json["credits"]["remaining"].as_u64()
        ),
        (Some("VALID"), Some(4))
    );
    let (status, json) = reroll(&state, &ws, &id, 0).await;
    assert_eq!(status, 200, "{json}");
    let new = json["data"]["token"].as_str().unwrap();
    assert_eq!(verify(&state, &ws, new).await, (200, "VALID".into()));
    let listed = state.store.access_tokens(&ws.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].credits_remaining, Some(3));
}

/// A delete by name racing 20 verifiers of the same token: it succeeds (its condition is
/// on the token as read, not on the counters verifications write), no verification fails,
/// and from then on the token is NOT_FOUND.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_delete_racing_twenty_verifiers_succeeds_and_ends_the_token() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (token, _) = create(
        &state,
        &ws,
        json!({"credits": {"remaining": 1_000_000}, "ratelimit": {"limit": 1_000_000, "durationSeconds": 60}}),
    )
    .await;
    let tokens = Arc::new(std::sync::Mutex::new(vec![token.clone()]));
    let stop = Arc::new(AtomicBool::new(false));
    let tasks = verifiers(&state, &ws, &tokens, &stop, 20);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let req =
        request("DELETE", "/accessTokens", "/accessTokens", &ws, &json!({})).query("name=metered");
    let answer = call(&state, "delete-access-tokens", req).await;
    assert_eq!(answer.status, 200, "{}", answer.json);
    assert_eq!(verify(&state, &ws, &token).await, (200, "NOT_FOUND".into()));
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.store(true, Ordering::SeqCst);
    let seen = joined(tasks).await;
    assert!(
        seen.iter().all(|(status, _)| *status == 200),
        "{:?}",
        seen.iter().find(|(s, _)| *s != 200)
    );
    assert!(seen.iter().any(|(_, code)| code == "VALID"));
    assert!(seen.iter().any(|(_, code)| code == "NOT_FOUND"));
    assert!(state.store.access_tokens(&ws.id).await.unwrap().is_empty());
}

/// Tokens rerolled with a grace period before issue 26 kept counters of their own and have
/// no `successor_digest`: such a record keeps spending its own credits through its grace
/// (it is never locked out by the new condition on spends), as it did when it was rerolled.
#[tokio::test]
async fn a_token_rerolled_before_one_balance_keeps_its_own_counters() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (token, id) = create(&state, &ws, json!({"credits": {"remaining": 5}})).await;
    let (status, json) = reroll(&state, &ws, &id, 3600).await;
    assert_eq!(status, 200, "{json}");
    // The old shape: rerolled, no successor_digest, its own balance; so its successor's.
    let old = stored(&state, &ws, &id).await;
    let successor_id = json["data"]["id"].as_str().unwrap();
    let successor = stored(&state, &ws, successor_id).await;
    make_old_shape(&state, &successor, &[], false).await;
    make_old_shape(
        &state,
        &old,
        &[("credits_remaining", AttributeValue::N("3".into()))],
        true,
    )
    .await;
    let codes: Vec<_> =
        futures::future::join_all((0..5).map(|_| verify(&state, &ws, &token))).await;
    assert!(codes.iter().all(|(status, _)| *status == 200), "{codes:?}");
    assert_eq!(
        codes.iter().filter(|(_, c)| c == "VALID").count(),
        3,
        "{codes:?}"
    );
    let old = stored(&state, &ws, &id).await;
    assert_eq!(old.credits_remaining, Some(0));
}

/// An edit of the credits (a new balance and refill) racing 20 verifiers of a token that had
/// none left: exactly the new balance is admitted, nothing minted, lost or locked.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_credits_edit_racing_twenty_verifiers_admits_exactly_the_new_balance() {
    let clock = ManualClock::new();
    let state = state_on(&clock).await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (token, id) = create(&state, &ws, json!({"credits": {"remaining": 0}})).await;
    let edit = patch(
        &state,
        &ws,
        &id,
        json!({"credits": {"remaining": 50, "refill": {"interval": "daily", "amount": 50}}}),
    );
    let valid = valid_while(&state, &ws, &token, edit, "USAGE_EXCEEDED").await;
    assert_eq!(valid, 50, "VALID answers after the balance was set to 50");
    let stored = stored(&state, &ws, &id).await;
    assert_eq!(stored.credits_remaining, Some(0));
}

/// An edit of the rate limit racing 20 verifiers: the uses of the current window carry
/// over, so the window admits exactly the new limit in all, before and after the edit.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rate_limit_edit_racing_twenty_verifiers_admits_exactly_the_new_limit() {
    let clock = ManualClock::new();
    let state = state_on(&clock).await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (token, id) = create(
        &state,
        &ws,
        json!({"ratelimit": {"limit": 10, "durationSeconds": 3600}}),
    )
    .await;
    let edit = patch(
        &state,
        &ws,
        &id,
        json!({"ratelimit": {"limit": 30, "durationSeconds": 3600}}),
    );
    let valid = valid_while(&state, &ws, &token, edit, "RATE_LIMITED").await;
    assert_eq!(
        valid, 30,
        "VALID answers in the window, before and after the edit"
    );
}

/// The attributes of a meter's item as DynamoDB sizes them: each name and its value
/// (a string's UTF-8 bytes, a number's at most 21, a map's 3 plus its entries, each with
/// one more byte).
fn item_bytes(item: &std::collections::HashMap<String, AttributeValue>) -> usize {
    fn value_bytes(value: &AttributeValue) -> usize {
        match value {
            AttributeValue::S(text) => text.len(),
            AttributeValue::N(_) => 21,
            AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
            AttributeValue::M(map) => {
                3 + map
                    .iter()
                    .map(|(name, value)| name.len() + value_bytes(value) + 1)
                    .sum::<usize>()
            }
            AttributeValue::L(list) => 3 + list.iter().map(|v| value_bytes(v) + 1).sum::<usize>(),
            other => panic!("no such attribute on a token's items: {other:?}"),
        }
    }
    item.iter()
        .map(|(name, value)| name.len() + value_bytes(value))
        .sum()
}

async fn raw_item(
    state: &AppState,
    key: std::collections::HashMap<String, AttributeValue>,
) -> std::collections::HashMap<String, AttributeValue> {
    state
        .store
        .client()
        .get_item()
        .table_name(state.store.table_name())
        .set_key(Some(key))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .unwrap_or_default()
}

/// Issue 28, item 1: a token that carries all it may (a 2 KB `meta`, 20 scopes, the longest
/// description and `externalId`, both limits with a refill) is spent on its meter, an item
/// under 1 KB, so each spend is one write unit; its record (over 2 KB) carries no counter.
#[tokio::test]
async fn a_spend_writes_one_item_under_a_kilobyte_whatever_the_token_carries() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let scopes: Vec<String> = (0..20).map(|i| format!("{i:0>64}")).collect();
    let (token, id) = create(
        &state,
        &ws,
        json!({
            "description": "d".repeat(1000),
            "scopes": scopes,
            "externalId": "e".repeat(255),
            "meta": { "k": "m".repeat(2000) },
            "ratelimit": {"limit": 1000, "durationSeconds": 60},
            "credits": {"remaining": 1000, "refill": {"interval": "monthly", "amount": 1000, "refillDay": 31}},
        }),
    )
    .await;
    for _ in 0..3 {
        assert_eq!(verify(&state, &ws, &token).await, (200, "VALID".into()));
    }
    let token = stored(&state, &ws, &id).await;
    assert_eq!(token.credits_remaining, Some(997));
    let meter = raw_item(&state, tessera_common::store::meters::meter_key(&id)).await;
    assert!(meter.contains_key("credits_remaining") && meter.contains_key("rl_count"));
    let meter_bytes = item_bytes(&meter);
    assert!(
        meter_bytes < 1024,
        "the meter is {meter_bytes} bytes: {meter:?}"
    );
    let record = raw_item(
        &state,
        tessera_common::store::key(
            keys::workspace_pk(&ws.id),
            &keys::access_token_sk(&token.name, &id),
        ),
    )
    .await;
    assert!(
        item_bytes(&record) > 2048,
        "the record carries the token's data"
    );
    for attribute in tessera_common::store::records::Meter::ATTRIBUTES {
        assert!(!record.contains_key(attribute), "{attribute} on the record");
    }
}

/// Issue 28: a token stored before meters had items of their own (counters and today's
/// counts on its record) keeps its balance and its counts. The first of 20 verifiers
/// racing on it moves them to its meter; exactly the balance passes, every use is counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_record_from_before_meters_keeps_its_balance_and_counts_under_twenty_verifiers() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (token, id) = create(&state, &ws, json!({"credits": {"remaining": 50}})).await;
    for _ in 0..3 {
        assert_eq!(verify(&state, &ws, &token).await, (200, "VALID".into()));
    }
    let record = stored(&state, &ws, &id).await;
    make_old_shape(
        &state,
        &record,
        &[("credits_remaining", AttributeValue::N("30".into()))],
        true,
    )
    .await;
    let answers = futures::future::join_all((0..20).map(|_| {
        let (state, ws, token) = (state.clone(), ws.clone(), token.clone());
        tokio::spawn(async move {
            let mut codes = Vec::new();
            for _ in 0..3 {
                codes.push(verify(&state, &ws, &token).await);
            }
            codes
        })
    }))
    .await;
    let codes: Vec<(u16, String)> = answers.into_iter().flat_map(|a| a.unwrap()).collect();
    assert!(codes.iter().all(|(status, _)| *status == 200), "{codes:?}");
    let valid = codes.iter().filter(|(_, code)| code == "VALID").count();
    assert_eq!(valid, 30, "exactly the balance: {codes:?}");
    let moved = stored(&state, &ws, &id).await;
    assert_eq!(moved.meter_id.as_deref(), Some(id.as_str()));
    assert_eq!(moved.credits_remaining, Some(0));
    let today = counts::day_of(state.clock.now_secs());
    let days = counts::by_day(&state.store, &moved, today, 1)
        .await
        .unwrap();
    assert_eq!(days[0].1.get(Outcome::Valid), 33, "3 before and 30 after");
    assert_eq!(days[0].1.get(Outcome::UsageExceeded), 30);
}

/// Issue 28: an edit of a token from before meters moves its counters to its meter first,
/// so a rename (which moves the record) keeps them.
#[tokio::test]
async fn an_edit_of_a_record_from_before_meters_keeps_its_counters() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (token, id) = create(&state, &ws, json!({"credits": {"remaining": 5}})).await;
    let record = stored(&state, &ws, &id).await;
    make_old_shape(
        &state,
        &record,
        &[("credits_remaining", AttributeValue::N("7".into()))],
        true,
    )
    .await;
    let (status, json) = patch(&state, &ws, &id, json!({"name": "renamed"})).await;
    assert_eq!(status, 200, "{json}");
    let body = json!({ "token": token });
    let answer = call(
        &state,
        "verify-access-token",
        request(
            "POST",
            "/accessTokens/verify",
            "/accessTokens/verify",
            &ws,
            &body,
        ),
    )
    .await;
    assert_eq!(
        (
            answer.json["code"].as_str(),
            answer.json["credits"]["remaining"].as_u64()
        ),
        (Some("VALID"), Some(6)),
        "{}",
        answer.json
    );
}

/// Issue 28: a listing reads the meters of metered tokens only (the only meters it shows),
/// in one BatchGetItem; a workspace of unmetered tokens lists in its one Query, as before.
#[tokio::test]
async fn a_listing_reads_only_the_meters_it_shows() {
    let faults = FaultInjector::default();
    let state = faults.on_store_of(fresh_state().await).await;
    let ws = workspace(&state.store, Role::Admin).await;
    let list = || {
        call(
            &state,
            "list-access-tokens",
            request("GET", "/accessTokens", "/accessTokens", &ws, &json!({})),
        )
    };
    for _ in 0..3 {
        create(&state, &ws, json!({})).await;
    }
    let before = faults.attempts("BatchGetItem");
    assert_eq!(list().await.status, 200);
    assert_eq!(faults.attempts("BatchGetItem"), before, "no meter to show");
    let (token, _) = create(&state, &ws, json!({"credits": {"remaining": 5}})).await;
    assert_eq!(verify(&state, &ws, &token).await, (200, "VALID".into()));
    let before = faults.attempts("BatchGetItem");
    let listed = list().await;
    assert_eq!(faults.attempts("BatchGetItem"), before + 1);
    let credits: Vec<_> = listed
        .json
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|token| token["credits"]["remaining"].as_u64())
        .collect();
    assert_eq!(credits, [4], "{}", listed.json);
}
