//! Every file in events/ is an event for one function, named `<status>-<case>.json`: a
//! payload v2 HTTP event, or for an authorizer the request API Gateway sends it, where the
//! status is what API Gateway would answer (200 allowed, 403 denied, 500 failed), or for
//! the rotation function a step of Secrets Manager's (200 done, 500 failed), or for the
//! events publisher a batch of the table's stream (200 all published, 500 retried), or for
//! the webhook delivery a batch of its queue (200 all done, 500 some come back). Each is
//! answered by its function on a fresh table holding the fixture; meanwhile the DynamoDB
//! actions each function performs are recorded and must be exactly what its policy in
//! template.yaml grants.

use std::{collections::BTreeSet, fs, path::PathBuf};

use tessera_common::{
    authorizer::AuthorizerRequest, lambda::Function, queue::QueueEvent, rotation::RotationEvent,
    stream::StreamEvent,
};
use tessera_common::{config::sdk_config, AppState, Store};
use tessera_local_api::handlers::handler_for;
use tessera_test_support::{fixture_state, secretsmanager_client};
use tessera_tests::{
    event_pipeline::event_bus, recorder::ActionRecorder, rotation::stage_fixture_rotation, template,
};

fn events_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../events"))
}

fn sorted_entries(dir: &PathBuf) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    entries
}

#[tokio::test]
async fn every_event_gets_its_status_and_every_policy_grants_exactly_what_is_used() {
    // The key list events/secret-scanning is signed for (infra/scripts/new-scan-events.py).
    let keys = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../infra/fixtures/secret-scanning-keys.json"
    );
    std::env::set_var(
        "SECRET_SCANNING_PUBLIC_KEYS",
        fs::read_to_string(keys).unwrap(),
    );
    let functions = template::functions();
    let mut problems = Vec::new();
    let mut covered = BTreeSet::new();
    for dir in sorted_entries(&events_dir()) {
        let function = dir.file_name().unwrap().to_string_lossy().into_owned();
        let code_uri = format!("functions/{function}");
        let (Some(spec), Some(handler)) = (functions.get(&code_uri), handler_for(&code_uri)) else {
            problems.push(format!(
                "events/{function} names no function of the template"
            ));
            continue;
        };
        covered.insert(code_uri.clone());
        let recorder = ActionRecorder::default();
        let mut answered_2xx = false;
        for file in sorted_entries(&dir) {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let expected: u16 = name
                .split('-')
                .next()
                .unwrap()
                .parse()
                .expect("file name starts with a status");
            let text = fs::read_to_string(&file).unwrap();
            // A fresh fixture per event, so that events do not depend on each other.
            let fixture = fixture_state().await;
            let state = AppState {
                store: Store::new(recorder.client().await, fixture.store.table_name()),
                ..fixture
            };
            let (status, body) = answer(&state, handler, &text)
                .await
                .unwrap_or_else(|err| panic!("events/{function}/{name}: {err}"));
            if status != expected {
                problems.push(format!(
                    "events/{function}/{name}: {status} (expected {expected}): {body}"
                ));
            }
            answered_2xx |= (200..300).contains(&status);
        }
        if !answered_2xx {
            problems.push(format!(
                "events/{function} has no event the function answers with success"
            ));
        }
        let used = recorder.actions();
        if used != spec.dynamodb_actions {
            problems.push(format!(
                "{}: the policy grants dynamodb {:?} but the function uses {:?}",
                spec.logical_id, spec.dynamodb_actions, used
            ));
        }
    }
    for code_uri in functions.keys().filter(|uri| !covered.contains(*uri)) {
        problems.push(format!("{code_uri} has no events/ folder"));
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// The status a function's answer to an event comes to, and its body.
async fn answer(
    state: &AppState,
    function: Function,
    event: &str,
) -> Result<(u16, String), String> {
    match function {
        Function::Http(handler) => {
            let request = lambda_http::request::from_str(event)
                .map_err(|err| format!("not a payload v2 event: {err}"))?;
            let response = handler(state, request).await;
            Ok((
                response.status().as_u16(),
                String::from_utf8_lossy(response.body().as_ref()).into_owned(),
            ))
        }
        Function::SecretRotation(rotate) => {
            let event: RotationEvent = serde_json::from_str(event)
                .map_err(|err| format!("not a rotation event: {err}"))?;
            let client = secretsmanager_client().await;
            stage_fixture_rotation(&client).await;
            Ok(match rotate(state, &sdk_config().await, event).await {
                Ok(()) => (200, "null".into()),
                Err(err) => (500, err.to_string()),
            })
        }
        Function::TableStream(consume) => {
            let event: StreamEvent = serde_json::from_str(event)
                .map_err(|err| format!("not a DynamoDB stream event: {err}"))?;
            event_bus().await;
            let answer = consume(&sdk_config().await, event).await;
            Ok(if answer.batch_item_failures.is_empty() {
                (200, "null".into())
            } else {
                (500, format!("{answer:?}"))
            })
        }
        Function::Scheduled(run) => {
            let _: serde_json::Value = serde_json::from_str(event)
                .map_err(|err| format!("not a scheduled event: {err}"))?;
            Ok(match run(state).await {
                Ok(()) => (200, "null".into()),
                Err(err) => (500, err),
            })
        }
        Function::Queue(consume) => {
            let event: QueueEvent =
                serde_json::from_str(event).map_err(|err| format!("not an SQS event: {err}"))?;
            let answer = consume(state, event).await;
            Ok(if answer.batch_item_failures.is_empty() {
                (200, "null".into())
            } else {
                (500, format!("{answer:?}"))
            })
        }
        Function::Authorizer(authorize) => {
            let request: AuthorizerRequest = serde_json::from_str(event)
                .map_err(|err| format!("not an authorizer request: {err}"))?;
            Ok(match authorize(state, request).await {
                Ok(answer) if answer.is_authorized => (200, format!("{answer:?}")),
                Ok(answer) => (403, format!("{answer:?}")),
                Err(err) => (500, err.to_string()),
            })
        }
    }
}
