//! GET /api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/api-tokens/: a base's API
//! tokens for its admins. Unlike SeaTable, never the tokens themselves: they are shown
//! once, at creation, and stored only as digests.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{http::json_response, lambda::Function, ApiError, AppState};
use tessera_seatable::{self as seatable, BaseAccess};

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    seatable::respond(list(state, &req).await)
}

async fn list(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let BaseAccess { base, .. } = BaseAccess::admin(state, req).await?;
    let tokens: Vec<_> = state
        .store
        .api_tokens(&base.dtable_uuid)
        .await?
        .into_iter()
        .map(|t| {
            json!({
                "app_name": t.app_name,
                "permission": t.permission,
                "generated_by": t.generated_by,
                "generated_at": t.generated_at,
                "last_access": t.last_access,
            })
        })
        .collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({ "api_tokens": tokens }),
    ))
}

#[cfg(test)]
mod tests;
