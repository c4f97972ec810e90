//! Events (issue 29): what Tessera tells the platform happened. Each is written with the
//! change itself, on the change's audit entry, in the same transaction: the table's
//! committed writes are the outbox, so its stream carries an event for every committed
//! change and none for a write that failed. `publish-events` forwards them to EventBridge
//! (`source` `tessera`, `detail-type` the event's type); docs/events.md is the catalogue.
//!
//! A detail carries ids, names, the workspace, `externalId` and the numbers that matter,
//! never a token, a digest or a key. Its `eventId` (the audit entry's id) is stable across
//! redeliveries, so consumers can drop duplicates.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::{
    clock::rfc3339_from_secs,
    store::records::{AccessToken, ApiToken, Role, ShareLink, TokenPermission, WorkspaceToken},
};

/// EventBridge's `source` of every Tessera event.
pub const SOURCE: &str = "tessera";

/// The audit log of what concerns the whole stack (the signing key): of no workspace.
pub const STACK_SCOPE: &str = "stack";

/// The types of events, as EventBridge's `detail-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    AccessTokenCreated,
    AccessTokenUpdated,
    AccessTokenDisabled,
    AccessTokenEnabled,
    AccessTokenRerolled,
    AccessTokenDeleted,
    AccessTokenLeaked,
    /// A token expires in 7 days, or in 1 (notify-expiring, daily).
    AccessTokenExpiring,
    AccessTokenExpired,
    /// A verification left a token's credits under its low line.
    CreditsLow,
    /// A verification spent a token's last credit.
    CreditsExhausted,
    ApiTokenCreated,
    ApiTokenDeleted,
    ShareLinkCreated,
    ShareLinkDeleted,
    ExternalLinkCreated,
    ExternalLinkDeleted,
    WorkspaceTokenRevoked,
    /// A user's auth token stopped working (the user disabled, or the token rotated).
    UserTokenRevoked,
    /// The key base access tokens are signed with was replaced (the previous one still
    /// verifies until it is retired).
    SigningKeyRotated,
    /// A test delivery asked for with `POST /webhooks/{id}/test`: only that endpoint gets it.
    WebhookTest,
    /// An endpoint's retries of an event ran out.
    WebhookEndpointFailing,
}

impl EventType {
    pub const ALL: [EventType; 22] = [
        EventType::AccessTokenCreated,
        EventType::AccessTokenUpdated,
        EventType::AccessTokenDisabled,
        EventType::AccessTokenEnabled,
        EventType::AccessTokenRerolled,
        EventType::AccessTokenDeleted,
        EventType::AccessTokenLeaked,
        EventType::AccessTokenExpiring,
        EventType::AccessTokenExpired,
        EventType::CreditsLow,
        EventType::CreditsExhausted,
        EventType::ApiTokenCreated,
        EventType::ApiTokenDeleted,
        EventType::ShareLinkCreated,
        EventType::ShareLinkDeleted,
        EventType::ExternalLinkCreated,
        EventType::ExternalLinkDeleted,
        EventType::WorkspaceTokenRevoked,
        EventType::UserTokenRevoked,
        EventType::SigningKeyRotated,
        EventType::WebhookTest,
        EventType::WebhookEndpointFailing,
    ];

    /// EventBridge's `detail-type`.
    pub fn detail_type(self) -> &'static str {
        match self {
            EventType::AccessTokenCreated => "Access Token Created",
            EventType::AccessTokenUpdated => "Access Token Updated",
            EventType::AccessTokenDisabled => "Access Token Disabled",
            EventType::AccessTokenEnabled => "Access Token Enabled",
            EventType::AccessTokenRerolled => "Access Token Rerolled",
            EventType::AccessTokenDeleted => "Access Token Deleted",
            EventType::AccessTokenLeaked => "Access Token Leaked",
            EventType::AccessTokenExpiring => "Access Token Expiring",
            EventType::AccessTokenExpired => "Access Token Expired",
            EventType::CreditsLow => "Credits Low",
            EventType::CreditsExhausted => "Credits Exhausted",
            EventType::ApiTokenCreated => "API Token Created",
            EventType::ApiTokenDeleted => "API Token Deleted",
            EventType::ShareLinkCreated => "Share Link Created",
            EventType::ShareLinkDeleted => "Share Link Deleted",
            EventType::ExternalLinkCreated => "External Link Created",
            EventType::ExternalLinkDeleted => "External Link Deleted",
            EventType::WorkspaceTokenRevoked => "Workspace Token Revoked",
            EventType::UserTokenRevoked => "User Token Revoked",
            EventType::SigningKeyRotated => "Signing Key Rotated",
            EventType::WebhookTest => "Webhook Test",
            EventType::WebhookEndpointFailing => "Webhook Endpoint Failing",
        }
    }

    /// The type whose `detail-type` is `text`.
    pub fn from_detail_type(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.detail_type() == text)
    }
}

