//! The events pipeline on the local stack, for tests: the bus (the emulator's EventBridge),
//! a queue a rule feeds from it (as a subscriber's would be), and the table's stream read
//! from DynamoDB Local as Lambda's event source would hand it to `publish-events`.

use std::time::Duration;

use tessera_common::{stream::StreamEvent, Store};
use tokio::sync::OnceCell;

/// The tests of a process share its bus, and each table numbers its workspaces from 1: a
/// test that subscribes to the bus holds this turn, so that no other test publishes to its
/// queue meanwhile.
pub async fn bus_turn() -> tokio::sync::MutexGuard<'static, ()> {
    static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    TURN.lock().await
}

/// The bus `publish-events` publishes to in this process (`EVENT_BUS_NAME`), created once.
pub async fn event_bus() -> &'static str {
    static BUS: OnceCell<String> = OnceCell::const_new();
    BUS.get_or_init(|| async {
        let name = format!("tessera-test-{}", tessera_common::token::new_id());
        let client = aws_sdk_eventbridge::Client::new(&tessera_common::config::sdk_config().await);
        client
            .create_event_bus()
            .name(&name)
            .send()
            .await
            .expect("create the event bus in the emulator");
        std::env::set_var("EVENT_BUS_NAME", &name);
        name
    })
    .await
}

/// A queue that receives every Tessera event on the bus, through a rule: what a
/// subscriber sees (made as `make dev` makes its webhook queue). Answers its URL.
pub async fn subscribed_queue() -> String {
    let bus = event_bus().await;
    let sdk = tessera_common::config::sdk_config().await;
    let queue = format!("events-{}", tessera_common::token::new_id());
    tessera_local_api::events::ensure_bus_and_queue(&sdk, bus, &queue)
        .await
        .expect("a queue subscribed to the bus")
}

/// The EventBridge envelopes (`detail-type`, `source`, `detail`, ...) that reached the
/// queue, until `count` of them or `wait` without one more.
pub async fn received(queue_url: &str, count: usize, wait: Duration) -> Vec<serde_json::Value> {
    let sqs = aws_sdk_sqs::Client::new(&tessera_common::config::sdk_config().await);
    let mut envelopes = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    while envelopes.len() < count && tokio::time::Instant::now() < deadline {
        let out = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("receive from the queue");
        for message in out.messages.unwrap_or_default() {
            let body = message.body.unwrap_or_default();
            envelopes.push(serde_json::from_str(&body).expect("an EventBridge envelope"));
            if let Some(receipt) = message.receipt_handle {
                let _ = sqs
                    .delete_message()
                    .queue_url(queue_url)
                    .receipt_handle(receipt)
                    .send()
                    .await;
            }
        }
    }
    envelopes
}

/// Every record of the table's stream so far, oldest first, as Lambda would hand them
/// to a stream function (one batch).
pub async fn stream_of(store: &Store) -> StreamEvent {
    let sdk = tessera_common::config::sdk_config().await;
    let mut reader = tessera_local_api::events::StreamReader::of(&sdk, store)
        .await
        .expect("the table has a stream");
    reader.read().await.expect("read the stream")
}

/// Validates each envelope's detail against its type's schema, with Python's `jsonschema`
/// (infra/scripts/check-event-schemas.py): not Tessera's code.
pub fn check_against_schemas(envelopes: &[serde_json::Value]) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let path = std::env::temp_dir().join(format!(
        "tessera-events-{}.json",
        tessera_common::token::new_id()
    ));
    std::fs::write(&path, serde_json::to_vec(envelopes).unwrap()).unwrap();
    let output = std::process::Command::new(format!("{root}/.tessera/tools/venv/bin/python"))
        .arg(format!("{root}/infra/scripts/check-event-schemas.py"))
        .arg(&path)
        .output()
        .expect("run the schema check (infra/scripts/install.sh installs jsonschema)");
    let _ = std::fs::remove_file(&path);
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
