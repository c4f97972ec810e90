//! `Credits Low` and `Credits Exhausted` (issue 29): sent once per grant of a token's
//! credits (a refill period, or credits stated by a create or an edit), by the verification
//! whose spend left them under the line (10% of the refill amount, or of the grant) or at
//! zero. The mark that an event was sent lives on the meter, written in one transaction
//! with the event's audit entry and conditional on not being there: two verifications that
//! both see the line crossed send one event. A verification that finds the line crossed and
//! no mark (the one that crossed it died before writing it) sends it then.
//!
//! A meter split over shards sends them for the token: a shard under its share of a line
//! reads every shard, and the sum decides (`notice_sharded`).

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use tessera_common::{
    audit::{system_entry, DEFAULT_RETENTION},
    events::{Event, EventType},
    store::{
        meters::ShardKey,
        records::{CreditsEvents, Meter},
        Store, StoreError,
    },
    verify::VerifiedAccessToken,
};

/// Sends what `meter` (as it stands after a spend, or as read by a refused one) calls for
/// at `now_ms`. Best effort: a failure is logged, and the next verification sends it.
pub async fn notice(
    store: &Store,
    token: &VerifiedAccessToken,
    shard: &ShardKey,
    meter: &Meter,
    now_ms: u64,
) {
    let result = if token.meter_shards > 1 {
        notice_sharded(store, token, shard, meter, now_ms).await
    } else {
        notice_one(store, token, shard, meter, now_ms).await
    };
    if let Err(err) = result {
        tracing::warn!(token_id = %token.token_id, error = %err, "credits event not written; the next verification writes it");
    }
}

/// What is due of a meter at `now`, as one of `times` like it (a shard of as many): the
/// kinds whose line it crossed (its credits times `times` under the line of `times` such
/// meters, or none left) and whose mark it does not carry for its grant.
fn due_of(meter: &Meter, now: u64, times: u64) -> Option<(Vec<EventType>, Crossing)> {
    let remaining = meter.credits_at(now)?;
    let grant = meter.credits_grant_at(now);
    let sent = meter.credits_events.unwrap_or_default();
    let line = meter.credits_low_line_times(times);
    let due: Vec<EventType> = [
        (
            line.is_some_and(|line| remaining.saturating_mul(times) < line)
                && sent.low_sent != Some(grant),
            EventType::CreditsLow,
        ),
        (
            remaining == 0 && sent.out_sent != Some(grant),
            EventType::CreditsExhausted,
        ),
    ]
    .into_iter()
    .filter_map(|(due, kind)| due.then_some(kind))
    .collect();
    let crossing = Crossing {
        grant,
        remaining,
        line,
        marked: meter.credits_events.is_some(),
    };
    (!due.is_empty()).then_some((due, crossing))
}

/// An unsharded meter: its own lines are the token's.
async fn notice_one(
    store: &Store,
    token: &VerifiedAccessToken,
    shard: &ShardKey,
    meter: &Meter,
    now_ms: u64,
) -> Result<(), StoreError> {
    let Some((due, crossing)) = due_of(meter, now_ms / 1000, 1) else {
        return Ok(());
    };
    ignore_conflict(send(store, Some(token), shard, &due, &crossing, now_ms).await)
}

