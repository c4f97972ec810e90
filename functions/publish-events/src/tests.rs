//! Which stream records carry an event, and what is published of it. The pipeline itself
//! (the stream of DynamoDB Local, the emulator's EventBridge) runs in
//! tests/tests/published_events.rs.

use serde_json::json;
use tessera_common::stream::StreamEvent;

use super::*;

fn stream_event(value: serde_json::Value) -> StreamEvent {
    serde_json::from_value(value).expect("a DynamoDB stream event")
}

fn audit_insert(event: Option<serde_json::Value>) -> serde_json::Value {
    let mut image = json!({
        "pk": {"S": "AUDIT#7"}, "sk": {"S": "1764950400000#AbCdEfGhIjKlMnOpQrStUv"},
        "id": {"S": "AbCdEfGhIjKlMnOpQrStUv"}, "scope": {"S": "7"},
        "at": {"S": "2025-12-05T16:00:00.000Z"}, "at_ms": {"N": "1764950400000"},
        "actor": {"S": "workspace_token:W1"}, "action": {"S": "access_token.create"},
        "object": {"S": "access_token:T1"}, "expires_at": {"N": "1796486400"}
    });
    if let Some(event) = event {
        image["event"] = event;
    }
    json!({"eventName": "INSERT", "dynamodb": {"NewImage": image, "SequenceNumber": "100"}})
}

#[test]
fn an_audit_entry_with_an_event_is_published_with_its_id_workspace_and_time() {
    let event = stream_event(json!({"Records": [audit_insert(Some(json!({"M": {
        "detail_type": {"S": "Access Token Created"},
        "detail": {"S": "{\"accessToken\":{\"id\":\"T1\",\"name\":\"ci\"}}"}
    }})))]}));
    let published = event_of(&event.records[0]).expect("an event");
    assert_eq!(published.detail_type, "Access Token Created");
    assert_eq!(published.at_ms, 1_764_950_400_000);
    let detail: serde_json::Value = serde_json::from_str(&published.detail).unwrap();
    assert_eq!(
        detail,
        json!({
            "eventId": "AbCdEfGhIjKlMnOpQrStUv",
            "workspaceId": 7,
            "occurredAt": "2025-12-05T16:00:00.000Z",
            "accessToken": {"id": "T1", "name": "ci"}
        })
    );
}

#[test]
fn other_records_carry_no_event() {
    let without_event = audit_insert(None);
    let mut modify = audit_insert(None);
    modify["eventName"] = json!("MODIFY");
    let record = json!({"eventName": "INSERT", "dynamodb": {"NewImage": {
        "pk": {"S": "WS#7"}, "sk": {"S": "AT#Y2k#T1"}, "event": {"S": "not ours"}
    }, "SequenceNumber": "101"}});
    let remove = json!({"eventName": "REMOVE", "dynamodb": {"SequenceNumber": "102"}});
    let event = stream_event(json!({"Records": [without_event, modify, record, remove]}));
    for record in &event.records {
        assert_eq!(event_of(record), None, "{record:?}");
    }
}
