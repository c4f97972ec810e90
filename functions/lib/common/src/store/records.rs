//! The records Tessera keeps, as stored (serde_dynamo maps them to items).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{
    token::TokenDigest,
    usage::{RateLimit, Refill},
};

// Optional attributes that conditions test with `attribute_not_exists` are left out when
// empty: serde_dynamo would write `None` as a NULL attribute, which exists.

/// Where a token's rate limit stands at a moment (`AccessToken::window_at`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowAt {
    /// The current window's start (Unix seconds).
    pub window: u64,
    /// The uses it admitted.
    pub used: u64,
    /// The previous window's count, weighed by the sliding window.
    pub previous: u64,
}

/// A pending reroll older than this died (a reroll takes well under a function's timeout):
/// it is undone, and the token spends its own counters again.
pub const REROLL_ABANDONED_SECS: u64 = 60;

/// What a workspace token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Create, list and delete access tokens.
    Admin,
    /// List access tokens only.
    ReadOnly,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    pub id: String,
    pub name: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceToken {
    pub id: String,
    pub workspace_id: String,
    /// The user the token belongs to; access tokens it creates carry this `userId`.
    pub user_id: String,
    pub role: Role,
    pub digest: TokenDigest,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessToken {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub description: String,
    pub user_id: String,
    pub digest: TokenDigest,
    pub created_at: String,
    /// What the token may do, as the authorizer tells the protected backend.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Unix seconds after which the token is refused. Not the table's TTL attribute: an
    /// expired token stays listed (and counted) until it is deleted.
    #[serde(
        default,
        rename = "token_expires_at",
        skip_serializing_if = "Option::is_none"
    )]
    pub expires: Option<u64>,
    /// Unix seconds of the last verification, recorded at most once a minute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<u64>,
    /// Set when the token was rerolled: its successor's id. It works until `expires` (the
    /// end of the grace period) and counts against the quota until then; the record goes
    /// when the workspace next needs the room (`Store::purge_ended_grace`) or is deleted.
    /// No TTL removes it: every record counts, so the counter stays a count of records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rerolled_to: Option<String>,
    /// The meter (`Meter`) this token spends: its own id when it was created, its
    /// predecessor's when a reroll made it, so a rerolled token and its successor spend one
    /// balance. `None` on a record from before meters had items of their own: its counters
    /// are on the record until a verification or an edit moves them (`Store::own_meter`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meter_id: Option<String>,
    /// How many items the meter is split over (`None`: one, exact). Set at creation for a
    /// token too busy for one item (`crate::meter`); each shard holds a share of the limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meter_shards: Option<u32>,
    /// What the record says of its meter: it has limits (the store writes it from the
    /// meter; `is_metered` is what counts). So a listing reads the meters of metered
    /// tokens only, the only ones whose meter it shows.
    #[serde(
        default,
        rename = "metered",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub record_says_metered: bool,
    /// The successor's digest, set with `rerolled_to` (tokens rerolled in issue 26 to 28): the
    /// key of its lookup, which names its record however it is renamed. A record that has
    /// it spends nothing of its own: its credits and rate limit are its successor's.
    /// Set alone (without `rerolled_to`) from the moment a reroll of those versions froze
    /// the counters to the moment its successor was stored: verifications wait, and a
    /// reroll that died leaves it behind for `REROLL_ABANDONED_SECS`, after which it is
    /// undone. Tokens rerolled since share a meter instead (`meter_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor_digest: Option<TokenDigest>,
    /// When the reroll that set `successor_digest` began (Unix seconds), while it is pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor_pending_since: Option<u64>,
    /// A disabled token is refused (`DISABLED`) until it is enabled again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
    /// The platform's id of the token's owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// A JSON object of at most 2 KB, as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<String>,
    // The meter's fields (`Meter`): the store reads them from the meter's item with the
    // record and writes them there, never on the record (but for a record from before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratelimit: Option<RateLimit>,
    /// The current window's start and how many verifications it admitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rl_window: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rl_count: Option<u64>,
    /// The previous window's count, as the window moved: what the sliding window weighs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rl_prev_count: Option<u64>,
    /// Credits left (as of `credits_period`, when there is a refill); `None`: unmetered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits_remaining: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits_refill: Option<Refill>,
    /// The refill period `credits_remaining` belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits_period: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits_events: Option<CreditsEvents>,
    /// Today's verifications by outcome (`day`, days since the epoch, and a count per
    /// outcome): tessera-metering writes and reads them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<BTreeMap<String, u64>>,
}

