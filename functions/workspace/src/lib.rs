//! GET /workspace: who a workspace token is, `{"id": "<workspace id>", "role": "admin" |
//! "read_only"}`, so that a client (the console) can offer only what the token may do. One
//! GetItem, as every workspace-token route authenticates; nothing is written.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde::Serialize;
use tessera_common::{
    http::json_response, lambda::Function, store::records::Role, ApiError, AppState,
};
use tessera_rudderstack as rudderstack;

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    rudderstack::respond(describe(state, &req).await)
}

#[derive(Debug, Serialize)]
struct Described {
    id: String,
    role: Role,
}

async fn describe(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = rudderstack::authenticate(&state.store, req.headers()).await?;
    let body = Described {
        id: caller.workspace_id,
        role: caller.role,
    };
    Ok(json_response(StatusCode::OK, &body))
}

#[cfg(test)]
mod tests;
