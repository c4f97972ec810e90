//! The usage control POST /accessTokens and PATCH /accessTokens/{id} accept, each bad
//! value a 400 that names it: `ratelimit`, `credits`, `meta` and `externalId`.

use serde_json::{Map, Value};
use tessera_common::{
    usage::{Interval, RateLimit, Refill, MAX_CREDITS, MAX_RATELIMIT_DURATION_SECS},
    ApiError,
};

/// The largest serialized `meta` object.
pub const MAX_META_BYTES: usize = 2048;
pub const MAX_EXTERNAL_ID_CHARS: usize = 255;

/// What `POST /accessTokens` and `PATCH` accept for credits: how many remain now, and the
/// refill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credits {
    pub remaining: u64,
    pub refill: Option<Refill>,
    /// Under this many credits left, `Credits Low` is sent (default: 10% of the refill
    /// amount, or of `remaining`).
    pub low_threshold: Option<u64>,
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
/// n >= 1, "refillDay": 1 to 31 (monthly only)}, "lowThreshold": n >= 1}`.
pub fn parse_credits(value: &Value) -> Result<Credits, ApiError> {
    let map = object(value, "credits", &["remaining", "refill", "lowThreshold"])?;
    let low_threshold = match map.get("lowThreshold") {
        None | Some(Value::Null) => None,
        Some(line) => Some(integer(line, "credits.lowThreshold", 1, MAX_CREDITS)?),
    };
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
    Ok(Credits {
        remaining,
        refill,
        low_threshold,
    })
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

/// `meterShards`: how many items a busy token's meter is split over, 1 (the default: one
/// item, exact) to `MAX_METER_SHARDS`. See docs/architecture.md ("A hot token").
pub fn parse_meter_shards(value: &Value) -> Result<u32, ApiError> {
    let max = tessera_common::meter::MAX_METER_SHARDS;
    Ok(integer(value, "meterShards", 1, u64::from(max))? as u32)
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
                json!({"remaining": 1, "lowThreshold": 0}),
                "credits.lowThreshold",
            ),
            (
                json!({"remaining": 1, "lowThreshold": "5"}),
                "credits.lowThreshold",
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
            parse_credits(&json!({"remaining": 10, "refill": {"interval": "monthly", "amount": 100, "refillDay": 15}, "lowThreshold": 25}))
                .unwrap(),
            Credits {
                remaining: 10,
                refill: Some(Refill {
                    interval: Interval::Monthly,
                    amount: 100,
                    refill_day: Some(15)
                }),
                low_threshold: Some(25),
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
