//! Access tokens: created, listed, rerolled and deleted within one workspace, counted on
//! the workspace's item against its quota; every change with its audit entry.

use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem, Update};

use super::{
    key, keys,
    meters::{record_item, shard_keys, ShardKey},
    records,
    records::{AccessToken, Meter, TokenLookup},
    unless_condition_failed,
    users::s,
    Store, StoreError, MAX_TRANSACTION_ACTIONS,
};
use serde_json::{json, Map};

use crate::{
    audit::Auditor,
    clock::{rfc3339_from_secs, secs_from_rfc3339},
    events::{Event, EventType},
    meter::MeterChange,
    token::TokenDigest,
};

/// The workspace item's count of its access tokens.
const COUNTER: &str = "access_token_count";

/// Rerolled tokens per transaction when purging those whose grace ended: two actions each
/// (record, lookup) and one for the counter.
const CHUNK: usize = (MAX_TRANSACTION_ACTIONS - 1) / 2;

/// Tokens in groups whose deletes fit one transaction each: record, lookup, audit entry
/// and each item of the meter per token, and one action for the counter.
fn delete_groups(tokens: &[AccessToken]) -> Vec<&[AccessToken]> {
    let mut groups = Vec::new();
    let (mut start, mut actions) = (0, 1);
    for (i, token) in tokens.iter().enumerate() {
        let needed = 3 + token.meter_shards() as usize;
        if actions + needed > MAX_TRANSACTION_ACTIONS {
            groups.push(&tokens[start..i]);
            (start, actions) = (i, 1);
        }
        actions += needed;
    }
    if start < tokens.len() {
        groups.push(&tokens[start..]);
    }
    groups
}

/// What a delete by name did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deleted {
    pub deleted: usize,
    /// Tokens with the name that were still there when a fault stopped the deletion.
    pub remaining: usize,
}

fn workspace_item(workspace_id: &str) -> (String, String) {
    (
        keys::workspace_pk(workspace_id),
        keys::WORKSPACE_SK.to_owned(),
    )
}

fn record_key(token: &AccessToken) -> (String, String) {
    (
        keys::workspace_pk(&token.workspace_id),
        keys::access_token_sk(&token.name, &token.id),
    )
}

/// The lookup of a token: what a verification reads in its one GetItem.
fn lookup_of(token: &AccessToken) -> TokenLookup {
    TokenLookup::AccessToken {
        workspace_id: token.workspace_id.clone(),
        token_id: token.id.clone(),
        name: token.name.clone(),
        scopes: token.scopes.clone(),
        created_at: secs_from_rfc3339(&token.created_at).unwrap_or_default(),
        expires_at: token.expires,
        last_used_at: token.last_used_at,
        disabled: token.disabled,
        metered: token.is_metered(),
        external_id: token.external_id.clone(),
        meta: token.meta.clone(),
        meter_id: token
            .meter_id
            .clone()
            .filter(|meter_id| *meter_id != token.id),
        meter_shards: token.meter_shards.filter(|shards| *shards > 1),
    }
}

fn audit_object(token: &AccessToken) -> String {
    format!("access_token:{}", token.id)
}

