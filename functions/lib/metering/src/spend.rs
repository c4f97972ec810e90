//! Spending a metered access token's credits and rate limit: a consistent read of its
//! meter (`Meter`: one item under 1 KB), then one UpdateItem of it whose conditions hold
//! only if the limits still allow the use, and which counts the use (`counts`). Concurrent
//! verifications never admit more than the limits: a condition that fails means another
//! writer got there first, and the meter is read again.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use tessera_common::{
    meter::random_shard,
    store::{meters::ShardKey, records::Meter, Store, StoreError},
    verify::VerifiedAccessToken,
};

use crate::{
    counts, credit_events,
    meter_of::meter_of,
    outcome::{Counts, Outcome},
};

/// Reads and conditional writes per verification before giving up as throttled: each
/// failed condition means another verification moved the window, the period or the
/// counters, so a handful always suffices outside a pathological storm.
const MAX_ATTEMPTS: usize = 8;

/// A metered token's state after a check: what remains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Remaining {
    pub credits: Option<u64>,
    /// `(limit, remaining, reset_at)` of the current window.
    pub ratelimit: Option<(u64, u64, u64)>,
}

/// What `spend` came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spent {
    /// Within the limits, and spent (unless the cost was 0).
    Valid(Remaining),
    UsageExceeded(Remaining),
    RateLimited(Remaining),
    /// The token or its meter is gone (deleted meanwhile).
    Gone,
}

/// The counters a spend wrote, as DynamoDB answers them (`UPDATED_NEW`).
#[derive(serde::Deserialize)]
struct Updated {
    rl_window: Option<u64>,
    rl_count: Option<u64>,
    rl_prev_count: Option<u64>,
    credits_remaining: Option<u64>,
    credits_period: Option<u64>,
}

/// The remaining allowance a meter shows at `now_ms` (Unix milliseconds), before this use.
fn remaining_of(token: &Meter, now_ms: u64) -> Remaining {
    Remaining {
        credits: token.credits_at(now_ms / 1000),
        ratelimit: token
            .ratelimit
            .zip(token.ratelimit_left(now_ms))
            .map(|(limit, (at, left))| (limit.limit, left, at.window + limit.duration_secs)),
    }
}

/// What one spend writes: `SET` clauses, conditions, and the values they use (DynamoDB
/// refuses a value that no expression uses, so each clause brings its own).
#[derive(Default)]
struct Write {
    sets: Vec<&'static str>,
    conditions: Vec<&'static str>,
    values: Vec<(&'static str, AttributeValue)>,
}

impl Write {
    fn clause(&mut self, set: &'static str, condition: &'static str) {
        self.sets.push(set);
        self.conditions.push(condition);
    }

