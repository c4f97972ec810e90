//! The token format check (prefix, length, base62, CRC-32): no input panics, and whatever
//! passes has the shape a generated token has.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_common::token::PresentedToken;

fuzz_target!(|candidate: &str| {
    if let Some(token) = PresentedToken::parse(candidate) {
        let (prefix, rest) = candidate.split_once('_').expect("a prefix");
        assert_eq!(prefix.len(), 3);
        assert_eq!(rest.len(), 36);
        assert!(rest.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(token.digest().as_hex().len(), 64);
    }
});
