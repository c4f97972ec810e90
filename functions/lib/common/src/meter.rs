//! A meter's arithmetic: what an edit of a token's limits makes of a meter, and a sharded
//! meter's shares of the limits (each shard holds its share and counts its own uses) and
//! their sum, which is what the token shows.

use crate::{
    store::records::{CreditsEvents, Meter},
    usage::{RateLimit, Refill},
};

/// The most shards a token's meter may be split over: its items all go in one transaction
/// when the token is created, edited or deleted.
pub const MAX_METER_SHARDS: u32 = 32;

/// An edit of a token's limits, as PATCH /accessTokens/{id} states it (`None`: removed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeterChange {
    RateLimit(Option<RateLimit>),
    /// The balance, its refill, and the line of `Credits Low` if stated (`lowThreshold`).
    Credits(Option<(u64, Option<Refill>, Option<u64>)>),
}

/// A shard picked at random, so that a busy token's uses spread evenly over its shards.
pub fn random_shard(shards: u32) -> u32 {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).expect("the OS random number generator failed");
    u32::from_le_bytes(bytes) % shards.max(1)
}

/// Shard `k`'s share of `total` over `shards`: the shares differ by at most one and sum to
/// `total`.
pub fn share_of(total: u64, shards: u32, k: u32) -> u64 {
    let shards = u64::from(shards.max(1));
    total / shards + u64::from(u64::from(k) < total % shards)
}

impl MeterChange {
    /// What this change states to shard `k` of `shards`.
    pub fn share(&self, shards: u32, k: u32) -> MeterChange {
        match *self {
            MeterChange::RateLimit(limit) => MeterChange::RateLimit(limit.map(|limit| RateLimit {
                limit: share_of(limit.limit, shards, k),
                ..limit
            })),
            MeterChange::Credits(credits) => {
                MeterChange::Credits(credits.map(|(remaining, refill, low_line)| {
                    (
                        share_of(remaining, shards, k),
                        refill.map(|refill| Refill {
                            amount: share_of(refill.amount, shards, k),
                            ..refill
                        }),
                        low_line.map(|line| share_of(line, shards, k)),
                    )
                }))
            }
        }
    }
}

impl Meter {
    /// Shard `k`'s part of a new token's meter: its share of the limits and credits.
    pub fn share(&self, shards: u32, k: u32) -> Meter {
        Meter {
            ratelimit: self.ratelimit.map(|limit| RateLimit {
                limit: share_of(limit.limit, shards, k),
                ..limit
            }),
            credits_remaining: self
                .credits_remaining
                .map(|credits| share_of(credits, shards, k)),
            credits_refill: self.credits_refill.map(|refill| Refill {
                amount: share_of(refill.amount, shards, k),
                ..refill
            }),
            credits_events: self.credits_events.map(|events| CreditsEvents {
                granted: share_of(events.granted, shards, k),
                low_line: events.low_line.map(|line| share_of(line, shards, k)),
                ..events
            }),
            ..self.clone()
        }
    }

    /// The meter after `change` at `now` (Unix seconds). A new rate limit counts in the
    /// window its duration gives now: the current window's uses (and the previous window's
    /// count) carry over; a window with none starts afresh, with what the previous window
    /// counted. New credits are stated, with their refill period from now.
    pub fn changed(self, change: &MeterChange, now: u64) -> Meter {
        match *change {
            MeterChange::RateLimit(None) => Meter {
                ratelimit: None,
                rl_window: None,
                rl_count: None,
                rl_prev_count: None,
                ..self
            },
            MeterChange::RateLimit(Some(limit)) => {
                let (rl_count, rl_prev_count) = match self.window_at(now) {
                    Some(at) if at.used > 0 => (self.rl_count, self.rl_prev_count),
                    at => (Some(0), Some(at.map_or(0, |at| at.previous))),
                };
                Meter {
                    ratelimit: Some(limit),
                    rl_window: Some(limit.window_of(now)),
                    rl_count,
                    rl_prev_count,
                    ..self
                }
            }
            MeterChange::Credits(None) => Meter {
                credits_remaining: None,
                credits_refill: None,
                credits_period: None,
                credits_events: None,
                ..self
            },
            MeterChange::Credits(Some((remaining, refill, low_line))) => Meter {
                credits_remaining: Some(remaining),
                credits_refill: refill,
                // A new grant: its events are to be sent again.
                credits_events: Some(CreditsEvents {
                    low_line,
                    ..CreditsEvents::granted(remaining, now)
                }),
                // Stated, not derived from what was stored: a refill that changes its
                // interval starts counting its periods now.
                credits_period: refill.map(|refill| refill.period_of(now)),
                ..self
            },
        }
    }

