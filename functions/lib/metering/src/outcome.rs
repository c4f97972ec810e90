//! What a verification came to, and counts of them: the types that the stored counts
//! (`counts`) and a container's tally (`tally`) share.

/// What a verification of a token that exists came to (NOT_FOUND is not counted: there
/// is no token to count it for).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    Valid,
    RateLimited,
    UsageExceeded,
    Disabled,
    Expired,
    InsufficientPermissions,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::Valid,
        Outcome::RateLimited,
        Outcome::UsageExceeded,
        Outcome::Disabled,
        Outcome::Expired,
        Outcome::InsufficientPermissions,
    ];

    /// Its code in the verify API's answers (`code`) and in the metrics.
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Valid => "VALID",
            Outcome::RateLimited => "RATE_LIMITED",
            Outcome::UsageExceeded => "USAGE_EXCEEDED",
            Outcome::Disabled => "DISABLED",
            Outcome::Expired => "EXPIRED",
            Outcome::InsufficientPermissions => "INSUFFICIENT_PERMISSIONS",
        }
    }

    /// Its name in the stored counts and in GET /accessTokens/{id}/usage.
    pub fn key(self) -> &'static str {
        match self {
            Outcome::Valid => "valid",
            Outcome::RateLimited => "rateLimited",
            Outcome::UsageExceeded => "usageExceeded",
            Outcome::Disabled => "disabled",
            Outcome::Expired => "expired",
            Outcome::InsufficientPermissions => "insufficientPermissions",
        }
    }
}

/// How many verifications came to each outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts([u64; 6]);

impl Counts {
    pub fn one(outcome: Outcome) -> Self {
        let mut counts = Counts::default();
        counts.add(outcome, 1);
        counts
    }

    pub fn add(&mut self, outcome: Outcome, n: u64) {
        self.0[outcome as usize] += n;
    }

    pub fn merge(&mut self, other: Counts) {
        for outcome in Outcome::ALL {
            self.add(outcome, other.get(outcome));
        }
    }

    pub fn get(&self, outcome: Outcome) -> u64 {
        self.0[outcome as usize]
    }

    pub(crate) fn nonzero(&self) -> impl Iterator<Item = (Outcome, u64)> + '_ {
        Outcome::ALL
            .into_iter()
            .map(|outcome| (outcome, self.get(outcome)))
            .filter(|(_, n)| *n > 0)
    }

    pub(crate) fn of_attributes(get: impl Fn(&str) -> Option<u64>) -> Self {
        let mut counts = Counts::default();
        for outcome in Outcome::ALL {
            counts.add(outcome, get(outcome.key()).unwrap_or(0));
        }
        counts
    }
}
