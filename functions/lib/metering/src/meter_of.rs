//! Where a token's uses are spent and counted: the meter its lookup names, or, where there
//! is none, what its record says: a record from before meters had items of their own gets
//! one (`Store::own_meter`), a token rerolled before then spends its successor's, and a
//! token whose meter went with its successor is gone.

use tessera_common::{
    store::{
        keys,
        meters::ShardKey,
        records::{AccessToken, Meter, TokenLookup, REROLL_ABANDONED_SECS},
        Store, StoreError,
    },
    verify::VerifiedAccessToken,
};

use crate::counts;

/// Records read before giving up as throttled: each is a lost race with a writer of the
/// record, or a successor followed.
const MAX_READS: usize = 24;

/// The (first) item of the token's meter, `None` when the token or its meter is gone.
/// `now` (Unix seconds) says whether a reroll from before meters that froze the record
/// has died. Records from before were never sharded.
pub(crate) async fn meter_of(
    store: &Store,
    token: &VerifiedAccessToken,
    now: u64,
) -> Result<Option<(ShardKey, Meter)>, StoreError> {
    let first = ShardKey::new(&token.meter_id, 0);
    if let Some(meter) = store.meter_shard(&first).await? {
        return Ok(Some((first, meter)));
    }
    let (mut pk, mut sk) = (
        keys::workspace_pk(&token.workspace_id),
        keys::access_token_sk(&token.name, &token.token_id),
    );
    for attempt in 1..=MAX_READS {
        let Some(record) = store.get::<AccessToken>(pk.clone(), &sk).await? else {
            return Ok(None);
        };
        if let Some(meter_id) = &record.meter_id {
            // Made meanwhile, or gone with the successor that spent it.
            let first = ShardKey::new(meter_id, 0);
            return Ok(store.meter_shard(&first).await?.map(|meter| (first, meter)));
        }
        let Some(successor) = &record.successor_digest else {
            match store.own_meter(&record).await {
                Ok(owned) => return Ok(Some((ShardKey::new(owned.meter_id(), 0), owned.meter()))),
                // Its counters changed as they moved: read them again.
                Err(StoreError::Conflict) => continue,
                Err(err) => return Err(err),
            }
        };
        // Rerolled before meters: it spends its successor's (which may have been renamed).
        match store.lookup(successor).await? {
            Some(TokenLookup::AccessToken {
                workspace_id,
                token_id,
                name,
                meter_id,
                ..
            }) => {
                let first = ShardKey::new(meter_id.as_deref().unwrap_or(&token_id), 0);
                if let Some(meter) = store.meter_shard(&first).await? {
                    return Ok(Some((first, meter)));
                }
                (pk, sk) = (
                    keys::workspace_pk(&workspace_id),
                    keys::access_token_sk(&name, &token_id),
                );
            }
            // Its successor was deleted.
            _ if !record.reroll_pending() => return Ok(None),
            // A reroll froze the counters and is storing the successor: wait for it, or
            // undo it if it died.
            _ => {
                let since = record.successor_pending_since.unwrap_or(0);
                if now >= since + REROLL_ABANDONED_SECS {
                    store.unfreeze(&record, successor).await?;
                } else {
                    counts::back_off(attempt).await;
                }
            }
        }
    }
    Err(StoreError::Unavailable(
        "the token's record changed on every attempt to find its meter".into(),
    ))
}