impl AccessToken {
    /// A new token's record: no scopes, no expiry, never used.
    pub fn new(
        id: String,
        workspace_id: String,
        name: String,
        description: String,
        user_id: String,
        digest: TokenDigest,
        created_at: String,
    ) -> Self {
        // Counting starts on the day it is created, so that the first count is one write.
        let usage = crate::clock::secs_from_rfc3339(&created_at)
            .map(|secs| BTreeMap::from([("day".to_owned(), secs / 86_400)]));
        AccessToken {
            meter_id: Some(id.clone()),
            id,
            workspace_id,
            name,
            description,
            user_id,
            digest,
            created_at,
            scopes: Vec::new(),
            expires: None,
            last_used_at: None,
            rerolled_to: None,
            meter_shards: None,
            record_says_metered: false,
            successor_digest: None,
            successor_pending_since: None,
            disabled: false,
            external_id: None,
            meta: None,
            ratelimit: None,
            rl_window: None,
            rl_count: None,
            rl_prev_count: None,
            credits_remaining: None,
            credits_refill: None,
            credits_period: None,
            credits_events: None,
            usage,
        }
    }

    /// Whether a verification must check and spend limits on this record.
    pub fn is_metered(&self) -> bool {
        self.meter().is_metered()
    }

    /// The id of the meter this token spends: its own for a record from before meters
    /// had items of their own (whose counters are still on the record).
    pub fn meter_id(&self) -> &str {
        self.meter_id.as_deref().unwrap_or(&self.id)
    }

    /// How many items its meter is split over.
    pub fn meter_shards(&self) -> u32 {
        self.meter_shards.unwrap_or(1).max(1)
    }

    /// The token's limits, counters and today's counts.
    pub fn meter(&self) -> Meter {
        Meter {
            ratelimit: self.ratelimit,
            rl_window: self.rl_window,
            rl_count: self.rl_count,
            rl_prev_count: self.rl_prev_count,
            credits_remaining: self.credits_remaining,
            credits_refill: self.credits_refill,
            credits_period: self.credits_period,
            credits_events: self.credits_events,
            usage: self.usage.clone(),
        }
    }

    /// The token with `meter` as its limits, counters and counts.
    pub fn with_meter(self, meter: Meter) -> AccessToken {
        AccessToken {
            ratelimit: meter.ratelimit,
            rl_window: meter.rl_window,
            rl_count: meter.rl_count,
            rl_prev_count: meter.rl_prev_count,
            credits_remaining: meter.credits_remaining,
            credits_refill: meter.credits_refill,
            credits_period: meter.credits_period,
            credits_events: meter.credits_events,
            usage: meter.usage,
            ..self
        }
    }

    /// See `Meter::credits_period_at`.
    pub fn credits_period_at(&self, now: u64) -> Option<u64> {
        self.meter().credits_period_at(now)
    }

    /// See `Meter::credits_at`.
    pub fn credits_at(&self, now: u64) -> Option<u64> {
        self.meter().credits_at(now)
    }

    /// See `Meter::window_at`.
    pub fn window_at(&self, now: u64) -> Option<WindowAt> {
        self.meter().window_at(now)
    }

    /// See `Meter::ratelimit_left`.
    pub fn ratelimit_left(&self, now_ms: u64) -> Option<(WindowAt, u64)> {
        self.meter().ratelimit_left(now_ms)
    }

    /// A reroll froze this record's counters and has not stored the successor yet.
    pub fn reroll_pending(&self) -> bool {
        self.successor_digest.is_some() && self.rerolled_to.is_none()
    }

    /// A rerolled token whose grace period is over: refused, hidden from the listing,
    /// and removed when the workspace needs its room.
    pub fn grace_ended(&self, now: u64) -> bool {
        self.rerolled_to.is_some() && self.expires.is_some_and(|end| end <= now)
    }
}

