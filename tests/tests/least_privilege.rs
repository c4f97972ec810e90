//! Issue 16, item 8: the policies grant no more than the functions need, beyond the
//! actions (which `events.rs` checks against what each function calls): the functions
//! that verify a token may update only its last use, its limits' counters and its counts of use, the functions that verify
//! JWTs may read only the secret's current and previous keys, and only this stack's secret
//! may invoke the rotation function. DynamoDB Local and the emulator enforce no IAM, so
//! this reads the template; AWS enforces it.

use serde_yaml_ng::Value;
use tessera_tests::TEMPLATE;

fn resources() -> Value {
    let template: Value = serde_yaml_ng::from_str(TEMPLATE).unwrap();
    template["Resources"].clone()
}

/// Every policy statement of a function that grants `action`.
fn statements_granting(function: &Value, action: &str) -> Vec<Value> {
    let mut found = Vec::new();
    for policy in function["Properties"]["Policies"]
        .as_sequence()
        .into_iter()
        .flatten()
    {
        for statement in policy["Statement"].as_sequence().into_iter().flatten() {
            let actions = statement["Action"]
                .as_sequence()
                .cloned()
                .unwrap_or_default();
            if actions.iter().any(|a| a.as_str() == Some(action)) {
                found.push(statement.clone());
            }
        }
    }
    found
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// What a verification may write: a token's last use and, on a record from before meters,
/// what moving its counters to its meter takes (issue 28).
const LAST_USE: &[&str] = &["pk", "sk", "last_used_at"];
const LAST_USE_AND_MOVE_TO_METER: &[&str] = &[
    "pk",
    "sk",
    "last_used_at",
    "digest",
    "meter_id",
    "metered",
    "ratelimit",
    "rl_window",
    "rl_count",
    "rl_prev_count",
    "credits_remaining",
    "credits_refill",
    "credits_period",
    "usage",
    // A verification undoes a reroll from before meters that died.
    "successor_digest",
    "successor_pending_since",
    "rerolled_to",
];
/// A meter: the rate limit's window and count, the credits (issue 19) and today's counts
/// by outcome, and the limits they are of (a meter made from a record from before).
const METER: &[&str] = &[
    "pk",
    "sk",
    "ratelimit",
    "rl_window",
    "rl_count",
    "rl_prev_count",
    "credits_remaining",
    "credits_refill",
    "credits_period",
    "credits_events",
    "usage",
];
/// A past day's counts, on the day's own item, and its expiry (the table's TTL).
const DAY_OF_USE: &[&str] = &[
    "pk",
    "sk",
    "expires_at",
    "valid",
    "rateLimited",
    "usageExceeded",
    "disabled",
    "expired",
    "insufficientPermissions",
];

#[test]
fn verifiers_may_update_only_the_last_use_the_limits_and_the_counts() {
    let resources = resources();
    for (id, allowed) in [
        (
            "AuthorizerFunction",
            vec![
                (LAST_USE_AND_MOVE_TO_METER, vec!["TOKEN#*", "WS#*"]),
                (METER, vec!["METER#*"]),
                (DAY_OF_USE, vec!["USAGE#*"]),
            ],
        ),
        (
            "VerifyAccessTokenFunction",
            vec![
                (LAST_USE_AND_MOVE_TO_METER, vec!["TOKEN#*", "WS#*"]),
                (METER, vec!["METER#*"]),
                (DAY_OF_USE, vec!["USAGE#*"]),
            ],
        ),
        (
            "IntrospectFunction",
            vec![(LAST_USE, vec!["TOKEN#*", "WS#*"])],
        ),
    ] {
        let updates = statements_granting(&resources[id], "dynamodb:UpdateItem");
        assert_eq!(updates.len(), allowed.len(), "{id}");
        for (update, (attributes, leading_keys)) in updates.iter().zip(allowed) {
            let condition = &update["Condition"];
            assert_eq!(
                strings(&condition["ForAllValues:StringEquals"]["dynamodb:Attributes"]),
                attributes,
                "{id}"
            );
            assert_eq!(
                strings(&condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]),
                leading_keys,
                "{id}"
            );
            assert_eq!(
                strings(&update["Action"]),
                ["dynamodb:UpdateItem"],
                "{id}: the condition covers only it"
            );
        }
    }
}

