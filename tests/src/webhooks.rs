//! Webhooks on the local stack, for tests: a receiver that verifies each delivery with the
//! `standardwebhooks` package (tests/receivers), and the delivery queue worked as Lambda's
//! SQS event source works it.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

use deliver_webhooks::Deliverer;
use serde_json::Value;
use tessera_common::{
    queue::{MessageAttributes, QueueEvent, QueueMessage},
    AppState,
};

/// A port of 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A Python receiver on 127.0.0.1:`port`, verifying with each of its secrets.
pub struct Receiver {
    child: Child,
    lines: Arc<Mutex<Vec<Value>>>,
}

impl Receiver {
    pub fn start(port: u16, secrets: &[&str]) -> Receiver {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut child = Command::new(root.join(".tessera/tools/venv/bin/python"))
            .arg(root.join("tests/receivers/standard_webhooks_receiver.py"))
            .arg(port.to_string())
            .args(secrets)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the receiver (make test installs standardwebhooks)");
        let stdout = child.stdout.take().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let kept = lines.clone();
        let (ready, listening) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let value: Value = serde_json::from_str(&line).expect("a JSON line");
                if value.get("listening").is_some() {
                    let _ = ready.send(());
                } else {
                    kept.lock().unwrap().push(value);
                }
            }
        });
        listening
            .recv_timeout(Duration::from_secs(20))
            .expect("the receiver listens");
        Receiver { child, lines }
    }

    /// What it was sent so far: `{"id", "type", "data", "verifiedWith"}` each.
    pub fn received(&self) -> Vec<Value> {
        self.lines.lock().unwrap().clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Works the queue as Lambda's event source does, until `done` or `timeout`: receives
/// batches (with their receive counts), hands each to `deliver`, and deletes the messages
/// it did not name as failed. Answers how many batches it handed over.
pub async fn work_queue(
    state: &AppState,
    deliverer: &Deliverer,
    queue_url: &str,
    timeout: Duration,
    done: impl Fn() -> bool,
) -> usize {
    let sqs = aws_sdk_sqs::Client::new(&tessera_common::config::sdk_config().await);
    let deadline = tokio::time::Instant::now() + timeout;
    let mut batches = 0;
    while !done() && tokio::time::Instant::now() < deadline {
        let out = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .message_system_attribute_names(
                aws_sdk_sqs::types::MessageSystemAttributeName::ApproximateReceiveCount,
            )
            .send()
            .await
            .expect("receive from the queue");
        let messages: Vec<QueueMessage> = out
            .messages
            .unwrap_or_default()
            .into_iter()
            .map(|message| QueueMessage {
                message_id: message.message_id.unwrap_or_default(),
                receipt_handle: message.receipt_handle.unwrap_or_default(),
                body: message.body.unwrap_or_default(),
                attributes: MessageAttributes {
                    approximate_receive_count: message.attributes.and_then(|attributes| {
                        attributes
                            .get(&aws_sdk_sqs::types::MessageSystemAttributeName::ApproximateReceiveCount)
                            .cloned()
                    }),
                },
            })
            .collect();
        if messages.is_empty() {
            continue;
        }
        batches += 1;
        let answer = deliver_webhooks::deliver(
            state,
            deliverer,
            QueueEvent {
                records: messages.clone(),
            },
        )
        .await;
        for message in messages {
            let failed = answer
                .batch_item_failures
                .iter()
                .any(|f| f.item_identifier == message.message_id);
            if !failed {
                sqs.delete_message()
                    .queue_url(queue_url)
                    .receipt_handle(&message.receipt_handle)
                    .send()
                    .await
                    .expect("delete a delivered message");
            }
        }
    }
    batches
}
