//! The delivery against receivers on 127.0.0.1 (the only address tests send to): what is
//! sent, to whom, when it comes back, and what is refused before any connection.

use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicU16, AtomicUsize, Ordering},
        Arc, Mutex,
    },
};

use serde_json::json;
use tessera_common::{
    queue::{MessageAttributes, QueueMessage},
    store::records::Role,
};
use tessera_test_support::{fresh_state, webhook, workspace, TestWorkspace};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
};

use super::*;

/// A receiver on 127.0.0.1 that answers every request with `status` (0: never answers)
/// and keeps what it was sent.
struct Receiver {
    address: SocketAddr,
    status: Arc<AtomicU16>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Receiver {
    async fn start(status: u16) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let status = Arc::new(AtomicU16::new(status));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (answer, kept) = (status.clone(), requests.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let (answer, kept) = (answer.clone(), kept.clone());
                tokio::spawn(async move {
                    let request = read_request(&mut socket).await;
                    kept.lock().unwrap().push(request);
                    let status = answer.load(Ordering::SeqCst);
                    if status == 0 {
                        tokio::time::sleep(Duration::from_secs(30)).await;
                        return;
                    }
                    let reply = format!(
                        "HTTP/1.1 {status} X\r\nlocation: http://127.0.0.1:9/elsewhere\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    );
                    let _ = socket.write_all(reply.as_bytes()).await;
                });
            }
        });
        Receiver {
            address,
            status,
            requests,
        }
    }

    fn url(&self) -> String {
        format!("http://{}/hook", self.address)
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> String {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = socket.read(&mut buf).await.unwrap_or(0);
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|line| {
                    line.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(|n| n.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            if body.len() >= length {
                return text;
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

const LOOPBACK: AddressPolicy = AddressPolicy {
    allow_loopback: true,
};

fn deliverer(policy: AddressPolicy, timeout: Duration) -> Deliverer {
    Deliverer {
        retry: RetryPolicy {
            max_attempts: 3,
            first: Duration::from_secs(1),
            longest: Duration::from_secs(2),
        },
        sender: Sender::new(Arc::new(SystemResolver), policy, timeout),
        queue: None,
    }
}

fn message(id: &str, detail_type: &str, detail: Value, receive_count: u32) -> QueueMessage {
    QueueMessage {
        message_id: id.into(),
        receipt_handle: format!("receipt-{id}"),
        body: json!({
            "version": "0",
            "id": id,
            "detail-type": detail_type,
            "source": "tessera",
            "time": "2026-12-05T20:00:00Z",
            "detail": detail,
        })
        .to_string(),
        attributes: MessageAttributes {
            approximate_receive_count: Some(receive_count.to_string()),
        },
    }
}

fn created(ws: &TestWorkspace, event_id: &str) -> Value {
    json!({
        "eventId": event_id,
        "workspaceId": ws.id.parse::<u64>().unwrap(),
        "occurredAt": "2026-12-05T20:00:00.000Z",
        "accessToken": { "id": "tok1", "name": "ci" },
    })
}

async fn run(state: &AppState, deliverer: &Deliverer, messages: Vec<QueueMessage>) -> Vec<String> {
    deliver(state, deliverer, QueueEvent { records: messages })
        .await
        .batch_item_failures
        .into_iter()
        .map(|f| f.item_identifier)
        .collect()
}

#[tokio::test]
async fn each_endpoint_of_the_workspace_that_takes_the_type_gets_it_signed_once() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let other = workspace(&state.store, Role::Admin).await;
    let all = Receiver::start(204).await;
    let leaks_only = Receiver::start(204).await;
    let theirs = Receiver::start(204).await;
    let endpoint = webhook(&state, &ws, &all.url(), &[]).await;
    webhook(&state, &ws, &leaks_only.url(), &["Access Token Leaked"]).await;
    webhook(&state, &other, &theirs.url(), &[]).await;
    let deliverer = deliverer(LOOPBACK, TIMEOUT);
    let failed = run(
        &state,
        &deliverer,
        vec![message(
            "m1",
            "Access Token Created",
            created(&ws, "ev1"),
            1,
        )],
    )
    .await;
    assert!(failed.is_empty(), "{failed:?}");
    let requests = all.requests();
    assert_eq!(requests.len(), 1);
    let request = requests[0].to_ascii_lowercase();
    assert!(request.starts_with("post /hook http/1.1"), "{request}");
    assert!(request.contains("webhook-id: ev1"), "{request}");
    assert!(request.contains("webhook-signature: v1,"), "{request}");
    assert!(request.contains("content-type: application/json"));
    let body: Value = serde_json::from_str(requests[0].split_once("\r\n\r\n").unwrap().1).unwrap();
    assert_eq!(body["type"], "Access Token Created");
    assert_eq!(body["data"]["eventId"], "ev1");
    assert!(leaks_only.requests().is_empty(), "not its type");
    assert!(theirs.requests().is_empty(), "another workspace's endpoint");
    // Lambda hands the same message over again (at least once): it is not sent twice.
    assert!(run(
        &state,
        &deliverer,
        vec![message(
            "m1",
            "Access Token Created",
            created(&ws, "ev1"),
            2
        )]
    )
    .await
    .is_empty());
    assert_eq!(all.requests().len(), 1);
    let attempts = state
        .store
        .delivery_attempts(&endpoint.id, 10)
        .await
        .unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!((attempts[0].status, attempts[0].attempt), (Some(204), 1));
}

#[tokio::test]
async fn a_failed_endpoint_is_retried_alone_and_marked_failing_after_the_last_attempt() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let healthy = Receiver::start(200).await;
    let broken = Receiver::start(500).await;
    let watcher = Receiver::start(200).await;
    webhook(&state, &ws, &healthy.url(), &["Access Token Created"]).await;
    let failing = webhook(&state, &ws, &broken.url(), &[]).await;
    webhook(&state, &ws, &watcher.url(), &["Webhook Endpoint Failing"]).await;
    let deliverer = deliverer(LOOPBACK, TIMEOUT);
    for attempt in 1..=3 {
        let failed = run(
            &state,
            &deliverer,
            vec![message(
                "m1",
                "Access Token Created",
                created(&ws, "ev1"),
                attempt,
            )],
        )
        .await;
        assert_eq!(failed, ["m1"], "attempt {attempt}");
    }
    assert_eq!(
        healthy.requests().len(),
        1,
        "the endpoint that took it is skipped"
    );
    assert_eq!(broken.requests().len(), 3);
    let attempts = state
        .store
        .delivery_attempts(&failing.id, 10)
        .await
        .unwrap();
    assert_eq!(
        attempts.iter().map(|a| a.attempt).collect::<Vec<_>>(),
        [3, 2, 1]
    );
    assert!(
        attempts[0].next_retry_at.is_none(),
        "no retry after the last"
    );
    assert!(attempts[1].next_retry_at.is_some());
    assert_eq!(
        attempts[0].error.as_deref(),
        Some("the endpoint answered 500")
    );
    let stored = state
        .store
        .webhook(&ws.id, &failing.id)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.failing_since.is_some());
    let log = state.store.audit_log(&ws.id, 10, None).await.unwrap();
    let entry = log
        .entries
        .iter()
        .find(|e| e.action == "webhook.failing")
        .unwrap();
    let event = entry.event.as_ref().unwrap();
    assert_eq!(event.detail_type, "Webhook Endpoint Failing");
    assert!(event.detail.contains(&failing.id) && event.detail.contains("ev1"));
    // The failing notice goes to its subscribers, never to the failing endpoint.
    let notice: Value = serde_json::from_str(&event.detail).unwrap();
    let mut detail = notice.clone();
    detail["eventId"] = json!(entry.id);
    detail["workspaceId"] = json!(ws.id.parse::<u64>().unwrap());
    assert!(run(
        &state,
        &deliverer,
        vec![message("m2", "Webhook Endpoint Failing", detail, 1)]
    )
    .await
    .is_empty());
    assert_eq!(watcher.requests().len(), 1);
    assert_eq!(broken.requests().len(), 3);
    // Once it takes an event again, it is no longer failing.
    broken.status.store(200, Ordering::SeqCst);
    assert!(run(
        &state,
        &deliverer,
        vec![message(
            "m3",
            "Access Token Created",
            created(&ws, "ev3"),
            1
        )]
    )
    .await
    .is_empty());
    let stored = state
        .store
        .webhook(&ws.id, &failing.id)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.failing_since.is_none());
}

#[tokio::test]
async fn a_test_event_goes_to_the_endpoint_it_names_only() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let named = Receiver::start(204).await;
    let other = Receiver::start(204).await;
    let endpoint = webhook(&state, &ws, &named.url(), &["Access Token Leaked"]).await;
    webhook(&state, &ws, &other.url(), &[]).await;
    let detail = json!({
        "eventId": "evt", "workspaceId": ws.id.parse::<u64>().unwrap(),
        "webhook": { "id": endpoint.id, "url": endpoint.url },
    });
    assert!(run(
        &state,
        &deliverer(LOOPBACK, TIMEOUT),
        vec![message("m", "Webhook Test", detail, 1)]
    )
    .await
    .is_empty());
    assert_eq!((named.requests().len(), other.requests().len()), (1, 0));
}

