//! What template.yaml says about each function: its crate, routes, policy and environment.

use std::collections::{BTreeMap, BTreeSet};

use serde_yaml_ng::Value;

use crate::TEMPLATE;

#[derive(Debug, Default)]
pub struct FunctionSpec {
    pub logical_id: String,
    pub code_uri: String,
    /// `dynamodb:` actions without the prefix, e.g. `GetItem`.
    pub dynamodb_actions: BTreeSet<String>,
    /// It may read the signing secret (`SigningSecret`).
    pub reads_secret: bool,
    /// It may read the webhook key (`WebhookKeySecret`).
    pub reads_webhook_key: bool,
    /// `secretsmanager:` actions without the prefix.
    pub secret_actions: BTreeSet<String>,
    pub environment: BTreeSet<String>,
    /// Every Action and Resource of its policy, as written (to look for wildcards).
    pub policy_text: Vec<String>,
}

/// Every `AWS::Serverless::Function` of the template, by CodeUri.
pub fn functions() -> BTreeMap<String, FunctionSpec> {
    let template: Value = serde_yaml_ng::from_str(TEMPLATE).expect("template.yaml parses");
    let mut specs = BTreeMap::new();
    for (id, resource) in template["Resources"].as_mapping().expect("Resources") {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let props = &resource["Properties"];
        let mut spec = FunctionSpec {
            logical_id: id.as_str().unwrap_or_default().to_owned(),
            code_uri: props["CodeUri"]
                .as_str()
                .expect("CodeUri")
                .trim_end_matches('/')
                .to_owned(),
            ..Default::default()
        };
        if let Some(vars) = props["Environment"]["Variables"].as_mapping() {
            spec.environment = vars
                .keys()
                .filter_map(|k| k.as_str().map(str::to_owned))
                .collect();
        }
        for policy in props["Policies"].as_sequence().into_iter().flatten() {
            for statement in policy["Statement"].as_sequence().into_iter().flatten() {
                for action in statement["Action"]
                    .as_sequence()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    spec.policy_text.push(action.to_owned());
                    if let Some(name) = action.strip_prefix("dynamodb:") {
                        spec.dynamodb_actions.insert(name.to_owned());
                    }
                    if let Some(name) = action.strip_prefix("secretsmanager:") {
                        spec.secret_actions.insert(name.to_owned());
                        let webhook_key =
                            format!("{:?}", statement["Resource"]).contains("WebhookKeySecret");
                        spec.reads_secret |= name == "GetSecretValue" && !webhook_key;
                        spec.reads_webhook_key |= name == "GetSecretValue" && webhook_key;
                    }
                }
                spec.policy_text
                    .push(format!("{:?}", statement["Resource"]));
            }
            if policy.as_str().is_some() {
                spec.policy_text.push(format!("managed policy {policy:?}"));
            }
        }
        specs.insert(spec.code_uri.clone(), spec);
    }
    specs
}
