//! GET /auditLog?limit=&cursor=: the caller's workspace's audit log, newest first, a page
//! at a time: `{"entries": [{id, at, actor, action, object, detail, sourceIp, userAgent}],
//! "nextCursor": "..." | null}`. Read-only workspace tokens may read it. Entries are kept
//! for the deployment's `AuditRetentionDays`.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use lambda_http::{http::StatusCode, Body, Request, Response};
use serde::Serialize;
use serde_json::json;
use tessera_common::{
    http::{json_response, query_param},
    lambda::Function,
    store::{keys::is_audit_sk, records::AuditEntry},
    ApiError, AppState,
};
use tessera_rudderstack as rudderstack;

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

const DEFAULT_LIMIT: i32 = 50;
const MAX_LIMIT: i32 = 100;

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    rudderstack::respond(list(state, &req).await)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Listed {
    id: String,
    at: String,
    actor: String,
    action: String,
    object: String,
    detail: Option<String>,
    source_ip: Option<String>,
    user_agent: Option<String>,
}

impl From<AuditEntry> for Listed {
    fn from(entry: AuditEntry) -> Self {
        Listed {
            id: entry.id,
            at: entry.at,
            actor: entry.actor,
            action: entry.action,
            object: entry.object,
            detail: entry.detail,
            source_ip: entry.source_ip,
            user_agent: entry.user_agent,
        }
    }
}

async fn list(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = rudderstack::authenticate(&state.store, req.headers()).await?;
    let limit = match query_param(req, "limit") {
        None => DEFAULT_LIMIT,
        Some(text) => text
            .parse()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request(format!("limit must be a number from 1 to {MAX_LIMIT}"))
            })?,
    };
    let after = query_param(req, "cursor")
        .map(|cursor| {
            URL_SAFE_NO_PAD
                .decode(cursor.as_bytes())
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .filter(|sk| is_audit_sk(sk))
                .ok_or_else(|| {
                    ApiError::bad_request("cursor is not one this endpoint gave as nextCursor")
                })
        })
        .transpose()?;
    let page = state
        .store
        .audit_log(&caller.workspace_id, limit, after.as_deref())
        .await?;
    let entries: Vec<Listed> = page.entries.into_iter().map(Listed::from).collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "entries": entries,
            "nextCursor": page.next.map(|sk| URL_SAFE_NO_PAD.encode(sk)),
        }),
    ))
}

#[cfg(test)]
mod tests;
