//! Usage control of access tokens: a rate limit per fixed window, credits with an optional
//! daily or monthly refill, and what a verification comes to. The limits are stored on the
//! token's record; `Store::spend` checks and spends them in one conditional write.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{clock, error::ApiError};

/// The longest rate-limit window: one day.
pub const MAX_RATELIMIT_DURATION_SECS: u64 = 86_400;
/// The largest serialized `meta` object.
pub const MAX_META_BYTES: usize = 2048;
pub const MAX_EXTERNAL_ID_CHARS: usize = 255;
/// Credits and costs stay far below what DynamoDB's numbers and JSON clients hold exactly.
pub const MAX_CREDITS: u64 = 1_000_000_000_000;

/// At most `limit` verifications per fixed window of `duration_secs`, windows aligned to
/// the Unix epoch. A burst at a window's edge may pass `limit` twice within `duration_secs`
/// (the end of one window and the start of the next): docs/api.md says so.
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

/// What `POST /accessTokens` and `PATCH` accept for credits: how many remain now, and the
/// refill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credits {
    pub remaining: u64,
    pub refill: Option<Refill>,
}

/// What a verification comes to, in the order the checks run: exists, enabled, expiry,
/// permissions, then credits and rate limit (so a refused request spends nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Code {
    Valid,
    NotFound,
    Expired,
    Disabled,
    InsufficientPermissions,
    UsageExceeded,
    RateLimited,
}

/// A metered token's state after a check: what remains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Remaining {
    pub credits: Option<u64>,
    /// `(limit, remaining, reset_at)` of the current window.
    pub ratelimit: Option<(u64, u64, u64)>,
}

/// What `Store::spend` came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spent {
    /// Within the limits, and spent (unless the cost was 0).
    Valid(Remaining),
    UsageExceeded(Remaining),
    RateLimited(Remaining),
    /// The record is gone (deleted meanwhile).
    Gone,
}

fn integer(value: &Value, field: &str, min: u64, max: u64) -> Result<u64, ApiError> {
    value
        .as_u64()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| {
            ApiError::bad_request(format!("{field} must be an integer from {min} to {max}"))
        })
}

fn object<'a>(
    value: &'a Value,
    field: &str,
    known: &[&str],
) -> Result<&'a Map<String, Value>, ApiError> {
    let map = value
        .as_object()
        .ok_or_else(|| ApiError::bad_request(format!("{field} must be an object")))?;
    if let Some(unknown) = map.keys().find(|key| !known.contains(&key.as_str())) {
        return Err(ApiError::bad_request(format!(
            "{field}.{unknown} is not a field of {field} (expected {})",
            known.join(", ")
        )));
    }
    Ok(map)
}

fn required<'a>(
    map: &'a Map<String, Value>,
    field: &str,
    name: &str,
) -> Result<&'a Value, ApiError> {
    map.get(name)
        .ok_or_else(|| ApiError::bad_request(format!("{field}.{name} is required")))
}

/// `ratelimit`: `{"limit": n >= 1, "durationSeconds": 1 to 86400}`.
pub fn parse_ratelimit(value: &Value) -> Result<RateLimit, ApiError> {
    let map = object(value, "ratelimit", &["limit", "durationSeconds"])?;
    Ok(RateLimit {
        limit: integer(
            required(map, "ratelimit", "limit")?,
            "ratelimit.limit",
            1,
            MAX_CREDITS,
        )?,
        duration_secs: integer(
            required(map, "ratelimit", "durationSeconds")?,
            "ratelimit.durationSeconds",
            1,
            MAX_RATELIMIT_DURATION_SECS,
        )?,
    })
}

/// `credits`: `{"remaining": n >= 0, "refill": {"interval": "daily" | "monthly", "amount":
/// n >= 1, "refillDay": 1 to 31 (monthly only)}}`.
pub fn parse_credits(value: &Value) -> Result<Credits, ApiError> {
    let map = object(value, "credits", &["remaining", "refill"])?;
    let remaining = integer(
        required(map, "credits", "remaining")?,
        "credits.remaining",
        0,
        MAX_CREDITS,
    )?;
    let refill = match map.get("refill") {
        None | Some(Value::Null) => None,
        Some(refill) => {
            let field = "credits.refill";
            let map = object(refill, field, &["interval", "amount", "refillDay"])?;
            let interval = match required(map, field, "interval")?.as_str() {
                Some("daily") => Interval::Daily,
                Some("monthly") => Interval::Monthly,
                _ => {
                    return Err(ApiError::bad_request(
                        "credits.refill.interval must be \"daily\" or \"monthly\"",
                    ))
                }
            };
            let amount = integer(
                required(map, field, "amount")?,
                "credits.refill.amount",
                1,
                MAX_CREDITS,
            )?;
            let refill_day = match (interval, map.get("refillDay")) {
                (_, None | Some(Value::Null)) => None,
                (Interval::Daily, Some(_)) => {
                    return Err(ApiError::bad_request(
                        "credits.refill.refillDay is for a monthly refill only",
                    ))
                }
                (Interval::Monthly, Some(day)) => {
                    Some(integer(day, "credits.refill.refillDay", 1, 31)? as u8)
                }
            };
            Some(Refill {
                interval,
                amount,
                refill_day,
            })
        }
    };
    Ok(Credits { remaining, refill })
}

