//! Fault injection for SDK clients: an interceptor that rewrites the responses of chosen
//! operations, so tests can see what a lost response, a throttled table or an unreachable
//! service does to a handler, against the real local stack.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc, Mutex,
    },
};

use aws_sdk_dynamodb::config::{
    interceptors::{
        BeforeDeserializationInterceptorContextMut, BeforeTransmitInterceptorContextMut,
        BeforeTransmitInterceptorContextRef,
    },
    ConfigBag, Intercept, RuntimeComponents,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_types::body::SdkBody;

/// What happens to the responses of one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The first response is lost after the service acted on the request: the SDK sees a
    /// retryable 500 and sends the same request again.
    LoseFirstResponse,
    /// Every response is DynamoDB's throttling error.
    Throttle,
    /// Every attempt fails before it is sent, as when the service cannot be reached.
    Unreachable,
    /// The next `n` attempts go through, and every one after fails as `Unreachable`: a
    /// fault in the middle of a sequence of writes.
    UnreachableAfter(usize),
}

#[derive(Debug, Clone, Default)]
pub struct FaultInjector {
    faults: Arc<Mutex<HashMap<String, Fault>>>,
    attempts: Arc<Mutex<HashMap<String, usize>>>,
    injected: Arc<AtomicUsize>,
    strip_request_tokens: Arc<AtomicBool>,
}

impl FaultInjector {
    /// Applies `fault` to every later call of `operation` (e.g. `TransactWriteItems`).
    pub fn set(&self, operation: &str, fault: Fault) {
        self.faults
            .lock()
            .unwrap()
            .insert(operation.to_owned(), fault);
    }

    pub fn clear(&self, operation: &str) {
        self.faults.lock().unwrap().remove(operation);
    }

    /// Removes the `ClientRequestToken` the SDK puts on every TransactWriteItems call, to
    /// show what a retry without it would do (a negative control for the tests).
    pub fn strip_request_tokens(&self) {
        self.strip_request_tokens.store(true, Ordering::SeqCst);
    }

    /// How many attempts of `operation` were sent (or would have been).
    pub fn attempts(&self, operation: &str) -> usize {
        self.attempts
            .lock()
            .unwrap()
            .get(operation)
            .copied()
            .unwrap_or(0)
    }

    /// How many responses were rewritten or attempts failed.
    pub fn injected(&self) -> usize {
        self.injected.load(Ordering::SeqCst)
    }

    /// A DynamoDB client for the local stack with this injector.
    pub async fn dynamodb_client(&self) -> aws_sdk_dynamodb::Client {
        let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let config = aws_sdk_dynamodb::config::Builder::from(&sdk)
            .interceptor(self.clone())
            .build();
        aws_sdk_dynamodb::Client::from_conf(config)
    }

    /// `state` with its table reached through this injector.
    pub async fn on_store_of(&self, state: tessera_common::AppState) -> tessera_common::AppState {
        tessera_common::AppState {
            store: tessera_common::Store::new(
                self.dynamodb_client().await,
                state.store.table_name(),
            ),
            ..state
        }
    }

    /// A Secrets Manager client for the local stack with this injector.
    pub async fn secretsmanager_client(&self) -> aws_sdk_secretsmanager::Client {
        let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let config = aws_sdk_secretsmanager::config::Builder::from(&sdk)
            .interceptor(self.clone())
            .build();
        aws_sdk_secretsmanager::Client::from_conf(config)
    }

    fn operation(cfg: &ConfigBag) -> String {
        cfg.load::<Metadata>()
            .map(|m| m.name().to_owned())
            .unwrap_or_default()
    }

    fn fault(&self, operation: &str) -> Option<Fault> {
        self.faults.lock().unwrap().get(operation).copied()
    }
}

impl Intercept for FaultInjector {
    fn name(&self) -> &'static str {
        "FaultInjector"
    }

    fn modify_before_retry_loop(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        if !self.strip_request_tokens.load(Ordering::SeqCst) {
            return Ok(());
        }
        let request = context.request_mut();
        let Some(mut body) = request
            .body()
            .bytes()
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(bytes).ok())
        else {
            return Ok(());
        };
        if let Some(fields) = body.as_object_mut() {
            if fields.remove("ClientRequestToken").is_some() {
                let text = body.to_string();
                request
                    .headers_mut()
                    .insert("content-length", text.len().to_string());
                *request.body_mut() = SdkBody::from(text);
            }
        }
        Ok(())
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let operation = Self::operation(cfg);
        *self
            .attempts
            .lock()
            .unwrap()
            .entry(operation.clone())
            .or_default() += 1;
        match self.fault(&operation) {
            Some(Fault::UnreachableAfter(n)) if n > 0 => {
                self.set(&operation, Fault::UnreachableAfter(n - 1));
                Ok(())
            }
            Some(Fault::Unreachable | Fault::UnreachableAfter(_)) => {
                self.injected.fetch_add(1, Ordering::SeqCst);
                Err("injected fault: the service is unreachable".into())
            }
            _ => Ok(()),
        }
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let operation = Self::operation(cfg);
        let (status, body) = match self.fault(&operation) {
            Some(Fault::LoseFirstResponse) => {
                self.clear(&operation);
                (
                    500,
                    r#"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"injected: response lost"}"#,
                )
            }
            Some(Fault::Throttle) => (
                400,
                r#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"injected: throttled"}"#,
            ),
            _ => return Ok(()),
        };
        self.injected.fetch_add(1, Ordering::SeqCst);
        let response = context.response_mut();
        *response.status_mut() = status.try_into().expect("a valid status");
        *response.body_mut() = SdkBody::from(body);
        Ok(())
    }
}
