//! Timestamps as Tessera stores and returns them.

use std::time::SystemTime;

use aws_smithy_types::{date_time::Format, DateTime};

/// Now, as RFC 3339 in UTC (`2026-11-22T08:13:25Z`).
pub fn now_rfc3339() -> String {
    let now = DateTime::from(SystemTime::now());
    DateTime::from_secs(now.secs())
        .fmt(Format::DateTime)
        .expect("the current time is representable")
}

/// Now, as Unix seconds.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs()
}

/// Unix seconds as RFC 3339 in UTC.
pub fn rfc3339_from_secs(secs: u64) -> String {
    DateTime::from_secs(secs as i64)
        .fmt(Format::DateTime)
        .expect("a Unix time is representable")
}
