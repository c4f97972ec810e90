//! JWT verification of both kinds: no input panics, and no input that the fuzzer makes
//! verifies (it would be a forgery: it does not hold the key).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_jwt::{
    kid_of,
    signing_key::{KeyRing, SigningKey},
    verify, JwtKind,
};

fuzz_target!(|token: &str| {
    let ring = KeyRing {
        current: SigningKey::new("current", "a secret the fuzzer never sees, 32+ bytes"),
        previous: Some(SigningKey::new("previous", "another secret never seen, 32+ bytes")),
    };
    let _ = kid_of(token);
    for kind in JwtKind::ALL {
        assert!(verify(&ring, kind, token).is_none(), "a forged token verified");
    }
});
