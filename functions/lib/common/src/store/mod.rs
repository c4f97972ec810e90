//! The DynamoDB store: one table, keys from `keys`, items through serde_dynamo.
//!
//! What functions share is here. Operations used by one function or only by operators
//! live in that crate as an extension trait over the public building blocks below (`get`,
//! `put_new`, `delete_token`, `transact`, ...): secret scanning's `LeakStore`, the CLI's
//! `WorkspaceStore` and `SeaTableStore`.
//!
//! Every token lookup is one consistent GetItem, so a revoked token stops working at
//! once; every listing is a paginated Query; nothing on a request path scans.

mod access_tokens;
mod api_tokens;
mod audit;
mod bases;
pub mod expiries;
pub mod keys;
pub mod meters;
pub mod records;
mod share_links;
pub use access_tokens::Deleted;
pub use audit::AuditPage;
mod users;
pub mod webhooks;
mod workspace_tokens;
pub use users::s;

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::{
    config::http::HttpResponse,
    error::{ProvideErrorMetadata, SdkError},
    operation::{
        query::builders::QueryFluentBuilder, transact_write_items::TransactWriteItemsError,
    },
    types::{AttributeValue, Delete, Put, TransactWriteItem, Update},
    Client,
};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::token::TokenDigest;
use records::TokenLookup;

pub type Item = HashMap<String, AttributeValue>;

/// DynamoDB's limit of actions in one TransactWriteItems call.
const MAX_TRANSACTION_ACTIONS: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// DynamoDB could not be reached in time, or is throttling: worth retrying later.
    #[error("DynamoDB is unavailable or throttling")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("DynamoDB request failed")]
    Dynamo(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("a stored item does not have the expected shape")]
    Malformed(#[from] serde_dynamo::Error),
    /// A condition on a write failed: another writer got there first.
    #[error("the item was changed or created concurrently")]
    Conflict,
    /// A quota's counter is at its maximum.
    #[error("the quota of {max} is reached")]
    QuotaReached { max: u32 },
}

/// Error codes with which DynamoDB asks the caller to slow down or come back.
const TRANSIENT_CODES: &[&str] = &[
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionInProgressException",
];

/// DynamoDB's codes for a request it throttled.
fn is_throttling(code: &str) -> bool {
    matches!(
        code,
        "ThrottlingException"
            | "ProvisionedThroughputExceededException"
            | "RequestLimitExceeded"
            | "ThrottlingError"
            | "ProvisionedThroughputExceeded"
    )
}

/// Counted where every DynamoDB error passes, so no caller can forget it.
fn dynamodb_throttled() {
    crate::metrics::count("DependencyThrottled", 1, &[("Dependency", "DynamoDB")], &[]);
}

impl<E> From<SdkError<E, HttpResponse>> for StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    fn from(err: SdkError<E, HttpResponse>) -> Self {
        let transient = match &err {
            SdkError::TimeoutError(_)
            | SdkError::DispatchFailure(_)
            | SdkError::ResponseError(_) => true,
            SdkError::ServiceError(context) => {
                context.raw().status().is_server_error()
                    || context
                        .err()
                        .code()
                        .is_some_and(|code| TRANSIENT_CODES.contains(&code))
            }
            _ => false,
        };
        if let SdkError::ServiceError(context) = &err {
            if context.err().code().is_some_and(is_throttling) {
                dynamodb_throttled();
            }
        }
        if transient {
            StoreError::Unavailable(Box::new(err))
        } else {
            StoreError::Dynamo(Box::new(err))
        }
    }
}

impl From<aws_sdk_dynamodb::error::BuildError> for StoreError {
    fn from(err: aws_sdk_dynamodb::error::BuildError) -> Self {
        StoreError::Dynamo(Box::new(err))
    }
}

#[derive(Debug, Clone)]
pub struct Store {
    client: Client,
    table: String,
}

/// A record with the keys it is stored under.
#[derive(Serialize, Deserialize)]
pub struct Keyed<T> {
    pub pk: String,
    pub sk: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi1pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi1sk: Option<String>,
    #[serde(flatten)]
    pub record: T,
}

