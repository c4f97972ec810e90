//! Verifications counted per token, UTC day and outcome. Today's counts live on the token's
//! meter (the map `usage`: `day`, days since the epoch, and a number per outcome), so that
//! a metered token's spend counts its use in the write it makes anyway. The first count of
//! a new day moves the previous day's counts to an item of their own (`USAGE#<meter id>`,
//! sk the date, removed by the table's TTL after 92 days), in one transaction conditional
//! on the counts as read, so that none is lost or counted twice.

use std::collections::{BTreeMap, HashMap};

use crate::{
    meter_of::meter_of,
    outcome::{Counts, Outcome},
    tally::Due,
};
use aws_sdk_dynamodb::{
    error::SdkError,
    operation::update_item::UpdateItemError,
    types::{AttributeValue, TransactWriteItem, Update},
};
use tessera_common::{
    clock::rfc3339_from_secs,
    meter::random_shard,
    store::{
        key, keys,
        meters::ShardKey,
        records::{AccessToken, Meter},
        Store, StoreError,
    },
    verify::{record_use_at, VerifiedAccessToken},
};

const DAY_SECS: u64 = 86_400;
/// Past days are kept longer than the 90 days GET /accessTokens/{id}/usage shows.
const KEPT_DAYS: u64 = 92;
/// Counting writes per call before giving up: each failed condition is a new day's move
/// or a token edited meanwhile.
const MAX_ATTEMPTS: usize = 4;

/// The condition a count of today on the record makes (`#day` and `:today` set).
pub(crate) const TODAY_CONDITION: &str = "#usage.#day = :today";

/// Days since the epoch (UTC) of Unix seconds.
pub fn day_of(secs: u64) -> u64 {
    secs / DAY_SECS
}

/// `YYYY-MM-DD` of a day since the epoch.
pub fn date_of(day: u64) -> String {
    rfc3339_from_secs(day * DAY_SECS)[..10].to_owned()
}

/// The day a meter's counts are of, if it has counted any.
pub(crate) fn day_on(meter: &Meter) -> Option<u64> {
    meter.usage.as_ref()?.get("day").copied()
}

/// The placeholder of an outcome's counter in expressions.
pub(crate) fn name_of(outcome: Outcome) -> String {
    format!("#{}", outcome.key())
}

/// Names of `#usage`, `#day` and of these outcomes' placeholders.
pub(crate) fn names(outcomes: &[Outcome]) -> HashMap<String, String> {
    let mut names: HashMap<String, String> = outcomes
        .iter()
        .map(|outcome| (name_of(*outcome), outcome.key().to_owned()))
        .collect();
    names.insert("#day".into(), "day".into());
    // Both are reserved words.
    names.insert("#usage".into(), "usage".into());
    names
}

pub(crate) fn is_condition_failure(err: &SdkError<UpdateItemError>) -> bool {
    err.as_service_error()
        .is_some_and(|e| e.is_conditional_check_failed_exception())
}

/// The item is in another writer's transaction (an edit, a reroll): nothing was written.
pub(crate) fn is_transaction_conflict(err: &SdkError<UpdateItemError>) -> bool {
    err.as_service_error()
        .is_some_and(|e| e.is_transaction_conflict_exception())
}

/// A short, growing pause before writing again to an item a transaction held.
pub(crate) async fn back_off(attempt: usize) {
    tokio::time::sleep(std::time::Duration::from_millis(5 * attempt as u64)).await;
}

