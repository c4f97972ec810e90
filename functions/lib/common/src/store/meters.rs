//! Meters: a token's limits, counters and today's counts in an item of their own
//! (`METER#<meter id>`), so that a spend reads and writes one item under 1 KB, whatever the
//! token's record carries. The store reads a token's meter with its record and writes the
//! two apart; a record never carries the meter's attributes (`Meter::ATTRIBUTES`), but for
//! a record from before, until `own_meter` moves them to their item.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, TransactWriteItem, Update};

use super::{
    key, keys,
    records::{AccessToken, Meter},
    users::s,
    Item, Keyed, Store, StoreError,
};

/// DynamoDB's limit of keys in one BatchGetItem call.
const MAX_BATCH_KEYS: usize = 100;
/// BatchGetItem rounds before the keys DynamoDB left unprocessed count as throttled.
const MAX_BATCH_ROUNDS: usize = 8;

/// The key of a meter's item.
pub fn meter_key(meter_id: &str) -> Item {
    key(keys::meter_pk(meter_id), keys::METER_SK)
}

/// A token's record as stored: without the meter's attributes, which its meter holds.
pub(super) fn record_item(token: &AccessToken) -> Result<Item, StoreError> {
    let mut item: Item = serde_dynamo::to_item(token)?;
    if token.meter_id.is_some() {
        for attribute in Meter::ATTRIBUTES {
            item.remove(attribute);
        }
    }
    Ok(item)
}

/// A token's meter as stored.
pub(super) fn meter_item(token: &AccessToken) -> Result<Item, StoreError> {
    Ok(serde_dynamo::to_item(token.meter())?)
}

impl Store {
    /// A meter, read consistently; `None` when it is gone (its token was deleted).
    pub async fn meter(&self, meter_id: &str) -> Result<Option<Meter>, StoreError> {
        self.get(keys::meter_pk(meter_id), keys::METER_SK).await
    }

    /// A Put of a new token's meter, failing the transaction if the meter exists.
    pub(super) fn put_new_meter(
        &self,
        token: &AccessToken,
    ) -> Result<TransactWriteItem, StoreError> {
        self.put_new(&Keyed::new(
            keys::meter_pk(token.meter_id()),
            keys::METER_SK.to_owned(),
            token.meter(),
        ))
    }

    /// The token with its meter (a record from before keeps the counters it carries).
    pub(super) async fn with_meter(&self, record: AccessToken) -> Result<AccessToken, StoreError> {
        let Some(meter_id) = record.meter_id.clone() else {
            return Ok(record);
        };
        Ok(match self.meter(&meter_id).await? {
            Some(meter) => record.with_meter(meter),
            None => record,
        })
    }

    /// The tokens with their meters, read in BatchGetItem calls of up to 100 meters.
    pub(super) async fn with_meters(
        &self,
        records: Vec<AccessToken>,
    ) -> Result<Vec<AccessToken>, StoreError> {
        let mut ids: Vec<&str> = records
            .iter()
            .filter_map(|record| record.meter_id.as_deref())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut meters: HashMap<String, Meter> = HashMap::new();
        for chunk in ids.chunks(MAX_BATCH_KEYS) {
            for item in self
                .batch_get(chunk.iter().map(|id| meter_key(id)).collect())
                .await?
            {
                let Some(AttributeValue::S(pk)) = item.get("pk") else {
                    continue;
                };
                let id = pk.trim_start_matches(&keys::meter_pk(""));
                let id = id.to_owned();
                let meter = serde_dynamo::from_item::<_, Keyed<Meter>>(item)?.record;
                meters.insert(id, meter);
            }
        }
        Ok(records
            .into_iter()
            .map(
                |record| match record.meter_id.as_ref().and_then(|id| meters.get(id)) {
                    Some(meter) => record.clone().with_meter(meter.clone()),
                    None => record,
                },
            )
            .collect())
    }

