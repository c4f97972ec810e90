//! GET /api/v2.1/dtable/app-access-token/: a base's API token (or a temporary API token)
//! exchanged for a base access token, with everything SeaTable's clients read from it.

use lambda_http::{http::StatusCode, Body, Request, Response};
use serde_json::json;
use tessera_common::{
    auth::token_or_bearer,
    http::json_response,
    lambda::Function,
    limits,
    store::records::{TokenLookup, TokenPermission},
    token::{PresentedToken, TokenKind},
    ApiError, AppState,
};
use tessera_jwt::{base_token, JwtKind};
use tessera_seatable::{self as seatable, permission_denied};

/// The `app_name` answered for a temporary API token, which belongs to no app.
pub use tessera_jwt::base_token::TEMP_API_TOKEN_APP_NAME;

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    seatable::respond(exchange(state, &req).await)
}

/// The base and rights an API token or temporary API token stands for.
struct App {
    app_name: String,
    username: String,
    permission: TokenPermission,
    dtable_uuid: String,
    workspace_id: String,
    dtable_name: String,
}

async fn exchange(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let presented = token_or_bearer(req.headers()).ok_or_else(permission_denied)?;
    let app = match PresentedToken::parse(&presented) {
        Some(token) if token.kind() == TokenKind::ApiToken => api_token_app(state, &token).await?,
        Some(_) => return Err(permission_denied()),
        None => temp_token_app(state, &presented).await?,
    };
    let settings = &state.seatable;
    let mut claims = base_token::claims(
        state,
        JwtKind::BaseAccessToken,
        &app.dtable_uuid,
        &app.username,
        app.permission,
        settings.access_token_ttl,
    );
    claims.app_name = Some(app.app_name.clone());
    claims.workspace_id = Some(app.workspace_id.clone());
    let access_token = base_token::sign(state, JwtKind::BaseAccessToken, &claims).await?;
    tracing::info!(dtable_uuid = %app.dtable_uuid, app_name = %app.app_name, "app access token issued");
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "app_name": app.app_name,
            "access_token": access_token,
            "dtable_uuid": app.dtable_uuid,
            "dtable_server": settings.dtable_server,
            "dtable_socket": settings.dtable_socket,
            "dtable_db": settings.dtable_db,
            "workspace_id": limits::workspace_id_json(&app.workspace_id),
            "dtable_name": app.dtable_name,
            "use_api_gateway": settings.use_api_gateway,
        }),
    ))
}

async fn api_token_app(state: &AppState, token: &PresentedToken) -> Result<App, ApiError> {
    let Some(TokenLookup::ApiToken {
        dtable_uuid,
        workspace_id,
        dtable_name,
        app_name,
        permission,
        generated_by,
    }) = state.store.lookup(token.digest()).await?
    else {
        return Err(permission_denied());
    };
    // Best effort: recording the use must never fail the exchange.
    if let Err(err) = state
        .store
        .touch_api_token(&dtable_uuid, &app_name, &state.clock.now_rfc3339())
        .await
    {
        tracing::warn!(error = %err, %dtable_uuid, %app_name, "last_access not recorded");
    }
    Ok(App {
        app_name,
        username: generated_by,
        permission,
        dtable_uuid,
        workspace_id,
        dtable_name,
    })
}

/// A temporary API token is a JWT of ours: verified by signature and audience, then its
/// user is checked (one GetItem), so that a disabled user's tokens stop at once.
async fn temp_token_app(state: &AppState, presented: &str) -> Result<App, ApiError> {
    let claims = base_token::verify(state, JwtKind::TempApiToken, presented)
        .await?
        .ok_or_else(permission_denied)?;
    let (Some(user_id), Some(workspace_id), Some(dtable_name)) =
        (claims.sub, claims.workspace_id, claims.dtable_name)
    else {
        return Err(permission_denied());
    };
    // A user disabled since the token was issued stays refused, even once enabled again.
    let issued_at = claims.iat.unwrap_or_default();
    match state.store.user(&user_id).await? {
        Some(user) if !user.disabled && user.revoked_before.is_none_or(|at| issued_at > at) => {}
        _ => return Err(permission_denied()),
    }
    Ok(App {
        app_name: TEMP_API_TOKEN_APP_NAME.to_owned(),
        username: claims.username,
        permission: claims.permission,
        dtable_uuid: claims.dtable_uuid,
        workspace_id,
        dtable_name,
    })
}

#[cfg(test)]
mod tests;
