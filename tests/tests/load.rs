//! A bounded load of mixed requests through the local API, from several workspaces at
//! once, for a fixed time (TESSERA_LOAD_SECONDS, default 10): concurrent creates, lists,
//! deletes by name and by id, verifications and base access-token exchanges. Afterwards:
//! no request failed, every listed token verifies, every deleted one does not, no two
//! tokens share a digest, and no workspace sees another's tokens. Latencies are printed,
//! never asserted.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use serde_json::json;
use tessera_common::{clock::SystemClock, store::records::Role, verify::verify_access_token};
use tessera_test_support::{base, workspace, TestBase, TestWorkspace};
use tessera_tests::LocalApi;

const WORKSPACES: usize = 4;
const CLIENTS_PER_WORKSPACE: usize = 3;

#[derive(Default)]
struct Tally {
    latencies_ms: Vec<f64>,
    by_status: BTreeMap<u16, usize>,
    errors: Vec<String>,
    /// Tokens acknowledged with 200 at creation, and whether a 200 deleted them since.
    created: Vec<(usize, String, String)>, // (workspace, name, token)
    deleted_names: BTreeSet<(usize, String)>,
}

/// Sends a request, timing it to its body; a status outside `ok` is an error.
async fn send(
    tally: &Mutex<Tally>,
    request: reqwest::RequestBuilder,
    ok: &[u16],
) -> Option<serde_json::Value> {
    let started = Instant::now();
    let answer = match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            Ok((status, response.json().await.unwrap_or_default()))
        }
        Err(err) => Err(err.to_string()),
    };
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    let mut tally = tally.lock().unwrap();
    tally.latencies_ms.push(elapsed);
    match answer {
        Ok((status, body)) => {
            *tally.by_status.entry(status).or_default() += 1;
            if ok.contains(&status) {
                return Some(body);
            }
            tally.errors.push(format!("{status}: {body}"));
        }
        Err(err) => tally.errors.push(format!("transport: {err}")),
    }
    None
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_concurrent_load_loses_nothing_and_leaks_nothing() {
    let seconds: u64 = std::env::var("TESSERA_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let api = Arc::new(LocalApi::start().await);
    let mut workspaces: Vec<(TestWorkspace, TestBase)> = Vec::new();
    for _ in 0..WORKSPACES {
        let b = base(&api.state.store, "Hello").await;
        let ws = workspace(&api.state.store, Role::Admin).await;
        workspaces.push((ws, b));
    }
    let workspaces = Arc::new(workspaces);
    let tally = Arc::new(Mutex::new(Tally::default()));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut clients = Vec::new();
    for w in 0..WORKSPACES {
        for c in 0..CLIENTS_PER_WORKSPACE {
            let (api, workspaces, tally) = (api.clone(), workspaces.clone(), tally.clone());
            clients.push(tokio::spawn(async move {
                let (ws, b) = &workspaces[w];
                let auth = ws.basic_auth();
                let mut round = 0;
                while Instant::now() < deadline {
                    round += 1;
                    let name = format!("w{w}-c{c}-r{round}");
                    let created = send(
                        &tally,
                        api.client
                            .post(api.url("/accessTokens"))
                            .header("Authorization", &auth)
                            .json(&json!({ "name": name })),
                        &[200],
                    )
                    .await;
                    if let Some(token) = created.as_ref().and_then(|b| b["data"]["token"].as_str())
                    {
                        tally
                            .lock()
                            .unwrap()
                            .created
                            .push((w, name.clone(), token.to_owned()));
                    }
                    send(
                        &tally,
                        api.client
                            .get(api.url("/accessTokens"))
                            .header("Authorization", &auth),
                        &[200],
                    )
                    .await;
                    send(
                        &tally,
                        api.client
                            .get(api.url(&format!(
                                "/api/v2.1/workspace/{}/dtable/Hello/access-token/",
                                b.base.workspace_id
                            )))
                            .header("Authorization", b.writer.auth()),
                        &[200],
                    )
                    .await;
                    if round % 3 == 0 {
                        let gone = format!("w{w}-c{c}-r{}", round - 1);
                        send(
                            &tally,
                            api.client
                                .delete(api.url(&format!("/accessTokens?name={gone}")))
                                .header("Authorization", &auth),
                            &[200],
                        )
                        .await;
                        tally.lock().unwrap().deleted_names.insert((w, gone));
                    }
                }
            }));
        }
    }
    for client in clients {
        client.await.expect("no client panicked");
    }

    let tally = Arc::try_unwrap(tally).ok().unwrap().into_inner().unwrap();
    assert!(tally.errors.is_empty(), "{:?}", tally.errors);
    let mut problems = Vec::new();
    let mut digests = BTreeSet::new();
    for (w, name, token) in &tally.created {
        if !digests.insert(token.clone()) {
            problems.push(format!("{name}: a token issued twice"));
        }
        let live = verify_access_token(&api.state.store, &SystemClock, token)
            .await
            .unwrap();
        let deleted = tally.deleted_names.contains(&(*w, name.clone()));
        match (&live, deleted) {
            (Some(v), false) if v.workspace_id == workspaces[*w].0.id => {}
            (None, true) => {}
            (live, deleted) => problems.push(format!("{name}: live {live:?}, deleted {deleted}")),
        }
    }
    for (w, (ws, _)) in workspaces.iter().enumerate() {
        let listed = api.state.store.access_tokens(&ws.id).await.unwrap();
        let expected: BTreeSet<String> = tally
            .created
            .iter()
            .filter(|(cw, name, _)| *cw == w && !tally.deleted_names.contains(&(w, name.clone())))
            .map(|(_, name, _)| name.clone())
            .collect();
        let names: BTreeSet<String> = listed.iter().map(|t| t.name.clone()).collect();
        if names != expected {
            problems.push(format!(
                "workspace {w} lists {} tokens, expected {}",
                names.len(),
                expected.len()
            ));
        }
        if listed
            .iter()
            .any(|t| !t.name.starts_with(&format!("w{w}-")))
        {
            problems.push(format!("workspace {w} sees another workspace's token"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");

    let mut latencies = tally.latencies_ms;
    latencies.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "load: {} requests in {seconds} s from {} clients over {WORKSPACES} workspaces, by status {:?}, \
         {} tokens created, {} deleted by name, 0 errors; latency p50 {:.1} ms, p99 {:.1} ms",
        latencies.len(),
        WORKSPACES * CLIENTS_PER_WORKSPACE,
        tally.by_status,
        tally.created.len(),
        tally.deleted_names.len(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
    );
}