    /// Consistent reads of up to 100 keys, retrying what DynamoDB leaves unprocessed.
    async fn batch_get(&self, keys: Vec<Item>) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut pending = keys;
        for round in 0..MAX_BATCH_ROUNDS {
            if pending.is_empty() {
                return Ok(items);
            }
            if round > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(20 << round)).await;
            }
            let request = KeysAndAttributes::builder()
                .set_keys(Some(pending))
                .consistent_read(true)
                .build()?;
            let out = self
                .client
                .batch_get_item()
                .request_items(&self.table, request)
                .send()
                .await?;
            items.extend(
                out.responses
                    .and_then(|mut by_table| by_table.remove(&self.table))
                    .unwrap_or_default(),
            );
            pending = out
                .unprocessed_keys
                .and_then(|mut by_table| by_table.remove(&self.table))
                .map(|unprocessed| unprocessed.keys)
                .unwrap_or_default();
        }
        if pending.is_empty() {
            return Ok(items);
        }
        Err(StoreError::Unavailable(
            "DynamoDB left meters unread on every attempt".into(),
        ))
    }

    /// Moves the counters of a record from before meters had items of their own to its
    /// meter's item, in one transaction conditional on the counters and counts as read, so
    /// that nothing a writer of the old shape added meanwhile is lost. Answers the token as
    /// it is after (a record that has a meter already is answered as it is); `Conflict`
    /// when the record changed meanwhile: read it again.
    pub async fn own_meter(&self, record: &AccessToken) -> Result<AccessToken, StoreError> {
        if record.meter_id.is_some() {
            return Ok(record.clone());
        }
        let meter_id = record.id.clone();
        let mut as_read = vec![
            "attribute_exists(pk)".to_owned(),
            "digest = :digest".to_owned(),
            "attribute_not_exists(meter_id)".to_owned(),
            "attribute_not_exists(successor_digest)".to_owned(),
        ];
        let mut values: Vec<(String, AttributeValue)> =
            vec![(":digest".into(), s(record.digest.as_hex()))];
        let mut names: Vec<(String, String)> = Vec::new();
        let meter: Item = serde_dynamo::to_item(record.meter())?;
        for (i, attribute) in Meter::ATTRIBUTES.iter().enumerate() {
            let name = format!("#m{i}");
            match meter.get(*attribute) {
                Some(value) => {
                    as_read.push(format!("{name} = :m{i}"));
                    values.push((format!(":m{i}"), value.clone()));
                }
                None => as_read.push(format!("attribute_not_exists({name})")),
            }
            names.push((name, (*attribute).to_owned()));
        }
        let mut moved = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::workspace_pk(&record.workspace_id),
                &keys::access_token_sk(&record.name, &record.id),
            )))
            .update_expression(format!(
                "SET meter_id = :meter_id REMOVE {}",
                names
                    .iter()
                    .map(|(name, _)| name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .condition_expression(as_read.join(" AND "))
            .expression_attribute_values(":meter_id", s(&meter_id));
        for (name, attribute) in &names {
            moved = moved.expression_attribute_names(name, attribute);
        }
        for (name, value) in values {
            moved = moved.expression_attribute_values(name, value);
        }
        // Counting starts afresh where the record counted nothing (as a new token's does).
        let mut moving = record.meter();
        if moving.usage.is_none() {
            let created = crate::clock::secs_from_rfc3339(&record.created_at).unwrap_or(0);
            moving.usage = Some([("day".to_owned(), created / 86_400)].into());
        }
        // An Update that creates the item: verifiers may update items, never put them.
        let mut created = Update::builder()
            .table_name(&self.table)
            .set_key(Some(meter_key(&meter_id)))
            .condition_expression("attribute_not_exists(pk)");
        let mut sets = Vec::new();
        for (i, (attribute, value)) in serde_dynamo::to_item::<_, Item>(moving)?
            .into_iter()
            .enumerate()
        {
            sets.push(format!("#c{i} = :c{i}"));
            created = created
                .expression_attribute_names(format!("#c{i}"), attribute)
                .expression_attribute_values(format!(":c{i}"), value);
        }
        let created = created.update_expression(format!("SET {}", sets.join(", ")));
        self.transact(vec![
            TransactWriteItem::builder().update(moved.build()?).build(),
            TransactWriteItem::builder()
                .update(created.build()?)
                .build(),
        ])
        .await?;
        Ok(AccessToken {
            meter_id: Some(meter_id),
            ..record.clone()
        })
    }
}
