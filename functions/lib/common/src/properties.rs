//! Property tests of the parsers that take untrusted input (the same ones fuzz/ fuzzes
//! with cargo fuzz on nightly): no input panics, and what they accept is what they were
//! given. They run on stable, in every `cargo test`.

use base64::{engine::general_purpose::STANDARD, Engine};
use lambda_http::{http::StatusCode, Body};
use proptest::prelude::*;

use crate::{
    auth::{basic_user_of, bearer_or_basic},
    http::{json_body, Fields},
    token::{NewToken, PresentedToken, TokenKind},
};

fn request(content_type: &str, body: Vec<u8>) -> lambda_http::Request {
    lambda_http::http::Request::builder()
        .method("POST")
        .uri("/x")
        .header("content-type", content_type)
        .body(Body::Binary(body))
        .unwrap()
}

proptest! {
    #[test]
    fn properties_token_parsing_never_panics_and_accepts_only_the_format(candidate in ".{0,60}") {
        if PresentedToken::parse(&candidate).is_some() {
            let (prefix, rest) = candidate.split_once('_').unwrap();
            prop_assert_eq!(prefix.len(), 3);
            prop_assert!(rest.len() == 36 && rest.bytes().all(|b| b.is_ascii_alphanumeric()));
        }
    }

    #[test]
    fn properties_one_changed_character_fails_the_checksum(position in 4usize..40, replacement in "[0-9A-Za-z]") {
        let token = NewToken::generate(TokenKind::AccessToken);
        let mut text = token.expose().to_owned();
        let original = text[position..position + 1].to_owned();
        prop_assume!(original != replacement);
        text.replace_range(position..position + 1, &replacement);
        // CRC-32 catches every single-character change.
        prop_assert!(PresentedToken::parse(&text).is_none());
    }

    #[test]
    fn properties_basic_credentials_round_trip(user in "[^:\\x00]{1,40}", value in ".{0,80}") {
        let header = format!("Basic {}", STANDARD.encode(format!("{user}:")));
        prop_assert_eq!(basic_user_of(&header), Some(user.clone()));
        prop_assert_eq!(bearer_or_basic(&header), Some(user));
        if let Some(user) = basic_user_of(&value) {
            prop_assert!(!user.is_empty() && !user.contains(':'));
        }
    }

    #[test]
    fn properties_bodies_are_parsed_or_refused_with_400(body in proptest::collection::vec(any::<u8>(), 0..200)) {
        for content_type in ["application/json", "application/x-www-form-urlencoded"] {
            let req = request(content_type, body.clone());
            if let Err(err) = Fields::parse(&req) {
                prop_assert_eq!(err.status(), StatusCode::BAD_REQUEST);
            }
            if let Err(err) = json_body::<serde_json::Value>(&req) {
                prop_assert_eq!(err.status(), StatusCode::BAD_REQUEST);
            }
        }
    }
}
