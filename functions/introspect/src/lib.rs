//! POST /introspect (RFC 7662), form body `token=...`, authenticated with a workspace
//! token (read-only ones too): for a live access token of the caller's workspace,
//! `{"active": true, "workspace_id", "token_id", "name", "scope", "exp", "iat"}`; for a live
//! base access token (a JWT) of one of the workspace's bases, its claims; for anything else
//! (another workspace's token, expired, revoked, garbage) exactly `{"active": false}`, so
//! that the answer leaks nothing. Servers that do not hold the signing key verify base
//! access tokens here.

use lambda_http::{
    http::{
        header::{HeaderValue, WWW_AUTHENTICATE},
        StatusCode,
    },
    Body, Request, Response,
};
use serde_json::{json, Value};
use tessera_common::{
    http::{error_response, json_response, Fields},
    lambda::Function,
    limits,
    token::PresentedToken,
    verify::{record_use, verify_access_token},
    ApiError, AppState,
};
use tessera_jwt::{base_token, JwtKind};
use tessera_rudderstack::{self as rudderstack, WorkspaceCaller};

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

/// Longer than any token Tessera issues: the rest is not looked at.
const MAX_TOKEN_BYTES: usize = 4096;

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    respond(introspect(state, &req).await)
}

/// Errors in OAuth's shape (RFC 7662 §2.3, RFC 6749 §5.2): `{"error": "invalid_request",
/// "error_description"}`, 401 `invalid_client` with `WWW-Authenticate`, 503
/// `temporarily_unavailable` with `Retry-After`, 500 `server_error` with nothing more.
fn respond(result: Result<Response<Body>, ApiError>) -> Response<Body> {
    result.unwrap_or_else(|err| {
        let (error, describe) = match &err {
            ApiError::Unauthorized => ("invalid_client", false),
            ApiError::Unavailable(_) | ApiError::Incomplete(_) => {
                ("temporarily_unavailable", false)
            }
            ApiError::Internal(_) => ("server_error", false),
            _ => ("invalid_request", true),
        };
        let mut body = json!({ "error": error });
        if describe {
            body["error_description"] = json!(err.public_message());
        }
        let mut response = error_response(&err, &body);
        if matches!(err, ApiError::Unauthorized) {
            response.headers_mut().insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"tessera\", charset=\"UTF-8\""),
            );
        }
        response
    })
}

async fn introspect(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = rudderstack::authenticate(&state.store, req.headers()).await?;
    let token = Fields::parse(req)?
        .text("token")
        .filter(|token| !token.is_empty())
        .ok_or_else(|| ApiError::bad_request("the token parameter is required"))?;
    let answer = if token.len() > MAX_TOKEN_BYTES {
        None
    } else if PresentedToken::parse(&token).is_some() {
        access_token(state, &caller, &token).await?
    } else {
        base_access_token(state, &caller, &token).await?
    };
    Ok(json_response(
        StatusCode::OK,
        &answer.unwrap_or_else(|| json!({ "active": false })),
    ))
}

async fn access_token(
    state: &AppState,
    caller: &WorkspaceCaller,
    token: &str,
) -> Result<Option<Value>, ApiError> {
    let Some(verified) = verify_access_token(&state.store, state.clock.as_ref(), token).await?
    else {
        return Ok(None);
    };
    if verified.workspace_id != caller.workspace_id {
        return Ok(None);
    }
    record_use(&state.store, state.clock.as_ref(), &verified).await;
    let mut answer = json!({
        "active": true,
        // OAuth's registered type (RFC 7662 §2.2); which of Tessera's kinds, beside it.
        "token_type": "Bearer",
        "token_kind": "access_token",
        "workspace_id": limits::workspace_id_json(&verified.workspace_id),
        "token_id": verified.token_id,
        "name": verified.name,
        "scope": verified.scopes.join(" "),
        "iat": verified.created_at,
    });
    if let Some(exp) = verified.expires_at {
        answer["exp"] = json!(exp);
    }
    Ok(Some(answer))
}

async fn base_access_token(
    state: &AppState,
    caller: &WorkspaceCaller,
    token: &str,
) -> Result<Option<Value>, ApiError> {
    let Some(claims) = base_token::verify(state, JwtKind::BaseAccessToken, token).await? else {
        return Ok(None);
    };
    if claims.workspace_id.as_deref() != Some(caller.workspace_id.as_str()) {
        return Ok(None);
    }
    // Revocations that the base servers, verifying offline, cannot see.
    if !base_token::issuer_still_stands(state, &claims).await? {
        return Ok(None);
    }
    let mut answer = json!({
        "active": true,
        "token_type": "Bearer",
        "token_kind": "base_access_token",
        "workspace_id": limits::workspace_id_json(&caller.workspace_id),
        "dtable_uuid": claims.dtable_uuid,
        "username": claims.username,
        "scope": claims.permission,
        "exp": claims.exp,
    });
    if let Some(app_name) = claims.app_name {
        answer["app_name"] = json!(app_name);
    }
    Ok(Some(answer))
}

#[cfg(test)]
mod tests;
