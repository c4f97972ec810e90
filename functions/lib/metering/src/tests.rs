//! The counting rules on their own; the verify API's and usage's tests drive them end to
//! end on DynamoDB Local.

use tessera_common::{store::records::Role, verify::look_up_access_token};
use tessera_test_support::{access_token, fresh_state, workspace};

use super::*;

const DAY: u64 = 86_400;

#[test]
fn a_tokens_first_count_is_due_at_once_then_once_a_minute() {
    let token = "tally-test-token";
    let now = 1_000 * DAY;
    let first = tally::note(token, 1_000, Outcome::Valid, now).expect("due at once");
    assert_eq!(first.by_day[&1_000].get(Outcome::Valid), 1);
    assert_eq!(first.last_valid, Some(now));
    for second in 1..60 {
        assert!(tally::note(token, 1_000, Outcome::Expired, now + second).is_none());
    }
    let due = tally::note(token, 1_000, Outcome::Valid, now + 60).expect("a minute on");
    assert_eq!(due.by_day[&1_000].get(Outcome::Expired), 59);
    assert_eq!(due.by_day[&1_000].get(Outcome::Valid), 1);
    assert_eq!(due.last_valid, Some(now + 60));
}

#[test]
fn counts_that_could_not_be_written_wait_for_the_next_write() {
    let token = "tally-put-back-token";
    let now = 2_000 * DAY;
    let due = tally::note(token, 2_000, Outcome::Valid, now).unwrap();
    tally::put_back(token, due);
    let due = tally::note(token, 2_000, Outcome::Expired, now + 60).unwrap();
    assert_eq!(due.by_day[&2_000].get(Outcome::Valid), 1);
    assert_eq!(due.by_day[&2_000].get(Outcome::Expired), 1);
    assert_eq!(due.last_valid, Some(now), "the last valid use is kept too");
}

#[test]
fn days_are_utc_dates() {
    assert_eq!(counts::date_of(0), "1970-01-01");
    assert_eq!(counts::day_of(DAY - 1), 0);
    assert_eq!(counts::date_of(counts::day_of(1_764_633_600)), "2025-12-02");
}

/// Counts of a day the record no longer holds (a container that wrote late) go to that
/// day's own item, beside what the day's move put there.
#[tokio::test]
async fn a_late_count_of_a_past_day_adds_to_that_days_item() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (record, secret) = access_token(&state, &ws, "late", &[], None).await;
    let token = look_up_access_token(&state.store, secret.expose())
        .await
        .unwrap()
        .unwrap();
    let today = counts::day_of(state.clock.now_secs());
    let yesterday = today - 1;
    counts::add(
        &state.store,
        &token,
        yesterday,
        &Counts::one(Outcome::Valid),
    )
    .await
    .unwrap();
    counts::add(&state.store, &token, today, &Counts::one(Outcome::Expired))
        .await
        .unwrap();
    let mut late = Counts::one(Outcome::Valid);
    late.add(Outcome::Disabled, 2);
    counts::add(&state.store, &token, yesterday, &late)
        .await
        .unwrap();
    let record = state
        .store
        .access_token_by_id(&ws.id, &record.id)
        .await
        .unwrap()
        .unwrap();
    let days = counts::by_day(&state.store, &record, today, 2)
        .await
        .unwrap();
    assert_eq!(days[0].1.get(Outcome::Expired), 1);
    assert_eq!(days[1].1.get(Outcome::Valid), 2);
    assert_eq!(days[1].1.get(Outcome::Disabled), 2);
}
