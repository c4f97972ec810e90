//! When an event an endpoint did not take is tried again: exponential backoff from
//! `first` doubling to `longest`, for `max_attempts` attempts (the queue's
//! `maxReceiveCount`), after which the queue dead-letters the event.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub first: Duration,
    pub longest: Duration,
}

impl RetryPolicy {
    /// 30 s, 1 min, 2 min, ... capped at 6 h, 13 attempts: the last about 20.5 h after the
    /// first (docs/events.md). SQS takes a visibility timeout of at most 12 h.
    pub const DEFAULT: RetryPolicy = RetryPolicy {
        max_attempts: 13,
        first: Duration::from_secs(30),
        longest: Duration::from_secs(6 * 3600),
    };

    /// The wait after attempt `attempt` (1-based) failed, if another attempt follows.
    pub fn delay_after(&self, attempt: u32) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let doubled = self
            .first
            .checked_mul(
                1u32.checked_shl(attempt.saturating_sub(1))
                    .unwrap_or(u32::MAX),
            )
            .unwrap_or(self.longest);
        Some(doubled.min(self.longest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_to_the_cap_and_stops_after_the_last_attempt() {
        let policy = RetryPolicy::DEFAULT;
        let delays: Vec<u64> = (1..=13)
            .map_while(|n| policy.delay_after(n))
            .map(|d| d.as_secs())
            .collect();
        assert_eq!(
            delays,
            [30, 60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 21600, 21600]
        );
        let total: u64 = delays.iter().sum();
        assert!(
            (20 * 3600..24 * 3600).contains(&total),
            "about a day: {total} s"
        );
        assert_eq!(policy.delay_after(13), None);
        assert_eq!(policy.delay_after(40), None);
        let long = RetryPolicy {
            max_attempts: 100,
            ..policy
        };
        assert_eq!(long.delay_after(64), Some(long.longest), "no overflow");
    }
}
