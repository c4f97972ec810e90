//! Helpers for the integration tests: a local API on a fresh table, on an ephemeral port.

pub mod recorder;
pub mod template;

use std::sync::Arc;

use tessera_common::{testing::fresh_state, AppState};
use tessera_local_api::{serve, App};

pub use tessera_common::testing::TEMPLATE;

/// A running local API (the template's routes) over its own fresh table.
pub struct LocalApi {
    pub url: String,
    pub state: AppState,
    pub client: reqwest::Client,
}

impl LocalApi {
    pub async fn start() -> Self {
        let state = fresh_state().await;
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
}
