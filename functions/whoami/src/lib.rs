//! GET /whoami: the demo of a route the authorizer protects. It answers what the
//! authorizer told it about the caller (`requestContext.authorizer.lambda`): the access
//! token's workspace, id, name and scopes. It reads nothing else.

use lambda_http::{http::StatusCode, request::RequestContext, Body, Request, RequestExt, Response};
use serde_json::Value;
use tessera_common::{http::json_response, lambda::Function, ApiError, AppState};
use tessera_rudderstack as rudderstack;

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(_state: &AppState, req: Request) -> Response<Body> {
    rudderstack::respond(whoami(&req))
}

fn whoami(req: &Request) -> Result<Response<Body>, ApiError> {
    let context = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context
            .authorizer
            .as_ref()
            .map(|authorizer| authorizer.fields.clone())
            .filter(|fields| !fields.is_empty()),
        _ => None,
    };
    // Without the authorizer's context the route is not behind it: nobody to name.
    let context = context.ok_or(ApiError::Unauthorized)?;
    let body: serde_json::Map<String, Value> = context.into_iter().collect();
    Ok(json_response(StatusCode::OK, &body))
}

#[cfg(test)]
mod tests;