impl Store {
    /// A Put of a token's record (without its meter), failing the transaction if one exists.
    fn put_new_record(&self, token: &AccessToken) -> Result<TransactWriteItem, StoreError> {
        let (pk, sk) = record_key(token);
        let mut item = record_item(token)?;
        item.extend(key(pk, &sk));
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .build()?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Stores a token's record, its meter and its lookup item together, or none;
    /// `QuotaReached` when the workspace already has `max` access tokens.
    pub async fn create_access_token(
        &self,
        token: &AccessToken,
        max: u32,
        auditor: &Auditor,
    ) -> Result<(), StoreError> {
        // A new token's meter is its own.
        let token = &AccessToken {
            meter_id: Some(token.id.clone()),
            ..token.clone()
        };
        let audit = auditor
            .entry(
                &token.workspace_id,
                "access_token.create",
                audit_object(token),
                Some(token.name.clone()),
            )
            .with_event(Event::of_access_token(
                EventType::AccessTokenCreated,
                token,
                Map::new(),
            ));
        let actions = vec![
            self.count(workspace_item(&token.workspace_id), COUNTER, 1, Some(max))?,
            self.put_new_record(token)?,
            self.put_new(&Self::lookup_item(&token.digest, lookup_of(token)))?,
            self.audit_put(&audit)?,
        ];
        let mut actions = actions;
        actions.extend(self.put_new_meters(token)?);
        self.transact_with_room(&token.workspace_id, actions, max, auditor)
            .await
    }

    /// Runs a transaction whose first action adds to the workspace's counter; when the
    /// quota is reached, removes the records of rerolled tokens whose grace is over (which
    /// still count) and tries once more.
    async fn transact_with_room(
        &self,
        workspace_id: &str,
        actions: Vec<TransactWriteItem>,
        max: u32,
        auditor: &Auditor,
    ) -> Result<(), StoreError> {
        match self.transact_counted(actions.clone(), Some((0, max))).await {
            Err(StoreError::QuotaReached { .. })
                if self
                    .purge_ended_grace(workspace_id, auditor.clock().now_secs())
                    .await?
                    > 0 =>
            {
                self.transact_counted(actions, Some((0, max))).await
            }
            other => other,
        }
    }

    /// Deletes the records of the workspace's rerolled tokens whose grace period ended
    /// before `now`, each with the counter, conditional on what was read; how many went.
    pub async fn purge_ended_grace(
        &self,
        workspace_id: &str,
        now: u64,
    ) -> Result<usize, StoreError> {
        let ended: Vec<AccessToken> = self
            .access_token_records(workspace_id)
            .await?
            .into_iter()
            .filter(|token| token.grace_ended(now))
            .collect();
        let mut purged = 0;
        for chunk in ended.chunks(CHUNK) {
            let mut actions = Vec::with_capacity(chunk.len() * 2 + 1);
            for token in chunk {
                let (pk, sk) = record_key(token);
                actions.push(self.delete_as_read(pk, &sk, token)?);
                actions.push(self.delete(keys::lookup_pk(&token.digest), keys::LOOKUP_SK)?);
            }
            let n = chunk.len() as i64;
            actions.push(self.count(workspace_item(workspace_id), COUNTER, -n, None)?);
            match self.transact(actions).await {
                Ok(()) => purged += chunk.len(),
                // Another purge or a delete got there first: its room is made all the same.
                Err(StoreError::Conflict) => {}
                Err(err) => return Err(err),
            }
        }
        Ok(purged)
    }

    /// A Delete of a token's record that fails the transaction unless the record is still
    /// as it was read: the same secret, and rerolled or not as it was. So a write that
    /// acted on a stale copy (a reroll racing another reroll or a delete) never commits.
    fn delete_as_read(
        &self,
        pk: String,
        sk: &str,
        token: &AccessToken,
    ) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .expression_attribute_values(":digest", s(token.digest.as_hex()));
        let delete = match &token.rerolled_to {
            None => delete
                .condition_expression("digest = :digest AND attribute_not_exists(rerolled_to)"),
            Some(successor) => delete
                .condition_expression("digest = :digest AND rerolled_to = :successor")
                .expression_attribute_values(":successor", s(successor)),
        };
        Ok(TransactWriteItem::builder().delete(delete.build()?).build())
    }

    /// Every access token of a workspace, ordered by the base64url of their names (the sort
    /// key's order, which is not the names' alphabetical order) and then by id.
    /// With their meters.
    pub async fn access_tokens(&self, workspace_id: &str) -> Result<Vec<AccessToken>, StoreError> {
        let records = self.access_token_records(workspace_id).await?;
        self.with_meters(records).await
    }

    /// Every access token of a workspace as its record has it: without its meter.
    async fn access_token_records(
        &self,
        workspace_id: &str,
    ) -> Result<Vec<AccessToken>, StoreError> {
        let query = self.query_prefix(
            keys::workspace_pk(workspace_id),
            keys::access_tokens_prefix(),
        );
        records(self.query_all(query).await?)
    }

