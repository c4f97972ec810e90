//! The credential parsers of both families: HTTP Basic with an empty password, `Token`
//! and `Bearer`, and the authorizer's Bearer-or-Basic. No input may panic, and what they
//! accept must be what they were given.
#![no_main]

use lambda_http::http::{header::AUTHORIZATION, HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use tessera_common::auth::{
    basic_user_of, basic_user_with_empty_password, bearer_or_basic, token_or_bearer,
};

fuzz_target!(|value: &str| {
    if let Some(token) = bearer_or_basic(value) {
        assert!(!token.is_empty());
    }
    if let Some(user) = basic_user_of(value) {
        // The user name ends at the first colon, and the password after it is empty.
        assert!(!user.is_empty() && !user.contains(':'));
    }
    if let Ok(header) = HeaderValue::from_str(value) {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, header);
        let basic = basic_user_with_empty_password(&headers);
        assert_eq!(basic, basic_user_of(value));
        if let Some(token) = token_or_bearer(&headers) {
            assert!(value.contains(token.as_str()));
        }
    }
});
