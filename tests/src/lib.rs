//! Helpers for the integration tests: a local API on a fresh table, on an ephemeral port.

pub mod event_pipeline;
pub mod faults;
pub mod meter_calls;
pub mod old_shape;
pub mod outage;
pub mod recorder;
pub mod rotation;
pub mod seatable_verifiers;
pub mod template;
pub mod webhooks;

use std::sync::Arc;

use tessera_common::AppState;
use tessera_local_api::{serve, App};
use tessera_test_support::fresh_state;

pub use tessera_test_support::TEMPLATE;

/// A running local API (the template's routes) over its own fresh table.
pub struct LocalApi {
    pub url: String,
    pub state: AppState,
    pub client: reqwest::Client,
}

impl LocalApi {
    pub async fn start() -> Self {
        Self::start_with(fresh_state().await).await
    }

    /// A local API over `state` (e.g. a fresh state with a clock the test moves).
    pub async fn start_with(state: AppState) -> Self {
        let app = App::from_template(TEMPLATE, state.clone())
            .expect("every template route has a handler");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(serve(listener, Arc::new(app)));
        LocalApi {
            url,
            state,
            client: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.url)
    }

    /// POSTs a JSON body with an `Authorization` header; the status and the JSON answer.
    pub async fn post_json(
        &self,
        path: &str,
        auth: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let response = self
            .client
            .post(self.url(path))
            .header("Authorization", auth)
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    /// Every item of the table with every attribute (a Scan: for tests only).
    pub async fn table_items(
        &self,
    ) -> Vec<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
        self.state
            .store
            .client()
            .scan()
            .table_name(self.state.store.table_name())
            .send()
            .await
            .unwrap()
            .items
            .unwrap_or_default()
    }
}

/// A function's answer: status, headers and JSON body.
pub struct Answer {
    pub status: u16,
    pub headers: lambda_http::http::HeaderMap,
    pub json: serde_json::Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Calls the handler of `functions/<function>` with a request, as API Gateway would.
pub async fn call(
    state: &AppState,
    function: &str,
    request: tessera_admin::apigw::HttpApiRequest,
) -> Answer {
    let handler = tessera_local_api::handlers::http_handler_for(&format!("functions/{function}"))
        .unwrap_or_else(|| panic!("no handler for functions/{function}"));
    let response = handler(state, request.to_lambda_request()).await;
    let json = if response.body().is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(response.body().as_ref()).unwrap_or_else(|_| {
            serde_json::Value::String(String::from_utf8_lossy(response.body().as_ref()).into())
        })
    };
    Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        json,
    }
}
