//! The metrics of a verification (the verify API's and the authorizer's): one count by
//! outcome, and the credits a valid one spent (docs/operations.md#metrics).

use tessera_common::metrics;

use crate::Outcome;

/// The outcome dimension's value for a token that does not exist (or not for this caller).
pub const NOT_FOUND: &str = "NOT_FOUND";

/// Counts a verification that came to `outcome` (None: no such token) and the credits it
/// spent (`cost` when it was valid and the token has credits).
pub fn record_verification(outcome: Option<Outcome>, metered_cost: Option<u64>) {
    let code = outcome.map_or(NOT_FOUND, Outcome::code);
    metrics::count("Verifications", 1, &[("Outcome", code)], &[]);
    if outcome == Some(Outcome::Valid) {
        if let Some(cost) = metered_cost.filter(|cost| *cost > 0) {
            metrics::count("CreditsSpent", cost, &[], &[]);
        }
    }
}