impl<T> Keyed<T> {
    pub fn new(pk: String, sk: String, record: T) -> Self {
        Keyed {
            pk,
            sk,
            gsi1pk: None,
            gsi1sk: None,
            record,
        }
    }
}

/// The primary key of an item.
pub fn key(pk: String, sk: &str) -> Item {
    HashMap::from([
        ("pk".to_owned(), AttributeValue::S(pk)),
        ("sk".to_owned(), AttributeValue::S(sk.to_owned())),
    ])
}

/// The records of items a query returned.
pub fn records<T: DeserializeOwned>(items: Vec<Item>) -> Result<Vec<T>, StoreError> {
    items
        .into_iter()
        .map(|item| Ok(serde_dynamo::from_item::<_, Keyed<T>>(item)?.record))
        .collect()
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Store {
            client,
            table: table.into(),
        }
    }

    /// The SDK client, for store extensions and tests (e.g. to scan a test table).
    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table_name(&self) -> &str {
        &self.table
    }

    /// Opens the connection to DynamoDB (TLS handshake included) with a GetItem of a key
    /// that never exists, so the first request does not pay for it. Every function's
    /// policy allows GetItem.
    pub async fn warm_up(&self) -> Result<(), StoreError> {
        self.client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key("WARMUP".to_owned(), "WARMUP")))
            .send()
            .await?;
        Ok(())
    }

    /// What the lookup item of a token digest says, in one consistent GetItem.
    pub async fn lookup(&self, digest: &TokenDigest) -> Result<Option<TokenLookup>, StoreError> {
        self.get(keys::lookup_pk(digest), keys::LOOKUP_SK).await
    }

    /// One record by key, read consistently.
    pub async fn get<T: DeserializeOwned>(
        &self,
        pk: String,
        sk: &str,
    ) -> Result<Option<T>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .consistent_read(true)
            .send()
            .await?;
        match out.item {
            Some(item) => Ok(Some(serde_dynamo::from_item::<_, Keyed<T>>(item)?.record)),
            None => Ok(None),
        }
    }

    /// A Put that replaces whatever is stored under the item's key.
    pub fn put<T: Serialize>(&self, item: &Keyed<T>) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(serde_dynamo::to_item(item)?))
            .build()?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    pub fn lookup_item(digest: &TokenDigest, lookup: TokenLookup) -> Keyed<TokenLookup> {
        Keyed::new(keys::lookup_pk(digest), keys::LOOKUP_SK.to_owned(), lookup)
    }

    /// A Put that fails the transaction if the item already exists.
    pub fn put_new<T: Serialize>(&self, item: &Keyed<T>) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(serde_dynamo::to_item(item)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    pub fn delete(&self, pk: String, sk: &str) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .build()?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// A Delete of a token's record that fails the transaction unless the record still
    /// holds the digest that was read: a record re-created meanwhile (same key, another
    /// token) is never removed by a delete meant for its predecessor.
    pub fn delete_record_of(
        &self,
        pk: String,
        sk: &str,
        digest: &TokenDigest,
    ) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .condition_expression("digest = :digest")
            .expression_attribute_values(":digest", AttributeValue::S(digest.as_hex().to_owned()))
            .build()?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// A token's record and lookup, deleted together: the token stops working at once.
    pub fn delete_token(
        &self,
        pk: String,
        sk: &str,
        digest: &TokenDigest,
    ) -> Result<[TransactWriteItem; 2], StoreError> {
        Ok([
            self.delete_record_of(pk, sk, digest)?,
            self.delete(keys::lookup_pk(digest), keys::LOOKUP_SK)?,
        ])
    }

    /// Adds `delta` to a counter attribute of an existing item; with `max`, fails the
    /// transaction when the counter would pass it (a quota).
    pub fn count(
        &self,
        (pk, sk): (String, String),
        counter: &str,
        delta: i64,
        max: Option<u32>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(pk, &sk)))
            .update_expression("SET #c = if_not_exists(#c, :zero) + :delta")
            .expression_attribute_names("#c", counter)
            .expression_attribute_values(":zero", AttributeValue::N("0".into()))
            .expression_attribute_values(":delta", AttributeValue::N(delta.to_string()));
        update = match max {
            Some(max) => update
                .condition_expression(
                    "attribute_exists(pk) AND (attribute_not_exists(#c) OR #c < :max)",
                )
                .expression_attribute_values(":max", AttributeValue::N(max.to_string())),
            None => update.condition_expression("attribute_exists(pk)"),
        };
        Ok(TransactWriteItem::builder().update(update.build()?).build())
    }

    /// Runs one transaction. A failed condition is a `Conflict`; a clash with another
    /// transaction in flight is retried, since nothing was written.
    ///
    /// Retries after a lost response are safe: the SDK gives each TransactWriteItems call
    /// a `ClientRequestToken` and reuses it for its own retries, so DynamoDB applies the
    /// transaction once and answers the retry with success (tests/tests/races.rs).
    pub async fn transact(&self, actions: Vec<TransactWriteItem>) -> Result<(), StoreError> {
        self.transact_counted(actions, None).await
    }

    /// Like `transact`, with a quota counter at `counter.0` whose condition failing means
    /// the quota `counter.1` is reached.
    pub async fn transact_counted(
        &self,
        actions: Vec<TransactWriteItem>,
        counter: Option<(usize, u32)>,
    ) -> Result<(), StoreError> {
        debug_assert!(actions.len() <= MAX_TRANSACTION_ACTIONS);
        let mut attempt = 0;
        loop {
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(actions.clone()))
                .send()
                .await;
            let Err(err) = result else { return Ok(()) };
            if let Some(TransactWriteItemsError::TransactionCanceledException(cancel)) =
                err.as_service_error()
            {
                let codes: Vec<&str> = cancel
                    .cancellation_reasons()
                    .iter()
                    .map(|reason| reason.code().unwrap_or("None"))
                    .collect();
                if let Some((index, max)) = counter {
                    if codes.get(index) == Some(&"ConditionalCheckFailed") {
                        return Err(StoreError::QuotaReached { max });
                    }
                }
                if codes.contains(&"ConditionalCheckFailed") {
                    return Err(StoreError::Conflict);
                }
                if codes.contains(&"TransactionConflict") && attempt < 5 {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(20 * attempt)).await;
                    continue;
                }
                if codes.iter().any(|code| {
                    matches!(
                        *code,
                        "ThrottlingError" | "ProvisionedThroughputExceeded" | "TransactionConflict"
                    )
                }) {
                    if codes.iter().any(|code| is_throttling(code)) {
                        dynamodb_throttled();
                    }
                    return Err(StoreError::Unavailable(Box::new(err)));
                }
            }
            return Err(err.into());
        }
    }

    /// Every item of a query, following DynamoDB's pages to the end.
    pub async fn query_all(&self, query: QueryFluentBuilder) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let page = query.clone().set_exclusive_start_key(start).send().await?;
            items.extend(page.items.unwrap_or_default());
            start = page.last_evaluated_key;
            if start.is_none() {
                return Ok(items);
            }
        }
    }

    /// A consistent query of the items of one partition whose sort key starts with `prefix`.
    pub fn query_prefix(&self, pk: String, prefix: &str) -> QueryFluentBuilder {
        self.client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
            .expression_attribute_values(":pk", AttributeValue::S(pk))
            .expression_attribute_values(":prefix", AttributeValue::S(prefix.to_owned()))
            .consistent_read(true)
    }
}

/// An UpdateItem's output, `None` when its condition failed.
pub fn unless_condition_failed(
    result: Result<
        aws_sdk_dynamodb::operation::update_item::UpdateItemOutput,
        aws_sdk_dynamodb::error::SdkError<
            aws_sdk_dynamodb::operation::update_item::UpdateItemError,
            aws_sdk_dynamodb::config::http::HttpResponse,
        >,
    >,
) -> Result<Option<aws_sdk_dynamodb::operation::update_item::UpdateItemOutput>, StoreError> {
    match result {
        Ok(out) => Ok(Some(out)),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
        {
            Ok(None)
        }
        Err(err) => Err(err.into()),
    }
}
