//! The SeaTable-style API over HTTP through the local API: the seed's requests, JWTs
//! checked by an independent HS256 implementation, and signing-key rotation.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use tessera_common::token::random_base62;
use tessera_test_support::{base, secretsmanager_client, TestBase};
use tessera_tests::LocalApi;

async fn get(api: &LocalApi, path: &str, auth: Option<&str>) -> (u16, Value) {
    let mut request = api
        .client
        .get(api.url(path))
        .header("Accept", "application/json; charset=utf-8; indent=4");
    if let Some(auth) = auth {
        request = request.header("Authorization", auth);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn access_token_path(b: &TestBase, name: &str) -> String {
    format!(
        "/api/v2.1/workspace/{}/dtable/{name}/access-token/",
        b.base.workspace_id
    )
}

fn secret_id(api: &LocalApi) -> String {
    tessera_jwt::base_token::signing_keys(&api.state)
        .unwrap()
        .secret_id()
        .to_owned()
}

/// Checks an HS256 JWT without the crate that signed it: HMAC-SHA256 over
/// `header.payload` with the key version the header names, read from Secrets Manager.
/// Returns the header and the claims.
/// RFC 5869 without salt, one block: an implementation independent of the signer's.
fn hkdf_sha256(secret: &[u8], label: &[u8]) -> Vec<u8> {
    let mut extract = Hmac::<Sha256>::new_from_slice(&[0u8; 32]).unwrap();
    extract.update(secret);
    let prk = extract.finalize().into_bytes();
    let mut expand = Hmac::<Sha256>::new_from_slice(&prk).unwrap();
    expand.update(label);
    expand.update(&[1]);
    expand.finalize().into_bytes().to_vec()
}

async fn verify_independently(secret_id: &str, jwt: &str) -> (Value, Value) {
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT has three parts");
    let decode = |part: &str| -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    };
    let header = decode(parts[0]);
    assert_eq!(header["alg"], "HS256");
    let claims = decode(parts[1]);
    let kid = header["kid"].as_str().expect("kid");
    let secret = secretsmanager_client()
        .await
        .get_secret_value()
        .secret_id(secret_id)
        .version_id(kid)
        .send()
        .await
        .expect("kid names a version of the secret")
        .secret_string
        .unwrap();
    // Base access tokens are signed with the secret itself and carry SeaTable's claims only;
    // temporary API tokens with HKDF-SHA256(secret, "tessera/temp-api-token/v1").
    let key = match header["typ"].as_str() {
        Some("JWT") => {
            assert_eq!((claims.get("aud"), claims.get("iat")), (None, None));
            secret.into_bytes()
        }
        Some("temp-api-token+jwt") => {
            assert_eq!(claims["aud"], "tessera:temp-api-token");
            hkdf_sha256(secret.as_bytes(), b"tessera/temp-api-token/v1")
        }
        other => panic!("unexpected typ {other:?}"),
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
    mac.verify_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap())
        .expect("the signature is HMAC-SHA256 of header.payload");
    (header, decode(parts[1]))
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn the_seed_requests_behave_as_the_seed_says() {
    let api = LocalApi::start().await;
    let b = base(&api.state.store, "Hello").await;

    let (status, body) = get(
        &api,
        &access_token_path(&b, "Hello"),
        Some(&b.writer.auth()),
    )
    .await;
    assert_eq!(status, 200);
    for field in [
        "access_token",
        "dtable_uuid",
        "dtable_server",
        "dtable_socket",
    ] {
        assert!(body[field].is_string(), "{field} in {body}");
    }
    assert_eq!(
        get(
            &api,
            &access_token_path(&b, "Hello"),
            Some("Token 57782e1e42a7fefc6a5026e00c6a62c9d249e760")
        )
        .await,
        (401, json!({ "detail": "Invalid token" }))
    );
    assert_eq!(
        get(
            &api,
            &access_token_path(&b, "Hello"),
            Some(&b.stranger.auth())
        )
        .await,
        (403, json!({ "error_msg": "Permission denied." }))
    );
    assert_eq!(
        get(
            &api,
            &access_token_path(&b, "Hallo"),
            Some(&b.writer.auth())
        )
        .await,
        (404, json!({ "error_msg": "dtable Hallo not found." }))
    );

    // The share-link sample, and a base name that needs percent-encoding in the path.
    tessera_admin::seatable_admin::create_base(
        &api.state.store,
        &b.base.workspace_id,
        "My Base",
        &b.owner.id,
    )
    .await
    .unwrap();
    assert_eq!(
        get(
            &api,
            &access_token_path(&b, "My%20Base"),
            Some(&b.owner.auth())
        )
        .await
        .0,
        200
    );
    let response = api
        .client
        .post(api.url("/api/v2.1/dtables/share-links/"))
        .header("Authorization", b.owner.auth())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!(
            "workspace_id={}&table_name=Hello",
            b.base.workspace_id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let link: Value = response.json().await.unwrap();
    let token = link["token"].as_str().unwrap();
    let (status, body) = get(
        &api,
        &format!("/api/v2.1/dtable/share-link-access-token/?token={token}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["access_token", "dtable_uuid"]
    );
    assert_eq!(
        get(&api, "/api/v2.1/dtable/share-link-access-token/", None)
            .await
            .0,
        400
    );
}

#[tokio::test]
async fn every_issued_jwt_verifies_independently_with_the_right_claims() {
    let api = LocalApi::start().await;
    let b = base(&api.state.store, "Hello").await;
    let secret = secret_id(&api);
    let started = now();

    // A user's auth token.
    let (_, body) = get(
        &api,
        &access_token_path(&b, "Hello"),
        Some(&b.reader.auth()),
    )
    .await;
    let (_, claims) = verify_independently(&secret, body["access_token"].as_str().unwrap()).await;
    assert_eq!(claims["dtable_uuid"], json!(b.base.dtable_uuid));
    assert_eq!(claims["username"], json!(b.reader.name));
    assert_eq!(claims["permission"], "r");
    let exp = claims["exp"].as_u64().unwrap();
    assert!(exp >= started + 3 * 24 * 3600 && exp <= now() + 3 * 24 * 3600);
    assert!(claims.get("app_name").is_none());

    // A base API token, created over HTTP with a JSON body.
    let api_tokens = format!(
        "/api/v2.1/workspace/{}/dtable/Hello/api-tokens/",
        b.base.workspace_id
    );
    let (_, created) = api
        .post_json(
            &api_tokens,
            &b.owner.auth(),
            &json!({ "app_name": "etl", "permission": "rw" }),
        )
        .await;
    let api_token = created["api_token"].as_str().unwrap().to_owned();
    let (status, body) = get(
        &api,
        "/api/v2.1/dtable/app-access-token/",
        Some(&format!("Token {api_token}")),
    )
    .await;
    assert_eq!(status, 200);
    let (_, claims) = verify_independently(&secret, body["access_token"].as_str().unwrap()).await;
    assert_eq!(claims["app_name"], "etl");
    assert_eq!(claims["permission"], "rw");
    assert_eq!(claims["dtable_uuid"], json!(b.base.dtable_uuid));

    // A share link: read-only, whatever the link says.
    let share_link =
        json!({ "workspace_id": b.base.workspace_id, "table_name": "Hello", "permission": "rw" });
    let (_, response) = api
        .post_json(
            "/api/v2.1/dtables/share-links/",
            &b.owner.auth(),
            &share_link,
        )
        .await;
    let path = format!(
        "/api/v2.1/dtable/share-link-access-token/?token={}",
        response["token"].as_str().unwrap()
    );
    let (_, body) = get(&api, &path, None).await;
    let (_, claims) = verify_independently(&secret, body["access_token"].as_str().unwrap()).await;
    assert_eq!(claims["permission"], "r");

    // A deleted API token stops working at once.
    let response = api
        .client
        .delete(api.url(&format!(
            "/api/v2.1/workspace/{}/dtable/Hello/api-tokens/etl/",
            b.base.workspace_id
        )))
        .header("Authorization", b.owner.auth())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        get(
            &api,
            "/api/v2.1/dtable/app-access-token/",
            Some(&format!("Token {api_token}"))
        )
        .await,
        (403, json!({ "error_msg": "Permission denied." }))
    );
}

#[tokio::test]
async fn a_rotation_never_invalidates_a_live_token_and_the_oldest_key_retires() {
    let api = LocalApi::start().await;
    let b = base(&api.state.store, "Hello").await;
    let secret = secret_id(&api);
    let sm = secretsmanager_client().await;
    let temp_path = format!(
        "/api/v2.1/workspace/{}/dtable/Hello/temp-api-token/",
        b.base.workspace_id
    );
    let exchange = |token: String| {
        let api = &api;
        async move {
            get(
                api,
                "/api/v2.1/dtable/app-access-token/",
                Some(&format!("Token {token}")),
            )
            .await
        }
    };

    let (_, body) = get(&api, &temp_path, Some(&b.writer.auth())).await;
    let oldest = body["api_token"].as_str().unwrap().to_owned();
    let (v1_header, _) = verify_independently(&secret, &oldest).await;

    // Rotation: a new version becomes AWSCURRENT, the old one AWSPREVIOUS.
    sm.put_secret_value()
        .secret_id(&secret)
        .secret_string(random_base62(64))
        .send()
        .await
        .unwrap();
    let (status, body) = exchange(oldest.clone()).await;
    assert_eq!(
        status, 200,
        "a token signed before the rotation still verifies"
    );
    let (v2_header, claims) =
        verify_independently(&secret, body["access_token"].as_str().unwrap()).await;
    assert_ne!(
        v2_header["kid"], v1_header["kid"],
        "new tokens carry the new kid"
    );
    assert_eq!(claims["permission"], "rw");

    // A second rotation retires the first key.
    sm.put_secret_value()
        .secret_id(&secret)
        .secret_string(random_base62(64))
        .send()
        .await
        .unwrap();
    assert_eq!(
        exchange(oldest).await,
        (403, json!({ "error_msg": "Permission denied." }))
    );
    let (_, body) = get(&api, &temp_path, Some(&b.writer.auth())).await;
    let (v3_header, _) = verify_independently(&secret, body["api_token"].as_str().unwrap()).await;
    assert_ne!(v3_header["kid"], v2_header["kid"]);
}

#[tokio::test]
async fn no_seatable_secret_is_stored_in_plain_text() {
    let api = LocalApi::start().await;
    let b = base(&api.state.store, "Hello").await;
    let mut secrets: Vec<String> = [&b.owner, &b.admin, &b.writer, &b.reader, &b.stranger]
        .iter()
        .map(|u| u.token.clone())
        .collect();
    let api_tokens = format!(
        "/api/v2.1/workspace/{}/dtable/Hello/api-tokens/",
        b.base.workspace_id
    );
    let (_, created) = api
        .post_json(
            &api_tokens,
            &b.owner.auth(),
            &json!({ "app_name": "etl", "permission": "r" }),
        )
        .await;
    secrets.push(created["api_token"].as_str().unwrap().to_owned());
    let share_link = json!({ "workspace_id": b.base.workspace_id, "table_name": "Hello" });
    let (_, link) = api
        .post_json(
            "/api/v2.1/dtables/share-links/",
            &b.owner.auth(),
            &share_link,
        )
        .await;
    secrets.push(link["token"].as_str().unwrap().to_owned());

    let dump = format!("{:?}", api.table_items().await);
    assert!(dump.contains("TOKEN#"), "the scan read the lookups");
    for secret in &secrets {
        assert!(
            !dump.contains(&secret[4..]),
            "a plaintext {} token is stored",
            &secret[..4]
        );
    }
}

/// Every exchange's base access token, as SeaTable's own servers verify it: PyJWT with no
/// audience (dtable-events) and Node's `jsonwebtoken.verify(token, key)`, also with the
/// verifier's clock 60 s behind Tessera's. A temporary API token is refused by both.
#[tokio::test]
async fn seatables_own_verifiers_accept_every_base_access_token() {
    use std::collections::BTreeMap;
    use tessera_tests::seatable_verifiers::{verify, Verifier};

    let api = LocalApi::start().await;
    let b = base(&api.state.store, "Hello").await;
    let ws = &b.base.workspace_id;
    let mut base_tokens = BTreeMap::new();
    let access_token = |body: Value| body["access_token"].as_str().unwrap().to_owned();

    let (_, body) = get(
        &api,
        &access_token_path(&b, "Hello"),
        Some(&b.writer.auth()),
    )
    .await;
    base_tokens.insert("user auth token".to_owned(), access_token(body));

    let api_tokens = format!("/api/v2.1/workspace/{ws}/dtable/Hello/api-tokens/");
    let (_, created) = api
        .post_json(
            &api_tokens,
            &b.owner.auth(),
            &json!({ "app_name": "etl", "permission": "rw" }),
        )
        .await;
    let api_token = created["api_token"].as_str().unwrap();
    let app_access = "/api/v2.1/dtable/app-access-token/";
    let (_, body) = get(&api, app_access, Some(&format!("Token {api_token}"))).await;
    base_tokens.insert("API token".to_owned(), access_token(body));

    let temp_path = format!("/api/v2.1/workspace/{ws}/dtable/Hello/temp-api-token/");
    let (_, body) = get(&api, &temp_path, Some(&b.reader.auth())).await;
    let temp_token = body["api_token"].as_str().unwrap().to_owned();
    let (_, body) = get(&api, app_access, Some(&format!("Token {temp_token}"))).await;
    base_tokens.insert("temp API token".to_owned(), access_token(body));

    let link = json!({ "workspace_id": ws, "table_name": "Hello" });
    let (_, link) = api
        .post_json("/api/v2.1/dtables/share-links/", &b.owner.auth(), &link)
        .await;
    let path = format!(
        "/api/v2.1/dtable/share-link-access-token/?token={}",
        link["token"].as_str().unwrap()
    );
    let (_, body) = get(&api, &path, None).await;
    base_tokens.insert("share link".to_owned(), access_token(body));

    let external = format!("/api/v2.1/workspace/{ws}/dtable/Hello/external-links/");
    let (_, link) = api
        .post_json(
            &external,
            &b.owner.auth(),
            &json!({ "permission": "read-write" }),
        )
        .await;
    let exchange = format!(
        "/api/v2.1/external-link-tokens/{}/access-token/",
        link["token"].as_str().unwrap()
    );
    let (_, body) = get(&api, &exchange, None).await;
    base_tokens.insert("external link".to_owned(), access_token(body));

    // The key the base servers hold: the secret's version that the tokens name.
    let (header, _) = verify_independently(&secret_id(&api), &base_tokens["share link"]).await;
    let key = secretsmanager_client()
        .await
        .get_secret_value()
        .secret_id(secret_id(&api))
        .version_id(header["kid"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .secret_string
        .unwrap();

    // Controls, so that a verifier that accepts anything fails this test: the claims
    // Tessera issued before (with `aud` and `iat`), signed with the same key.
    let issued_before = |claims: Value| {
        let encode = |value: Value| URL_SAFE_NO_PAD.encode(value.to_string());
        let input = format!(
            "{}.{}",
            encode(json!({ "alg": "HS256", "typ": "JWT", "kid": header["kid"] })),
            encode(claims)
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
        mac.update(input.as_bytes());
        format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        )
    };
    let exp = now() + 3600;
    let with_aud = issued_before(json!({ "exp": exp, "aud": "tessera:base-access-token" }));
    let with_iat = issued_before(json!({ "exp": exp, "iat": now() }));

    for clock_offset in [0, -60] {
        for verifier in Verifier::ALL {
            let mut tokens = base_tokens.clone();
            tokens.insert("a temp API token".to_owned(), temp_token.clone());
            let outcomes = verify(verifier, &key, clock_offset, &tokens);
            let context = format!("{verifier:?}, clock {clock_offset} s: {outcomes:?}");
            for name in base_tokens.keys() {
                let outcome = &outcomes[name];
                assert!(outcome.ok, "{name} refused; {context}");
                assert_eq!(outcome.claims["dtable_uuid"], json!(b.base.dtable_uuid));
                assert!(outcome.claims.get("aud").is_none() && outcome.claims.get("iat").is_none());
            }
            let temp = &outcomes["a temp API token"];
            assert!(
                !temp.ok,
                "a temp API token passed as a base access token; {context}"
            );
            assert!(
                temp.error
                    .as_deref()
                    .unwrap()
                    .to_lowercase()
                    .contains("signature"),
                "{context}"
            );
        }
        let controls = BTreeMap::from([
            ("aud".to_owned(), with_aud.clone()),
            ("iat".to_owned(), with_iat.clone()),
        ]);
        let outcomes = verify(Verifier::PyJwt, &key, clock_offset, &controls);
        assert!(outcomes["aud"]
            .error
            .as_deref()
            .unwrap()
            .starts_with("InvalidAudienceError"));
        assert_eq!(outcomes["iat"].ok, clock_offset == 0, "{outcomes:?}");
    }
    let claims = |name: &str| {
        verify(Verifier::PyJwt, &key, 0, &base_tokens)[name]
            .claims
            .clone()
    };
    assert_eq!(claims("API token")["app_name"], "etl");
    assert_eq!(claims("API token")["permission"], "rw");
    assert_eq!(claims("temp API token")["permission"], "r");
    assert_eq!(claims("share link")["permission"], "r");
    assert_eq!(claims("external link")["permission"], "rw");
    assert_eq!(claims("user auth token")["username"], json!(b.writer.name));
}

/// The seed's share links and SeaTable 4's external links are one kind of record: made
/// either way, a link works with both exchanges, is listed by both listings and is revoked
/// by either delete.
#[tokio::test]
async fn share_links_and_external_links_are_one_kind_of_record() {
    let api = LocalApi::start().await;
    let b = base(&api.state.store, "Hello").await;
    let ws = &b.base.workspace_id;
    let owner = b.owner.auth();
    let external = format!("/api/v2.1/workspace/{ws}/dtable/Hello/external-links/");
    let exchange_external =
        |token: &str| format!("/api/v2.1/external-link-tokens/{token}/access-token/");
    let exchange_seed =
        |token: &str| format!("/api/v2.1/dtable/share-link-access-token/?token={token}");
    let delete = |path: String| {
        let request = api
            .client
            .delete(api.url(&path))
            .header("Authorization", &owner);
        async move {
            let response = request.send().await.unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };
    let secret = secret_id(&api);
    let permission_of = |body: Value| {
        let secret = secret.clone();
        async move {
            let (_, claims) =
                verify_independently(&secret, body["access_token"].as_str().unwrap()).await;
            claims["permission"].as_str().unwrap().to_owned()
        }
    };

    let (status, seed) = api
        .post_json(
            "/api/v2.1/dtables/share-links/",
            &owner,
            &json!({ "workspace_id": ws.parse::<u64>().unwrap(), "table_name": "Hello", "permission": "rw" }),
        )
        .await;
    assert_eq!(status, 200, "{seed}");
    let seed_token = seed["token"].as_str().unwrap().to_owned();
    let (status, custom) = api
        .post_json(
            &external,
            &owner,
            &json!({ "token": "team-dashboard-2026", "permission": "read-write" }),
        )
        .await;
    assert_eq!(status, 200, "{custom}");

    // Both listings show both links.
    let (_, listed) = get(&api, &external, Some(&owner)).await;
    let mut ids: Vec<&str> = listed["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    let mut expected = [seed["id"].as_str().unwrap(), custom["id"].as_str().unwrap()];
    expected.sort_unstable();
    assert_eq!(ids, expected);
    let (_, mine) = get(&api, "/api/v2.1/dtables/share-links/", Some(&owner)).await;
    assert_eq!(
        mine["share_link_list"].as_array().unwrap().len(),
        2,
        "{mine}"
    );

    // Both exchanges take both links: the seed's always reads, the external one grants
    // what the link says.
    for token in [seed_token.as_str(), "team-dashboard-2026"] {
        let (status, body) = get(&api, &exchange_seed(token), None).await;
        assert_eq!(status, 200, "{token}: {body}");
        assert_eq!(permission_of(body).await, "r");
        let (status, body) = get(&api, &exchange_external(token), None).await;
        assert_eq!(status, 200, "{token}: {body}");
        assert_eq!(permission_of(body).await, "rw");
    }

    // Either delete revokes either link, at once.
    assert_eq!(
        delete("/api/v2.1/dtables/share-links/team-dashboard-2026/".into()).await,
        (200, json!({ "success": true }))
    );
    assert_eq!(
        get(&api, &exchange_external("team-dashboard-2026"), None).await,
        (
            404,
            json!({ "error_msg": "Token team-dashboard-2026 not found" })
        )
    );
    assert_eq!(
        delete(format!("{external}{}/", seed["id"].as_str().unwrap())).await,
        (200, json!({ "success": true }))
    );
    assert_eq!(
        get(&api, &exchange_seed(&seed_token), None).await,
        (403, json!({ "error_msg": "Permission denied." }))
    );
    assert_eq!(
        get(&api, &external, Some(&owner)).await,
        (200, json!({ "links": [] }))
    );
    // A revoked custom name stays taken while its tombstone lives.
    let (status, taken) = api
        .post_json(
            &external,
            &owner,
            &json!({ "token": "team-dashboard-2026" }),
        )
        .await;
    assert_eq!(
        (status, taken),
        (
            400,
            json!({ "error_msg": "This URL already exists, please try another URL" })
        )
    );
}