#[tokio::test]
async fn redirects_are_not_followed_and_a_silent_endpoint_times_out() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let redirecting = Receiver::start(302).await;
    let silent = Receiver::start(0).await;
    let moved = webhook(&state, &ws, &redirecting.url(), &[]).await;
    let slow = webhook(&state, &ws, &silent.url(), &[]).await;
    let deliverer = deliverer(LOOPBACK, Duration::from_secs(1));
    let failed = run(
        &state,
        &deliverer,
        vec![message("m", "Access Token Created", created(&ws, "ev"), 1)],
    )
    .await;
    assert_eq!(failed, ["m"]);
    let moved = state.store.delivery_attempts(&moved.id, 1).await.unwrap();
    assert_eq!(moved[0].status, Some(302), "answered, not followed");
    let slow = state.store.delivery_attempts(&slow.id, 1).await.unwrap();
    assert_eq!(slow[0].error.as_deref(), Some("no answer within 1 s"));
}

/// Answers what it was given for any name, and counts the questions.
struct FixedResolver(Vec<SocketAddr>, AtomicUsize);

impl Resolve for FixedResolver {
    fn resolve<'a>(&'a self, _host: &'a str, _port: u16) -> ResolveFuture<'a> {
        self.1.fetch_add(1, Ordering::SeqCst);
        let answer = self.0.clone();
        Box::pin(async move { Ok(answer) })
    }
}

