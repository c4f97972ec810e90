//! What template.yaml gives an operator (issue 30): a log group with the retention for every
//! function, an access log that cannot carry a token, an alarm with a runbook line for
//! every alarm, throttles per route that name real routes, and KMS that IAM follows.

use std::collections::BTreeSet;

use serde_yaml_ng::{Mapping, Value};
use tessera_tests::template::functions;
use tessera_tests::TEMPLATE;

const OPERATIONS_MD: &str = include_str!("../../docs/operations.md");

fn template() -> Value {
    serde_yaml_ng::from_str(TEMPLATE).expect("template.yaml parses")
}

fn resources(template: &Value) -> &Mapping {
    template["Resources"].as_mapping().expect("Resources")
}

/// The value of an intrinsic function (`!Ref X` → X), if `value` is that function.
fn intrinsic<'a>(value: &'a Value, function: &str) -> Option<&'a Value> {
    match value {
        Value::Tagged(tagged) if tagged.tag == function => Some(&tagged.value),
        _ => value
            .get(format!("Fn::{function}"))
            .or_else(|| (function == "Ref").then(|| value.get("Ref")).flatten()),
    }
}

fn reference(value: &Value) -> Option<&str> {
    intrinsic(value, "Ref").and_then(Value::as_str)
}

/// `!If [HasKmsKey, !Ref KmsKeyArn, !Ref AWS::NoValue]`: the key when one is given, else
/// the property is left out (AWS-owned keys).
fn is_optional_kms_key(value: &Value) -> bool {
    let Some(branches) = intrinsic(value, "If").and_then(Value::as_sequence) else {
        return false;
    };
    branches.len() == 3
        && branches[0].as_str() == Some("HasKmsKey")
        && reference(&branches[1]) == Some("KmsKeyArn")
        && reference(&branches[2]) == Some("AWS::NoValue")
}

