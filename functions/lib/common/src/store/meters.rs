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

/// One item of a token's meter: shard `shard` of the meter `meter_id` (shard 0 is the
/// item of an unsharded meter). Each shard is a partition of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardKey {
    pub meter_id: String,
    pub shard: u32,
}

impl ShardKey {
    pub fn new(meter_id: &str, shard: u32) -> Self {
        ShardKey {
            meter_id: meter_id.to_owned(),
            shard,
        }
    }

    pub fn key(&self) -> Item {
        key(self.pk(), keys::METER_SK)
    }

    fn pk(&self) -> String {
        match self.shard {
            0 => keys::meter_pk(&self.meter_id),
            shard => keys::meter_pk(&format!("{}#{shard}", self.meter_id)),
        }
    }
}

/// The items of a token's meter.
pub fn shard_keys(token: &AccessToken) -> Vec<ShardKey> {
    (0..token.meter_shards())
        .map(|shard| ShardKey::new(token.meter_id(), shard))
        .collect()
}

/// A token's record as stored: without the meter's attributes, which its meter holds.
pub(super) fn record_item(token: &AccessToken) -> Result<Item, StoreError> {
    let mut item: Item = serde_dynamo::to_item(token)?;
    // Indexed by the day it expires, unless a reroll ended it (its grace is no expiry to
    // tell anyone of).
    if let (Some(expires), None) = (token.expires, &token.rerolled_to) {
        let date = crate::clock::rfc3339_from_secs(expires);
        item.insert(
            "gsi2pk".into(),
            AttributeValue::S(keys::expiry_day_pk(&date[..10])),
        );
        item.insert(
            "gsi2sk".into(),
            AttributeValue::S(keys::expiry_sk(expires, &token.workspace_id, &token.id)),
        );
    }
    if token.meter_id.is_some() {
        for attribute in Meter::ATTRIBUTES {
            item.remove(attribute);
        }
        item.remove("metered");
        if token.is_metered() {
            item.insert("metered".into(), AttributeValue::Bool(true));
        }
    }
    Ok(item)
}

/// A token with its meter's shards as read: the only one, or their sum.
fn with_shards(record: AccessToken, shards: &[Meter]) -> AccessToken {
    match shards {
        [] => record,
        [only] => record.with_meter(only.clone()),
        all => record.with_meter(Meter::merged(all)),
    }
}

impl Store {
    /// One item of a meter, read consistently; `None` when it is gone.
    pub async fn meter_shard(&self, shard: &ShardKey) -> Result<Option<Meter>, StoreError> {
        self.get(shard.pk(), keys::METER_SK).await
    }

    /// Puts of a new token's meter (each shard with its share), failing the transaction if
    /// any exists.
    pub(super) fn put_new_meters(
        &self,
        token: &AccessToken,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let meter = token.meter();
        shard_keys(token)
            .into_iter()
            .map(|shard| {
                self.put_new(&Keyed::new(
                    shard.pk(),
                    keys::METER_SK.to_owned(),
                    meter.share(token.meter_shards(), shard.shard),
                ))
            })
            .collect()
    }

    /// Every shard of a token's meter that is there, with its key.
    pub async fn meter_shards_of(
        &self,
        token: &AccessToken,
    ) -> Result<Vec<(ShardKey, Meter)>, StoreError> {
        self.meter_shards(token.meter_id(), token.meter_shards())
            .await
    }

    /// Every shard of the meter `meter_id` of `shards` that is there, with its key.
    pub async fn meter_shards(
        &self,
        meter_id: &str,
        shards: u32,
    ) -> Result<Vec<(ShardKey, Meter)>, StoreError> {
        let shards: Vec<ShardKey> = (0..shards.max(1))
            .map(|shard| ShardKey::new(meter_id, shard))
            .collect();
        if let [only] = &shards[..] {
            return Ok(self
                .meter_shard(only)
                .await?
                .map(|meter| (only.clone(), meter))
                .into_iter()
                .collect());
        }
        let mut by_pk = self
            .meters_by_pk(shards.iter().map(ShardKey::key).collect())
            .await?;
        Ok(shards
            .into_iter()
            .filter_map(|shard| by_pk.remove(&shard.pk()).map(|meter| (shard, meter)))
            .collect())
    }

    /// The token with its meter: the sum of its shards (a record from before keeps the
    /// counters it carries).
    pub(super) async fn with_meter(&self, record: AccessToken) -> Result<AccessToken, StoreError> {
        if record.meter_id.is_none() {
            return Ok(record);
        }
        let shards: Vec<Meter> = self
            .meter_shards_of(&record)
            .await?
            .into_iter()
            .map(|(_, meter)| meter)
            .collect();
        Ok(with_shards(record, &shards))
    }

    /// The tokens with their meters (the sum of each one's shards), read in BatchGetItem
    /// calls of up to 100 items.
    pub(super) async fn with_meters(
        &self,
        records: Vec<AccessToken>,
    ) -> Result<Vec<AccessToken>, StoreError> {
        // An unmetered token's meter holds only its counts, which a listing does not show.
        let mut pks: Vec<String> = records
            .iter()
            .filter(|record| record.meter_id.is_some() && record.record_says_metered)
            .flat_map(|record| shard_keys(record).into_iter().map(|shard| shard.pk()))
            .collect();
        // Tokens in a reroll's grace share their successor's meter.
        pks.sort_unstable();
        pks.dedup();
        let meters = self
            .meters_by_pk(pks.into_iter().map(|pk| key(pk, keys::METER_SK)).collect())
            .await?;
        Ok(records
            .into_iter()
            .map(|record| {
                if record.meter_id.is_none() || !record.record_says_metered {
                    return record;
                }
                let shards: Vec<Meter> = shard_keys(&record)
                    .iter()
                    .filter_map(|shard| meters.get(&shard.pk()).cloned())
                    .collect();
                with_shards(record, &shards)
            })
            .collect())
    }

    /// Meters by their partition key, read in BatchGetItem calls of up to 100 items.
    async fn meters_by_pk(&self, keys: Vec<Item>) -> Result<HashMap<String, Meter>, StoreError> {
        let mut meters = HashMap::new();
        for chunk in keys.chunks(MAX_BATCH_KEYS) {
            for item in self.batch_get(chunk.to_vec()).await? {
                let Some(AttributeValue::S(pk)) = item.get("pk") else {
                    continue;
                };
                let pk = pk.clone();
                meters.insert(pk, serde_dynamo::from_item::<_, Keyed<Meter>>(item)?.record);
            }
        }
        Ok(meters)
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
        let metered = if record.is_metered() {
            ", metered = :metered"
        } else {
            ""
        };
        let mut moved = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::workspace_pk(&record.workspace_id),
                &keys::access_token_sk(&record.name, &record.id),
            )))
            .update_expression(format!(
                "SET meter_id = :meter_id{metered} REMOVE {}",
                names
                    .iter()
                    .map(|(name, _)| name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .condition_expression(as_read.join(" AND "))
            .expression_attribute_values(":meter_id", s(&meter_id));
        if record.is_metered() {
            moved = moved.expression_attribute_values(":metered", AttributeValue::Bool(true));
        }
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
            record_says_metered: record.is_metered(),
            ..record.clone()
        })
    }
}
