//! Time as Tessera reads it: through a `Clock`, so that tests can move it (expiry, grace
//! periods, cache lifetimes) instead of sleeping.

use std::{
    fmt,
    sync::Arc,
    time::{Duration, SystemTime},
};

use aws_smithy_types::{date_time::Format, DateTime};

pub trait Clock: fmt::Debug + Send + Sync {
    fn now(&self) -> SystemTime;

    /// Now, as Unix seconds.
    fn now_secs(&self) -> u64 {
        self.now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs()
    }

    /// Now, as Unix milliseconds (a sliding window weighs the previous one by them).
    fn now_millis(&self) -> u64 {
        self.now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis() as u64
    }

    /// Now, as RFC 3339 in UTC (`2026-11-22T08:13:25Z`).
    fn now_rfc3339(&self) -> String {
        rfc3339_from_secs(self.now_secs())
    }
}

pub type SharedClock = Arc<dyn Clock>;

/// The system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

pub fn system() -> SharedClock {
    Arc::new(SystemClock)
}

/// How long ago `earlier` was; zero if the clock went back.
pub fn elapsed_since(clock: &dyn Clock, earlier: SystemTime) -> Duration {
    clock.now().duration_since(earlier).unwrap_or_default()
}

/// Now, as RFC 3339 in UTC, by the system's clock.
pub fn now_rfc3339() -> String {
    SystemClock.now_rfc3339()
}

/// Now, as Unix seconds, by the system's clock.
pub fn now_secs() -> u64 {
    SystemClock.now_secs()
}

/// RFC 3339 (as `now_rfc3339` writes it, or any offset) as Unix seconds.
pub fn secs_from_rfc3339(text: &str) -> Option<u64> {
    DateTime::from_str(text, Format::DateTime)
        .ok()
        .and_then(|t| u64::try_from(t.secs()).ok())
}

/// Unix seconds as RFC 3339 in UTC.
pub fn rfc3339_from_secs(secs: u64) -> String {
    DateTime::from_secs(secs as i64)
        .fmt(Format::DateTime)
        .expect("a Unix time is representable")
}