/// Which route a base's link was made or deleted by: the seed's share links and SeaTable
/// 4's external links are one record, each family with its own events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRoute {
    ShareLink,
    ExternalLink,
}

impl LinkRoute {
    pub fn created(self) -> EventType {
        match self {
            LinkRoute::ShareLink => EventType::ShareLinkCreated,
            LinkRoute::ExternalLink => EventType::ExternalLinkCreated,
        }
    }

    pub fn deleted(self) -> EventType {
        match self {
            LinkRoute::ShareLink => EventType::ShareLinkDeleted,
            LinkRoute::ExternalLink => EventType::ExternalLinkDeleted,
        }
    }
}

/// Why a token stopped working, as revocation events say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// An operator or admin revoked (or disabled) it.
    Revoked,
    /// A new secret replaced it.
    Rotated,
    /// A secret-scanning report found it leaked.
    Leaked,
}

impl Revocation {
    fn text(self) -> &'static str {
        match self {
            Revocation::Revoked => "revoked",
            Revocation::Rotated => "rotated",
            Revocation::Leaked => "leaked",
        }
    }
}

fn permission_text(permission: TokenPermission) -> &'static str {
    match permission {
        TokenPermission::R => "r",
        TokenPermission::Rw => "rw",
    }
}

fn event(kind: EventType, detail: Value) -> Event {
    Event {
        detail_type: kind.detail_type().to_owned(),
        detail: detail.to_string(),
    }
}

/// An event as its audit entry stores it: the type, and the detail as JSON text (what
/// EventBridge takes), without the fields the entry adds when it is written (`eventId`,
/// `workspaceId`, `occurredAt`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub detail_type: String,
    pub detail: String,
}

impl Event {
    /// An event about `token`, with `more` fields in its detail.
    pub fn of_access_token(kind: EventType, token: &AccessToken, more: Map<String, Value>) -> Self {
        let mut access_token = json!({
            "id": token.id,
            "name": token.name,
            "externalId": token.external_id,
            "expiresAt": token.expires.map(rfc3339_from_secs),
            "enabled": !token.disabled,
        });
        if let Some(credits) = token.credits_remaining {
            access_token["credits"] = json!({ "remaining": credits });
        }
        let mut detail = Map::new();
        detail.insert("accessToken".into(), access_token);
        detail.extend(more);
        Event {
            detail_type: kind.detail_type().to_owned(),
            detail: Value::Object(detail).to_string(),
        }
    }

    /// An event about a webhook endpoint (never its secret), with `more` fields.
    pub fn of_webhook(
        kind: EventType,
        webhook_id: &str,
        url: &str,
        more: Map<String, Value>,
    ) -> Self {
        let mut detail = Map::new();
        detail.insert("webhook".into(), json!({ "id": webhook_id, "url": url }));
        detail.extend(more);
        Event {
            detail_type: kind.detail_type().to_owned(),
            detail: Value::Object(detail).to_string(),
        }
    }

    /// A token expires in `days_before` days, or (`None`) expired.
    pub fn of_expiry(
        token: (&str, &str, Option<&str>),
        expires: u64,
        enabled: bool,
        days_before: Option<u64>,
    ) -> Self {
        let (id, name, external_id) = token;
        let access_token = json!({
            "id": id,
            "name": name,
            "externalId": external_id,
            "expiresAt": rfc3339_from_secs(expires),
            "enabled": enabled,
        });
        match days_before {
            Some(days) => event(
                EventType::AccessTokenExpiring,
                json!({ "accessToken": access_token, "daysBefore": days }),
            ),
            None => event(
                EventType::AccessTokenExpired,
                json!({ "accessToken": access_token }),
            ),
        }
    }

    /// A token's credits crossed a line: `remaining` after the verification that crossed
    /// it, `low_line` the line of `Credits Low`.
    pub fn of_credits(
        kind: EventType,
        token: (&str, &str, Option<&str>),
        remaining: u64,
        low_line: Option<u64>,
    ) -> Self {
        let (id, name, external_id) = token;
        event(
            kind,
            json!({
                "accessToken": { "id": id, "name": name, "externalId": external_id },
                "credits": { "remaining": remaining, "lowLine": low_line },
            }),
        )
    }

