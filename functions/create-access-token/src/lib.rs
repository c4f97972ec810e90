//! POST /accessTokens: creates a named access token in the caller's workspace and shows
//! it once, as `{"success": true, "data": {"token": "..."}}`.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde::Deserialize;
use serde_json::json;
use tessera_common::{
    http::{json_body, json_response},
    limits::{self, MAX_ACCESS_TOKEN_NAME_CHARS as MAX_NAME_CHARS},
    rudderstack,
    store::records::AccessToken,
    token::{new_id, NewToken, TokenKind},
    ApiError, AppState, StoreError,
};

const MAX_DESCRIPTION_CHARS: usize = 1000;

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    rudderstack::respond(create(state, &req).await)
}

async fn create(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = rudderstack::authenticate(&state.store, req.headers()).await?;
    caller.require_admin()?;
    let input = NewAccessToken::parse(json_body(req)?)?;
    let token = NewToken::generate(TokenKind::AccessToken);
    let record = AccessToken {
        id: new_id(),
        workspace_id: caller.workspace_id,
        name: input.name,
        description: input.description,
        user_id: caller.user_id,
        digest: token.digest().clone(),
        created_at: state.clock.now_rfc3339(),
    };
    let max = state.quotas.access_tokens_per_workspace;
    match state.store.create_access_token(&record, max).await {
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
struct CreateBody {
    name: Option<String>,
    description: Option<String>,
}

/// A validated request to create an access token.
#[derive(Debug, PartialEq)]
struct NewAccessToken {
    name: String,
    description: String,
}

impl NewAccessToken {
    fn parse(body: CreateBody) -> Result<Self, ApiError> {
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
        Ok(NewAccessToken { name, description })
    }
}

#[cfg(test)]
mod tests;