    /// The access token of a workspace with this id, with its meter: a Query of the
    /// workspace's tokens (their keys are by name), not on a verification's path.
    pub async fn access_token_by_id(
        &self,
        workspace_id: &str,
        token_id: &str,
    ) -> Result<Option<AccessToken>, StoreError> {
        let query = self
            .query_prefix(
                keys::workspace_pk(workspace_id),
                keys::access_tokens_prefix(),
            )
            .filter_expression("id = :id")
            .expression_attribute_values(":id", s(token_id));
        match records(self.query_all(query).await?)?.into_iter().next() {
            Some(record) => Ok(Some(self.with_meter(record).await?)),
            None => Ok(None),
        }
    }

    /// The actions that delete one token: record (conditional on its digest), lookup, its
    /// meter unless a successor spends it (a rerolled token's), its audit entry; the
    /// counter is the caller's.
    fn delete_actions(
        &self,
        token: &AccessToken,
        auditor: &Auditor,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let (pk, sk) = record_key(token);
        let mut actions = vec![
            self.delete_as_read(pk, &sk, token)?,
            self.delete(keys::lookup_pk(&token.digest), keys::LOOKUP_SK)?,
        ];
        if token.rerolled_to.is_none() {
            // A token rerolled in grace spends this meter too: it ends with its successor.
            for shard in shard_keys(token) {
                let delete = Delete::builder()
                    .table_name(&self.table)
                    .set_key(Some(shard.key()))
                    .build()?;
                actions.push(TransactWriteItem::builder().delete(delete).build());
            }
        }
        let kind = if auditor.is_leak_response() {
            EventType::AccessTokenLeaked
        } else {
            EventType::AccessTokenDeleted
        };
        actions.push(
            self.audit_put(
                &auditor
                    .entry(
                        &token.workspace_id,
                        "access_token.delete",
                        audit_object(token),
                        Some(token.name.clone()),
                    )
                    .with_event(Event::of_access_token(kind, token, Map::new())),
            )?,
        );
        Ok(actions)
    }

    /// Deletes one token that was read; `Conflict` if it is gone or changed meanwhile.
    pub async fn delete_access_token(
        &self,
        token: &AccessToken,
        auditor: &Auditor,
    ) -> Result<(), StoreError> {
        let mut actions = self.delete_actions(token, auditor)?;
        // Every record counts (a token in its grace period too), so a delete that commits
        // (it is conditional on the record as read) always frees one.
        actions.push(self.count(workspace_item(&token.workspace_id), COUNTER, -1, None)?);
        self.transact(actions).await
    }

    /// Deletes every access token of the workspace with this name. Each token's record
    /// goes with its lookup in one transaction, conditional on the digest that was read; a
    /// chunk that loses a race with another delete is read again and retried. When a fault
    /// stops it midway, the error says how many were deleted and how many remain.
    pub async fn delete_access_tokens_named(
        &self,
        workspace_id: &str,
        name: &str,
        auditor: &Auditor,
    ) -> Result<Deleted, (StoreError, Deleted)> {
        let pk = keys::workspace_pk(workspace_id);
        let mut deleted = 0;
        let mut conflicts = 0;
        loop {
            let query = self.query_prefix(pk.clone(), &keys::access_token_name_prefix(name));
            let tokens: Vec<AccessToken> = match self.query_all(query).await.and_then(records) {
                Ok(tokens) => tokens,
                Err(err) => {
                    return Err((
                        err,
                        Deleted {
                            deleted,
                            remaining: 0,
                        },
                    ))
                }
            };
            if tokens.is_empty() {
                return Ok(Deleted {
                    deleted,
                    remaining: 0,
                });
            }
            let mut lost_race = false;
            let mut done = 0;
            for chunk in delete_groups(&tokens) {
                match self.delete_chunk(workspace_id, chunk, auditor).await {
                    Ok(()) => {
                        deleted += chunk.len();
                        done += chunk.len();
                    }
                    Err(StoreError::Conflict) if conflicts < 5 => {
                        conflicts += 1;
                        lost_race = true;
                        break;
                    }
                    Err(err) => {
                        let remaining = tokens.len() - done;
                        return Err((err, Deleted { deleted, remaining }));
                    }
                }
            }
            if !lost_race {
                return Ok(Deleted {
                    deleted,
                    remaining: 0,
                });
            }
        }
    }