/// Issue 29: the verifiers put items only in audit logs (the credits events they write).
#[test]
fn verifiers_put_only_audit_entries() {
    let resources = resources();
    for id in ["AuthorizerFunction", "VerifyAccessTokenFunction"] {
        let puts = statements_granting(&resources[id], "dynamodb:PutItem");
        assert_eq!(puts.len(), 1, "{id}");
        assert_eq!(strings(&puts[0]["Action"]), ["dynamodb:PutItem"], "{id}");
        assert_eq!(
            strings(&puts[0]["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]),
            ["AUDIT#*"],
            "{id}"
        );
    }
}

#[test]
fn jwt_functions_read_only_the_current_and_previous_keys() {
    let resources = resources();
    let mut checked = 0;
    for (id, resource) in resources.as_mapping().unwrap() {
        let id = id.as_str().unwrap();
        if resource["Type"].as_str() != Some("AWS::Serverless::Function")
            || id == "RotateSigningKeyFunction"
        {
            continue;
        }
        for statement in statements_granting(resource, "secretsmanager:GetSecretValue") {
            let secret = serde_yaml_ng::to_string(&statement["Resource"]).unwrap();
            // The webhook key does not rotate: only its current version is read.
            let stages: &[&str] = if secret.trim() == "!Ref WebhookKeySecret" {
                &["AWSCURRENT"]
            } else {
                assert_eq!(secret.trim(), "!Ref SigningSecret", "{id}");
                &["AWSCURRENT", "AWSPREVIOUS"]
            };
            assert_eq!(
                strings(&statement["Condition"]["StringEquals"]["secretsmanager:VersionStage"]),
                stages,
                "{id}"
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 6,
        "every signing or verifying function: {checked}"
    );
}

#[test]
fn only_this_stacks_secret_invokes_the_rotation_function() {
    let permission = &resources()["RotateSigningKeyPermission"]["Properties"];
    assert_eq!(
        permission["Principal"].as_str(),
        Some("secretsmanager.amazonaws.com")
    );
    assert!(!permission["SourceAccount"].is_null());
    assert!(
        !permission["SourceArn"].is_null(),
        "SourceArn names the secret"
    );
}

/// Issue 29: the events publisher may put events on the stack's bus only, send failed
/// batches to its dead-letter queue only, and touch no item of the table (the stream's
/// read permissions come with its event source); its stream is filtered to new audit
/// entries, the only records that carry events.
#[test]
fn the_events_publisher_puts_on_its_bus_only() {
    let resources = resources();
    let function = &resources["PublishEventsFunction"];
    let mut granted = Vec::new();
    for policy in function["Properties"]["Policies"].as_sequence().unwrap() {
        for statement in policy["Statement"].as_sequence().unwrap() {
            let resource = serde_yaml_ng::to_string(&statement["Resource"]).unwrap();
            granted.push((strings(&statement["Action"]), resource.trim().to_owned()));
        }
    }
    assert_eq!(
        granted,
        [
            (
                vec!["events:PutEvents".to_owned()],
                "!GetAtt EventBus.Arn".to_owned()
            ),
            (
                vec!["sqs:SendMessage".to_owned()],
                "!GetAtt EventsDeadLetterQueue.Arn".to_owned()
            ),
        ]
    );
    let stream = &function["Properties"]["Events"]["Stream"]["Properties"];
    let pattern = stream["FilterCriteria"]["Filters"][0]["Pattern"]
        .as_str()
        .unwrap();
    let pattern: serde_json::Value = serde_json::from_str(pattern).unwrap();
    assert_eq!(pattern["eventName"], serde_json::json!(["INSERT"]));
    assert_eq!(
        pattern["dynamodb"]["Keys"]["pk"]["S"],
        serde_json::json!([{"prefix": "AUDIT#"}])
    );
}

/// Issue 29: the webhook delivery may read the webhook key (no other secret), set when its
/// queue's messages come back, and nothing of other queues; only the functions that show
/// or sign a secret read the key.
#[test]
fn webhook_functions_read_the_webhook_key_and_only_they_do() {
    let resources = resources();
    let mut readers = Vec::new();
    for (id, resource) in resources.as_mapping().unwrap() {
        for statement in statements_granting(resource, "secretsmanager:GetSecretValue") {
            if serde_yaml_ng::to_string(&statement["Resource"])
                .unwrap()
                .trim()
                == "!Ref WebhookKeySecret"
            {
                readers.push(id.as_str().unwrap().to_owned());
            }
        }
    }
    readers.sort();
    assert_eq!(
        readers,
        [
            "CreateWebhookFunction",
            "DeliverWebhooksFunction",
            "RotateWebhookSecretFunction"
        ]
    );
    let delivery = &resources["DeliverWebhooksFunction"];
    let sqs = statements_granting(delivery, "sqs:ChangeMessageVisibility");
    assert_eq!(sqs.len(), 1);
    assert_eq!(strings(&sqs[0]["Action"]), ["sqs:ChangeMessageVisibility"]);
    assert_eq!(
        serde_yaml_ng::to_string(&sqs[0]["Resource"])
            .unwrap()
            .trim(),
        "!GetAtt WebhookDeliveryQueue.Arn"
    );
    let queue = &delivery["Properties"]["Events"]["Queue"]["Properties"];
    assert_eq!(
        strings(&queue["FunctionResponseTypes"]),
        ["ReportBatchItemFailures"]
    );
    // The attempts the function makes are the queue's before it dead-letters.
    let max = resources["WebhookDeliveryQueue"]["Properties"]["RedrivePolicy"]["maxReceiveCount"]
        .as_u64()
        .unwrap();
    let attempts = delivery["Properties"]["Environment"]["Variables"]["WEBHOOK_MAX_ATTEMPTS"]
        .as_u64()
        .unwrap();
    assert_eq!(max, attempts);
}
