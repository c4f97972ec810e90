//! Records which DynamoDB actions (as IAM names them) a client performs.

use std::{
    collections::BTreeSet,
    sync::{Arc, Mutex},
};

use aws_sdk_dynamodb::{
    config::{interceptors::BeforeSerializationInterceptorContextRef, ConfigBag, Intercept},
    operation::{
        delete_item::DeleteItemInput, get_item::GetItemInput, put_item::PutItemInput,
        query::QueryInput, scan::ScanInput, transact_write_items::TransactWriteItemsInput,
        update_item::UpdateItemInput,
    },
};

#[derive(Debug, Clone, Default)]
pub struct ActionRecorder(Arc<Mutex<BTreeSet<String>>>);

impl ActionRecorder {
    pub fn actions(&self) -> BTreeSet<String> {
        self.0.lock().unwrap().clone()
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
        let mut actions = self.0.lock().unwrap();
        let mut record = |action: &str| actions.insert(action.to_owned());
        if input.downcast_ref::<GetItemInput>().is_some() {
            record("GetItem");
        } else if input.downcast_ref::<QueryInput>().is_some() {
            record("Query");
        } else if input.downcast_ref::<PutItemInput>().is_some() {
            record("PutItem");
        } else if input.downcast_ref::<UpdateItemInput>().is_some() {
            record("UpdateItem");
        } else if input.downcast_ref::<DeleteItemInput>().is_some() {
            record("DeleteItem");
        } else if input.downcast_ref::<ScanInput>().is_some() {
            record("Scan");
        } else if let Some(transaction) = input.downcast_ref::<TransactWriteItemsInput>() {
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
        }
        Ok(())
    }
}
