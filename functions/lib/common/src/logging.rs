//! Logging that never carries a secret, whatever the level.
//!
//! Tessera's own code logs ids and names, never tokens, digests or keys, at every level.
//! Its dependencies do not: at DEBUG and TRACE, `lambda_runtime` logs each raw event
//! (Authorization headers, `?token=` share links, request bodies) and the SDK and hyper log
//! requests and responses. So the configured level applies to Tessera's crates only (every
//! crate named `tessera_*`, the libraries the functions share among them, and the
//! function's own), and every other crate is capped at INFO.

use std::str::FromStr;

use lambda_http::tracing::subscriber::{
    filter::{LevelFilter, Targets},
    fmt,
    layer::SubscriberExt,
    util::SubscriberInitExt,
};

/// The most any dependency may log.
pub const DEPENDENCY_LEVEL_CAP: LevelFilter = LevelFilter::INFO;

/// Lambda's application log level (`AWS_LAMBDA_LOG_LEVEL`, set from the template's
/// `LogLevel`), else `RUST_LOG` if it is a plain level, else INFO. Per-crate directives
/// are ignored on purpose: they are how a dependency would be turned up.
pub fn configured_level() -> LevelFilter {
    std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .ok()
        .and_then(|text| LevelFilter::from_str(text.trim()).ok())
        .unwrap_or(LevelFilter::INFO)
}

/// The prefix of every library crate of Tessera's (`tessera_common`, `tessera_jwt`,
/// `tessera_metering`, `tessera_rudderstack`, `tessera_seatable`, and any added later): a
/// target matches a directive that it starts with.
const LIBRARY_PREFIX: &str = "tessera_";

/// Which events are kept: `level` for Tessera's own crates (its libraries and those named),
/// at most INFO for everything else.
pub fn filter<'a>(level: LevelFilter, own_crates: impl IntoIterator<Item = &'a str>) -> Targets {
    own_crates.into_iter().chain([LIBRARY_PREFIX]).fold(
        Targets::new().with_default(level.min(DEPENDENCY_LEVEL_CAP)),
        |targets, name| targets.with_target(name, level),
    )
}

/// Installs the subscriber: JSON lines when Lambda asks for JSON (`AWS_LAMBDA_LOG_FORMAT`),
/// without timestamps (Lambda adds them).
pub fn init<'a>(own_crates: impl IntoIterator<Item = &'a str>) {
    let filter = filter(configured_level(), own_crates);
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let registry = lambda_http::tracing::subscriber::registry().with(filter);
    let format = fmt::layer().with_target(false).without_time();
    if json {
        registry.with(format.json()).init();
    } else {
        registry.with(format).init();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::tracing::Level;

    #[test]
    fn dependencies_never_log_below_info_and_ours_follow_the_level() {
        let trace = filter(LevelFilter::TRACE, ["create_access_token"]);
        for dependency in [
            "lambda_runtime::layers::api_response",
            "aws_smithy_runtime",
            "hyper_util",
        ] {
            assert!(
                !trace.would_enable(dependency, &Level::TRACE),
                "{dependency}"
            );
            assert!(
                !trace.would_enable(dependency, &Level::DEBUG),
                "{dependency}"
            );
            assert!(trace.would_enable(dependency, &Level::INFO), "{dependency}");
        }
        assert!(trace.would_enable("tessera_common::signing_key", &Level::TRACE));
        assert!(trace.would_enable("create_access_token", &Level::DEBUG));

        // The family libraries too: the move into them once silenced their debug lines.
        let debug = filter(LevelFilter::DEBUG, ["list_access_tokens"]);
        for library in [
            "tessera_common::store",
            "tessera_jwt::signing_key",
            "tessera_metering",
            "tessera_rudderstack",
            "tessera_seatable::tokens",
        ] {
            assert!(debug.would_enable(library, &Level::DEBUG), "{library}");
            assert!(!debug.would_enable(library, &Level::TRACE), "{library}");
        }
        assert!(
            !debug.would_enable("tessera", &Level::DEBUG),
            "only crates named tessera_*"
        );

        let warn = filter(LevelFilter::WARN, ["create_access_token"]);
        assert!(!warn.would_enable("lambda_runtime", &Level::INFO));
        assert!(!warn.would_enable("tessera_common", &Level::INFO));
        assert!(warn.would_enable("tessera_common", &Level::WARN));
    }
}