    async fn delete_chunk(
        &self,
        workspace_id: &str,
        tokens: &[AccessToken],
        auditor: &Auditor,
    ) -> Result<(), StoreError> {
        let mut actions = Vec::new();
        for token in tokens {
            actions.extend(self.delete_actions(token, auditor)?);
        }
        let n = tokens.len() as i64;
        actions.push(self.count(workspace_item(workspace_id), COUNTER, -n, None)?);
        self.transact(actions).await
    }

    /// Replaces `old` with `new` (same name, description, scopes and expiry; another id
    /// and secret), which spends `old`'s meter: one balance, which the reroll does not
    /// touch, so it commutes with spends. The old token keeps working until `grace_until`
    /// (Unix seconds; `None`: it stops now), and counts against the quota until then, so
    /// a reroll with a grace period needs room for one more (`QuotaReached` otherwise,
    /// with `max`). One transaction, conditional on `old` as read and not rerolled:
    /// `Conflict` otherwise, so a token has at most one successor. `old` must own its
    /// meter (`own_meter`): a record from before is `Conflict` until it does.
    pub async fn reroll_access_token(
        &self,
        old: &AccessToken,
        new: &AccessToken,
        grace_until: Option<u64>,
        max: u32,
        auditor: &Auditor,
    ) -> Result<(), StoreError> {
        if old.meter_id.is_none() {
            return Err(StoreError::Conflict);
        }
        let new = AccessToken {
            meter_id: old.meter_id.clone(),
            meter_shards: old.meter_shards,
            ..new.clone().with_meter(old.meter())
        };
        let mut actions = vec![
            self.put_new_record(&new)?,
            self.put_new(&Self::lookup_item(&new.digest, lookup_of(&new)))?,
            self.audit_put(
                &auditor
                    .entry(
                        &old.workspace_id,
                        "access_token.reroll",
                        audit_object(old),
                        Some(format!("successor access_token:{}", new.id)),
                    )
                    .with_event(Event::of_access_token(
                        EventType::AccessTokenRerolled,
                        old,
                        Map::from_iter([
                            ("successor".to_owned(), json!({ "id": new.id })),
                            (
                                "graceUntil".to_owned(),
                                json!(grace_until.map(rfc3339_from_secs)),
                            ),
                        ]),
                    )),
            )?,
        ];
        match grace_until {
            // The old record goes as the new one comes: the count does not change.
            None => {
                let (pk, sk) = record_key(old);
                actions.push(self.delete_as_read(pk, &sk, old)?);
                actions.push(self.delete(keys::lookup_pk(&old.digest), keys::LOOKUP_SK)?);
                self.transact(actions).await
            }
            // Both count until the grace ends: the successor needs room for one more.
            Some(until) => {
                let until = old.expires.map_or(until, |expires| expires.min(until));
                actions.push(self.retire_record(old, &new, until)?);
                actions.push(self.retire_lookup(&old.digest, until)?);
                let slot = self.count(workspace_item(&old.workspace_id), COUNTER, 1, Some(max))?;
                actions.insert(0, slot);
                self.transact_with_room(&old.workspace_id, actions, max, auditor)
                    .await
            }
        }
    }

