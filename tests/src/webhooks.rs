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
use tessera_common::AppState;

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

/// Works the queue as Lambda's event source does, until `done` or `timeout`
/// (`tessera_local_api::events::work_queue_once`, as `make dev` works it).
pub async fn work_queue(
    state: &AppState,
    deliverer: &Deliverer,
    queue_url: &str,
    timeout: Duration,
    done: impl Fn() -> bool,
) {
    let sqs = aws_sdk_sqs::Client::new(&tessera_common::config::sdk_config().await);
    let deadline = tokio::time::Instant::now() + timeout;
    while !done() && tokio::time::Instant::now() < deadline {
        tessera_local_api::events::work_queue_once(state, deliverer, &sqs, queue_url)
            .await
            .expect("work the queue");
    }
}
