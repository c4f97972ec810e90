//! Counts of tokens without limits, kept in this container's memory and written at most
//! once a minute per token with the token's last use, in one write, so that verifying such
//! a token stays one GetItem. A token's first verification in a container is written at
//! once; later ones wait for the first verification a minute after the last write. What a
//! container holds when it ends is lost: at most one minute of each token's verifications.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, OnceLock};

use tessera_common::verify::LAST_USED_RESOLUTION_SECS;

use crate::outcome::{Counts, Outcome};

/// Entries past which the ones with nothing to hold are dropped: memory stays bounded by
/// the tokens verified within a minute.
const MAX_TRACKED: usize = 10_000;

#[derive(Default)]
struct Pending {
    due: Due,
    written_at: Option<u64>,
}

/// What a container has to write of one token.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Due {
    pub by_day: BTreeMap<u64, Counts>,
    /// The last valid use (Unix seconds), for the token's last use.
    pub last_valid: Option<u64>,
}

/// By table and token id.
fn pending() -> &'static Mutex<HashMap<String, Pending>> {
    static PENDING: OnceLock<Mutex<HashMap<String, Pending>>> = OnceLock::new();
    PENDING.get_or_init(Default::default)
}

/// Notes one verification; answers what to write now when this container has not written
/// the token's counts within the last minute.
pub(crate) fn note(tallied: &str, day: u64, outcome: Outcome, now: u64) -> Option<Due> {
    let mut pending = pending()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let entry = pending.entry(tallied.to_owned()).or_default();
    entry.due.by_day.entry(day).or_default().add(outcome, 1);
    if outcome == Outcome::Valid {
        entry.due.last_valid = Some(now);
    }
    let due = entry
        .written_at
        .is_none_or(|at| now >= at + LAST_USED_RESOLUTION_SECS);
    if !due {
        return None;
    }
    entry.written_at = Some(now);
    let due = std::mem::take(&mut entry.due);
    if pending.len() > MAX_TRACKED {
        // Tokens with nothing pending and no write within the minute need no entry.
        pending.retain(|_, entry| {
            !entry.due.by_day.is_empty()
                || entry
                    .written_at
                    .is_some_and(|at| now < at + LAST_USED_RESOLUTION_SECS)
        });
    }
    Some(due)
}

/// Keeps what could not be written, for the next write.
pub(crate) fn put_back(tallied: &str, unwritten: Due) {
    let mut pending = pending()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let entry = pending.entry(tallied.to_owned()).or_default();
    for (day, counts) in unwritten.by_day {
        entry.due.by_day.entry(day).or_default().merge(counts);
    }
    entry.due.last_valid = entry.due.last_valid.max(unwritten.last_valid);
}
