//! Records which DynamoDB actions (as IAM names them) a client performs.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::{Arc, Mutex},
};

use aws_sdk_dynamodb::{
    config::{interceptors::BeforeSerializationInterceptorContextRef, ConfigBag, Intercept},
    operation::{
        batch_get_item::BatchGetItemInput, delete_item::DeleteItemInput, get_item::GetItemInput,
        put_item::PutItemInput, query::QueryInput, scan::ScanInput,
        transact_write_items::TransactWriteItemsInput, update_item::UpdateItemInput,
    },
};

#[derive(Debug, Clone, Default)]
pub struct ActionRecorder {
    actions: Arc<Mutex<BTreeSet<String>>>,
    /// Calls per operation (`GetItem`, `TransactWriteItems`, ...), as billed.
    calls: Arc<Mutex<BTreeMap<String, usize>>>,
}

impl ActionRecorder {
    pub fn actions(&self) -> BTreeSet<String> {
        self.actions.lock().unwrap().clone()
    }

    /// How many times each operation was called (a transaction counts once).
    pub fn calls(&self) -> BTreeMap<String, usize> {
        self.calls.lock().unwrap().clone()
    }

    /// A client for the local DynamoDB that records through this recorder.
    pub async fn client(&self) -> aws_sdk_dynamodb::Client {
        let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let config = aws_sdk_dynamodb::config::Builder::from(&sdk)
            .interceptor(self.clone())
            .build();
        aws_sdk_dynamodb::Client::from_conf(config)
    }
}

impl Intercept for ActionRecorder {
    fn name(&self) -> &'static str {
        "ActionRecorder"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let input = context.input();
        let mut actions = self.actions.lock().unwrap();
        let mut calls = self.calls.lock().unwrap();
        let mut call = |operation: &str| *calls.entry(operation.to_owned()).or_default() += 1;
        let mut record = |action: &str| actions.insert(action.to_owned());
        let single = if input.downcast_ref::<GetItemInput>().is_some() {
            Some("GetItem")
        } else if input.downcast_ref::<QueryInput>().is_some() {
            Some("Query")
        } else if input.downcast_ref::<PutItemInput>().is_some() {
            Some("PutItem")
        } else if input.downcast_ref::<UpdateItemInput>().is_some() {
            Some("UpdateItem")
        } else if input.downcast_ref::<DeleteItemInput>().is_some() {
            Some("DeleteItem")
        } else if input.downcast_ref::<ScanInput>().is_some() {
            Some("Scan")
        } else if input.downcast_ref::<BatchGetItemInput>().is_some() {
            Some("BatchGetItem")
        } else {
            None
        };
        if let Some(operation) = single {
            record(operation);
            call(operation);
        } else if let Some(transaction) = input.downcast_ref::<TransactWriteItemsInput>() {
            call("TransactWriteItems");
            // IAM authorises each action of a transaction on its own.
            for item in transaction.transact_items() {
                if item.put().is_some() {
                    record("PutItem");
                }
                if item.update().is_some() {
                    record("UpdateItem");
                }
                if item.delete().is_some() {
                    record("DeleteItem");
                }
                if item.condition_check().is_some() {
                    record("ConditionCheckItem");
                }
            }
        } else {
            record("an operation the recorder does not know");
            call("an operation the recorder does not know");
        }
        Ok(())
    }
}