/// A token's limits, their counters and today's counts: the item a spend writes
/// (`METER#<meter id>`), which carries nothing else so that it stays under 1 KB whatever
/// the token carries (its description, scopes, `externalId` and `meta` are on its record).
/// The limits are a copy of the record's, written with them, so that a spend reads and
/// writes this item only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratelimit: Option<RateLimit>,
    /// The current window's start and how many verifications it admitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rl_window: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rl_count: Option<u64>,
    /// The previous window's count, as the window moved: what the sliding window weighs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rl_prev_count: Option<u64>,
    /// Credits left (as of `credits_period`, when there is a refill); `None`: unmetered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits_remaining: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits_refill: Option<Refill>,
    /// The refill period `credits_remaining` belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits_period: Option<u64>,
    /// The credits' grant and which of its events were sent (`Credits Low`, `Credits
    /// Exhausted`); `None` for credits stated before these events existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits_events: Option<CreditsEvents>,
    /// Today's verifications by outcome (`day`, days since the epoch, and a count per
    /// outcome): tessera-metering writes and reads them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<BTreeMap<String, u64>>,
}

/// The grant a token's credits count down from, and the events of it already sent: each
/// is sent once per grant (a refill period, or the stating of credits by a create or an
/// edit), by the verification that crossed its line, or the next one if that one's write
/// of it failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditsEvents {
    /// The credits stated, and when (Unix seconds): the grant, unless a refill is.
    pub granted: u64,
    pub granted_at: u64,
    /// The line of `Credits Low` the token states (`credits.lowThreshold`); `None`: 10% of
    /// the refill amount, or of the grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_line: Option<u64>,
    /// The grant (`CreditsEvents::grant`) `Credits Low` was sent for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_sent: Option<u64>,
    /// The grant `Credits Exhausted` was sent for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_sent: Option<u64>,
}

impl CreditsEvents {
    /// Credits stated `amount` at `now`: a new grant, no event sent of it.
    pub fn granted(amount: u64, now: u64) -> Self {
        CreditsEvents {
            granted: amount,
            granted_at: now,
            low_line: None,
            low_sent: None,
            out_sent: None,
        }
    }
}

impl Meter {
    /// The attributes of a meter: what a record from before meters had items of their own
    /// carries itself, and what a record written since never does.
    pub const ATTRIBUTES: [&'static str; 9] = [
        "ratelimit",
        "rl_window",
        "rl_count",
        "rl_prev_count",
        "credits_remaining",
        "credits_refill",
        "credits_period",
        "credits_events",
        "usage",
    ];

    /// The grant credits at `now` count down from: the refill period, if they refill; else
    /// when they were stated (0 for credits stated before these events existed).
    pub fn credits_grant_at(&self, now: u64) -> u64 {
        self.credits_period_at(now)
            .unwrap_or_else(|| self.credits_events.map_or(0, |events| events.granted_at))
    }

    /// Below how many credits left `Credits Low` is sent: the token's `lowThreshold`, else
    /// 10% of the refill amount, or of the grant. `None`: not known (credits stated before these events existed) or 0.
    pub fn credits_low_line(&self) -> Option<u64> {
        self.credits_low_line_times(1)
    }

    /// The low line of `times` meters like this one (a shard's, for its whole token):
    /// computed on the sum, so that 10% of a small share does not round down to nothing.
    pub fn credits_low_line_times(&self, times: u64) -> Option<u64> {
        if let Some(line) = self.credits_events.and_then(|events| events.low_line) {
            return Some(line.saturating_mul(times)).filter(|line| *line > 0);
        }
        let base = match self.credits_refill {
            Some(refill) => refill.amount,
            None => self.credits_events?.granted,
        };
        Some(base.saturating_mul(times) / 10).filter(|line| *line > 0)
    }

    /// Whether a verification must check and spend these limits.
    pub fn is_metered(&self) -> bool {
        self.ratelimit.is_some() || self.credits_remaining.is_some()
    }

