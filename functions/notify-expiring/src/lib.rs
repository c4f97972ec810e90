//! Daily (an EventBridge schedule): tells the platform which access tokens are about to
//! expire and which expired, from the index of tokens by the day they expire (never a
//! Scan). `Access Token Expiring` 7 days and 1 day before, `Access Token Expired` after;
//! each written as an audit entry of the token's workspace (so published from the table's
//! stream), at most once per token, notice and expiry (a mark written with it), so a run
//! that Lambda retries, or a second run the same day, sends nothing twice. Each notice looks
//! one day further back than it needs, so one missed run loses nothing.

use std::time::{Duration, UNIX_EPOCH};

use tessera_common::{
    audit::system_entry, clock::rfc3339_from_secs, events::Event, lambda::Function,
    store::expiries::ExpiringToken, AppState, StoreError,
};

/// What main.rs runs.
pub const FUNCTION: Function = Function::Scheduled(|state| {
    Box::pin(async move {
        notify(state)
            .await
            .map(|sent| tracing::info!(sent, "expiry notices sent"))
            .map_err(|err| err.to_string())
    })
});

const DAY: u64 = 86_400;

/// A notice: how many days before the expiry it is sent (`None`: after it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Notice {
    days_before: Option<u64>,
}

impl Notice {
    const ALL: [Notice; 3] = [
        Notice {
            days_before: Some(7),
        },
        Notice {
            days_before: Some(1),
        },
        Notice { days_before: None },
    ];

    fn kind(self) -> String {
        match self.days_before {
            Some(days) => format!("expiring{days}"),
            None => "expired".into(),
        }
    }

    /// Whether a token expiring at `expires` is due this notice at `now`: in its last day
    /// before the mark (7 days or 1 day left), or the day before that (a missed run).
    fn due(self, expires: u64, now: u64) -> bool {
        match self.days_before {
            Some(days) => {
                expires > now && expires <= now + days * DAY && expires + 2 * DAY > now + days * DAY
            }
            None => expires <= now && expires + 2 * DAY > now,
        }
    }

    /// The days whose tokens may be due at `now`.
    fn days(self, now: u64) -> Vec<u64> {
        let mark = match self.days_before {
            Some(days) => now + days * DAY,
            None => now,
        };
        vec![mark.saturating_sub(2 * DAY), mark.saturating_sub(DAY), mark]
    }
}

/// Sends every notice due at the state's clock: how many.
pub async fn notify(state: &AppState) -> Result<usize, StoreError> {
    let now = state.clock.now_secs();
    let mut sent = 0;
    let mut days: Vec<String> = Notice::ALL
        .iter()
        .flat_map(|notice| notice.days(now))
        .map(|at| rfc3339_from_secs(at)[..10].to_owned())
        .collect();
    days.sort();
    days.dedup();
    for day in days {
        for token in state.store.tokens_expiring_on(&day).await? {
            for notice in Notice::ALL {
                if notice.due(token.expires, now) && send(state, &token, notice, now).await? {
                    sent += 1;
                }
            }
        }
    }
    Ok(sent)
}

/// Writes one notice; `false` when it was sent before.
async fn send(
    state: &AppState,
    token: &ExpiringToken,
    notice: Notice,
    now: u64,
) -> Result<bool, StoreError> {
    let entry = system_entry(
        "notify-expiring",
        (
            &token.workspace_id,
            match notice.days_before {
                Some(_) => "access_token.expiring",
                None => "access_token.expired",
            },
            format!("access_token:{}", token.id),
        ),
        Some(format!("expires {}", rfc3339_from_secs(token.expires))),
        UNIX_EPOCH + Duration::from_secs(now),
        state.audit_retention,
    )
    .with_event(Event::of_expiry(
        (&token.id, &token.name, token.external_id.as_deref()),
        token.expires,
        !token.disabled,
        notice.days_before,
    ));
    match state
        .store
        .send_expiry_notice(token, &notice.kind(), &entry)
        .await
    {
        Ok(()) => Ok(true),
        Err(StoreError::Conflict) => Ok(false),
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests;
