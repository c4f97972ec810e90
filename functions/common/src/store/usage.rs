//! Spending a metered access token's credits and rate limit: a consistent read of its
//! record, then one UpdateItem whose conditions hold only if the limits still allow the
//! use. Concurrent verifications never admit more than the limits: a condition that fails
//! means another writer got there first, and the record is read again.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use super::{key, keys, records::AccessToken, Store, StoreError};
use crate::usage::{Remaining, Spent};

/// Reads and conditional writes per verification before giving up as throttled: each
/// failed condition means another verification moved the window, the period or the
/// counters, so a handful always suffices outside a pathological storm.
const MAX_ATTEMPTS: usize = 8;

/// The counters a spend wrote, as DynamoDB answers them (`UPDATED_NEW`).
#[derive(serde::Deserialize)]
struct Updated {
    rl_window: Option<u64>,
    rl_count: Option<u64>,
    credits_remaining: Option<u64>,
    credits_period: Option<u64>,
}

/// The remaining allowance a record shows at `now`, before this use.
fn remaining_of(token: &AccessToken, now: u64) -> Remaining {
    Remaining {
        credits: token.credits_at(now),
        ratelimit: token.ratelimit.map(|limit| {
            let window = limit.window_of(now);
            let used = match token.rl_window {
                Some(at) if at == window => token.rl_count.unwrap_or(0),
                _ => 0,
            };
            (
                limit.limit,
                limit.limit.saturating_sub(used),
                window + limit.duration_secs,
            )
        }),
    }
}

impl Store {
    /// Checks `cost` credits and one use of the rate limit against the token's record, and
    /// spends them if both allow (credits are checked first; a refused use spends nothing,
    /// and a cost of 0 checks without writing). The answer says what remains after.
    pub async fn spend(
        &self,
        workspace_id: &str,
        name: &str,
        token_id: &str,
        cost: u64,
        now: u64,
    ) -> Result<Spent, StoreError> {
        let (pk, sk) = (
            keys::workspace_pk(workspace_id),
            keys::access_token_sk(name, token_id),
        );
        for _ in 0..MAX_ATTEMPTS {
            let Some(token) = self.get::<AccessToken>(pk.clone(), &sk).await? else {
                return Ok(Spent::Gone);
            };
            let before = remaining_of(&token, now);
            if before.credits.is_some_and(|credits| credits < cost) {
                return Ok(Spent::UsageExceeded(before));
            }
            if before.ratelimit.is_some_and(|(_, left, _)| left == 0) {
                return Ok(Spent::RateLimited(before));
            }
            if cost == 0 {
                return Ok(Spent::Valid(before));
            }
            let mut sets = Vec::new();
            let mut conditions = vec!["attribute_exists(pk)".to_owned()];
            let mut values = Vec::new();
            let n = |value: u64| AttributeValue::N(value.to_string());
            if let Some(limit) = token.ratelimit {
                let window = limit.window_of(now);
                values.push((":window", n(window)));
                if token.rl_window == Some(window) {
                    sets.push("rl_count = rl_count + :one");
                    conditions.push("rl_window = :window AND rl_count < :limit".into());
                    values.push((":limit", n(limit.limit)));
                } else {
                    sets.push("rl_window = :window, rl_count = :one");
                    conditions
                        .push("(attribute_not_exists(rl_window) OR rl_window < :window)".into());
                }
                values.push((":one", n(1)));
            }
            if let Some(credits) = before.credits.filter(|_| cost > 0) {
                // DynamoDB refuses a value that no expression uses.
                if !matches!(token.credits_refill, Some(refill) if token.credits_period != Some(refill.period_of(now)))
                {
                    values.push((":cost", n(cost)));
                }
                match token.credits_refill {
                    Some(refill) if token.credits_period != Some(refill.period_of(now)) => {
                        // The first use of a new period refills, once: only one writer
                        // moves the period forward.
                        sets.push("credits_period = :period, credits_remaining = :refilled");
                        conditions.push(
                            "(attribute_not_exists(credits_period) OR credits_period < :period)"
                                .into(),
                        );
                        values.push((":period", n(refill.period_of(now))));
                        values.push((":refilled", n(credits - cost)));
                    }
                    Some(refill) => {
                        sets.push("credits_remaining = credits_remaining - :cost");
                        conditions
                            .push("credits_period = :period AND credits_remaining >= :cost".into());
                        values.push((":period", n(refill.period_of(now))));
                    }
                    None => {
                        sets.push("credits_remaining = credits_remaining - :cost");
                        conditions.push("credits_remaining >= :cost".into());
                    }
                }
            }
            let mut update = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key(pk.clone(), &sk)))
                .update_expression(format!("SET {}", sets.join(", ")))
                .condition_expression(conditions.join(" AND "))
                // Only what changed: the policy allows no other attribute to be read back.
                .return_values(ReturnValue::UpdatedNew);
            for (name, value) in values {
                update = update.expression_attribute_values(name, value);
            }
            match update.send().await {
                Ok(out) => {
                    let updated: Updated =
                        serde_dynamo::from_item(out.attributes.unwrap_or_default())?;
                    let after = AccessToken {
                        rl_window: updated.rl_window.or(token.rl_window),
                        rl_count: updated.rl_count.or(token.rl_count),
                        credits_remaining: updated.credits_remaining.or(token.credits_remaining),
                        credits_period: updated.credits_period.or(token.credits_period),
                        ..token
                    };
                    return Ok(Spent::Valid(remaining_of(&after, now)));
                }
                Err(err)
                    if err
                        .as_service_error()
                        .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
                {
                    continue
                }
                Err(err) => return Err(err.into()),
            }
        }
        Err(StoreError::Unavailable(
            "the token's limits changed on every attempt to spend them".into(),
        ))
    }
}
