//! `Credits Low` and `Credits Exhausted` (issue 29): sent once per grant of a token's
//! credits (a refill period, or credits stated by a create or an edit), by the verification
//! whose spend left them under the line (10% of the refill amount, or of the grant) or at
//! zero. The mark that an event was sent lives on the meter, written in one transaction
//! with the event's audit entry and conditional on not being there: two verifications that
//! both see the line crossed send one event. A verification that finds the line crossed and
//! no mark (the one that crossed it died before writing it) sends it then.
//!
//! Meters split over shards do not send these yet: no one shard knows the token's total.

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use tessera_common::{
    audit::{system_entry, DEFAULT_RETENTION},
    events::{Event, EventType},
    store::{meters::ShardKey, records::Meter, Store, StoreError},
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
    if token.meter_shards > 1 {
        return;
    }
    let now = now_ms / 1000;
    let Some(remaining) = meter.credits_at(now) else {
        return;
    };
    let grant = meter.credits_grant_at(now);
    let sent = meter.credits_events.unwrap_or_default();
    let line = meter.credits_low_line();
    let low = line.is_some_and(|line| remaining < line) && sent.low_sent != Some(grant);
    let out = remaining == 0 && sent.out_sent != Some(grant);
    if !low && !out {
        return;
    }
    let due: Vec<EventType> = [
        (low, EventType::CreditsLow),
        (out, EventType::CreditsExhausted),
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
    match send(store, token, shard, &due, &crossing, now_ms).await {
        Ok(()) | Err(StoreError::Conflict) => {}
        Err(err) => {
            tracing::warn!(token_id = %token.token_id, error = %err, "credits event not written; the next verification writes it");
        }
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

/// The marks and the entries of `due`, in one transaction: `Conflict` when another
/// verification sent them first.
async fn send(
    store: &Store,
    token: &VerifiedAccessToken,
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
