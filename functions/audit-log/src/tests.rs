use serde_json::Value;
use tessera_admin::apigw::HttpApiRequest;
use tessera_common::{audit::Auditor, store::records::Role};
use tessera_test_support::{access_token, fresh_state, status_and_json, workspace, TestWorkspace};

use super::*;

async fn call(state: &AppState, ws: &TestWorkspace, query: &str) -> (u16, Value) {
    let req = HttpApiRequest::new("GET", "/auditLog", "/auditLog")
        .query(query)
        .authorization(Some(&ws.basic_auth()));
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

#[tokio::test]
async fn the_log_is_the_workspaces_newest_first_a_page_at_a_time() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::ReadOnly).await;
    let other = workspace(&state.store, Role::Admin).await;
    let mut created = Vec::new();
    for i in 0..5 {
        let (record, _) = access_token(&state, &ws, &format!("t{i}"), &[], None).await;
        created.push(format!("access_token:{}", record.id));
    }
    access_token(&state, &other, "elsewhere", &[], None).await;
    let (first, _) = access_token(&state, &ws, "doomed", &[], None).await;
    state
        .store
        .delete_access_token(&first, &Auditor::operator(state.clock.clone()))
        .await
        .unwrap();

    let mut seen = Vec::new();
    let mut query = "limit=3".to_owned();
    loop {
        let (status, page) = call(&state, &ws, &query).await;
        assert_eq!(status, 200, "{page}");
        let entries = page["entries"].as_array().unwrap();
        assert!(entries.len() <= 3);
        seen.extend(entries.iter().cloned());
        match page["nextCursor"].as_str() {
            Some(cursor) => query = format!("limit=3&cursor={cursor}"),
            None => break,
        }
    }
    let actions: Vec<&str> = seen.iter().map(|e| e["action"].as_str().unwrap()).collect();
    // 6 creates and a delete, after the workspace's own creation and its two tokens.
    assert_eq!(actions.len(), 10, "{actions:?}");
    assert_eq!(actions[0], "access_token.delete", "newest first");
    // The workspace and its first token were made in one transaction, in one millisecond.
    assert!(actions[7..].contains(&"workspace.create"), "oldest last");
    let objects: Vec<&str> = seen.iter().map(|e| e["object"].as_str().unwrap()).collect();
    for object in &created {
        assert!(objects.contains(&object.as_str()), "{object} missing");
    }
    assert!(seen.iter().all(|e| e["actor"] == "operator"));
    assert!(!serde_json::to_string(&seen).unwrap().contains("elsewhere"));
}

#[tokio::test]
async fn bad_limits_and_cursors_are_400() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    for query in [
        "limit=0",
        "limit=101",
        "limit=x",
        "cursor=!!",
        "cursor=bm90LWEta2V5",
    ] {
        let (status, body) = call(&state, &ws, query).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["success"], false);
    }
}
