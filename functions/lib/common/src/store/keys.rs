//! Every partition and sort key in the single table is built here, and only here.
//!
//! | item                 | pk                | sk                                  |
//! |----------------------|-------------------|-------------------------------------|
//! | workspace            | `WS#<id>`         | `WORKSPACE`                         |
//! | workspace token      | `WS#<id>`         | `WSTOKEN#<token id>`                |
//! | access token         | `WS#<id>`         | `AT#<base64url(name)>#<token id>`   |
//! | token lookup (any)   | `TOKEN#<sha256>`  | `TOKEN`                             |
//! | user                 | `USER#<id>`       | `USER`                              |
//! | username (unique)    | `USERNAME#<name>` | `USERNAME`                          |
//! | share link           | `USER#<creator>`  | `SHARE#<link id>`                   |
//! |   (on gsi1)          | `LINKS#<uuid>`    | `<created at>#<link id>`            |
//! | member               | `WS#<id>`         | `MEMBER#<user id>`                  |
//! | base                 | `WS#<id>`         | `BASE#<base64url(name)>`            |
//! | base API token       | `BASE#<uuid>`     | `APITOKEN#<base64url(app name)>`    |
//! | audit log entry      | `AUDIT#<scope>`   | `<unix ms, 13 digits>#<entry id>`   |
//! | workspace id counter | `COUNTER`         | `WORKSPACE_ID`                      |
//! | leaked token         | `LEAKED#<sha256>` | `LEAKED` (TTL: a replayed report)   |
//! | a token's day of use | `USAGE#<meter id>`| `<YYYY-MM-DD>` (TTL: 92 days)       |
//! | a token's meter      | `METER#<meter id>`| `METER`                             |
//! |   (access token on gsi2) | `EXPIRES#<YYYY-MM-DD>` | `<expiry, 10 digits>#<workspace>#<token id>` |
//! | expiry notice sent   | `EXPIRY#<token id>` | `<kind>#<expiry>` (TTL)           |
//! | webhook endpoint     | `WS#<id>`         | `WEBHOOK#<endpoint id>`             |
//! | delivery attempt     | `WEBHOOK#<id>`    | `ATTEMPT#<unix ms, 13>#<event id>` (TTL) |
//! | delivered event      | `WEBHOOK#<id>`    | `DELIVERED#<event id>` (TTL)        |
//!
//! Workspace and base items also count their access tokens and API tokens
//! (`access_token_count`, `api_token_count`, `share_link_count`, `webhook_count`), updated in the same transaction as the
//! tokens, against the quotas. Workspaces are also indexed on `gsi1` (`gsi1pk = WORKSPACES`) for the operator's list.
//! Names are base64url-encoded in sort keys so that the prefix for one name can never
//! match another name (base64url has no `#`).

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

use crate::token::TokenDigest;

pub const WORKSPACE_SK: &str = "WORKSPACE";
/// The counter that allocates workspace ids (1, 2, 3, ...), as SeaTable's are integers.
pub const COUNTER_PK: &str = "COUNTER";
pub const WORKSPACE_ID_COUNTER_SK: &str = "WORKSPACE_ID";
pub const LOOKUP_SK: &str = "TOKEN";
pub const WORKSPACES_GSI: &str = "gsi1";
pub const WORKSPACES_GSI_PK: &str = "WORKSPACES";
const WORKSPACE_TOKEN_PREFIX: &str = "WSTOKEN#";
const ACCESS_TOKEN_PREFIX: &str = "AT#";

/// The sort key of a token's meter: its limits, counters and today's counts, in an item
/// of their own (and a partition of their own) so that a spend writes one small item.
pub const METER_SK: &str = "METER";

/// A meter's partition. The meter id is the id of the token it was made for; its
/// successors by reroll spend the same meter.
pub fn meter_pk(meter_id: &str) -> String {
    format!("METER#{meter_id}")
}

pub fn workspace_pk(workspace_id: &str) -> String {
    format!("WS#{workspace_id}")
}

pub fn workspace_token_sk(token_id: &str) -> String {
    format!("{WORKSPACE_TOKEN_PREFIX}{token_id}")
}

pub fn access_token_sk(name: &str, token_id: &str) -> String {
    format!("{}{token_id}", access_token_name_prefix(name))
}

/// Sort-key prefix of every access token with exactly this name.
pub fn access_token_name_prefix(name: &str) -> String {
    format!("{ACCESS_TOKEN_PREFIX}{}#", URL_SAFE_NO_PAD.encode(name))
}

/// Sort-key prefix of every access token of a workspace.
pub fn access_tokens_prefix() -> &'static str {
    ACCESS_TOKEN_PREFIX
}

pub fn workspace_tokens_prefix() -> &'static str {
    WORKSPACE_TOKEN_PREFIX
}

pub const USER_SK: &str = "USER";
const SHARE_LINK_PREFIX: &str = "SHARE#";
const API_TOKEN_PREFIX: &str = "APITOKEN#";

pub fn user_pk(user_id: &str) -> String {
    format!("USER#{user_id}")
}

pub const USERNAME_SK: &str = "USERNAME";