    /// The refill period a spend at `now` belongs to: the later of the one `now` falls in
    /// and the stored one, so that a clock behind another container's never goes back.
    pub fn credits_period_at(&self, now: u64) -> Option<u64> {
        let computed = self.credits_refill?.period_of(now);
        Some(
            self.credits_period
                .map_or(computed, |stored| stored.max(computed)),
        )
    }

    /// Credits left at `now`: a refill due in a new period counts, though not yet written.
    pub fn credits_at(&self, now: u64) -> Option<u64> {
        let remaining = self.credits_remaining?;
        Some(match self.credits_refill {
            Some(refill) if self.credits_period != self.credits_period_at(now) => refill.amount,
            _ => remaining,
        })
    }

    /// Where the rate limit stands for a spend at `now`: the window it counts in (the later
    /// of the window `now` falls in and the stored one: windows only move forward, so
    /// neither a clock behind another container's nor an edit makes every write fail), the
    /// uses that window admitted, and the previous window's count.
    pub fn window_at(&self, now: u64) -> Option<WindowAt> {
        let limit = self.ratelimit?;
        let computed = limit.window_of(now);
        let count = self.rl_count.unwrap_or(0);
        Some(match self.rl_window {
            Some(stored) if stored >= computed => WindowAt {
                window: stored,
                used: count,
                previous: self.rl_prev_count.unwrap_or(0),
            },
            // The next window: the stored one becomes the previous.
            Some(stored) if stored + limit.duration_secs == computed => WindowAt {
                window: computed,
                used: 0,
                previous: count,
            },
            _ => WindowAt {
                window: computed,
                used: 0,
                previous: 0,
            },
        })
    }

    /// Uses the rate limit still admits at `now_ms` (Unix milliseconds), with the window.
    pub fn ratelimit_left(&self, now_ms: u64) -> Option<(WindowAt, u64)> {
        let limit = self.ratelimit?;
        let at = self.window_at(now_ms / 1000)?;
        let counted = at.used + limit.carried(at.previous, at.window, now_ms);
        Some((at, limit.limit.saturating_sub(counted)))
    }
}

/// A user of the SeaTable-style API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    /// What tokens call the user (`username` claim), e.g. an email address.
    pub name: String,
    pub digest: TokenDigest,
    pub created_at: String,
    /// A disabled user's auth token is gone and their temporary API tokens are refused.
    #[serde(default)]
    pub disabled: bool,
    /// Unix seconds of the last disable: JWTs issued on the user's behalf before it are
    /// refused by Tessera's own checks even after the user is enabled again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_before: Option<u64>,
}

/// Reserves a username for one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsernameClaim {
    pub user_id: String,
}

/// A user's permission in a workspace. A base's owner counts as `Admin` on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberPermission {
    R,
    Rw,
    Admin,
}

impl MemberPermission {
    /// What a base access token of this member may do.
    pub fn token_permission(self) -> TokenPermission {
        match self {
            MemberPermission::R => TokenPermission::R,
            MemberPermission::Rw | MemberPermission::Admin => TokenPermission::Rw,
        }
    }
}

/// What a base access token, API token or share link allows: read, or read and write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenPermission {
    R,
    Rw,
}

impl TokenPermission {
    /// Parses SeaTable's `r` / `rw`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "r" => Some(TokenPermission::R),
            "rw" => Some(TokenPermission::Rw),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub workspace_id: String,
    pub user_id: String,
    pub permission: MemberPermission,
}

/// A base ("dtable"): a name in a workspace, mapped to its uuid on the platform's servers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Base {
    pub workspace_id: String,
    pub name: String,
    pub dtable_uuid: String,
    pub owner_id: String,
    pub created_at: String,
}

/// A base's API token (SeaTable's "API token" of an app).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub dtable_uuid: String,
    pub workspace_id: String,
    pub dtable_name: String,
    pub app_name: String,
    pub permission: TokenPermission,
    /// The name of the user who created it.
    pub generated_by: String,
    pub generated_at: String,
    #[serde(default)]
    pub last_access: Option<String>,
    pub digest: TokenDigest,
}