/// `meta`: a JSON object of at most 2 KB serialized, kept as that text.
pub fn parse_meta(value: &Value) -> Result<String, ApiError> {
    if !value.is_object() {
        return Err(ApiError::bad_request("meta must be a JSON object"));
    }
    let text = value.to_string();
    if text.len() > MAX_META_BYTES {
        return Err(ApiError::bad_request(format!(
            "meta must be at most {MAX_META_BYTES} bytes serialized (it is {})",
            text.len()
        )));
    }
    Ok(text)
}

/// `externalId`: the platform's id of the token's owner, 1 to 255 characters, no controls.
pub fn parse_external_id(value: &Value) -> Result<String, ApiError> {
    match value.as_str() {
        Some(id)
            if !id.is_empty()
                && id.chars().count() <= MAX_EXTERNAL_ID_CHARS
                && !id.chars().any(char::is_control) =>
        {
            Ok(id.to_owned())
        }
        _ => Err(ApiError::bad_request(format!(
            "externalId must be a string of 1 to {MAX_EXTERNAL_ID_CHARS} characters without control characters"
        ))),
    }
}

/// `meta` as stored, back to JSON (an object; `null` if the stored text is not one).
pub fn meta_json(meta: Option<&str>) -> Value {
    meta.and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

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
    fn fixed_windows_align_to_their_duration() {
        let limit = RateLimit {
            limit: 5,
            duration_secs: 60,
        };
        assert_eq!(limit.window_of(120), 120);
        assert_eq!(limit.window_of(179), 120);
        assert_eq!(limit.window_of(180), 180);
    }

    #[test]
    fn each_bad_value_is_named() {
        let cases = [
            (
                parse_ratelimit(&json!({"limit": 0, "durationSeconds": 60})),
                "ratelimit.limit",
            ),
            (
                parse_ratelimit(&json!({"limit": 1, "durationSeconds": 86401})),
                "ratelimit.durationSeconds",
            ),
            (
                parse_ratelimit(&json!({"limit": 1})),
                "ratelimit.durationSeconds is required",
            ),
            (
                parse_ratelimit(&json!({"limit": 1, "durationSeconds": 1, "burst": 2})),
                "ratelimit.burst",
            ),
            (parse_ratelimit(&json!([1])), "ratelimit must be an object"),
            (
                parse_credits(&json!({"remaining": -1})).map(|_| RateLimit {
                    limit: 1,
                    duration_secs: 1,
                }),
                "credits.remaining",
            ),
        ];
        for (result, named) in cases {
            let message = result.unwrap_err().public_message();
            assert!(message.contains(named), "{message:?} names {named}");
        }
        for (value, named) in [
            (
                json!({"remaining": 1, "refill": {"interval": "weekly", "amount": 1}}),
                "credits.refill.interval",
            ),
            (
                json!({"remaining": 1, "refill": {"interval": "daily", "amount": 0}}),
                "credits.refill.amount",
            ),
            (
                json!({"remaining": 1, "refill": {"interval": "daily", "amount": 1, "refillDay": 3}}),
                "refillDay is for a monthly",
            ),
            (
                json!({"remaining": 1, "refill": {"interval": "monthly", "amount": 1, "refillDay": 32}}),
                "credits.refill.refillDay",
            ),
        ] {
            let message = parse_credits(&value).unwrap_err().public_message();
            assert!(message.contains(named), "{message:?} names {named}");
        }
        let big = json!({ "x": "y".repeat(MAX_META_BYTES) });
        assert!(parse_meta(&big)
            .unwrap_err()
            .public_message()
            .contains("2048"));
        assert!(parse_meta(&json!("text")).is_err());
        assert!(parse_external_id(&json!("")).is_err());
        assert!(parse_external_id(&json!("a".repeat(256))).is_err());
        assert_eq!(parse_external_id(&json!("user_42")).unwrap(), "user_42");
    }

    #[test]
    fn good_values_parse() {
        assert_eq!(
            parse_credits(&json!({"remaining": 10, "refill": {"interval": "monthly", "amount": 100, "refillDay": 15}}))
                .unwrap(),
            Credits {
                remaining: 10,
                refill: Some(Refill {
                    interval: Interval::Monthly,
                    amount: 100,
                    refill_day: Some(15)
                })
            }
        );
        assert_eq!(
            parse_ratelimit(&json!({"limit": 5, "durationSeconds": 60})).unwrap(),
            RateLimit {
                limit: 5,
                duration_secs: 60
            }
        );
        assert_eq!(
            meta_json(Some(&parse_meta(&json!({"plan": "pro"})).unwrap())),
            json!({"plan": "pro"})
        );
    }
}
