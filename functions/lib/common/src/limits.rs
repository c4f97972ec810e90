//! Bounds on every caller-supplied value that reaches a DynamoDB key.
//!
//! A sort key holds at most 1024 bytes and names go into keys base64url-encoded (4 bytes
//! for every 3), so a name is bounded by UTF-8 bytes as well as by the characters the
//! contract allows: without it, 255 CJK characters (765 bytes) overflow the key and
//! DynamoDB's refusal would surface as a 500.

/// Bytes of a name (base, app, access token, username) in a key: 512 bytes encode to 684,
/// which leaves room for every key prefix and suffix of `store::keys`.
pub const MAX_NAME_BYTES: usize = 512;
/// Characters of a base or app name, as SeaTable allows.
pub const MAX_SEATABLE_NAME_CHARS: usize = 255;
/// Characters of an access token's name.
pub const MAX_ACCESS_TOKEN_NAME_CHARS: usize = 100;
/// Bytes of an identifier from a path or body (workspace ids, share-link ids or tokens).
pub const MAX_ID_BYTES: usize = 64;

/// Scopes an access token may carry, and characters in each.
pub const MAX_SCOPES: usize = 20;
pub const MAX_SCOPE_CHARS: usize = 64;

/// A scope: what the authorizer hands the protected backend, space-separated (so no
/// spaces), e.g. `read:events` or `transformations/*`.
pub fn valid_scope(scope: &str) -> bool {
    (1..=MAX_SCOPE_CHARS).contains(&scope.len())
        && scope
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b":._/*-".contains(&b))
}

/// A name: not blank, no control characters, within `max_chars` and `MAX_NAME_BYTES`.
pub fn valid_name(name: &str, max_chars: usize) -> bool {
    !name.trim().is_empty()
        && name.len() <= MAX_NAME_BYTES
        && name.chars().count() <= max_chars
        && !name.chars().any(char::is_control)
}

/// A base's name (`dtable_name`) as a path segment or field.
pub fn valid_base_name(name: &str) -> bool {
    valid_name(name, MAX_SEATABLE_NAME_CHARS) && !name.contains('/')
}

/// The `app_name` of base access tokens exchanged for a temporary API token: reserved, so
/// that no API token can carry it (introspection checks no API token for such tokens).
pub const TEMP_API_TOKEN_APP_NAME: &str = "temp_api_token";

/// An app name: also one path segment of `.../api-tokens/<app_name>/`.
pub fn valid_app_name(name: &str) -> bool {
    valid_name(name, MAX_SEATABLE_NAME_CHARS) && !name.contains('/')
}

/// Digits of the largest workspace id: below 2^53, so JavaScript reads it exactly.
pub const MAX_WORKSPACE_ID_DIGITS: usize = 15;

/// A workspace id as SeaTable's: a positive integer, in decimal without leading zeros.
pub fn valid_workspace_id(id: &str) -> bool {
    (1..=MAX_WORKSPACE_ID_DIGITS).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_digit())
        && !id.starts_with('0')
}

/// A workspace id as JSON: a number, as SeaTable answers it.
pub fn workspace_id_json(id: &str) -> serde_json::Value {
    match id.parse::<u64>() {
        Ok(number) if valid_workspace_id(id) => number.into(),
        // Only ids made up by hand (tests of other things) get here.
        _ => id.into(),
    }
}

/// The longest custom external-link token (SeaTable's bound).
pub const MAX_CUSTOM_LINK_TOKEN_CHARS: usize = 100;

/// The shortest custom external-link token a link may be created with. Custom tokens are
/// exchanged without authentication in one global namespace: at 16 characters of 63,
/// enumerating them is hopeless (links made before this bound keep working).
pub const MIN_CUSTOM_LINK_TOKEN_CHARS: usize = 16;

/// A custom external-link token, as SeaTable takes it: `^[-0-9a-zA-Z]+$`, at most 100
/// characters. It never contains `_`, so it never looks like a generated token.
pub fn valid_custom_link_token(token: &str) -> bool {
    (1..=MAX_CUSTOM_LINK_TOKEN_CHARS).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// An identifier: printable ASCII without spaces, 1 to `MAX_ID_BYTES` bytes.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_ID_BYTES && id.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::keys;

    #[test]
    fn the_longest_valid_name_fits_every_sort_key() {
        // The worst case: as many 4-byte characters as the byte bound allows.
        let name = "😀".repeat(MAX_NAME_BYTES / 4);
        assert!(valid_name(&name, MAX_SEATABLE_NAME_CHARS));
        for key in [
            keys::base_sk(&name),
            keys::api_token_sk(&name),
            keys::access_token_sk(&name, &crate::token::new_id()),
            keys::username_pk(&name),
        ] {
            assert!(key.len() <= 1024, "{} bytes", key.len());
        }
    }

    #[test]
    fn workspace_ids_are_positive_integers_that_json_carries_exactly() {
        for good in ["1", "42", "999999999999999"] {
            assert!(valid_workspace_id(good), "{good}");
            assert_eq!(
                workspace_id_json(good),
                serde_json::json!(good.parse::<u64>().unwrap())
            );
        }
        for bad in [
            "",
            "0",
            "01",
            "-1",
            "1.0",
            "1e3",
            " 1",
            "abc",
            "1000000000000000",
            "١",
        ] {
            assert!(!valid_workspace_id(bad), "{bad}");
        }
    }

    #[test]
    fn names_are_bounded_by_bytes_and_characters() {
        assert!(valid_app_name(&"a".repeat(255)));
        assert!(!valid_app_name(&"a".repeat(256)));
        assert!(!valid_app_name(&"応".repeat(255)), "765 bytes");
        assert!(valid_app_name(&"応".repeat(170)));
        for bad in ["", "  ", "a/b", "a\u{7}b"] {
            assert!(!valid_app_name(bad), "{bad:?}");
        }
        assert!(valid_id("FixtureUser00000000001"));
        assert!(valid_id("1"));
        for bad in ["", "a b", &"7".repeat(65), "é"] {
            assert!(!valid_id(bad), "{bad:?}");
        }
    }
}