    /// Undoes a freeze of a reroll from before meters (issue 26 to 28) that died:
    /// `REROLL_ABANDONED_SECS` after it began, the token spends its own counters again.
    pub async fn unfreeze(
        &self,
        old: &AccessToken,
        successor: &TokenDigest,
    ) -> Result<(), StoreError> {
        let (pk, sk) = record_key(old);
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, &sk)))
            .update_expression("REMOVE successor_digest, successor_pending_since")
            .condition_expression(
                "successor_digest = :successor AND attribute_not_exists(rerolled_to)",
            )
            .expression_attribute_values(":successor", s(successor.as_hex()))
            .send()
            .await;
        // Not frozen for this successor (any more): nothing to undo.
        unless_condition_failed(out)?;
        Ok(())
    }

    /// Replaces a token's record and lookup with `new` (same id and secret), with an audit
    /// entry naming what changed (`detail`, never a secret). See `edit_access_token`.
    pub async fn update_access_token(
        &self,
        old: &AccessToken,
        new: &AccessToken,
        detail: String,
        auditor: &Auditor,
    ) -> Result<(), StoreError> {
        self.edit_access_token(old, new, detail, auditor, false)
            .await
    }

    /// Changes a token from `old` (as read, with its meter) to `new`: an UpdateItem of the
    /// record's attributes that differ, conditional only on the token still being the one
    /// read and not rerolled, and one of the meter's (its limits, and the counters an edit
    /// of them states), so that both commute with the spends and counts verifications write
    /// meanwhile; a change of the rate limit's window is conditional on the window as read
    /// (spends move it only at a window's start). `set_credits` writes the credits as `new`
    /// has them even where they equal what was read: an edit states the balance. Another
    /// name moves the record to its new key (the meter stays where it is). `Conflict` when
    /// a condition failed, or `old` does not own its meter yet (`own_meter`).
    pub async fn edit_access_token(
        &self,
        old: &AccessToken,
        new: &AccessToken,
        detail: String,
        auditor: &Auditor,
        set_credits: bool,
    ) -> Result<(), StoreError> {
        if old.meter_id.is_none() || new.meter_id != old.meter_id {
            return Err(StoreError::Conflict);
        }
        let mut actions = if record_key(new) == record_key(old) {
            vec![self.edit_record(old, new)?]
        } else {
            self.move_record(old, new)?
        };
        let now = auditor.clock().now_secs();
        actions.extend(self.edit_meter(old, new, set_credits, now).await?);
        if let Some(lookup) = update_of(
            &self.table,
            key(keys::lookup_pk(&new.digest), keys::LOOKUP_SK),
            &serde_dynamo::to_item(lookup_of(old))?,
            &serde_dynamo::to_item(lookup_of(new))?,
            &[],
            "attribute_exists(pk)",
            Vec::new(),
        )? {
            actions.push(TransactWriteItem::builder().update(lookup).build());
        }
        actions.push(
            self.audit_put(
                &auditor
                    .entry(
                        &old.workspace_id,
                        "access_token.update",
                        audit_object(old),
                        Some(detail),
                    )
                    .with_event(Event::of_edit(old, new)),
            )?,
        );
        self.transact(actions).await
    }

    /// The Update of a record that keeps its key: what differs, never the last use (which
    /// verifications write). With nothing to change, it still needs the token as read.
    fn edit_record(
        &self,
        old: &AccessToken,
        new: &AccessToken,
    ) -> Result<TransactWriteItem, StoreError> {
        let (pk, sk) = record_key(old);
        let update = update_of(
            &self.table,
            key(pk.clone(), &sk),
            &record_item(old)?,
            &record_item(new)?,
            &[],
            NOT_REROLLED,
            vec![(":digest".to_owned(), s(old.digest.as_hex()))],
        )?;
        Ok(match update {
            Some(update) => TransactWriteItem::builder().update(update).build(),
            None => {
                let update = Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(key(pk, &sk)))
                    .update_expression("SET digest = :digest")
                    .condition_expression(NOT_REROLLED)
                    .expression_attribute_values(":digest", s(old.digest.as_hex()))
                    .build()?;
                TransactWriteItem::builder().update(update).build()
            }
        })
    }

    /// The Updates of the meter an edit changes: never the counts. Each shard of a sharded
    /// meter takes its share of the change, from what it holds now.
    async fn edit_meter(
        &self,
        old: &AccessToken,
        new: &AccessToken,
        set_credits: bool,
        now: u64,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        if old.meter_shards() == 1 {
            let shard = ShardKey::new(old.meter_id(), 0);
            let update = self.meter_update(&shard, &old.meter(), &new.meter(), set_credits)?;
            return Ok(update.into_iter().collect());
        }
        let changes = changes_between(old, new, set_credits);
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        let mut updates = Vec::new();
        for (shard, held) in self.meter_shards_of(old).await? {
            let changed = changes.iter().fold(held.clone(), |meter, change| {
                meter.changed(&change.share(old.meter_shards(), shard.shard), now)
            });
            updates.extend(self.meter_update(&shard, &held, &changed, set_credits)?);
        }
        Ok(updates)
    }

    /// The Update of one meter item from `old` (as read) to `new`, if they differ; a
    /// change of the window is conditional on the window as read.
    fn meter_update(
        &self,
        shard: &ShardKey,
        old: &Meter,
        new: &Meter,
        set_credits: bool,
    ) -> Result<Option<TransactWriteItem>, StoreError> {
        let mut condition = "attribute_exists(pk)".to_owned();
        let mut values = Vec::new();
        if (new.rl_window, new.rl_count, new.rl_prev_count)
            != (old.rl_window, old.rl_count, old.rl_prev_count)
        {
            match old.rl_window {
                Some(window) => {
                    condition.push_str(" AND rl_window = :rl_window_read");
                    values.push((
                        ":rl_window_read".into(),
                        AttributeValue::N(window.to_string()),
                    ));
                }
                None => condition.push_str(" AND attribute_not_exists(rl_window)"),
            }
        }
        let forced: &[&str] = if set_credits { &CREDITS } else { &[] };
        let update = update_of(
            &self.table,
            shard.key(),
            &serde_dynamo::to_item(old)?,
            &serde_dynamo::to_item(new)?,
            forced,
            &condition,
            values,
        )?;
        Ok(update.map(|update| TransactWriteItem::builder().update(update).build()))
    }

    /// A rename: the record moves to its new key, conditional on `old` as read (its meter,
    /// which verifications write, stays where it is).
    fn move_record(
        &self,
        old: &AccessToken,
        new: &AccessToken,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let (pk, old_sk) = record_key(old);
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(pk, &old_sk)))
            .condition_expression(NOT_REROLLED)
            .expression_attribute_values(":digest", s(old.digest.as_hex()));
        Ok(vec![
            TransactWriteItem::builder().delete(delete.build()?).build(),
            self.put_new_record(new)?,
        ])
    }

    /// Marks a rerolled token's record: its successor, and its end (no TTL: it still
    /// counts). Conditional on the record as read and not rerolled.
    fn retire_record(
        &self,
        old: &AccessToken,
        successor: &AccessToken,
        until: u64,
    ) -> Result<TransactWriteItem, StoreError> {
        let (pk, sk) = record_key(old);
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(pk, &sk)))
            // Its grace's end is no expiry to tell of: out of the index of expiries.
            .update_expression(
                "SET rerolled_to = :successor, token_expires_at = :until REMOVE gsi2pk, gsi2sk",
            )
            .condition_expression(NOT_REROLLED)
            .expression_attribute_values(":successor", s(&successor.id))
            .expression_attribute_values(":digest", s(old.digest.as_hex()))
            .expression_attribute_values(":until", AttributeValue::N(until.to_string()))
            .build()?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Ends a token's lookup at `until`: refused from then on, removed by the table's TTL.
    fn retire_lookup(
        &self,
        digest: &TokenDigest,
        until: u64,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::lookup_pk(digest), keys::LOOKUP_SK)))
            .update_expression("SET expires_at = :until")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":until", AttributeValue::N(until.to_string()))
            .build()?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Records a use of a token at `now` (Unix seconds) in its lookup and its record, in one
    /// write, unless another verification recorded one since `seen` was read: so that
    /// concurrent verifications write once. `Conflict` when it lost that race or the token
    /// is gone.
    pub async fn record_access_token_use(
        &self,
        digest: &TokenDigest,
        record: (&str, &str, &str),
        seen: Option<u64>,
        now: u64,
    ) -> Result<(), StoreError> {
        let (workspace_id, name, token_id) = record;
        let now = AttributeValue::N(now.to_string());
        let mut lookup = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::lookup_pk(digest), keys::LOOKUP_SK)))
            .update_expression("SET last_used_at = :now")
            .expression_attribute_values(":now", now.clone());
        lookup = match seen {
            Some(seen) => lookup
                .condition_expression("last_used_at = :seen")
                .expression_attribute_values(":seen", AttributeValue::N(seen.to_string())),
            None => lookup.condition_expression(
                "attribute_exists(pk) AND attribute_not_exists(last_used_at)",
            ),
        };
        let record = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::workspace_pk(workspace_id),
                &keys::access_token_sk(name, token_id),
            )))
            .update_expression("SET last_used_at = :now")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":now", now)
            .build()?;
        self.transact(vec![
            TransactWriteItem::builder().update(lookup.build()?).build(),
            TransactWriteItem::builder().update(record).build(),
        ])
        .await
    }
}

