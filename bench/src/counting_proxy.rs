//! A pass-through HTTP proxy in front of an AWS endpoint that counts the operations sent
//! through it (by `X-Amz-Target`), and the items of each transaction: the calls per
//! request of the real binaries, whatever their language. For DynamoDB it also asks every
//! data operation for its consumed capacity (`ReturnConsumedCapacity: TOTAL`, which the
//! functions never set themselves) and adds up the read and write units DynamoDB answers:
//! what a request costs, however large its items. And it counts the reads and writes of
//! each partition key (`keys`), so that a hot key shows.

use std::{
    collections::BTreeMap,
    convert::Infallible,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use http_body_util::{BodyExt, Full};
use hyper::{body::Bytes, server::conn::http1, service::service_fn, Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// Operation name -> count; `TransactWriteItems.items` counts the items written, and
/// `units.read.milli` and `units.write.milli` the capacity units consumed, in thousandths.
pub type Counts = BTreeMap<String, u64>;

/// Item reads and writes by partition key.
pub type KeyCounts = BTreeMap<String, KeyUse>;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct KeyUse {
    pub reads: u64,
    pub writes: u64,
}

pub const READ_UNITS_MILLI: &str = "units.read.milli";
pub const WRITE_UNITS_MILLI: &str = "units.write.milli";

/// The operations that take `ReturnConsumedCapacity`, and whether they read.
fn capacity_kind(operation: &str) -> Option<bool> {
    match operation {
        "GetItem" | "Query" | "Scan" | "BatchGetItem" | "TransactGetItems" => Some(true),
        "PutItem" | "UpdateItem" | "DeleteItem" | "BatchWriteItem" | "TransactWriteItems" => {
            Some(false)
        }
        _ => None,
    }
}

/// The units a response says it consumed: `ConsumedCapacity`, one object or a list.
fn consumed_units(response: &[u8]) -> f64 {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(response) else {
        return 0.0;
    };
    let units = |c: &serde_json::Value| {
        c.get("CapacityUnits")
            .and_then(|u| u.as_f64())
            .unwrap_or(0.0)
    };
    match value.get("ConsumedCapacity") {
        Some(serde_json::Value::Array(list)) => list.iter().map(units).sum(),
        Some(one) => units(one),
        None => 0.0,
    }
}

#[derive(Clone)]
pub struct CountingProxy {
    pub address: SocketAddr,
    counts: Arc<Mutex<Counts>>,
    keys: Arc<Mutex<KeyCounts>>,
}

/// The partition keys a DynamoDB request reads and writes, each with whether it writes.
fn item_keys(operation: &str, body: &serde_json::Value) -> Vec<(String, bool)> {
    let pk = |item: &serde_json::Value| {
        item.pointer("/pk/S")
            .and_then(|pk| pk.as_str())
            .map(str::to_owned)
    };
    match operation {
        "GetItem" => pk(&body["Key"]).map(|k| (k, false)).into_iter().collect(),
        "Query" => body
            .pointer("/ExpressionAttributeValues/:pk/S")
            .and_then(|pk| pk.as_str())
            .map(|k| (k.to_owned(), false))
            .into_iter()
            .collect(),
        "BatchGetItem" => body["RequestItems"]
            .as_object()
            .into_iter()
            .flat_map(|tables| tables.values())
            .flat_map(|table| table["Keys"].as_array().cloned().unwrap_or_default())
            .filter_map(|key| pk(&key).map(|k| (k, false)))
            .collect(),
        "UpdateItem" | "DeleteItem" => pk(&body["Key"]).map(|k| (k, true)).into_iter().collect(),
        "PutItem" => pk(&body["Item"]).map(|k| (k, true)).into_iter().collect(),
        "TransactWriteItems" => body["TransactItems"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|action| {
                let (kind, target) = action.as_object()?.iter().next()?;
                let item = if kind == "Put" {
                    &target["Item"]
                } else {
                    &target["Key"]
                };
                pk(item).map(|k| (k, kind != "ConditionCheck"))
            })
            .collect(),
        _ => Vec::new(),
    }
}

impl CountingProxy {
    pub async fn start(upstream: String) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let counts = Arc::new(Mutex::new(Counts::new()));
        let keys = Arc::new(Mutex::new(KeyCounts::new()));
        let shared_keys = keys.clone();
        let client = reqwest::Client::new();
        let upstream = Arc::new(upstream.trim_end_matches('/').to_owned());
        let shared = counts.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (client, upstream, counts, keys) = (
                    client.clone(),
                    upstream.clone(),
                    shared.clone(),
                    shared_keys.clone(),
                );
                tokio::spawn(async move {
                    let service = service_fn(move |req| {
                        forward(
                            client.clone(),
                            upstream.clone(),
                            (counts.clone(), keys.clone()),
                            req,
                        )
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(CountingProxy {
            address,
            counts,
            keys,
        })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn snapshot(&self) -> Counts {
        self.counts.lock().expect("counts lock").clone()
    }

    /// The reads and writes of each partition key so far.
    pub fn keys(&self) -> KeyCounts {
        self.keys.lock().expect("keys lock").clone()
    }
}

/// `after - before`, without the zeroes.
pub fn difference(after: &Counts, before: &Counts) -> Counts {
    after
        .iter()
        .map(|(op, n)| (op.clone(), n - before.get(op).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect()
}

async fn forward(
    client: reqwest::Client,
    upstream: Arc<String>,
    (counts, keys): (Arc<Mutex<Counts>>, Arc<Mutex<KeyCounts>>),
    req: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let operation = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|target| target.rsplit('.').next())
        .unwrap_or("unknown")
        .to_owned();
    if let Ok(request) = serde_json::from_slice::<serde_json::Value>(&body) {
        let mut keys = keys.lock().expect("keys lock");
        for (key, writes) in item_keys(&operation, &request) {
            let entry = keys.entry(key).or_default();
            if writes {
                entry.writes += 1;
            } else {
                entry.reads += 1;
            }
        }
    }
    {
        let mut counts = counts.lock().expect("counts lock");
        *counts.entry(operation.clone()).or_default() += 1;
        if operation == "TransactWriteItems" {
            let items = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| {
                    v.get("TransactItems")
                        .and_then(|i| i.as_array())
                        .map(Vec::len)
                })
                .unwrap_or(0);
            *counts.entry("TransactWriteItems.items".into()).or_default() += items as u64;
        }
    }
    let reads = capacity_kind(&operation);
    let body = match reads {
        Some(_) => with_consumed_capacity(body),
        None => body,
    };
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let mut request = client.request(parts.method.clone(), format!("{upstream}{path}"));
    for (name, value) in &parts.headers {
        // The body may have grown: the client sets its length.
        if name != "host" && name != "content-length" {
            request = request.header(name, value);
        }
    }
    let reply = match request.body(body).send().await {
        Ok(reply) => reply,
        Err(_) => {
            return Ok(Response::builder()
                .status(502)
                .body(Full::new(Bytes::new()))
                .expect("a static response"))
        }
    };
    let mut response = Response::builder().status(reply.status());
    for (name, value) in reply.headers() {
        if name != "transfer-encoding" && name != "connection" && name != "content-length" {
            response = response.header(name, value);
        }
    }
    let bytes = reply.bytes().await.unwrap_or_default();
    if let Some(reads) = reads {
        let milli = (consumed_units(&bytes) * 1000.0).round() as u64;
        let key = if reads {
            READ_UNITS_MILLI
        } else {
            WRITE_UNITS_MILLI
        };
        *counts
            .lock()
            .expect("counts lock")
            .entry(key.into())
            .or_default() += milli;
    }
    Ok(response
        .body(Full::new(bytes))
        .expect("headers copied from a valid response"))
}

/// The request body with `ReturnConsumedCapacity: TOTAL` (DynamoDB Local, like DynamoDB,
/// does not check the signature over the body).
fn with_consumed_capacity(body: Bytes) -> Bytes {
    match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(serde_json::Value::Object(mut fields)) => {
            fields
                .entry("ReturnConsumedCapacity")
                .or_insert_with(|| "TOTAL".into());
            Bytes::from(serde_json::Value::Object(fields).to_string())
        }
        _ => body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_read_from_one_object_or_a_list() {
        assert_eq!(
            consumed_units(br#"{"ConsumedCapacity":{"TableName":"t","CapacityUnits":1.5}}"#),
            1.5
        );
        assert_eq!(
            consumed_units(
                br#"{"ConsumedCapacity":[{"CapacityUnits":2.0},{"CapacityUnits":4.0}]}"#
            ),
            6.0
        );
        assert_eq!(consumed_units(b"{}"), 0.0);
        let transaction = serde_json::json!({"TransactItems": [
            {"Update": {"Key": {"pk": {"S": "METER#a"}, "sk": {"S": "METER"}}}},
            {"Put": {"Item": {"pk": {"S": "TOKEN#b"}, "sk": {"S": "TOKEN"}}}},
            {"ConditionCheck": {"Key": {"pk": {"S": "WS#1"}, "sk": {"S": "WORKSPACE"}}}},
        ]});
        assert_eq!(
            item_keys("TransactWriteItems", &transaction),
            [
                ("METER#a".to_owned(), true),
                ("TOKEN#b".to_owned(), true),
                ("WS#1".to_owned(), false)
            ]
        );
        let batch = serde_json::json!({"RequestItems": {"t": {"Keys": [
            {"pk": {"S": "METER#a"}, "sk": {"S": "METER"}},
            {"pk": {"S": "METER#a#1"}, "sk": {"S": "METER"}},
        ]}}});
        assert_eq!(item_keys("BatchGetItem", &batch).len(), 2);
        let asked = with_consumed_capacity(Bytes::from_static(br#"{"TableName":"t"}"#));
        assert!(std::str::from_utf8(&asked)
            .unwrap()
            .contains(r#""ReturnConsumedCapacity":"TOTAL""#));
    }
}
