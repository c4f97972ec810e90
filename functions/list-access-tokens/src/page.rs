//! Pages of the listing, each within one Lambda response (6 MB): a request without `cursor`
//! or `limit` gets every token in the seed's bare array whenever they fit, and otherwise
//! the first page with a `Link: <?cursor=...>; rel="next"` header (RFC 8288), which the
//! console follows.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde::Serialize;
use tessera_common::ApiError;

/// The most a page's body may add to the Lambda response that carries it: 6 MB less room
/// for the status, the headers and the envelope. Measured as the body travels, escaped
/// into the response's JSON string (`embedded_len`).
pub const BUDGET_BYTES: usize = 5 * 1024 * 1024;
/// The largest `limit` a request may ask for.
pub const MAX_LIMIT: usize = 1000;

/// Bytes `text` takes once embedded in a JSON string: every `"` and `\` gains a `\`
/// (serde_json leaves no control character unescaped in the body itself).
pub fn embedded_len(text: &str) -> usize {
    text.len() + text.bytes().filter(|b| matches!(b, b'"' | b'\\')).count()
}

/// What a request asks of the listing: where to start, and how many at most.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paging {
    /// The sort key of the last token of the previous page.
    pub after: Option<String>,
    pub limit: usize,
}

impl Paging {
    pub fn parse(cursor: Option<&str>, limit: Option<&str>) -> Result<Self, ApiError> {
        let after = cursor
            .map(|cursor| {
                URL_SAFE_NO_PAD
                    .decode(cursor)
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                    .ok_or_else(|| {
                        ApiError::bad_request("cursor must be one a listing's Link header gave")
                    })
            })
            .transpose()?;
        let limit = match limit {
            None => MAX_LIMIT,
            Some(text) => text
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    ApiError::bad_request(format!("limit must be an integer from 1 to {MAX_LIMIT}"))
                })?,
        };
        Ok(Paging { after, limit })
    }
}

/// The cursor that continues after the token with sort key `sk`.
pub fn cursor_after(sk: &str) -> String {
    URL_SAFE_NO_PAD.encode(sk)
}

/// The entries of one page, from `(sort key, entry)` pairs in sort-key order: those after
/// the cursor, at most `limit`, within `BUDGET_BYTES` (at least one); and the sort key to
/// continue after, when more remain.
pub fn page<T: Serialize>(entries: Vec<(String, T)>, paging: &Paging) -> (Vec<T>, Option<String>) {
    let mut kept = Vec::new();
    let mut used = 2; // the array's brackets
    let mut last = None;
    let mut remaining = entries
        .into_iter()
        .filter(|(sk, _)| paging.after.as_ref().is_none_or(|after| sk > after))
        .peekable();
    while let Some((sk, entry)) = remaining.peek() {
        let size = embedded_len(&serde_json::to_string(entry).expect("entries serialize")) + 1;
        if kept.len() == paging.limit || (!kept.is_empty() && used + size > BUDGET_BYTES) {
            break;
        }
        used += size;
        last = Some(sk.clone());
        kept.push(remaining.next().expect("peeked").1);
    }
    let next = remaining.peek().is_some().then_some(last).flatten();
    (kept, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_is_counted_as_the_response_carries_it() {
        assert_eq!(embedded_len("ab"), 2);
        assert_eq!(embedded_len(r#""\u0001""#), 8 + 3);
    }

    #[test]
    fn pages_continue_after_the_cursor_and_stop_at_the_limit() {
        let entries = |n: usize| (0..n).map(|i| (format!("k{i:03}"), i)).collect::<Vec<_>>();
        let all = Paging::parse(None, None).unwrap();
        assert_eq!(page(entries(5), &all), (vec![0, 1, 2, 3, 4], None));
        let two = Paging::parse(None, Some("2")).unwrap();
        let (first, next) = page(entries(5), &two);
        assert_eq!((first, next.clone()), (vec![0, 1], Some("k001".to_owned())));
        let cursor = cursor_after(&next.unwrap());
        let then = Paging::parse(Some(&cursor), Some("2")).unwrap();
        assert_eq!(
            page(entries(5), &then),
            (vec![2, 3], Some("k003".to_owned()))
        );
    }

    #[test]
    fn a_page_stops_within_the_budget() {
        let big = "\"".repeat(BUDGET_BYTES / 8);
        let entries: Vec<_> = (0..6).map(|i| (format!("k{i}"), big.clone())).collect();
        let (kept, next) = page(entries, &Paging::parse(None, None).unwrap());
        assert_eq!(
            kept.len(),
            1,
            "each entry takes about half the budget once escaped"
        );
        assert_eq!(next.as_deref(), Some("k0"));
    }

    #[test]
    fn bad_cursors_and_limits_are_400s_that_say_so() {
        for (cursor, limit, says) in [
            (Some("!!"), None, "cursor"),
            (None, Some("0"), "limit"),
            (None, Some("1001"), "limit"),
            (None, Some("x"), "limit"),
        ] {
            let message = Paging::parse(cursor, limit).unwrap_err().public_message();
            assert!(message.contains(says), "{message}");
        }
    }
}