/// The token as read (`:digest`), neither rerolled nor being rerolled: what an edit needs.
const NOT_REROLLED: &str = "attribute_exists(pk) AND digest = :digest AND attribute_not_exists(rerolled_to) AND attribute_not_exists(successor_digest)";

/// The changes of limits from `old` to `new`, as each shard of a sharded meter takes them.
fn changes_between(old: &AccessToken, new: &AccessToken, set_credits: bool) -> Vec<MeterChange> {
    let mut changes = Vec::new();
    if (
        new.ratelimit,
        new.rl_window,
        new.rl_count,
        new.rl_prev_count,
    ) != (
        old.ratelimit,
        old.rl_window,
        old.rl_count,
        old.rl_prev_count,
    ) {
        changes.push(MeterChange::RateLimit(new.ratelimit));
    }
    if set_credits
        || (
            new.credits_remaining,
            new.credits_refill,
            new.credits_period,
        ) != (
            old.credits_remaining,
            old.credits_refill,
            old.credits_period,
        )
    {
        changes.push(MeterChange::Credits(new.credits_remaining.map(
            |remaining| {
                (
                    remaining,
                    new.credits_refill,
                    new.credits_events.and_then(|events| events.low_line),
                )
            },
        )));
    }
    changes
}

/// The attributes an edit of `credits` states (a new grant, whose events are to be sent).
const CREDITS: [&str; 4] = [
    "credits_remaining",
    "credits_refill",
    "credits_period",
    "credits_events",
];

