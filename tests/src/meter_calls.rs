//! Calls of the access-token API through the handlers, as the meter's tests make them:
//! create, edit, reroll and verify a token, and 20 verifiers racing an operation.

use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};
use std::time::Duration;

use serde_json::{json, Value};
use tessera_admin::apigw::HttpApiRequest;
use tessera_common::{token::TokenDigest, AppState};
use tessera_test_support::{fresh_state, ManualClock, TestWorkspace};

use crate::call;

pub fn request(
    method: &str,
    route: &str,
    path: &str,
    ws: &TestWorkspace,
    body: &Value,
) -> HttpApiRequest {
    HttpApiRequest::new(method, route, path)
        .header("content-type", "application/json")
        .authorization(Some(&ws.basic_auth()))
        .body(body.to_string())
}

/// POST /accessTokens with `fields`: the token and its id.
pub async fn create(state: &AppState, ws: &TestWorkspace, fields: Value) -> (String, String) {
    let mut body = json!({ "name": "metered" });
    body.as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    let answer = call(
        state,
        "create-access-token",
        request("POST", "/accessTokens", "/accessTokens", ws, &body),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.json);
    let token = answer.json["data"]["token"].as_str().unwrap().to_owned();
    let digest = TokenDigest::of(&token);
    let id = state
        .store
        .access_tokens(&ws.id)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.digest == digest)
        .map(|t| t.id)
        .unwrap();
    (token, id)
}

pub async fn patch(state: &AppState, ws: &TestWorkspace, id: &str, body: Value) -> (u16, Value) {
    let path = format!("/accessTokens/{id}");
    let req = request("PATCH", "/accessTokens/{id}", &path, ws, &body).path_parameter("id", id);
    let answer = call(state, "update-access-token", req).await;
    (answer.status, answer.json)
}

pub async fn reroll(state: &AppState, ws: &TestWorkspace, id: &str, grace: u64) -> (u16, Value) {
    let path = format!("/accessTokens/{id}/reroll");
    let body = json!({ "gracePeriodSeconds": grace });
    let req =
        request("POST", "/accessTokens/{id}/reroll", &path, ws, &body).path_parameter("id", id);
    let answer = call(state, "reroll-access-token", req).await;
    (answer.status, answer.json)
}

/// The verify API's status and code for `token`.
pub async fn verify(state: &AppState, ws: &TestWorkspace, token: &str) -> (u16, String) {
    let body = json!({ "token": token });
    let answer = call(
        state,
        "verify-access-token",
        request(
            "POST",
            "/accessTokens/verify",
            "/accessTokens/verify",
            ws,
            &body,
        ),
    )
    .await;
    let code = answer.json["code"].as_str().unwrap_or_default().to_owned();
    (answer.status, code)
}

/// A state on a clock the test moves, at the start of a minute and far from a day's end.
pub async fn state_on(clock: &ManualClock) -> AppState {
    let now = clock.shared().now_secs();
    clock.advance(Duration::from_secs(3600 - now % 3600));
    if 86_400 - clock.shared().now_secs() % 86_400 < 7200 {
        clock.advance(Duration::from_secs(7200));
    }
    AppState {
        clock: clock.shared(),
        ..fresh_state().await
    }
}

/// Spawns `n` verifiers of `token` that verify until `stop`; each answers its statuses
/// and codes.
pub fn verifiers(
    state: &AppState,
    ws: &TestWorkspace,
    token: &Arc<std::sync::Mutex<Vec<String>>>,
    stop: &Arc<AtomicBool>,
    n: usize,
) -> Vec<tokio::task::JoinHandle<Vec<(u16, String)>>> {
    (0..n)
        .map(|i| {
            let (state, ws, tokens, stop) =
                (state.clone(), ws.clone(), token.clone(), stop.clone());
            tokio::spawn(async move {
                let mut seen = Vec::new();
                while !stop.load(Ordering::SeqCst) {
                    // Spread over every value the lineage has (old and new after a reroll).
                    let value = {
                        let tokens = tokens.lock().unwrap();
                        tokens[(i + seen.len()) % tokens.len()].clone()
                    };
                    seen.push(verify(&state, &ws, &value).await);
                }
                seen
            })
        })
        .collect()
}

pub async fn joined(tasks: Vec<tokio::task::JoinHandle<Vec<(u16, String)>>>) -> Vec<(u16, String)> {
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all
}

/// Runs 20 verifiers of `token` until `done` says the race is over (polled between rounds,
/// its VALID answers counted too); every answer's status must be 200. The VALID total.
pub async fn valid_while(
    state: &AppState,
    ws: &TestWorkspace,
    token: &str,
    edit: impl std::future::Future<Output = (u16, Value)>,
    done: &str,
) -> usize {
    let tokens = Arc::new(std::sync::Mutex::new(vec![token.to_owned()]));
    let stop = Arc::new(AtomicBool::new(false));
    let tasks = verifiers(state, ws, &tokens, &stop, 20);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, json) = edit.await;
    assert_eq!(status, 200, "the edit under load: {json}");
    let mut polled = 0;
    loop {
        let (status, code) = verify(state, ws, token).await;
        assert_eq!(status, 200);
        polled += usize::from(code == "VALID");
        if code == done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::SeqCst);
    let seen = joined(tasks).await;
    assert!(
        seen.iter().all(|(status, _)| *status == 200),
        "{:?}",
        seen.iter().find(|(s, _)| *s != 200)
    );
    seen.iter().filter(|(_, code)| code == "VALID").count() + polled
}

/// The token as the store reads it now, with its meter.
pub async fn stored(
    state: &AppState,
    ws: &TestWorkspace,
    id: &str,
) -> tessera_common::store::records::AccessToken {
    state
        .store
        .access_token_by_id(&ws.id, id)
        .await
        .unwrap()
        .expect("the token is stored")
}