#[test]
fn every_function_logs_to_its_own_group_kept_log_retention_days() {
    let template = template();
    let resources = resources(&template);
    let mut groups = BTreeSet::new();
    for (id, function) in resources {
        if function["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let id = id.as_str().unwrap();
        let group =
            reference(&function["Properties"]["LoggingConfig"]["LogGroup"]).unwrap_or_else(|| {
                panic!("{id} names no log group (LoggingConfig.LogGroup: !Ref ...)")
            });
        assert!(groups.insert(group.to_owned()), "{id} shares {group}");
        check_log_group(resources, group);
    }
    assert!(groups.len() >= 40, "{} functions", groups.len());
    // The API's access log too.
    let access = template["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"]
        ["DestinationArn"]
        .clone();
    let target = intrinsic(&access, "GetAtt")
        .and_then(Value::as_str)
        .expect("AccessLogSettings.DestinationArn: !GetAtt <group>.Arn");
    check_log_group(resources, target.trim_end_matches(".Arn"));
}

fn check_log_group(resources: &Mapping, id: &str) {
    let group = &resources[id];
    assert_eq!(group["Type"].as_str(), Some("AWS::Logs::LogGroup"), "{id}");
    let props = &group["Properties"];
    assert_eq!(
        reference(&props["RetentionInDays"]),
        Some("LogRetentionDays"),
        "{id}: RetentionInDays"
    );
    assert!(is_optional_kms_key(&props["KmsKeyId"]), "{id}: KmsKeyId");
}

#[test]
fn log_retention_days_defaults_to_30_among_cloudwatchs_values() {
    let template = template();
    let parameter = &template["Parameters"]["LogRetentionDays"];
    assert_eq!(parameter["Default"].as_u64(), Some(30));
    let allowed: Vec<u64> = parameter["AllowedValues"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(Value::as_u64)
        .collect();
    assert!(allowed.contains(&30) && allowed.contains(&365) && allowed.contains(&1));
}

/// GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces to dashes.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The runbook entries of docs/operations.md: every heading under "### Alarms", by anchor,
/// with the text that follows it.
fn runbook() -> Vec<(String, String)> {
    let alarms = OPERATIONS_MD
        .split("\n### Alarms")
        .nth(1)
        .expect("docs/operations.md has an '### Alarms' section");
    let section = alarms.split("\n### ").next().unwrap_or(alarms);
    section
        .split("\n#### ")
        .skip(1)
        .map(|entry| {
            let (heading, text) = entry.split_once('\n').unwrap_or((entry, ""));
            (anchor(heading), text.trim().to_owned())
        })
        .collect()
}

#[test]
fn every_alarm_notifies_the_topic_and_has_a_runbook_line() {
    let template = template();
    let runbook = runbook();
    let mut alarms = 0;
    let mut used = BTreeSet::new();
    for (id, resource) in resources(&template) {
        if resource["Type"].as_str() != Some("AWS::CloudWatch::Alarm") {
            continue;
        }
        alarms += 1;
        let id = id.as_str().unwrap();
        let props = &resource["Properties"];
        let actions = props["AlarmActions"].as_sequence().expect("AlarmActions");
        assert!(
            actions.iter().any(|a| reference(a) == Some("AlarmTopic")),
            "{id} does not notify AlarmTopic"
        );
        let description = props["AlarmDescription"]
            .as_str()
            .expect("AlarmDescription");
        let target = description
            .split("Runbook: docs/operations.md#")
            .nth(1)
            .unwrap_or_else(|| {
                panic!("{id}: no 'Runbook: docs/operations.md#...' in its description")
            });
        let (_, text) = runbook
            .iter()
            .find(|(anchor, _)| anchor == target.trim())
            .unwrap_or_else(|| panic!("{id}: docs/operations.md has no runbook heading #{target}"));
        assert!(
            text.contains("**Do**"),
            "{id}: the runbook entry #{target} says no '**Do**': what to do when it fires"
        );
        used.insert(target.trim().to_owned());
    }
    assert!(
        alarms > 40,
        "{alarms} alarms: one per function and the stack's own"
    );
    for (anchor, _) in &runbook {
        assert!(
            used.contains(anchor),
            "the runbook's #{anchor} has no alarm"
        );
    }
}

/// Context variables whose values API Gateway makes itself, none from what the caller
/// sent: the route's template (never the path), numbers, ids, an address, and the
/// authorizer's error (API Gateway's own message, or the authorizer's, which names no token).
const SAFE_VARIABLES: &[&str] = &[
    "requestId",
    "requestTimeEpoch",
    "routeKey",
    "status",
    "responseLatency",
    "integrationLatency",
    "authorizer.error",
    "identity.sourceIp",
];

#[test]
fn the_access_log_is_json_of_variables_that_cannot_carry_a_token() {
    let template = template();
    let format = template["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"]["Format"]
        .as_str()
        .expect("AccessLogSettings.Format");
    // A request that carries a token everywhere a caller can put one.
    let token = "tsr_at_leakedTOKENvalue0123456789";
    let path = format!("/api/v2.1/external-link-tokens/{token}/access-token/");
    let values = |variable: &str| -> String {
        match variable {
            "requestId" => "Xyz1234=".into(),
            "requestTimeEpoch" => "1764979200".into(),
            "routeKey" => "GET /api/v2.1/external-link-tokens/{token}/access-token/".into(),
            "status" => "200".into(),
            "responseLatency" | "integrationLatency" => "12".into(),
            "authorizer.error" => "-".into(),
            "identity.sourceIp" => "203.0.113.7".into(),
            // What a careless format could name: each carries the token.
            "path" | "http.path" | "requestPath" => path.clone(),
            other if other.starts_with("authorizer.") || other.starts_with("identity.") => {
                token.into()
            }
            _ => format!("{path}?token={token} Authorization: Token {token}"),
        }
    };
    let mut variables = Vec::new();
    let mut rendered = String::new();
    let mut rest = format;
    while let Some(at) = rest.find("$context.") {
        rendered.push_str(&rest[..at]);
        let after = &rest[at + "$context.".len()..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
            .unwrap_or(after.len());
        let variable = after[..end].trim_end_matches('.');
        variables.push(variable.to_owned());
        rendered.push_str(&values(variable));
        rest = &after[variable.len()..];
    }
    rendered.push_str(rest);
    for variable in &variables {
        assert!(
            SAFE_VARIABLES.contains(&variable.as_str()),
            "$context.{variable} may carry what the caller sent (a path, a header, a query)"
        );
    }
    for required in [
        "routeKey",
        "status",
        "responseLatency",
        "integrationLatency",
        "authorizer.error",
        "requestId",
        "identity.sourceIp",
    ] {
        assert!(
            variables.iter().any(|v| v == required),
            "the access log lacks $context.{required}"
        );
    }
    let line: serde_json::Value =
        serde_json::from_str(&rendered).expect("the access log format renders as JSON");
    assert!(line.is_object());
    assert!(
        !rendered.contains(token),
        "a token reached the access log: {rendered}"
    );
    assert!(
        !format.contains("$input") && !format.contains("$request"),
        "{format}"
    );
}

#[test]
fn route_throttles_name_routes_the_api_has() {
    let template = template();
    let settings = template["Resources"]["HttpApi"]["Properties"]["RouteSettings"]
        .as_mapping()
        .expect("HttpApi RouteSettings");
    let mut routes = BTreeSet::new();
    for (_, resource) in resources(&template) {
        for (_, event) in resource["Properties"]["Events"]
            .as_mapping()
            .into_iter()
            .flatten()
        {
            if event["Type"].as_str() == Some("HttpApi") {
                let props = &event["Properties"];
                routes.insert(format!(
                    "{} {}",
                    props["Method"].as_str().unwrap(),
                    props["Path"].as_str().unwrap()
                ));
            }
        }
    }
    for (key, setting) in settings {
        let key = key.as_str().unwrap();
        // API Gateway refuses a stage whose settings name a route it does not have.
        assert!(
            routes.contains(key),
            "RouteSettings names {key}, which is no route"
        );
        let rate = reference(&setting["ThrottlingRateLimit"]).unwrap();
        assert_ne!(
            rate, "ThrottlingRateLimit",
            "{key} shares the management throttle"
        );
    }
    for route in ["POST /accessTokens/verify", "GET /whoami"] {
        assert!(
            settings.contains_key(route),
            "{route} has no throttle of its own"
        );
    }
}

#[test]
fn with_a_kms_key_only_the_secrets_readers_may_decrypt_and_only_through_secrets_manager() {
    let template = template();
    let specs = functions();
    for (id, function) in resources(&template) {
        if function["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let id = id.as_str().unwrap();
        let code_uri = function["Properties"]["CodeUri"].as_str().unwrap();
        let spec = &specs[code_uri.trim_end_matches('/')];
        let mut kms_actions = BTreeSet::new();
        for policy in function["Properties"]["Policies"]
            .as_sequence()
            .into_iter()
            .flatten()
        {
            for statement in policy["Statement"].as_sequence().into_iter().flatten() {
                let Some(branches) = intrinsic(statement, "If").and_then(Value::as_sequence) else {
                    let text = format!("{statement:?}");
                    assert!(
                        !text.contains("kms:"),
                        "{id}: KMS outside !If [HasKmsKey, ...]"
                    );
                    continue;
                };
                assert_eq!(branches[0].as_str(), Some("HasKmsKey"), "{id}");
                assert_eq!(reference(&branches[2]), Some("AWS::NoValue"), "{id}");
                let kms = &branches[1];
                assert_eq!(reference(&kms["Resource"]), Some("KmsKeyArn"), "{id}");
                let via = &kms["Condition"]["StringEquals"]["kms:ViaService"];
                let service = intrinsic(via, "Sub")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                assert_eq!(
                    service, "secretsmanager.${AWS::Region}.amazonaws.com",
                    "{id}"
                );
                for action in kms["Action"].as_sequence().unwrap() {
                    kms_actions.insert(action.as_str().unwrap().to_owned());
                }
            }
        }
        let reads = spec.secret_actions.contains("GetSecretValue");
        let writes = spec.secret_actions.contains("PutSecretValue");
        let expected: BTreeSet<String> = match (reads, writes) {
            (_, true) => ["kms:Decrypt", "kms:GenerateDataKey"]
                .map(String::from)
                .into(),
            (true, false) => ["kms:Decrypt"].map(String::from).into(),
            (false, false) => BTreeSet::new(),
        };
        assert_eq!(kms_actions, expected, "{id}");
    }
    // And the key, when given, encrypts the table and both secrets.
    let resources = resources(&template);
    assert!(is_optional_kms_key(
        &resources["TokensTable"]["Properties"]["SSESpecification"]["KMSMasterKeyId"]
    ));
    for secret in ["SigningSecret", "WebhookKeySecret"] {
        assert!(
            is_optional_kms_key(&resources[secret]["Properties"]["KmsKeyId"]),
            "{secret}"
        );
    }
}

#[test]
fn the_dashboard_is_json_whose_widgets_name_this_stacks_resources() {
    let template = template();
    let resources = resources(&template);
    let body = intrinsic(
        &resources["Dashboard"]["Properties"]["DashboardBody"],
        "Sub",
    )
    .and_then(Value::as_str)
    .expect("DashboardBody: !Sub <json>");
    // Each ${X} is a parameter, a pseudo parameter or a resource (attribute) of the stack.
    let mut rendered = String::new();
    let mut rest = body;
    while let Some(at) = rest.find("${") {
        rendered.push_str(&rest[..at]);
        let end = rest[at..].find('}').expect("a closed ${...}") + at;
        let name = &rest[at + 2..end];
        let resource = name.split('.').next().unwrap();
        assert!(
            name.starts_with("AWS::")
                || resources.contains_key(resource)
                || template["Parameters"].get(resource).is_some(),
            "the dashboard names ${{{name}}}, which the stack does not have"
        );
        rendered.push('x');
        rest = &rest[end + 1..];
    }
    rendered.push_str(rest);
    let dashboard: serde_json::Value =
        serde_json::from_str(&rendered).expect("the dashboard body is JSON");
    let titles: Vec<String> = dashboard["widgets"]
        .as_array()
        .expect("widgets")
        .iter()
        .map(|w| {
            w["properties"]["title"]
                .as_str()
                .unwrap_or_default()
                .to_lowercase()
        })
        .collect();
    for wanted in [
        "requests",
        "latency",
        "verifications by outcome",
        "credits spent",
        "refusals",
        "errors",
        "dynamodb",
        "cold starts",
    ] {
        assert!(
            titles.iter().any(|t| t.contains(wanted)),
            "no widget for {wanted}: {titles:?}"
        );
    }
}