#[tokio::test]
async fn names_that_resolve_inside_are_refused_before_any_connection() {
    let strict = AddressPolicy::default();
    for inside in [
        vec!["169.254.169.254:443"],
        vec!["10.0.0.8:443"],
        vec!["127.0.0.1:443"],
        vec!["[::1]:443"],
        vec!["[fd00:ec2::254]:443"],
        vec!["[::ffff:169.254.169.254]:443"],
        // One public address does not make the name safe.
        vec!["93.184.215.14:443", "192.168.0.10:443"],
    ] {
        let addresses: Vec<SocketAddr> = inside.iter().map(|a| a.parse().unwrap()).collect();
        let resolver = Arc::new(FixedResolver(addresses, AtomicUsize::new(0)));
        let sender = Sender::new(resolver.clone(), strict, TIMEOUT);
        let url = WebhookUrl::parse("https://hooks.example.com/x", strict).unwrap();
        let answer = sender.post(&url, &[], Bytes::from_static(b"{}")).await;
        match answer {
            Err(SendError::Refused(why)) => assert!(why.contains("not public"), "{why}"),
            other => panic!("{inside:?}: {other:?}"),
        }
        assert_eq!(resolver.1.load(Ordering::SeqCst), 1);
    }
}

#[tokio::test]
async fn an_endpoint_stored_with_an_inside_address_is_refused_at_delivery() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let receiver = Receiver::start(204).await;
    // Taken while loopback was allowed (make dev); delivered under the deployed policy.
    let endpoint = webhook(&state, &ws, &receiver.url(), &[]).await;
    let strict = deliverer(AddressPolicy::default(), TIMEOUT);
    let failed = run(
        &state,
        &strict,
        vec![message("m", "Access Token Created", created(&ws, "ev"), 1)],
    )
    .await;
    assert_eq!(failed, ["m"]);
    assert!(receiver.requests().is_empty(), "never connected");
    let attempts = state
        .store
        .delivery_attempts(&endpoint.id, 1)
        .await
        .unwrap();
    assert!(
        attempts[0]
            .error
            .as_deref()
            .unwrap()
            .starts_with("refused: url must be https"),
        "{attempts:?}"
    );
}

#[tokio::test]
async fn a_message_that_is_not_an_event_is_dropped_and_an_unreadable_table_brings_it_back() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let deliverer = deliverer(LOOPBACK, TIMEOUT);
    let mut garbage = message("g", "x", json!({}), 1);
    garbage.body = "not json".into();
    assert!(run(&state, &deliverer, vec![garbage]).await.is_empty());
    let broken = tessera_test_support::broken_state().await;
    let failed = run(
        &broken,
        &deliverer,
        vec![message("m", "Access Token Created", created(&ws, "ev"), 1)],
    )
    .await;
    assert_eq!(failed, ["m"]);
}
