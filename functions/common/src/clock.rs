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
