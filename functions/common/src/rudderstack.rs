//! The RudderStack-style access-token API's side of common: who the caller is (HTTP
//! Basic with a workspace token) and how its errors look.

use lambda_http::{
    http::{header::WWW_AUTHENTICATE, HeaderMap, HeaderValue},
    Body, Request, Response,
};
use serde_json::json;

use crate::{
    audit::Auditor,
    auth::basic_user_with_empty_password,
    error::ApiError,
    http::error_response,
    store::{
        records::{Role, TokenLookup},
        Store,
    },
    token::{PresentedToken, TokenKind},
    AppState,
};

/// A caller authenticated by a workspace token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceCaller {
    pub workspace_id: String,
    pub user_id: String,
    pub token_id: String,
    pub role: Role,
}

impl WorkspaceCaller {
    /// Who the audit log says acted: the workspace token, by id.
    pub fn auditor(&self, state: &AppState, req: &Request) -> Auditor {
        Auditor::for_request(state, req, format!("workspace_token:{}", self.token_id))
    }

    /// Creating and deleting access tokens needs an admin workspace token.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        match self.role {
            Role::Admin => Ok(()),
            Role::ReadOnly => Err(ApiError::Forbidden(
                "this workspace token is read-only: it may list and introspect access tokens, not create, reroll or delete them".into(),
            )),
        }
    }
}

/// Authenticates `Authorization: Basic base64("<workspace token>:")` with one GetItem.
pub async fn authenticate(store: &Store, headers: &HeaderMap) -> Result<WorkspaceCaller, ApiError> {
    let presented = basic_user_with_empty_password(headers)
        .and_then(|user| PresentedToken::parse(&user))
        .filter(|token| token.kind() == TokenKind::WorkspaceToken)
        .ok_or(ApiError::Unauthorized)?;
    match store.lookup(presented.digest()).await? {
        Some(TokenLookup::WorkspaceToken {
            workspace_id,
            token_id,
            user_id,
            role,
        }) => {
            tracing::debug!(%workspace_id, %token_id, "workspace token accepted");
            Ok(WorkspaceCaller {
                workspace_id,
                user_id,
                token_id,
                role,
            })
        }
        _ => Err(ApiError::Unauthorized),
    }
}

/// Turns a handler's result into the response: errors as
/// `{"success": false, "error": "<message>"}` with their status code.
pub fn respond(result: Result<Response<Body>, ApiError>) -> Response<Body> {
    result.unwrap_or_else(|err| {
        let mut response = error_response(
            &err,
            &json!({ "success": false, "error": err.public_message() }),
        );
        if matches!(err, ApiError::Unauthorized) {
            response.headers_mut().insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"tessera\", charset=\"UTF-8\""),
            );
        }
        response
    })
}