    fn value(&mut self, name: &'static str, value: u64) {
        if !self.values.iter().any(|(known, _)| *known == name) {
            self.values
                .push((name, AttributeValue::N(value.to_string())));
        }
    }
}

/// The clauses that spend one use of `token`'s rate limit and `cost` of its credits at
/// `now_ms`, in the window and period `window_at` and `credits_period_at` say: never an
/// earlier one than stored, so some writer's condition always holds. The rate limit's
/// condition admits the use only while the current window's count, plus the previous
/// window's weighted by its overlap, stays below the limit.
fn spending(token: &Meter, credits: Option<u64>, cost: u64, now_ms: u64) -> Write {
    let now = now_ms / 1000;
    let mut write = Write::default();
    if let Some((limit, at)) = token.ratelimit.zip(token.window_at(now)) {
        write.value(":window", at.window);
        write.value(":one", 1);
        let before = at.window.saturating_sub(limit.duration_secs);
        if token.rl_window == Some(at.window) {
            // The previous window's count is fixed once the window moved.
            let allowed = limit
                .limit
                .saturating_sub(limit.carried(at.previous, at.window, now_ms));
            write.clause(
                "rl_count = rl_count + :one",
                "rl_window = :window AND rl_count < :allowed",
            );
            write.value(":allowed", allowed);
        } else if token.rl_window.is_some() && token.rl_window == Some(before) {
            // The window moves on: its count, as it is when this write lands, becomes the
            // previous one, and must leave room for this use.
            write.clause(
                "rl_prev_count = rl_count, rl_window = :window, rl_count = :one",
                "rl_window = :before AND rl_count <= :max_previous",
            );
            write.value(":before", before);
            write.value(
                ":max_previous",
                limit.max_previous_for_one_more(at.window, now_ms),
            );
        } else {
            // No use in the previous window: nothing carries over.
            write.clause(
                "rl_prev_count = :zero, rl_window = :window, rl_count = :one",
                "(attribute_not_exists(rl_window) OR rl_window < :before)",
            );
            write.value(":zero", 0);
            write.value(":before", before);
        }
    }
    let Some(credits) = credits else {
        return write;
    };
    match token.credits_period_at(now) {
        Some(period) if token.credits_period != Some(period) => {
            // The first use of a new period refills, once: only one writer moves the period.
            write.clause(
                "credits_period = :period, credits_remaining = :refilled",
                "(attribute_not_exists(credits_period) OR credits_period < :period)",
            );
            write.value(":period", period);
            write.value(":refilled", credits - cost);
        }
        Some(period) => {
            write.clause(
                "credits_remaining = credits_remaining - :cost",
                "credits_period = :period AND credits_remaining >= :cost",
            );
            write.value(":period", period);
            write.value(":cost", cost);
        }
        None => {
            write.clause(
                "credits_remaining = credits_remaining - :cost",
                "credits_remaining >= :cost",
            );
            write.value(":cost", cost);
        }
    }
    write
}

/// Checks `cost` credits and one use of the rate limit against the token's meter, and
/// spends them if both allow (credits are checked first; a refused use spends nothing,
/// and a cost of 0 checks without spending). A spend counts its use as VALID in the same
/// write; the caller counts any other outcome. The answer says what remains after.
///
/// A sharded meter (`crate::meter`) is spent on a shard picked at random; when that shard
/// has no room, on another that has, and the use is refused only when none has. So a
/// sharded token never admits more than its limits; its answer's `remaining` is an
/// estimate (the shard's times the shards) unless it is refused.
pub async fn spend(
    store: &Store,
    token: &VerifiedAccessToken,
    cost: u64,
    now_ms: u64,
) -> Result<Spent, StoreError> {
    let shards = token.meter_shards;
    if shards <= 1 {
        let Some((first, meter)) = meter_of(store, token, now_ms / 1000).await? else {
            return Ok(Spent::Gone);
        };
        return spend_on(store, token, &first, meter, cost, now_ms).await;
    }
    let picked = ShardKey::new(&token.meter_id, random_shard(shards));
    let Some(meter) = store.meter_shard(&picked).await? else {
        return Ok(Spent::Gone);
    };
    let refused = match spend_on(store, token, &picked, meter, cost, now_ms).await? {
        Spent::Valid(remaining) => return Ok(Spent::Valid(remaining.times(shards))),
        Spent::Gone => return Ok(Spent::Gone),
        refused => refused,
    };
    let all = store.meter_shards(&token.meter_id, shards).await?;
    if all.is_empty() {
        return Ok(Spent::Gone);
    }
    let mut refusals = vec![refused];
    let start = random_shard(shards) as usize;
    let with_room = all
        .iter()
        .cycle()
        .skip(start % all.len())
        .take(all.len())
        .filter(|(shard, meter)| *shard != picked && has_room(meter, cost, now_ms));
    for (shard, meter) in with_room {
        match spend_on(store, token, shard, meter.clone(), cost, now_ms).await? {
            Spent::Valid(remaining) => return Ok(Spent::Valid(remaining.times(shards))),
            Spent::Gone => return Ok(Spent::Gone),
            refused => refusals.push(refused),
        }
    }
    // No shard had room: refused, with what all of them hold.
    let meters: Vec<Meter> = all.into_iter().map(|(_, meter)| meter).collect();
    let remaining = remaining_of(&Meter::merged(&meters), now_ms);
    Ok(
        if refusals
            .iter()
            .any(|spent| matches!(spent, Spent::RateLimited(_)))
        {
            Spent::RateLimited(remaining)
        } else {
            Spent::UsageExceeded(remaining)
        },
    )
}

/// Whether a meter, as read, admits one more use of `cost`.
fn has_room(meter: &Meter, cost: u64, now_ms: u64) -> bool {
    let remaining = remaining_of(meter, now_ms);
    remaining.credits.is_none_or(|credits| credits >= cost)
        && remaining.ratelimit.is_none_or(|(_, left, _)| left > 0)
}

impl Remaining {
    /// What one shard's remaining suggests of all `shards`.
    fn times(self, shards: u32) -> Remaining {
        let shards = u64::from(shards);
        Remaining {
            credits: self.credits.map(|credits| credits.saturating_mul(shards)),
            ratelimit: self.ratelimit.map(|(limit, left, reset)| {
                (
                    limit.saturating_mul(shards),
                    left.saturating_mul(shards),
                    reset,
                )
            }),
        }
    }
}

/// The spend on one item of the token's meter, `meter` as read.
async fn spend_on(
    store: &Store,
    token: &VerifiedAccessToken,
    shard: &ShardKey,
    mut meter: Meter,
    cost: u64,
    now_ms: u64,
) -> Result<Spent, StoreError> {
    let now = now_ms / 1000;
    let today = counts::day_of(now);
    for attempt in 1..=MAX_ATTEMPTS {
        if attempt > 1 {
            let Some(read) = store.meter_shard(shard).await? else {
                return Ok(Spent::Gone);
            };
            meter = read;
        }
        let before = remaining_of(&meter, now_ms);
        if before.credits.is_some_and(|credits| credits < cost) {
            // What a verification that spent the last credits and died did not send.
            credit_events::notice(store, token, shard, &meter, now_ms).await;
            return Ok(Spent::UsageExceeded(before));
        }
        if before.ratelimit.is_some_and(|(_, left, _)| left == 0) {
            return Ok(Spent::RateLimited(before));
        }
        if cost == 0 {
            return Ok(Spent::Valid(before));
        }
        // The meter's day, or a later one another container's clock already started.
        let day = match counts::day_on(&meter) {
            Some(day) if day >= today => day,
            _ => {
                // The previous day's counts move to their own item first, once a day.
                counts::roll_over(store, shard, meter.usage.as_ref(), today).await?;
                continue;
            }
        };
        let write = spending(&meter, before.credits, cost, now_ms);
        if write.sets.is_empty() {
            // Its limits were removed since the lookup: nothing to spend, only to count.
            counts::add(store, token, today, &Counts::one(Outcome::Valid)).await?;
            return Ok(Spent::Valid(before));
        }
        let mut update = store
            .client()
            .update_item()
            .table_name(store.table_name())
            .set_key(Some(shard.key()))
            .update_expression(format!(
                "SET {} ADD #usage.{} :counted",
                write.sets.join(", "),
                counts::name_of(Outcome::Valid)
            ))
            .condition_expression(format!(
                "attribute_exists(pk) AND {} AND {}",
                counts::TODAY_CONDITION,
                write.conditions.join(" AND ")
            ))
            .set_expression_attribute_names(Some(counts::names(&[Outcome::Valid])))
            .expression_attribute_values(":counted", AttributeValue::N("1".into()))
            .expression_attribute_values(":today", AttributeValue::N(day.to_string()))
            // Only what changed: the policy allows no other attribute to be read back.
            .return_values(ReturnValue::UpdatedNew);
        for (name, value) in write.values {
            update = update.expression_attribute_values(name, value);
        }
        match update.send().await {
            Ok(out) => {
                let updated: Updated = serde_dynamo::from_item(out.attributes.unwrap_or_default())?;
                let after = Meter {
                    rl_window: updated.rl_window.or(meter.rl_window),
                    rl_count: updated.rl_count.or(meter.rl_count),
                    rl_prev_count: updated.rl_prev_count.or(meter.rl_prev_count),
                    credits_remaining: updated.credits_remaining.or(meter.credits_remaining),
                    credits_period: updated.credits_period.or(meter.credits_period),
                    ..meter
                };
                credit_events::notice(store, token, shard, &after, now_ms).await;
                return Ok(Spent::Valid(remaining_of(&after, now_ms)));
            }
            Err(err) if counts::is_condition_failure(&err) => continue,
            // An edit's transaction held the meter: nothing was written, try again.
            Err(err) if counts::is_transaction_conflict(&err) => {
                counts::back_off(attempt).await;
                continue;
            }
            Err(err) => return Err(err.into()),
        }
    }
    Err(StoreError::Unavailable(
        "the token's limits changed on every attempt to spend them".into(),
    ))
}
