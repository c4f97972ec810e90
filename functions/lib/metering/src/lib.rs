//! Metering of access tokens, as the verify API and the authorizer run it on a token they
//! found: the checks in order (enabled, expiry, permissions, then credits and rate limit,
//! so that a refused request spends nothing), the spend of a metered token's limits
//! (`spend`), and each verification's outcome counted per token and UTC day (`counts`),
//! which GET /accessTokens/{id}/usage reads.
//!
//! Counts of a token with a rate limit or credits are exact: a spend counts its use in
//! the write it makes, and any other outcome costs one write. Counts of a token without
//! limits are kept in memory and written at most once a minute per token and container
//! (`tally`): approximate, short of at most a minute of each token's verifications per
//! container that ends.

pub mod counts;
mod credit_events;
mod meter_of;
pub mod metrics;
mod outcome;
mod spend;
mod tally;

use tessera_common::{
    clock::Clock,
    store::{Store, StoreError},
    verify::{record_use, VerifiedAccessToken},
};

pub use outcome::{Counts, Outcome};
pub use spend::{spend, Remaining, Spent};

/// What a verification came to, and what remains of a metered token's limits after it
/// (nothing for a refusal before the limits were read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    pub outcome: Outcome,
    pub remaining: Remaining,
}

/// Runs the checks on `token` in order, spends `cost` (one use of the rate limit) when all
/// pass, counts the outcome, and records a valid use as the token's last. `permitted` says
/// whether the token's scopes grant what was asked. `None`: the token was deleted meanwhile.
pub async fn check(
    store: &Store,
    clock: &dyn Clock,
    token: &VerifiedAccessToken,
    cost: u64,
    permitted: bool,
) -> Result<Option<Checked>, StoreError> {
    let now = clock.now_secs();
    let refused = if token.disabled {
        Some(Outcome::Disabled)
    } else if token.is_expired(now) {
        Some(Outcome::Expired)
    } else if !permitted {
        Some(Outcome::InsufficientPermissions)
    } else {
        None
    };
    let (outcome, remaining) = match refused {
        Some(outcome) => (outcome, Remaining::default()),
        None if token.metered => match spend(store, token, cost, clock.now_millis()).await? {
            Spent::Valid(remaining) => (Outcome::Valid, remaining),
            Spent::UsageExceeded(remaining) => (Outcome::UsageExceeded, remaining),
            Spent::RateLimited(remaining) => (Outcome::RateLimited, remaining),
            Spent::Gone => return Ok(None),
        },
        None => (Outcome::Valid, Remaining::default()),
    };
    let checked = Checked { outcome, remaining };
    tracing::debug!(token_id = %token.token_id, outcome = outcome.key(), metered = token.metered, "verification checked");
    count(store, token, checked.outcome, cost, now).await;
    // A token without limits writes its last use with its counts.
    if checked.outcome == Outcome::Valid && token.metered {
        record_use(store, clock, token).await;
    }
    Ok(Some(checked))
}

/// Counts a verification, best effort: a count that cannot be written is logged (and, for a
/// token without limits, kept for the next write), never fails the verification.
async fn count(store: &Store, token: &VerifiedAccessToken, outcome: Outcome, cost: u64, now: u64) {
    if token.metered {
        // A spend (a valid use that cost something) counted itself.
        if outcome == Outcome::Valid && cost > 0 {
            return;
        }
        let day = counts::day_of(now);
        if let Err(err) = counts::add(store, token, day, &Counts::one(outcome)).await {
            tracing::warn!(error = %err, token_id = %token.token_id, "verification not counted");
        }
        return;
    }
    // Per table as well: tests and the local API run several stacks in one process.
    let tallied = format!("{}/{}", store.table_name(), token.token_id);
    let Some(due) = tally::note(&tallied, counts::day_of(now), outcome, now) else {
        return;
    };
    if let Err((err, unwritten)) = counts::flush(store, token, due).await {
        tracing::warn!(error = %err, token_id = %token.token_id, "verifications not counted yet");
        tally::put_back(&tallied, unwritten);
    }
}

#[cfg(test)]
mod tests;