    /// The sum of a sharded meter's shards: as one meter would hold the limits, counters
    /// and counts. Each shard is first brought to the latest window and refill period any
    /// shard has reached (a shard behind would move there at its next use), so the sums are
    /// of one window and one period.
    pub fn merged(shards: &[Meter]) -> Meter {
        let Some(first) = shards.first() else {
            return Meter::default();
        };
        let latest_window = shards.iter().filter_map(|shard| shard.rl_window).max();
        let latest_period = shards.iter().filter_map(|shard| shard.credits_period).max();
        let mut sum = Meter {
            ratelimit: first.ratelimit.map(|limit| RateLimit { limit: 0, ..limit }),
            rl_window: latest_window,
            credits_refill: first.credits_refill.map(|refill| Refill {
                amount: 0,
                ..refill
            }),
            credits_period: latest_period,
            ..Meter::default()
        };
        let mut usage = std::collections::BTreeMap::new();
        for shard in shards {
            if let (Some(total), Some(limit)) = (&mut sum.ratelimit, shard.ratelimit) {
                total.limit += limit.limit;
                if let Some(window) = latest_window {
                    let at = shard
                        .window_at(window)
                        .unwrap_or(crate::store::records::WindowAt {
                            window,
                            used: 0,
                            previous: 0,
                        });
                    let (used, previous) = if at.window == window {
                        (at.used, at.previous)
                    } else {
                        (0, 0)
                    };
                    sum.rl_count = Some(sum.rl_count.unwrap_or(0) + used);
                    sum.rl_prev_count = Some(sum.rl_prev_count.unwrap_or(0) + previous);
                }
            }
            if let (Some(total), Some(refill)) = (&mut sum.credits_refill, shard.credits_refill) {
                total.amount += refill.amount;
            }
            if let Some(remaining) = shard.credits_remaining {
                let remaining = match (shard.credits_refill, latest_period) {
                    // Behind the latest period: its next use refills it.
                    (Some(refill), Some(period)) if shard.credits_period != Some(period) => {
                        refill.amount
                    }
                    _ => remaining,
                };
                sum.credits_remaining = Some(sum.credits_remaining.unwrap_or(0) + remaining);
            }
            // Counts of the latest day any shard counted; a shard still on an earlier
            // day moves its counts to that day's item at its next use.
            if let Some(counts) = &shard.usage {
                usage = merge_counts(usage, counts);
            }
        }
        sum.usage = (!usage.is_empty()).then_some(usage);
        sum
    }
}

/// Today's counts of two shards: those of the later day, summed where both count it.
fn merge_counts(
    sum: std::collections::BTreeMap<String, u64>,
    shard: &std::collections::BTreeMap<String, u64>,
) -> std::collections::BTreeMap<String, u64> {
    let day = |counts: &std::collections::BTreeMap<String, u64>| counts.get("day").copied();
    match (day(&sum), day(shard)) {
        (None, _) => shard.clone(),
        (Some(a), Some(b)) if b > a => shard.clone(),
        (Some(a), Some(b)) if a == b => {
            let mut sum = sum;
            for (outcome, n) in shard {
                if outcome != "day" {
                    *sum.entry(outcome.clone()).or_default() += n;
                }
            }
            sum
        }
        _ => sum,
    }
}
