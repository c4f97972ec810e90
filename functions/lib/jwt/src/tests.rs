use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use super::*;
use crate::signing_key::SigningKey;

const NOW: u64 = 1_700_000_000; // 2023: "expired" tokens expire at NOW
const FAR_FUTURE: u64 = 4_000_000_000;

fn key(kid: &str) -> SigningKey {
    SigningKey::new(kid, format!("a 32-byte-or-longer secret of {kid}"))
}

fn ring(current: &str, previous: Option<&str>) -> KeyRing {
    KeyRing {
        current: key(current),
        previous: previous.map(key),
    }
}

fn claims(kind: JwtKind, exp: u64) -> BaseClaims {
    BaseClaims::new(kind, NOW, exp, "u", "alice", TokenPermission::R)
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// A token with any header and claims, signed HMAC-SHA256 with `secret` whatever the
/// header says: what an attacker who knows (or guesses) the scheme can make.
fn forge(header: Value, claims: Value, secret: &[u8]) -> String {
    let signing_input = format!("{}.{}", b64(&header), b64(&claims));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(signing_input.as_bytes());
    format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

fn base_claims_json(exp: u64) -> Value {
    serde_json::to_value(claims(JwtKind::BaseAccessToken, exp)).unwrap()
}

#[test]
fn each_kind_verifies_as_itself_with_current_and_previous_keys() {
    for kind in JwtKind::ALL {
        let token = sign(&ring("v1", None), kind, &claims(kind, FAR_FUTURE)).unwrap();
        assert_eq!(
            verify(&ring("v1", None), kind, &token).map(|c| c.aud),
            Some(kind.audience().map(str::to_owned))
        );
        assert!(verify(&ring("v2", Some("v1")), kind, &token).is_some());
        assert_eq!(kid_of(&token).as_deref(), Some("v1"));
    }
}

#[test]
fn every_known_attack_is_refused() {
    let keys = ring("v2", Some("v1"));
    let secret = keys.current.secret().to_vec();
    let good_header = json!({ "alg": "HS256", "typ": "JWT", "kid": "v2" });
    let good = forge(good_header.clone(), base_claims_json(FAR_FUTURE), &secret);
    assert!(
        verify(&keys, JwtKind::BaseAccessToken, &good).is_some(),
        "the control token verifies"
    );
    let jsonwebtoken_signed = |alg: Algorithm| {
        let mut header = Header::new(alg);
        header.kid = Some("v2".into());
        encode(
            &header,
            &base_claims_json(FAR_FUTURE),
            &EncodingKey::from_secret(&secret),
        )
        .unwrap()
    };
    let mut tampered: Vec<&str> = good.split('.').collect();
    let forged_payload = b64(&{
        let mut c = base_claims_json(FAR_FUTURE);
        c["permission"] = json!("rw");
        c
    });
    tampered[1] = &forged_payload;
    let tampered = tampered.join(".");
    let none_header = b64(&json!({ "alg": "none", "typ": "JWT", "kid": "v2" }));
    let alg_none = format!("{none_header}.{}.", b64(&base_claims_json(FAR_FUTURE)));
    let older_key = key("v0");
    let temp_token = sign(
        &keys,
        JwtKind::TempApiToken,
        &claims(JwtKind::TempApiToken, FAR_FUTURE),
    )
    .unwrap();
    let base_token = sign(
        &keys,
        JwtKind::BaseAccessToken,
        &claims(JwtKind::BaseAccessToken, FAR_FUTURE),
    )
    .unwrap();
    let cases: Vec<(&str, JwtKind, String)> = vec![
        (
            "alg none with a valid kid",
            JwtKind::BaseAccessToken,
            alg_none,
        ),
        (
            "HS384 with the right key",
            JwtKind::BaseAccessToken,
            jsonwebtoken_signed(Algorithm::HS384),
        ),
        (
            "HS512 with the right key",
            JwtKind::BaseAccessToken,
            jsonwebtoken_signed(Algorithm::HS512),
        ),
        (
            "RS256 signed with the HMAC key as the public key",
            JwtKind::BaseAccessToken,
            forge(
                json!({ "alg": "RS256", "typ": "JWT", "kid": "v2" }),
                base_claims_json(FAR_FUTURE),
                &secret,
            ),
        ),
        ("tampered payload", JwtKind::BaseAccessToken, tampered),
        (
            "expired",
            JwtKind::BaseAccessToken,
            forge(good_header.clone(), base_claims_json(NOW), &secret),
        ),
        ("nbf in the future", JwtKind::BaseAccessToken, {
            let mut c = base_claims_json(FAR_FUTURE);
            c["nbf"] = json!(FAR_FUTURE - 1);
            forge(good_header.clone(), c, &secret)
        }),
        (
            "unknown kid",
            JwtKind::BaseAccessToken,
            forge(
                json!({ "alg": "HS256", "typ": "JWT", "kid": "nope" }),
                base_claims_json(FAR_FUTURE),
                &secret,
            ),
        ),
        ("no kid", JwtKind::BaseAccessToken, {
            forge(
                json!({ "alg": "HS256", "typ": "JWT" }),
                base_claims_json(FAR_FUTURE),
                &secret,
            )
        }),
        (
            "an aud on a base access token (PyJWT refuses it)",
            JwtKind::BaseAccessToken,
            {
                let mut c = base_claims_json(FAR_FUTURE);
                c["aud"] = json!("someone-else");
                forge(good_header.clone(), c, &secret)
            },
        ),
        (
            "a temp API token's header and claims signed with the base key",
            JwtKind::TempApiToken,
            forge(
                json!({ "alg": "HS256", "typ": JwtKind::TempApiToken.typ(), "kid": "v2" }),
                serde_json::to_value(claims(JwtKind::TempApiToken, FAR_FUTURE)).unwrap(),
                &secret,
            ),
        ),
        (
            "a base access token's header and claims signed with the temp API token key",
            JwtKind::BaseAccessToken,
            forge(
                good_header.clone(),
                base_claims_json(FAR_FUTURE),
                &JwtKind::TempApiToken.hmac_key(&keys.current),
            ),
        ),
        ("temp API token without aud", JwtKind::TempApiToken, {
            let mut c = serde_json::to_value(claims(JwtKind::TempApiToken, FAR_FUTURE)).unwrap();
            c.as_object_mut().unwrap().remove("aud");
            forge(
                json!({ "alg": "HS256", "typ": JwtKind::TempApiToken.typ(), "kid": "v2" }),
                c,
                &JwtKind::TempApiToken.hmac_key(&keys.current),
            )
        }),
        (
            "a base access token where a temp API token is expected",
            JwtKind::TempApiToken,
            base_token,
        ),
        (
            "a temp API token where a base access token is expected",
            JwtKind::BaseAccessToken,
            temp_token,
        ),
        (
            "signed by a key older than AWSPREVIOUS",
            JwtKind::BaseAccessToken,
            forge(
                json!({ "alg": "HS256", "typ": "JWT", "kid": "v0" }),
                base_claims_json(FAR_FUTURE),
                older_key.secret(),
            ),
        ),
        (
            "another secret under the current kid",
            JwtKind::BaseAccessToken,
            forge(
                good_header,
                base_claims_json(FAR_FUTURE),
                b"an impostor's 32-byte-long secret",
            ),
        ),
        ("not a JWT", JwtKind::BaseAccessToken, "not.a.jwt".into()),
    ];
    let accepted: Vec<&str> = cases
        .iter()
        .filter(|(_, kind, token)| verify(&keys, *kind, token).is_some())
        .map(|(name, _, _)| *name)
        .collect();
    assert!(accepted.is_empty(), "accepted: {accepted:?}");
}

#[test]
fn base_access_tokens_carry_seatables_claims_only() {
    let mut c = claims(JwtKind::BaseAccessToken, FAR_FUTURE);
    c.app_name = Some("etl".into());
    c.workspace_id = Some("1".into());
    let token = sign(&ring("v1", None), JwtKind::BaseAccessToken, &c).unwrap();
    let parts: Vec<Value> = token
        .split('.')
        .take(2)
        .map(|part| serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap())
        .collect();
    assert_eq!(
        parts[0],
        json!({ "typ": "JWT", "alg": "HS256", "kid": "v1" })
    );
    let mut names: Vec<&str> = parts[1]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "app_name",
            "dtable_uuid",
            "exp",
            "permission",
            "username",
            "workspace_id"
        ]
    );
}