/// The item that reserves a username, case-insensitively: every JWT names its user by
/// username, so two users must never share one.
pub fn username_pk(name: &str) -> String {
    format!("USERNAME#{}", URL_SAFE_NO_PAD.encode(name.to_lowercase()))
}

pub fn member_sk(user_id: &str) -> String {
    format!("MEMBER#{user_id}")
}

pub fn base_sk(name: &str) -> String {
    format!("BASE#{}", URL_SAFE_NO_PAD.encode(name))
}

pub fn base_pk(dtable_uuid: &str) -> String {
    format!("BASE#{dtable_uuid}")
}

pub fn api_token_sk(app_name: &str) -> String {
    format!("{API_TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(app_name))
}

pub fn api_tokens_prefix() -> &'static str {
    API_TOKEN_PREFIX
}

pub fn share_link_sk(link_id: &str) -> String {
    format!("{SHARE_LINK_PREFIX}{link_id}")
}

pub fn share_links_prefix() -> &'static str {
    SHARE_LINK_PREFIX
}

/// `gsi1pk` of a base's share and external links, for the per-base listing.
pub fn base_links_gsi_pk(dtable_uuid: &str) -> String {
    format!("LINKS#{dtable_uuid}")
}

pub fn audit_pk(scope: &str) -> String {
    format!("AUDIT#{scope}")
}

/// Whether a partition key is an audit log's.
pub fn is_audit_pk(pk: &str) -> bool {
    pk.starts_with("AUDIT#")
}

/// Milliseconds first, zero-padded: entries sort by time, and a Query reads them newest first.
pub fn audit_sk(at_ms: u64, entry_id: &str) -> String {
    format!("{at_ms:013}#{entry_id}")
}

/// Whether `sk` is an audit log sort key (a pagination cursor must be one).
pub fn is_audit_sk(sk: &str) -> bool {
    sk.split_once('#').is_some_and(|(ms, id)| {
        ms.len() == 13 && ms.bytes().all(|b| b.is_ascii_digit()) && crate::limits::valid_id(id)
    })
}

pub fn lookup_pk(digest: &TokenDigest) -> String {
    format!("TOKEN#{}", digest.as_hex())
}

pub const LEAKED_SK: &str = "LEAKED";

/// The mark of a token reported as leaked and found real: kept a while, so that a replayed
/// report is still answered `true_positive`.
pub fn leaked_pk(digest: &TokenDigest) -> String {
    format!("LEAKED#{}", digest.as_hex())
}

/// An access token's verification counts of past days (sk: the date), tessera-metering's.
pub fn usage_pk(token_id: &str) -> String {
    format!("USAGE#{token_id}")
}

/// The index of access tokens by the UTC day they expire.
pub const EXPIRIES_GSI: &str = "gsi2";

/// `gsi2pk` of the access tokens that expire on `date` (YYYY-MM-DD, UTC).
pub fn expiry_day_pk(date: &str) -> String {
    format!("EXPIRES#{date}")
}

/// `gsi2sk` of a token: its expiry first, so a day's tokens read in the order they expire.
pub fn expiry_sk(expires: u64, workspace_id: &str, token_id: &str) -> String {
    format!("{expires:010}#{workspace_id}#{token_id}")
}

/// The mark of a signing key's rotation told of (its version id is the `kid`).
pub fn signing_key_pk(kid: &str) -> String {
    format!("SIGNINGKEY#{kid}")
}

/// The mark of an expiry notice sent: a second run of the day sends it no more.
pub fn expiry_notice_pk(token_id: &str) -> String {
    format!("EXPIRY#{token_id}")
}

const WEBHOOK_PREFIX: &str = "WEBHOOK#";
const ATTEMPT_PREFIX: &str = "ATTEMPT#";

/// A webhook endpoint, under its workspace (so one Query lists a workspace's endpoints).
pub fn webhook_sk(endpoint_id: &str) -> String {
    format!("{WEBHOOK_PREFIX}{endpoint_id}")
}

pub fn webhooks_prefix() -> &'static str {
    WEBHOOK_PREFIX
}

/// An endpoint's deliveries: its attempts and the events it has taken.
pub fn webhook_pk(endpoint_id: &str) -> String {
    format!("{WEBHOOK_PREFIX}{endpoint_id}")
}

/// Milliseconds first: a Query reads the attempts newest first.
pub fn attempt_sk(at_ms: u64, event_id: &str) -> String {
    format!("{ATTEMPT_PREFIX}{at_ms:013}#{event_id}")
}

pub fn attempts_prefix() -> &'static str {
    ATTEMPT_PREFIX
}

/// The mark of an event the endpoint took: a retry of the event skips it.
pub fn delivered_sk(event_id: &str) -> String {
    format!("DELIVERED#{event_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_prefix_never_matches_a_longer_name() {
        let a = access_token_name_prefix("a");
        let longer = access_token_sk("a#b", "id1");
        assert!(!longer.starts_with(&a));
        assert!(access_token_sk("a", "id1").starts_with(&a));
        assert!(longer.starts_with(access_tokens_prefix()));
    }
}