    /// A base's API token was created or deleted (`leaked`: by secret scanning).
    pub fn of_api_token(kind: EventType, token: &ApiToken, leaked: bool) -> Self {
        let mut detail = json!({
            "apiToken": {
                "appName": token.app_name,
                "dtableUuid": token.dtable_uuid,
                "dtableName": token.dtable_name,
                "permission": permission_text(token.permission),
            },
        });
        if kind == EventType::ApiTokenDeleted {
            detail["leaked"] = json!(leaked);
        }
        event(kind, detail)
    }

    /// A base's share or external link was created or deleted (`leaked`: by secret
    /// scanning).
    pub fn of_link(kind: EventType, link: &ShareLink, leaked: bool) -> Self {
        let mut detail = json!({
            "link": {
                "id": link.id,
                "dtableUuid": link.dtable_uuid,
                "dtableName": link.dtable_name,
                "permission": permission_text(link.permission),
                "expiresAt": link.expires_at.map(rfc3339_from_secs),
                "custom": link.is_custom,
            },
        });
        if matches!(
            kind,
            EventType::ShareLinkDeleted | EventType::ExternalLinkDeleted
        ) {
            detail["leaked"] = json!(leaked);
        }
        event(kind, detail)
    }

    /// A workspace token stopped working.
    pub fn of_workspace_token(token: &WorkspaceToken, why: Revocation) -> Self {
        let role = match token.role {
            Role::Admin => "admin",
            Role::ReadOnly => "read_only",
        };
        event(
            EventType::WorkspaceTokenRevoked,
            json!({
                "workspaceToken": { "id": token.id, "userId": token.user_id, "role": role },
                "reason": why.text(),
            }),
        )
    }

    /// A user's auth token stopped working. The user is in no one workspace: the event
    /// carries `userId` instead of `workspaceId`, and goes to the bus only.
    pub fn of_user_token(user_id: &str, why: Revocation) -> Self {
        event(
            EventType::UserTokenRevoked,
            json!({ "user": { "id": user_id }, "reason": why.text() }),
        )
    }

    /// The signing key was rotated: the new key's `kid`, and the one before it.
    pub fn of_signing_key_rotation(kid: &str, previous_kid: Option<&str>) -> Self {
        event(
            EventType::SigningKeyRotated,
            json!({ "signingKey": { "kid": kid, "previousKid": previous_kid } }),
        )
    }

    /// The event of an edit from `old` to `new`: disabled or enabled when it changed
    /// `enabled`, else updated; its detail names the fields that changed, as the API does.
    pub fn of_edit(old: &AccessToken, new: &AccessToken) -> Self {
        let kind = match (old.disabled, new.disabled) {
            (false, true) => EventType::AccessTokenDisabled,
            (true, false) => EventType::AccessTokenEnabled,
            _ => EventType::AccessTokenUpdated,
        };
        let changed: Vec<&str> = [
            ("name", old.name != new.name),
            ("description", old.description != new.description),
            ("scopes", old.scopes != new.scopes),
            ("expiresAt", old.expires != new.expires),
            ("ratelimit", old.ratelimit != new.ratelimit),
            (
                "credits",
                (old.credits_remaining, old.credits_refill)
                    != (new.credits_remaining, new.credits_refill),
            ),
            ("enabled", old.disabled != new.disabled),
            ("meta", old.meta != new.meta),
            ("externalId", old.external_id != new.external_id),
        ]
        .into_iter()
        .filter_map(|(field, differs)| differs.then_some(field))
        .collect();
        Event::of_access_token(
            kind,
            new,
            Map::from_iter([("changed".to_owned(), json!(changed))]),
        )
    }

    /// The detail as published: with the entry's id, workspace and time first.
    pub fn published_detail(
        &self,
        event_id: &str,
        workspace_id: &str,
        occurred_at: &str,
    ) -> String {
        let mut detail = Map::new();
        detail.insert("eventId".into(), json!(event_id));
        // A user's own log is `user:<id>`: such an event is of no workspace; nor is the
        // stack's own (`stack`).
        if let Some(user_id) = workspace_id.strip_prefix("user:") {
            detail.insert("userId".into(), json!(user_id));
        } else if workspace_id != STACK_SCOPE {
            // Workspace ids are SeaTable's integers: a number, as every answer writes them.
            let workspace = workspace_id
                .parse::<u64>()
                .map_or_else(|_| json!(workspace_id), |id| json!(id));
            detail.insert("workspaceId".into(), workspace);
        }
        detail.insert("occurredAt".into(), json!(occurred_at));
        if let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(&self.detail) {
            detail.extend(fields);
        }
        Value::Object(detail).to_string()
    }
}