#[test]
fn the_temp_api_token_key_is_hkdf_of_the_secret_and_differs_from_it() {
    let key = key("v1");
    let derived = JwtKind::TempApiToken.hmac_key(&key);
    assert_eq!(derived.len(), 32);
    assert_ne!(&derived[..], key.secret());
    assert_eq!(&JwtKind::BaseAccessToken.hmac_key(&key)[..], key.secret());
    // RFC 5869 without salt: PRK = HMAC(zeros, secret); OKM = HMAC(PRK, label || 0x01).
    let mut extract = Hmac::<Sha256>::new_from_slice(&[0u8; 32]).unwrap();
    extract.update(key.secret());
    let prk = extract.finalize().into_bytes();
    let mut expand = Hmac::<Sha256>::new_from_slice(&prk).unwrap();
    expand.update(b"tessera/temp-api-token/v1\x01");
    assert_eq!(&derived[..], &expand.finalize().into_bytes()[..]);
}

proptest::proptest! {
    #[test]
    fn properties_no_made_up_jwt_verifies(token in ".{0,300}", header in "[A-Za-z0-9_-]{0,80}") {
        let ring = KeyRing {
            current: SigningKey::new("k", "a secret of at least thirty-two bytes"),
            previous: None,
        };
        for candidate in [token.clone(), format!("{header}.{token}"), format!("{header}.e30.{token}")] {
            let _ = kid_of(&candidate);
            for kind in JwtKind::ALL {
                proptest::prop_assert!(verify(&ring, kind, &candidate).is_none());
            }
        }
    }
}
