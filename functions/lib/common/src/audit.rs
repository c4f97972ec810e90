//! The audit log: every create, reroll, delete, revoke and rotation writes an entry in the
//! same transaction as the change, so the log never misses a change nor shows one that
//! did not happen.

use std::time::{Duration, UNIX_EPOCH};

use aws_smithy_types::{date_time::Format, DateTime};
use lambda_http::{request::RequestContext, Request, RequestExt};

use crate::{clock::SharedClock, store::records::AuditEntry, token::new_id, AppState};

/// How long entries are kept when the deployment does not say (`AuditRetentionDays`).
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(365 * 24 * 3600);

/// Who is acting, and from where: makes the entries of one request.
#[derive(Debug, Clone)]
pub struct Auditor {
    actor: String,
    source_ip: Option<String>,
    user_agent: Option<String>,
    clock: SharedClock,
    retention: Duration,
    /// Its changes answer a reported leak (secret scanning): a deleted token was leaked.
    leak: bool,
}

impl Auditor {
    pub fn new(
        actor: impl Into<String>,
        source_ip: Option<String>,
        user_agent: Option<String>,
        clock: SharedClock,
        retention: Duration,
    ) -> Self {
        Auditor {
            actor: actor.into(),
            source_ip,
            user_agent,
            clock,
            retention,
            leak: false,
        }
    }

    /// This auditor's changes answer a reported leak.
    pub fn responding_to_leak(self) -> Self {
        Auditor { leak: true, ..self }
    }

    /// Whether its changes answer a reported leak.
    pub fn is_leak_response(&self) -> bool {
        self.leak
    }

    /// The actor of an API request, with the source IP and user agent API Gateway saw.
    pub fn for_request(state: &AppState, req: &Request, actor: impl Into<String>) -> Self {
        let (source_ip, user_agent) = match req.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(context)) => (
                context.http.source_ip.clone(),
                context.http.user_agent.clone(),
            ),
            _ => (None, None),
        };
        Auditor::new(
            actor,
            source_ip,
            user_agent.filter(|ua| !ua.is_empty()),
            state.clock.clone(),
            state.audit_retention,
        )
    }

    /// The clock its entries are stamped with (and what the change records as its time).
    pub fn clock(&self) -> &dyn crate::clock::Clock {
        self.clock.as_ref()
    }

    /// The operator, through `tessera-admin` (or the fixture loader).
    pub fn operator(clock: SharedClock) -> Self {
        Auditor::new(
            "operator",
            None,
            Some(concat!("tessera-admin/", env!("CARGO_PKG_VERSION")).to_owned()),
            clock,
            DEFAULT_RETENTION,
        )
    }

    /// An entry of `scope`'s log (a workspace id, or `user:<id>`).
    pub fn entry(
        &self,
        scope: &str,
        action: &str,
        object: String,
        detail: Option<String>,
    ) -> AuditEntry {
        AuditEntry {
            source_ip: self.source_ip.clone(),
            user_agent: self.user_agent.clone(),
            ..system_entry(
                &self.actor,
                (scope, action, object),
                detail,
                self.clock.now(),
                self.retention,
            )
        }
    }
}

/// An entry Tessera writes of its own accord, at `at` (the meter's events): no request.
pub fn system_entry(
    actor: &str,
    (scope, action, object): (&str, &str, String),
    detail: Option<String>,
    at: std::time::SystemTime,
    retention: Duration,
) -> AuditEntry {
    let since_epoch = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let at_ms = since_epoch.as_millis() as u64;
    AuditEntry {
        id: new_id(),
        scope: scope.to_owned(),
        at: DateTime::from_millis(at_ms as i64)
            .fmt(Format::DateTime)
            .expect("the current time is representable"),
        at_ms,
        actor: actor.to_owned(),
        action: action.to_owned(),
        object,
        detail,
        source_ip: None,
        user_agent: None,
        expires_at: (since_epoch + retention).as_secs(),
        event: None,
    }
}
