use std::time::Duration;

use serde_json::Value;
use tessera_common::store::records::Role;
use tessera_test_support::{access_token, fresh_state, workspace, ManualClock};

use super::*;

/// The notices of a workspace's log: (action, token id, daysBefore).
async fn notices(state: &AppState, workspace_id: &str) -> Vec<(String, String, Option<u64>)> {
    let log = state
        .store
        .audit_log(workspace_id, 100, None)
        .await
        .unwrap();
    let mut found: Vec<_> = log
        .entries
        .into_iter()
        .filter(|e| e.action.starts_with("access_token.expir"))
        .map(|e| {
            let detail: Value = serde_json::from_str(&e.event.unwrap().detail).unwrap();
            (
                e.action,
                detail["accessToken"]["id"].as_str().unwrap().to_owned(),
                detail["daysBefore"].as_u64(),
            )
        })
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn each_token_hears_seven_days_and_one_day_before_and_after_once_each() {
    let clock = ManualClock::new();
    let state = AppState {
        clock: clock.shared(),
        ..fresh_state().await
    };
    let ws = workspace(&state.store, Role::Admin).await;
    let now = state.clock.now_secs();
    let (soon, _) = access_token(&state, &ws, "soon", &[], Some(now + 7 * DAY - 3600)).await;
    let (later, _) = access_token(&state, &ws, "later", &[], Some(now + 30 * DAY)).await;
    let (_never, _) = access_token(&state, &ws, "never", &[], None).await;
    assert_eq!(notify(&state).await.unwrap(), 1);
    assert_eq!(
        notify(&state).await.unwrap(),
        0,
        "a second run sends nothing twice"
    );
    assert_eq!(
        notices(&state, &ws.id).await,
        [("access_token.expiring".to_owned(), soon.id.clone(), Some(7))]
    );
    // A day on, nothing new; six days on, 1 day left; two days on, expired.
    clock.advance(Duration::from_secs(DAY));
    assert_eq!(notify(&state).await.unwrap(), 0);
    clock.advance(Duration::from_secs(5 * DAY));
    assert_eq!(notify(&state).await.unwrap(), 1);
    clock.advance(Duration::from_secs(DAY));
    assert_eq!(notify(&state).await.unwrap(), 1);
    let found = notices(&state, &ws.id).await;
    assert_eq!(
        found,
        [
            ("access_token.expired".to_owned(), soon.id.clone(), None),
            ("access_token.expiring".to_owned(), soon.id.clone(), Some(1)),
            ("access_token.expiring".to_owned(), soon.id.clone(), Some(7)),
        ]
    );
    assert!(found.iter().all(|(_, id, _)| *id != later.id));
}

#[tokio::test]
async fn a_missed_run_still_tells_of_the_expiry_and_a_moved_expiry_is_followed() {
    let clock = ManualClock::new();
    let state = AppState {
        clock: clock.shared(),
        ..fresh_state().await
    };
    let ws = workspace(&state.store, Role::Admin).await;
    let now = state.clock.now_secs();
    let (moved, _) = access_token(&state, &ws, "moved", &[], Some(now + 7 * DAY - 3600)).await;
    // Its expiry moves a year on before any run: it is indexed by its new day only.
    let mut edited = moved.clone();
    edited.expires = Some(now + 365 * DAY);
    state
        .store
        .update_access_token(
            &moved,
            &edited,
            "expiresAt".into(),
            &tessera_common::audit::Auditor::operator(state.clock.clone()),
        )
        .await
        .unwrap();
    let (late, _) = access_token(&state, &ws, "late", &[], Some(now + DAY - 3600)).await;
    // The run of today is missed; tomorrow's still tells that `late` expired.
    clock.advance(Duration::from_secs(DAY));
    assert_eq!(notify(&state).await.unwrap(), 1);
    assert_eq!(
        notices(&state, &ws.id).await,
        [("access_token.expired".to_owned(), late.id.clone(), None)]
    );
}