/// A link to a base that anyone holding its token may open: the seed's share links and
/// SeaTable 4's external links are this one record, whichever route made them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareLink {
    pub id: String,
    pub dtable_uuid: String,
    pub workspace_id: String,
    pub dtable_name: String,
    pub permission: TokenPermission,
    /// The id of the user who created it.
    pub created_by: String,
    pub created_at: String,
    /// Unix seconds; `None` never expires. Not the table's TTL attribute: an expired link
    /// stays listed (`is_expired`), and counted, until deleted, as SeaTable lists it.
    #[serde(default, rename = "link_expires_at")]
    pub expires_at: Option<u64>,
    pub digest: TokenDigest,
    /// The token is a name its creator chose (an external link's custom `token`), not one
    /// Tessera generated.
    #[serde(default)]
    pub is_custom: bool,
}

impl ShareLink {
    pub fn is_expired(&self, now: u64) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

/// What the lookup item of a token's digest says about it: the one GetItem that
/// authenticates or verifies a presented token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TokenLookup {
    WorkspaceToken {
        workspace_id: String,
        token_id: String,
        user_id: String,
        role: Role,
    },
    AccessToken {
        workspace_id: String,
        token_id: String,
        /// Name, scopes, creation and expiry: what the authorizer and introspection answer,
        /// so that a verification is this one GetItem.
        #[serde(default)]
        name: String,
        #[serde(default)]
        scopes: Vec<String>,
        #[serde(default)]
        created_at: u64,
        /// Unix seconds; refused from then on, and the table's TTL removes the lookup.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_at: Option<u64>,
        /// Unix seconds of the last recorded use (at most one write a minute).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_used_at: Option<u64>,
        /// Usage control (issue 19): a disabled token is refused; a metered one (rate limit
        /// or credits) is checked against its record; the rest is what verify answers.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        disabled: bool,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        metered: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        external_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        meta: Option<String>,
        /// The token's meter, when it is not the token's own (a successor by reroll).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        meter_id: Option<String>,
        /// How many items the meter is split over, when more than one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        meter_shards: Option<u32>,
    },
    UserAuthToken {
        user_id: String,
        username: String,
    },
    ApiToken {
        dtable_uuid: String,
        workspace_id: String,
        dtable_name: String,
        app_name: String,
        permission: TokenPermission,
        generated_by: String,
    },
    ShareLink {
        link_id: String,
        created_by: String,
        dtable_uuid: String,
        /// The base's workspace (links made before it was recorded have none).
        #[serde(default)]
        workspace_id: String,
        /// Unix seconds. Not the TTL attribute: a link's lookup lives as long as its
        /// record (an expired link is still listed, and its custom name still taken).
        #[serde(default, rename = "link_expires_at")]
        expires_at: Option<u64>,
        /// Kept after deletion so that a revoked link answers 403, not 404.
        #[serde(default)]
        revoked: bool,
        /// Unix seconds: when a revoked link's tombstone goes (the table's TTL attribute).
        #[serde(
            default,
            rename = "expires_at",
            skip_serializing_if = "Option::is_none"
        )]
        tombstone_until: Option<u64>,
        /// What the link grants through the external-link exchange (the seed's exchange
        /// is always read-only): so that an exchange is one GetItem.
        permission: TokenPermission,
    },
}

/// One entry of a workspace's audit log: who did what to which object, when and from where.
/// Never a secret: tokens are named by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: String,
    /// The workspace (or `user:<id>` for what concerns a user, who is in no workspace).
    pub scope: String,
    /// RFC 3339 with milliseconds.
    pub at: String,
    /// Unix milliseconds: orders the log.
    pub at_ms: u64,
    /// `workspace_token:<id>`, `user:<id>` or `operator`.
    pub actor: String,
    /// e.g. `access_token.create`, `access_token.reroll`, `workspace_token.revoke`.
    pub action: String,
    /// e.g. `access_token:<id>`.
    pub object: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// The table's TTL attribute: retention.
    pub expires_at: u64,
    /// What the change tells the platform (`crate::events`), published from the table's
    /// stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<crate::events::Event>,
}

impl AuditEntry {
    /// The entry with the event its change publishes.
    pub fn with_event(self, event: crate::events::Event) -> Self {
        AuditEntry {
            event: Some(event),
            ..self
        }
    }
}