/// An Update of the item at `key` that turns `old` into `new`: `SET` what differs (and
/// what `forced` names), `REMOVE` what `new` lacks. Counters and counts are written only
/// where `new` changes them from `old` (or `forced` names them). `None`: nothing differs.
fn update_of(
    table: &str,
    key: super::Item,
    old: &super::Item,
    new: &super::Item,
    forced: &[&str],
    condition: &str,
    values: Vec<(String, AttributeValue)>,
) -> Result<Option<Update>, StoreError> {
    let mut sets = Vec::new();
    let mut removes = Vec::new();
    let mut update = Update::builder()
        .table_name(table)
        .set_key(Some(key))
        .condition_expression(condition);
    let mut names: Vec<&String> = old.keys().chain(new.keys()).collect();
    names.sort();
    names.dedup();
    for (i, name) in names.into_iter().enumerate() {
        if ["pk", "sk", "last_used_at"].contains(&name.as_str()) {
            continue;
        }
        let force = forced.contains(&name.as_str());
        // Counts are the verifications': an edit never writes them.
        if name == "usage" || (!force && old.get(name) == new.get(name)) {
            continue;
        }
        let placeholder = format!("#a{i}");
        update = update.expression_attribute_names(&placeholder, name);
        match new.get(name) {
            Some(value) => {
                sets.push(format!("{placeholder} = :a{i}"));
                update = update.expression_attribute_values(format!(":a{i}"), value.clone());
            }
            None => removes.push(placeholder),
        }
    }
    if sets.is_empty() && removes.is_empty() {
        return Ok(None);
    }
    let mut expression = Vec::new();
    if !sets.is_empty() {
        expression.push(format!("SET {}", sets.join(", ")));
    }
    if !removes.is_empty() {
        expression.push(format!("REMOVE {}", removes.join(", ")));
    }
    for (name, value) in values {
        update = update.expression_attribute_values(name, value);
    }
    Ok(Some(
        update.update_expression(expression.join(" ")).build()?,
    ))
}
