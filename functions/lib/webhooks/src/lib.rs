//! Webhooks (issue 29): what the webhook endpoints' functions and the delivery function
//! share. An endpoint's signing secret is derived from a key held in Secrets Manager
//! (`key`), its URL is checked where it is given and again at every delivery (`url`), and
//! an endpoint is shown the same way by every route (`view`).

pub mod key;
pub mod lambda;
pub mod url;
pub mod view;

use std::sync::Arc;

use tessera_common::{events::EventType, ApiError, AppState};

pub use key::{WebhookKey, WebhookSecret};

/// The most endpoints a workspace may have.
pub const MAX_WEBHOOKS_PER_WORKSPACE: u32 = 20;

/// How long a rotated-out secret keeps signing beside the new one.
pub const SECRET_OVERLAP_SECS: u64 = 24 * 3600;

/// The key of a function that shows or signs secrets (set by `lambda::run`).
pub fn key(state: &AppState) -> Result<Arc<WebhookKey>, ApiError> {
    state
        .webhook_key
        .clone()
        .and_then(|key| key.downcast::<WebhookKey>().ok())
        .ok_or_else(|| {
            ApiError::Internal("WEBHOOK_KEY_SECRET_ID is not configured for this function".into())
        })
}

/// The `eventTypes` an endpoint may name: every type Tessera publishes of a workspace but
/// the test, which goes to the endpoint it names whatever it subscribes to. (A user's token
/// is of no workspace: its revocation goes to the bus only.)
pub fn subscribable_types() -> impl Iterator<Item = &'static str> {
    EventType::ALL
        .into_iter()
        .filter(|kind| {
            !matches!(
                kind,
                EventType::WebhookTest | EventType::UserTokenRevoked | EventType::SigningKeyRotated
            )
        })
        .map(EventType::detail_type)
}

/// The longest description taken.
pub const MAX_DESCRIPTION_CHARS: usize = 500;

/// `eventTypes` as given: each a type Tessera publishes, no repeats; empty means every type.
pub fn event_types(given: Vec<String>) -> Result<Vec<String>, ApiError> {
    let mut types: Vec<String> = Vec::with_capacity(given.len());
    for kind in given {
        if !subscribable_types().any(|known| known == kind) {
            return Err(ApiError::bad_request(format!(
                "eventTypes: {kind:?} is not an event type (docs/events.md lists them)"
            )));
        }
        if !types.contains(&kind) {
            types.push(kind);
        }
    }
    Ok(types)
}

/// A description as given: at most `MAX_DESCRIPTION_CHARS` characters.
pub fn description(given: String) -> Result<String, ApiError> {
    if given.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(ApiError::bad_request(format!(
            "description is longer than {MAX_DESCRIPTION_CHARS} characters"
        )));
    }
    Ok(given)
}

/// A URL as given, checked as `url::WebhookUrl` says.
pub fn url(given: &str) -> Result<String, ApiError> {
    url::WebhookUrl::parse(given, url::AddressPolicy::from_env()).map_err(ApiError::bad_request)?;
    Ok(given.to_owned())
}

/// The endpoint of the route's `{id}` in the caller's workspace: 404 when it has none.
pub async fn endpoint_of(
    state: &AppState,
    caller: &tessera_rudderstack::WorkspaceCaller,
    req: &lambda_http::Request,
) -> Result<tessera_common::store::webhooks::Webhook, ApiError> {
    let id = tessera_common::http::path_param(req, "id")?;
    let not_found = || {
        ApiError::NotFound(format!(
            "no webhook endpoint with id {id:?} in this workspace"
        ))
    };
    if !tessera_common::limits::valid_id(&id) {
        return Err(not_found());
    }
    state
        .store
        .webhook(&caller.workspace_id, &id)
        .await?
        .ok_or_else(not_found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The console and the OpenAPI spec list the same types (they cannot import this).
    #[test]
    fn the_console_and_the_spec_offer_exactly_the_subscribable_types() {
        let console = include_str!("../../../console/assets/webhooks.js");
        let spec = include_str!("../../../../openapi.yaml");
        let listed: Vec<&str> = subscribable_types().collect();
        for kind in EventType::ALL {
            let name = kind.detail_type();
            let offered = listed.contains(&name);
            assert_eq!(
                console.contains(&format!("\"{name}\"")),
                offered,
                "console: {name}"
            );
            let enum_line = spec
                .lines()
                .find(|l| l.contains("enum: [Access Token Created"))
                .unwrap();
            assert_eq!(enum_line.contains(name), offered, "openapi.yaml: {name}");
        }
    }
}
