//! Usage control of access tokens: a rate limit per sliding window, credits with an optional
//! daily or monthly refill, and what spending them comes to. The limits are stored on the
//! token's record; tessera-metering checks and spends them in one conditional write. How
//! the API takes them is tessera-rudderstack's (`usage_fields`).

use serde::{Deserialize, Serialize};

use crate::clock;

/// The longest rate-limit window: one day.
pub const MAX_RATELIMIT_DURATION_SECS: u64 = 86_400;
/// Credits and costs stay far below what DynamoDB's numbers and JSON clients hold exactly.
pub const MAX_CREDITS: u64 = 1_000_000_000_000;

/// At most `limit` verifications per sliding window of `duration_secs`: the uses of the
/// current window (aligned to the Unix epoch) plus the previous window's, weighted by how
/// much of the previous window the last `duration_secs` still covers (as Cloudflare and
/// Unkey estimate it). So a burst at a window's edge admits one limit, not two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    pub limit: u64,
    #[serde(rename = "durationSeconds")]
    pub duration_secs: u64,
}

impl RateLimit {
    /// The start of the window `now` falls in (Unix seconds).
    pub fn window_of(&self, now: u64) -> u64 {
        now - now % self.duration_secs
    }

    /// How many of the previous window's `previous` uses still count at `now_ms` (Unix
    /// milliseconds) in the window that starts at `window` (seconds): their share of the
    /// part of the last `duration_secs` that lies before `window`, rounded up.
    pub fn carried(&self, previous: u64, window: u64, now_ms: u64) -> u64 {
        let duration_ms = u128::from(self.duration_secs) * 1000;
        let elapsed = u128::from(now_ms.saturating_sub(window * 1000)).min(duration_ms);
        let weighted = u128::from(previous) * (duration_ms - elapsed);
        weighted.div_ceil(duration_ms) as u64
    }

    /// The largest previous count that still leaves room for one use at `now_ms` in the
    /// window that starts at `window`.
    pub fn max_previous_for_one_more(&self, window: u64, now_ms: u64) -> u64 {
        let duration_ms = u128::from(self.duration_secs) * 1000;
        let overlap =
            duration_ms - u128::from(now_ms.saturating_sub(window * 1000)).min(duration_ms);
        if overlap == 0 {
            return u64::MAX;
        }
        // ceil(p * overlap / duration) <= limit - 1  <=>  p <= (limit - 1) * duration / overlap
        (u128::from(self.limit.saturating_sub(1)) * duration_ms / overlap).min(u128::from(u64::MAX))
            as u64
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    Daily,
    Monthly,
}

/// Credits set back to `amount` once per period: each UTC day, or each month on
/// `refill_day` (the month's last day when it has fewer days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refill {
    pub interval: Interval,
    pub amount: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refill_day: Option<u8>,
}

impl Refill {
    /// The period `now` falls in: days since the epoch, or months since year 0 counted
    /// from each month's refill day.
    pub fn period_of(&self, now: u64) -> u64 {
        match self.interval {
            Interval::Daily => now / 86_400,
            Interval::Monthly => {
                let (year, month, day) = civil_date(now);
                let refill_day =
                    u64::from(self.refill_day.unwrap_or(1)).min(days_in_month(year, month));
                let index = year * 12 + (month - 1);
                if day >= refill_day {
                    index
                } else {
                    index - 1
                }
            }
        }
    }
}

/// `(year, month, day)` of Unix seconds, in UTC.
fn civil_date(secs: u64) -> (u64, u64, u64) {
    let text = clock::rfc3339_from_secs(secs);
    let part = |range: std::ops::Range<usize>| text[range].parse::<u64>().unwrap_or(1);
    (part(0..4), part(5..7), part(8..10))
}

fn days_in_month(year: u64, month: u64) -> u64 {
    let (next_year, next_month) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let first = |y: u64, m: u64| clock::secs_from_rfc3339(&format!("{y:04}-{m:02}-01T00:00:00Z"));
    match (first(year, month), first(next_year, next_month)) {
        (Some(start), Some(end)) => (end - start) / 86_400,
        _ => 28,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u64 = 86_400;
    /// 2026-01-31T00:00:00Z
    const JAN_31: u64 = 1_769_817_600;

    #[test]
    fn daily_periods_change_at_midnight_utc() {
        let refill = Refill {
            interval: Interval::Daily,
            amount: 1,
            refill_day: None,
        };
        assert_eq!(refill.period_of(JAN_31), refill.period_of(JAN_31 + DAY - 1));
        assert_eq!(refill.period_of(JAN_31) + 1, refill.period_of(JAN_31 + DAY));
    }

    #[test]
    fn monthly_periods_start_on_the_refill_day_or_the_months_last() {
        let on_31st = Refill {
            interval: Interval::Monthly,
            amount: 1,
            refill_day: Some(31),
        };
        let feb_27 = JAN_31 + 27 * DAY;
        let feb_28 = JAN_31 + 28 * DAY;
        let mar_30 = JAN_31 + 58 * DAY;
        let mar_31 = JAN_31 + 59 * DAY;
        assert_eq!(
            crate::clock::rfc3339_from_secs(mar_31),
            "2026-03-31T00:00:00Z"
        );
        let jan = on_31st.period_of(JAN_31);
        assert_eq!(on_31st.period_of(JAN_31 - 1), jan - 1);
        assert_eq!(on_31st.period_of(feb_27), jan);
        // February has 28 days in 2026: its period starts on the 28th.
        assert_eq!(on_31st.period_of(feb_28), jan + 1);
        assert_eq!(on_31st.period_of(mar_30), jan + 1);
        assert_eq!(on_31st.period_of(mar_31), jan + 2);
    }

    #[test]
    fn the_previous_window_counts_by_its_overlap_rounded_up() {
        let limit = RateLimit {
            limit: 10,
            duration_secs: 60,
        };
        // At the window's start the previous window counts whole; halfway, half (rounded
        // up); at its end, nothing.
        assert_eq!(limit.carried(10, 120, 120_000), 10);
        assert_eq!(limit.carried(10, 120, 150_000), 5);
        assert_eq!(limit.carried(9, 120, 150_000), 5);
        assert_eq!(limit.carried(10, 120, 179_999), 1);
        assert_eq!(limit.carried(10, 120, 180_000), 0);
        // A window ahead of the clock (another container's) counts the previous one whole.
        assert_eq!(limit.carried(10, 120, 100_000), 10);
        for now_ms in [120_000, 130_500, 150_000, 179_999] {
            let most = limit.max_previous_for_one_more(120, now_ms);
            assert!(limit.carried(most, 120, now_ms) < 10, "{now_ms}");
            assert!(limit.carried(most + 1, 120, now_ms) >= 10, "{now_ms}");
        }
    }

    #[test]
    fn fixed_windows_align_to_their_duration() {
        let limit = RateLimit {
            limit: 5,
            duration_secs: 60,
        };
        assert_eq!(limit.window_of(120), 120);
        assert_eq!(limit.window_of(179), 120);
        assert_eq!(limit.window_of(180), 180);
    }
}
