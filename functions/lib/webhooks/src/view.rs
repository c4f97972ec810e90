//! An endpoint as every webhook route answers it: never its secret.

use serde_json::{json, Value};
use tessera_common::store::webhooks::Webhook;

pub fn webhook_json(webhook: &Webhook) -> Value {
    json!({
        "id": webhook.id,
        "url": webhook.url,
        "eventTypes": webhook.event_types,
        "description": webhook.description,
        "createdAt": webhook.created_at,
        "failing": webhook.failing_since.is_some(),
        "failingSince": webhook.failing_since,
    })
}
