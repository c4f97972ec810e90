//! openapi.yaml is the contract: it names exactly the template's routes, and documents
//! every status the events of events/ make each route answer.

use std::collections::{BTreeMap, BTreeSet};

use serde_yaml_ng::Value;
use tessera_local_api::routes::routes_from_template;
use tessera_tests::TEMPLATE;

const SPEC: &str = include_str!("../../openapi.yaml");

/// `METHOD /path` of every operation, with its documented statuses.
fn operations() -> BTreeMap<String, BTreeSet<u16>> {
    let spec: Value = serde_yaml_ng::from_str(SPEC).expect("openapi.yaml parses");
    let mut operations = BTreeMap::new();
    for (path, item) in spec["paths"].as_mapping().expect("paths") {
        for (method, operation) in item.as_mapping().expect("a path item") {
            let statuses = operation["responses"]
                .as_mapping()
                .expect("responses")
                .keys()
                .filter_map(|k| k.as_str().and_then(|s| s.parse().ok()))
                .collect();
            operations.insert(
                format!(
                    "{} {}",
                    method.as_str().unwrap().to_ascii_uppercase(),
                    path.as_str().unwrap()
                ),
                statuses,
            );
        }
    }
    operations
}

#[test]
fn the_spec_names_exactly_the_templates_routes() {
    let documented: BTreeSet<String> = operations().into_keys().collect();
    let served: BTreeSet<String> = routes_from_template(TEMPLATE)
        .unwrap()
        .iter()
        .map(|r| r.key())
        .collect();
    let missing: Vec<_> = served.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&served).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "not in openapi.yaml: {missing:?}; not in template.yaml: {extra:?}"
    );
}

#[test]
fn every_status_an_event_answers_is_documented() {
    let operations = operations();
    let events = concat!(env!("CARGO_MANIFEST_DIR"), "/../events");
    let mut undocumented = Vec::new();
    for dir in std::fs::read_dir(events).unwrap() {
        for file in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            let event: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let status: u16 = path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .split('-')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            // An HTTP event names its route; an authorizer's names the route it guards.
            let Some(route) = event["routeKey"].as_str() else {
                continue;
            };
            if operations.get(route).is_none_or(|s| !s.contains(&status)) {
                undocumented.push(format!("{}: {route} {status}", path.display()));
            }
        }
    }
    assert!(undocumented.is_empty(), "{undocumented:#?}");
}
