//! CloudWatch metrics as Embedded Metric Format (EMF) lines on stdout: CloudWatch Logs
//! extracts them from the function's log, so a metric costs no API call and no latency on
//! the request's path.
//!
//! Dimensions stay few: the function (its Lambda name, unique per stack) and at most an
//! outcome, a step or a result. Never a token, workspace or base id: each value of a
//! dimension is a metric of its own, billed monthly.
//!
//! Written by hand rather than with a metrics crate: one JSON document per line is all EMF
//! asks, and `serde_json` is here already.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Mutex, OnceLock,
    },
    time::{SystemTime, UNIX_EPOCH},
};

use serde_json::{json, Map, Value};

/// The namespace of every Tessera metric.
pub const NAMESPACE: &str = "Tessera";

/// The dimension every metric has: which function measured it.
pub const FUNCTION: &str = "Function";

/// The function's name under Lambda (`AWS_LAMBDA_FUNCTION_NAME`); None elsewhere (tests,
/// `make dev`), where no one extracts metrics and the lines would only be noise.
fn function_name() -> Option<&'static str> {
    static NAME: OnceLock<Option<String>> = OnceLock::new();
    NAME.get_or_init(|| {
        std::env::var("AWS_LAMBDA_FUNCTION_NAME")
            .ok()
            .filter(|name| !name.is_empty())
    })
    .as_deref()
}

/// One count, under the function and `dimensions` (name, value); `rollups` are further
/// dimension sets (each a subset of the names, Function always added) the same count is
/// also filed under, e.g. a result across every step.
pub fn count(name: &str, value: u64, dimensions: &[(&str, &str)], rollups: &[&[&str]]) {
    let capturing = CAPTURING.load(Ordering::Relaxed);
    let lambda = function_name();
    if lambda.is_none() && !capturing {
        return;
    }
    let doc = document(
        now_ms(),
        lambda.unwrap_or("local"),
        name,
        value,
        dimensions,
        rollups,
    );
    if lambda.is_some() {
        println!("{doc}");
    }
    if capturing {
        CAPTURED.lock().unwrap_or_else(|e| e.into_inner()).push(doc);
    }
}

static CAPTURING: AtomicBool = AtomicBool::new(false);
static CAPTURED: Mutex<Vec<Value>> = Mutex::new(Vec::new());

/// For tests, which run outside Lambda: from now on this process also keeps every
/// document, for `captured` to return.
pub fn capture() {
    CAPTURING.store(true, Ordering::Relaxed);
}

/// The documents kept since `capture` (every thread's).
pub fn captured() -> Vec<Value> {
    CAPTURED.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// A count of one, under the function alone.
pub fn increment(name: &str) {
    count(name, 1, &[], &[]);
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as u64)
}

/// The EMF document of one count (see the specification: docs/operations.md#metrics).
pub fn document(
    timestamp_ms: u64,
    function: &str,
    name: &str,
    value: u64,
    dimensions: &[(&str, &str)],
    rollups: &[&[&str]],
) -> Value {
    let full: Vec<&str> = std::iter::once(FUNCTION)
        .chain(dimensions.iter().map(|(key, _)| *key))
        .collect();
    let sets: Vec<Vec<&str>> = std::iter::once(full)
        .chain(rollups.iter().map(|set| {
            std::iter::once(FUNCTION)
                .chain(set.iter().copied().filter(|key| *key != FUNCTION))
                .collect()
        }))
        .collect();
    let mut root = Map::new();
    root.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": sets,
                "Metrics": [{ "Name": name, "Unit": "Count" }],
            }],
        }),
    );
    root.insert(FUNCTION.into(), function.into());
    for (key, value) in dimensions {
        root.insert((*key).into(), (*value).into());
    }
    root.insert(name.into(), value.into());
    Value::Object(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_is_one_document_with_its_dimensions_as_members() {
        let doc = document(
            1_700_000_000_000,
            "stack-Verify-abc",
            "Verifications",
            1,
            &[("Outcome", "RATE_LIMITED")],
            &[],
        );
        assert_eq!(doc["_aws"]["Timestamp"], 1_700_000_000_000u64);
        let directive = &doc["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], "Tessera");
        assert_eq!(directive["Dimensions"], json!([["Function", "Outcome"]]));
        assert_eq!(
            directive["Metrics"],
            json!([{"Name": "Verifications", "Unit": "Count"}])
        );
        assert_eq!(doc["Function"], "stack-Verify-abc");
        assert_eq!(doc["Outcome"], "RATE_LIMITED");
        assert_eq!(doc["Verifications"], 1);
    }

    #[test]
    fn rollups_always_keep_the_function() {
        let doc = document(
            0,
            "f",
            "SigningKeyRotationSteps",
            1,
            &[("Step", "setSecret"), ("Result", "failed")],
            &[&["Result"]],
        );
        assert_eq!(
            doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([["Function", "Step", "Result"], ["Function", "Result"]])
        );
    }
}