/// A meter split over shards: a shard under its share of a line reads every shard, and the
/// token's event is sent when their sum is under the token's line, marked on shard 0 (one
/// mark for the token, so racing shards send it once). The shard then marks itself for
/// each event the token has sent, so that its next spends read nothing more; until then,
/// each of its spends reads the shards again (as a spend that finds its shard empty does).
async fn notice_sharded(
    store: &Store,
    token: &VerifiedAccessToken,
    shard: &ShardKey,
    meter: &Meter,
    now_ms: u64,
) -> Result<(), StoreError> {
    let now = now_ms / 1000;
    let Some((locally_due, local)) = due_of(meter, now, u64::from(token.meter_shards)) else {
        return Ok(());
    };
    let shards = store
        .meter_shards(&token.meter_id, token.meter_shards)
        .await?;
    let Some((first_key, first)) = shards.iter().find(|(key, _)| key.shard == 0) else {
        return Ok(());
    };
    let total: u64 = shards
        .iter()
        .filter_map(|(_, meter)| meter.credits_at(now))
        .sum();
    // The token's line: of the sums of what its shards state.
    let line = Meter {
        credits_refill: first
            .credits_refill
            .map(|refill| tessera_common::usage::Refill {
                amount: shards
                    .iter()
                    .filter_map(|(_, meter)| meter.credits_refill.map(|refill| refill.amount))
                    .sum(),
                ..refill
            }),
        credits_events: first.credits_events.map(|events| CreditsEvents {
            granted: shards
                .iter()
                .filter_map(|(_, meter)| meter.credits_events.map(|events| events.granted))
                .sum(),
            low_line: shards
                .iter()
                .map(|(_, meter)| meter.credits_events.and_then(|events| events.low_line))
                .sum::<Option<u64>>(),
            ..events
        }),
        ..Meter::default()
    }
    .credits_low_line();
    let sent = first.credits_events.unwrap_or_default();
    let crossed = |kind: EventType| match kind {
        EventType::CreditsLow => line.is_some_and(|line| total < line),
        _ => total == 0,
    };
    let mark_of_first = |kind: EventType| match kind {
        EventType::CreditsLow => sent.low_sent,
        _ => sent.out_sent,
    };
    let token_due: Vec<EventType> = locally_due
        .iter()
        .copied()
        .filter(|kind| crossed(*kind) && mark_of_first(*kind) != Some(local.grant))
        .collect();
    if !token_due.is_empty() {
        let crossing = Crossing {
            grant: local.grant,
            remaining: total,
            line,
            marked: first.credits_events.is_some(),
        };
        ignore_conflict(send(store, Some(token), first_key, &token_due, &crossing, now_ms).await)?;
    }
    // The kinds the token has sent (now, or before): this shard need not look again.
    let told: Vec<EventType> = locally_due
        .into_iter()
        .filter(|kind| crossed(*kind))
        .collect();
    if !told.is_empty() && shard.shard != 0 {
        ignore_conflict(send(store, None, shard, &told, &local, now_ms).await)?;
    }
    Ok(())
}

fn ignore_conflict(result: Result<(), StoreError>) -> Result<(), StoreError> {
    match result {
        Err(StoreError::Conflict) => Ok(()),
        other => other,
    }
}

/// What a verification found of a grant.
struct Crossing {
    grant: u64,
    remaining: u64,
    line: Option<u64>,
    /// The meter has its `credits_events` (credits stated before these events have none).
    marked: bool,
}

fn mark_of(kind: EventType) -> &'static str {
    match kind {
        EventType::CreditsLow => "low_sent",
        _ => "out_sent",
    }
}

/// The marks of `due` on `shard`, and (with `token`) their entries, in one transaction:
/// `Conflict` when another verification marked them first.
async fn send(
    store: &Store,
    token: Option<&VerifiedAccessToken>,
    shard: &ShardKey,
    due: &[EventType],
    crossing: &Crossing,
    now_ms: u64,
) -> Result<(), StoreError> {
    let mut update = Update::builder()
        .table_name(store.table_name())
        .set_key(Some(shard.key()))
        .expression_attribute_values(":grant", AttributeValue::N(crossing.grant.to_string()));
    if crossing.marked {
        let sets: Vec<String> = due
            .iter()
            .map(|kind| format!("credits_events.{} = :grant", mark_of(*kind)))
            .collect();
        let mut conditions = vec!["attribute_exists(pk)".to_owned()];
        conditions.extend(due.iter().map(|kind| {
            let mark = mark_of(*kind);
            format!(
                "(attribute_not_exists(credits_events.{mark}) OR credits_events.{mark} <> :grant)"
            )
        }));
        update = update
            .update_expression(format!("SET {}", sets.join(", ")))
            .condition_expression(conditions.join(" AND "));
    } else {
        // Credits stated before these events: the marks start a map of their own.
        let mut map = std::collections::HashMap::from([
            ("granted".to_owned(), AttributeValue::N("0".into())),
            ("granted_at".to_owned(), AttributeValue::N("0".into())),
        ]);
        for kind in due {
            map.insert(
                mark_of(*kind).to_owned(),
                AttributeValue::N(crossing.grant.to_string()),
            );
        }
        update = update
            .update_expression("SET credits_events = :events")
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(credits_events)")
            .expression_attribute_values(":events", AttributeValue::M(map));
    }
    let mut actions = vec![TransactWriteItem::builder().update(update.build()?).build()];
    let Some(token) = token else {
        return store.transact(actions).await;
    };
    for kind in due {
        let entry = system_entry(
            "meter",
            (
                &token.workspace_id,
                match kind {
                    EventType::CreditsLow => "access_token.credits_low",
                    _ => "access_token.credits_exhausted",
                },
                format!("access_token:{}", token.token_id),
            ),
            Some(format!("{} credits left", crossing.remaining)),
            std::time::UNIX_EPOCH + std::time::Duration::from_millis(now_ms),
            DEFAULT_RETENTION,
        )
        .with_event(Event::of_credits(
            *kind,
            (&token.token_id, &token.name, token.external_id.as_deref()),
            crossing.remaining,
            crossing.line,
        ));
        actions.push(store.audit_put(&entry)?);
    }
    store.transact(actions).await
}
