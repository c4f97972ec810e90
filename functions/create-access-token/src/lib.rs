//! POST /accessTokens: creates a named access token in the caller's workspace and shows
//! it once, as `{"success": true, "data": {"token": "..."}}`. Besides the seed's `name` and
//! `description`, it takes `expiresAt` (RFC 3339) and `scopes` (an array of strings).

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde::Deserialize;
use serde_json::json;
use tessera_common::{
    clock::secs_from_rfc3339,
    http::{json_body, json_response},
    lambda::Function,
    limits::{self, MAX_ACCESS_TOKEN_NAME_CHARS as MAX_NAME_CHARS},
    rudderstack,
    store::records::AccessToken,
    token::{new_id, NewToken, TokenKind},
    ApiError, AppState, StoreError,
};

const MAX_DESCRIPTION_CHARS: usize = 1000;

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    rudderstack::respond(create(state, &req).await)
}

async fn create(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = rudderstack::authenticate(&state.store, req.headers()).await?;
    caller.require_admin()?;
    let input = NewAccessToken::parse(json_body(req)?, state)?;
    let token = NewToken::generate(TokenKind::AccessToken);
    let record = AccessToken {
        scopes: input.scopes,
        expires: input.expires,
        ..AccessToken::new(
            new_id(),
            caller.workspace_id.clone(),
            input.name,
            input.description,
            caller.user_id.clone(),
            token.digest().clone(),
            state.clock.now_rfc3339(),
        )
    };
    let max = state.quotas.access_tokens_per_workspace;
    let auditor = caller.auditor(state, req);
    match state
        .store
        .create_access_token(&record, max, &auditor)
        .await
    {
        Err(StoreError::QuotaReached { max }) => {
            return Err(ApiError::bad_request(format!(
                "this workspace has {max} access tokens, the most it may have: delete some first"
            )))
        }
        other => other?,
    }
    tracing::info!(workspace_id = %record.workspace_id, token_id = %record.id, "access token created");
    Ok(json_response(
        StatusCode::OK,
        &json!({ "success": true, "data": { "token": token.expose() } }),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    name: Option<String>,
    description: Option<String>,
    expires_at: Option<String>,
    scopes: Option<Vec<String>>,
}

/// A validated request to create an access token.
#[derive(Debug, PartialEq)]
struct NewAccessToken {
    name: String,
    description: String,
    scopes: Vec<String>,
    /// Unix seconds.
    expires: Option<u64>,
}

impl NewAccessToken {
    fn parse(body: CreateBody, state: &AppState) -> Result<Self, ApiError> {
        let name = body
            .name
            .ok_or_else(|| ApiError::bad_request("name is required"))?;
        if name.trim().is_empty() {
            return Err(ApiError::bad_request("name must not be empty"));
        }
        if name.chars().any(char::is_control) {
            return Err(ApiError::bad_request(
                "name must not contain control characters",
            ));
        }
        if !limits::valid_name(&name, MAX_NAME_CHARS) {
            return Err(ApiError::bad_request(format!(
                "name must be at most {MAX_NAME_CHARS} characters"
            )));
        }
        let description = body.description.unwrap_or_default();
        if description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(ApiError::bad_request(format!(
                "description must be at most {MAX_DESCRIPTION_CHARS} characters"
            )));
        }
        Ok(NewAccessToken {
            name,
            description,
            scopes: scopes(body.scopes.unwrap_or_default())?,
            expires: body
                .expires_at
                .map(|text| expiry(&text, state))
                .transpose()?,
        })
    }
}

/// Scopes as given, without repeats, each checked.
fn scopes(mut scopes: Vec<String>) -> Result<Vec<String>, ApiError> {
    if let Some(bad) = scopes.iter().find(|s| !limits::valid_scope(s)) {
        return Err(ApiError::bad_request(format!(
            "scope {bad:?} is invalid: 1 to {} of A-Z a-z 0-9 : . _ / * -",
            limits::MAX_SCOPE_CHARS
        )));
    }
    let mut seen = std::collections::BTreeSet::new();
    scopes.retain(|scope| seen.insert(scope.clone()));
    if scopes.len() > limits::MAX_SCOPES {
        return Err(ApiError::bad_request(format!(
            "scopes must be at most {} strings",
            limits::MAX_SCOPES
        )));
    }
    Ok(scopes)
}

/// `expiresAt`: RFC 3339, in the future, within the deployment's longest lifetime.
fn expiry(text: &str, state: &AppState) -> Result<u64, ApiError> {
    let at = secs_from_rfc3339(text).ok_or_else(|| {
        ApiError::bad_request("expiresAt must be an RFC 3339 date-time, e.g. 2027-01-31T00:00:00Z")
    })?;
    let now = state.clock.now_secs();
    let longest = state.max_access_token_lifetime.as_secs();
    if at <= now {
        return Err(ApiError::bad_request("expiresAt must be in the future"));
    }
    if at > now + longest {
        return Err(ApiError::bad_request(format!(
            "expiresAt must be within {} days",
            longest / 86400
        )));
    }
    Ok(at)
}

#[cfg(test)]
mod tests;