fn n(value: u64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// Moves the counts a meter holds (`as_read`) to their day's item and starts `day` on the
/// meter, in one transaction conditional on the counts as read. Losing that race is not
/// an error: another verification moved them, and the caller reads the meter again.
pub(crate) async fn roll_over(
    store: &Store,
    shard: &ShardKey,
    as_read: Option<&BTreeMap<String, u64>>,
    day: u64,
) -> Result<(), StoreError> {
    let mut actions = Vec::new();
    let mut start = Update::builder()
        .table_name(store.table_name())
        .set_key(Some(shard.key()))
        .update_expression("SET #usage = :fresh")
        .expression_attribute_names("#usage", "usage")
        .expression_attribute_values(":fresh", AttributeValue::M([("day".into(), n(day))].into()));
    match as_read {
        Some(usage) => {
            start = start
                .condition_expression("#usage = :seen")
                .expression_attribute_values(":seen", serde_dynamo::to_attribute_value(usage)?);
            let counts = Counts::of_attributes(|name| usage.get(name).copied());
            match usage.get("day") {
                // Never back: a later day stays, and its counts with it.
                Some(&old_day) if old_day >= day => return Ok(()),
                // Every shard adds to the meter's one item of the day.
                Some(&old_day) => {
                    actions.extend(add_to_day(store, &shard.meter_id, old_day, &counts)?)
                }
                None => {}
            }
        }
        None => {
            start =
                start.condition_expression("attribute_exists(pk) AND attribute_not_exists(#usage)")
        }
    }
    actions.push(TransactWriteItem::builder().update(start.build()?).build());
    match store.transact(actions).await {
        Ok(()) | Err(StoreError::Conflict) => Ok(()),
        Err(err) => Err(err),
    }
}

/// An update that adds `counts` to a past day's item; `None` when there is nothing to add.
fn add_to_day(
    store: &Store,
    meter_id: &str,
    day: u64,
    counts: &Counts,
) -> Result<Option<TransactWriteItem>, StoreError> {
    let adds: Vec<(Outcome, u64)> = counts.nonzero().collect();
    if adds.is_empty() {
        return Ok(None);
    }
    let outcomes: Vec<Outcome> = adds.iter().map(|(outcome, _)| *outcome).collect();
    let mut update = Update::builder()
        .table_name(store.table_name())
        .set_key(Some(key(keys::usage_pk(meter_id), &date_of(day))))
        .update_expression(format!(
            "SET expires_at = :ttl ADD {}",
            adds.iter()
                .map(|(outcome, _)| format!("{} :{}", name_of(*outcome), outcome.key()))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .set_expression_attribute_names(Some(
            outcomes
                .iter()
                .map(|outcome| (name_of(*outcome), outcome.key().to_owned()))
                .collect(),
        ))
        .expression_attribute_values(":ttl", n((day + KEPT_DAYS) * DAY_SECS));
    for (outcome, count) in adds {
        update = update.expression_attribute_values(format!(":{}", outcome.key()), n(count));
    }
    Ok(Some(
        TransactWriteItem::builder().update(update.build()?).build(),
    ))
}

/// The clause that adds `counts` to the meter's map, with the names and values it uses
/// (`#usage` and `#day` among the names).
struct Adding {
    clause: String,
    names: HashMap<String, String>,
    values: Vec<(String, AttributeValue)>,
}

fn adding(counts: &Counts) -> Adding {
    let adds: Vec<(Outcome, u64)> = counts.nonzero().collect();
    let outcomes: Vec<Outcome> = adds.iter().map(|(outcome, _)| *outcome).collect();
    Adding {
        clause: adds
            .iter()
            .map(|(outcome, _)| format!("#usage.{} :{}", name_of(*outcome), outcome.key()))
            .collect::<Vec<_>>()
            .join(", "),
        names: names(&outcomes),
        values: adds
            .iter()
            .map(|(outcome, count)| (format!(":{}", outcome.key()), n(*count)))
            .collect(),
    }
}

/// Adds `counts` of `day` to `token`'s: on its meter (a shard at random) when it counts
/// that day (or may start counting it), else on the day's own item. A token deleted
/// meanwhile drops them.
pub async fn add(
    store: &Store,
    token: &VerifiedAccessToken,
    day: u64,
    counts: &Counts,
) -> Result<(), StoreError> {
    if counts.nonzero().next().is_none() {
        return Ok(());
    }
    let adding = adding(counts);
    let mut shard = ShardKey::new(&token.meter_id, random_shard(token.meter_shards));
    for attempt in 1..=MAX_ATTEMPTS {
        let mut update = store
            .client()
            .update_item()
            .table_name(store.table_name())
            .set_key(Some(shard.key()))
            .update_expression(format!("ADD {}", adding.clause))
            .condition_expression(format!("attribute_exists(pk) AND {TODAY_CONDITION}"))
            .set_expression_attribute_names(Some(adding.names.clone()))
            .expression_attribute_values(":today", n(day));
        for (name, value) in &adding.values {
            update = update.expression_attribute_values(name, value.clone());
        }
        match update.send().await {
            Ok(_) => return Ok(()),
            Err(err) if is_condition_failure(&err) => {}
            Err(err) if is_transaction_conflict(&err) => {
                back_off(attempt).await;
                continue;
            }
            Err(err) => return Err(err.into()),
        }
        let meter = if shard.shard > 0 {
            store.meter_shard(&shard).await?
        } else {
            // A day's start at the latest: enough to tell a died reroll from before meters.
            meter_of(store, token, day * DAY_SECS)
                .await?
                .map(|(first, meter)| {
                    shard = first;
                    meter
                })
        };
        let Some(meter) = meter else {
            return Ok(());
        };
        match day_on(&meter) {
            Some(counted) if counted == day => {}
            Some(counted) if counted > day => {
                let archive = add_to_day(store, &shard.meter_id, day, counts)?;
                return store.transact(archive.into_iter().collect()).await;
            }
            _ => roll_over(store, &shard, meter.usage.as_ref(), day).await?,
        }
    }
    Err(StoreError::Unavailable(
        "the token's counts changed on every attempt to add to them".into(),
    ))
}

fn record_key(token: &VerifiedAccessToken) -> (String, String) {
    (
        keys::workspace_pk(&token.workspace_id),
        keys::access_token_sk(&token.name, &token.token_id),
    )
}

/// Writes what a container held of a token without limits: its counts and its last valid
/// use, in one transaction of its meter, record and lookup when the meter counts that day
/// (every write but a day's first); otherwise each day through `add`, and the last use after. On
/// a failure, answers what it did not write, for the next flush: a day written is never
/// written again.
pub(crate) async fn flush(
    store: &Store,
    token: &VerifiedAccessToken,
    mut due: Due,
) -> Result<(), (StoreError, Due)> {
    if let [(day, counts)] = due.by_day.iter().collect::<Vec<_>>()[..] {
        match flush_one_day(store, token, *day, counts, due.last_valid).await {
            // The record starts a new day (or is gone): the way that handles both.
            Err(StoreError::Conflict) => {}
            // One transaction: all of it was written, or none.
            Err(err) => return Err((err, due)),
            Ok(()) => return Ok(()),
        }
    }
    while let Some((day, counts)) = due.by_day.pop_first() {
        if let Err(err) = add(store, token, day, &counts).await {
            due.by_day.insert(day, counts);
            return Err((err, due));
        }
    }
    if let Some(used) = due.last_valid {
        record_use_at(store, token, used)
            .await
            .map_err(|err| (err, due))?;
    }
    Ok(())
}

async fn flush_one_day(
    store: &Store,
    token: &VerifiedAccessToken,
    day: u64,
    counts: &Counts,
    last_valid: Option<u64>,
) -> Result<(), StoreError> {
    let adding = adding(counts);
    let mut meter = Update::builder()
        .table_name(store.table_name())
        .set_key(Some(
            ShardKey::new(&token.meter_id, random_shard(token.meter_shards)).key(),
        ))
        .update_expression(format!("ADD {}", adding.clause))
        .condition_expression(format!("attribute_exists(pk) AND {TODAY_CONDITION}"))
        .set_expression_attribute_names(Some(adding.names))
        .expression_attribute_values(":today", n(day));
    for (name, value) in adding.values {
        meter = meter.expression_attribute_values(name, value);
    }
    let mut actions = vec![TransactWriteItem::builder().update(meter.build()?).build()];
    if let Some(used) = last_valid {
        let (pk, sk) = record_key(token);
        let record = Update::builder()
            .table_name(store.table_name())
            .set_key(Some(key(pk, &sk)))
            .update_expression("SET last_used_at = :used")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":used", n(used))
            .build()?;
        actions.push(TransactWriteItem::builder().update(record).build());
        let lookup = Update::builder()
            .table_name(store.table_name())
            .set_key(Some(key(keys::lookup_pk(&token.digest), keys::LOOKUP_SK)))
            .update_expression("SET last_used_at = :used")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":used", n(used))
            .build()?;
        actions.push(TransactWriteItem::builder().update(lookup).build());
    }
    store.transact(actions).await
}

/// The token's counts of the `days` days up to `today`, newest first, every day listed.
pub async fn by_day(
    store: &Store,
    record: &AccessToken,
    today: u64,
    days: u64,
) -> Result<Vec<(String, Counts)>, StoreError> {
    let first = today + 1 - days.min(today + 1);
    let query = store
        .client()
        .query()
        .table_name(store.table_name())
        .consistent_read(true)
        .key_condition_expression("pk = :pk AND sk BETWEEN :first AND :last")
        .expression_attribute_values(":pk", AttributeValue::S(keys::usage_pk(record.meter_id())))
        .expression_attribute_values(":first", AttributeValue::S(date_of(first)))
        .expression_attribute_values(":last", AttributeValue::S(date_of(today)));
    let mut by_date: BTreeMap<String, Counts> = BTreeMap::new();
    for item in store.query_all(query).await? {
        let Some(AttributeValue::S(date)) = item.get("sk") else {
            continue;
        };
        let counts = Counts::of_attributes(|name| match item.get(name) {
            Some(AttributeValue::N(number)) => number.parse().ok(),
            _ => None,
        });
        by_date.entry(date.clone()).or_default().merge(counts);
    }
    // Today's counts: a sharded meter's each on its shard, which may still hold an
    // earlier day's until its next use.
    let meters = if record.meter_shards() > 1 {
        store
            .meter_shards_of(record)
            .await?
            .into_iter()
            .map(|(_, meter)| meter)
            .collect()
    } else {
        vec![record.meter()]
    };
    for meter in meters {
        if let (Some(usage), Some(day)) = (&meter.usage, day_on(&meter)) {
            if (first..=today).contains(&day) {
                let counts = Counts::of_attributes(|name| usage.get(name).copied());
                by_date.entry(date_of(day)).or_default().merge(counts);
            }
        }
    }
    Ok((first..=today)
        .rev()
        .map(|day| {
            let date = date_of(day);
            let counts = by_date.get(&date).copied().unwrap_or_default();
            (date, counts)
        })
        .collect())
}
