use lambda_http::Request;
use serde_json::json;
use tessera_admin::apigw::HttpApiRequest;
use tessera_common::{
    store::records::Role,
    token::{NewToken, TokenKind},
};
use tessera_test_support::{
    basic_auth_for, body_json, broken_state, fresh_state, keys, seed_access_token, workspace,
};

use super::*;

fn list_request(auth: Option<&str>) -> Request {
    let req = HttpApiRequest::new("GET", "/accessTokens", "/accessTokens").authorization(auth);
    req.to_lambda_request()
}

#[tokio::test]
async fn lists_the_workspace_tokens_as_a_bare_array_without_secrets() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::ReadOnly).await; // listing needs no admin
    let first = seed_access_token(&state, &ws.id, &ws.user_id, "Access Token 1", "").await;
    let second = seed_access_token(&state, &ws.id, &ws.user_id, "Access Token 2", "number 2").await;

    let response = handle(&state, list_request(Some(&ws.basic_auth()))).await;
    assert_eq!(response.status(), 200);
    let text = std::str::from_utf8(response.body().as_ref())
        .unwrap()
        .to_owned();
    assert!(
        !text.contains(&first) && !text.contains(&second),
        "a token leaked: {text}"
    );
    assert!(!text.contains("digest"));

    let listed = body_json(&response);
    let entries = listed.as_array().expect("a bare array");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["name"], "Access Token 1");
    assert_eq!(entries[0]["description"], "");
    assert_eq!(entries[0]["userId"], json!(ws.user_id));
    assert_eq!(entries[1]["name"], "Access Token 2");
    assert_eq!(entries[1]["description"], "number 2");
    for entry in entries {
        let keys: Vec<&str> = keys(entry);
        assert_eq!(
            keys,
            [
                "id",
                "name",
                "description",
                "userId",
                "createdAt",
                "expiresAt",
                "scopes",
                "lastUsedAt",
                "enabled",
                "ratelimit",
                "credits",
                "meta",
                "externalId"
            ]
        );
    }
}

#[tokio::test]
async fn an_empty_workspace_lists_an_empty_array() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let response = handle(&state, list_request(Some(&ws.basic_auth()))).await;
    assert_eq!(response.status(), 200);
    assert_eq!(body_json(&response), json!([]));
}

#[tokio::test]
async fn lists_past_dynamodb_page_boundaries() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    // 400 items of over 3 KB each are more than 1.2 MB: a Query returns at most 1 MB a page.
    let description = "d".repeat(3000);
    for i in 0..400 {
        seed_access_token(
            &state,
            &ws.id,
            &ws.user_id,
            &format!("token-{i:04}"),
            &description,
        )
        .await;
    }
    let response = handle(&state, list_request(Some(&ws.basic_auth()))).await;
    assert_eq!(body_json(&response).as_array().unwrap().len(), 400);
}

#[tokio::test]
async fn another_workspace_tokens_are_not_listed() {
    let state = fresh_state().await;
    let mine = workspace(&state.store, Role::Admin).await;
    let theirs = workspace(&state.store, Role::Admin).await;
    seed_access_token(&state, &theirs.id, &theirs.user_id, "theirs", "").await;
    let response = handle(&state, list_request(Some(&mine.basic_auth()))).await;
    assert_eq!(body_json(&response), json!([]));
}

#[tokio::test]
async fn missing_or_invalid_credentials_are_401() {
    let state = fresh_state().await;
    let unknown = basic_auth_for(NewToken::generate(TokenKind::WorkspaceToken).expose());
    for auth in [None, Some("Basic"), Some(unknown.as_str())] {
        let response = handle(&state, list_request(auth)).await;
        assert_eq!(response.status(), 401, "{auth:?}");
        assert_eq!(body_json(&response)["success"], false);
    }
}

#[tokio::test]
async fn a_store_fault_is_an_opaque_500() {
    let state = broken_state().await;
    let auth = basic_auth_for(NewToken::generate(TokenKind::WorkspaceToken).expose());
    let response = handle(&state, list_request(Some(&auth))).await;
    assert_eq!(response.status(), 500);
    assert_eq!(
        body_json(&response),
        json!({ "success": false, "error": "internal error" })
    );
}

#[tokio::test]
async fn external_id_keeps_one_owners_tokens_and_the_usage_fields_show() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    for (name, owner) in [("a", Some("user_1")), ("b", Some("user_2")), ("c", None)] {
        let (record, _) = tessera_test_support::access_token(&state, &ws, name, &[], None).await;
        let changed = tessera_common::store::records::AccessToken {
            external_id: owner.map(str::to_owned),
            credits_remaining: Some(3),
            ..record.clone()
        };
        state
            .store
            .update_access_token(
                &record,
                &changed,
                "test".into(),
                &tessera_common::audit::Auditor::operator(state.clock.clone()),
            )
            .await
            .unwrap();
    }
    let req = tessera_admin::apigw::HttpApiRequest::new("GET", "/accessTokens", "/accessTokens")
        .query("externalId=user_2")
        .authorization(Some(&ws.basic_auth()))
        .to_lambda_request();
    let listed = body_json(&handle(&state, req).await);
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["b"]);
    assert_eq!(listed[0]["externalId"], "user_2");
    assert_eq!(listed[0]["enabled"], true);
    assert_eq!(
        listed[0]["credits"],
        json!({"remaining": 3, "refill": null})
    );
    let all = body_json(&handle(&state, list_request(Some(&ws.basic_auth()))).await);
    assert_eq!(all.as_array().unwrap().len(), 3);
}

/// What the Lambda runtime returns for `response`: API Gateway's payload v2 response, as
/// lambda_http serializes it. Lambda refuses a response past 6 MB.
fn lambda_payload_len(response: &lambda_http::Response<lambda_http::Body>) -> usize {
    let mut payload = lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpResponse::default();
    payload.status_code = i64::from(response.status().as_u16());
    payload.headers = response.headers().clone();
    payload.body = Some(response.body().clone());
    serde_json::to_vec(&payload).unwrap().len()
}

/// Issue 26, item 5: a workspace at the quota with every field of every token at its bound
/// (control characters, quotes and 4-byte characters, which escaping makes largest) was
/// about 14 MB in one response; now the request without parameters answers the seed's bare
/// array within Lambda's 6 MB, with a Link to the rest, and following the links lists every
/// token once.
#[tokio::test]
async fn the_worst_case_workspace_lists_within_lambda_responses_and_every_token_once() {
    use tessera_rudderstack::{access_token_fields as fields, usage_fields};
    const LAMBDA_LIMIT: usize = 6 * 1024 * 1024;
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let quota = state.quotas.access_tokens_per_workspace as usize;
    // Each at its bound, through the checks POST /accessTokens makes.
    let description = fields::description("\u{1}".repeat(fields::MAX_DESCRIPTION_CHARS)).unwrap();
    let scopes = fields::scopes(
        (0..tessera_common::limits::MAX_SCOPES)
            .map(|i| format!("{i:0>64}"))
            .collect(),
    )
    .unwrap();
    let external_id =
        usage_fields::parse_external_id(&json!("\"".repeat(usage_fields::MAX_EXTERNAL_ID_CHARS)))
            .unwrap();
    let meta = usage_fields::parse_meta(
        &json!({ "k": "\"".repeat(usage_fields::MAX_META_BYTES / 2 - 5) }),
    )
    .unwrap();
    let now = state.clock.now_secs();
    let template = tessera_common::store::records::AccessToken {
        description,
        scopes,
        external_id: Some(external_id),
        meta: Some(meta),
        expires: Some(now + 86_400),
        last_used_at: Some(now),
        ratelimit: Some(tessera_common::usage::RateLimit {
            limit: tessera_common::usage::MAX_CREDITS,
            duration_secs: 86_400,
        }),
        credits_remaining: Some(tessera_common::usage::MAX_CREDITS),
        credits_refill: Some(tessera_common::usage::Refill {
            interval: tessera_common::usage::Interval::Monthly,
            amount: tessera_common::usage::MAX_CREDITS,
            refill_day: Some(31),
        }),
        credits_period: Some(1),
        ..tessera_common::store::records::AccessToken::new(
            String::new(),
            ws.id.clone(),
            String::new(),
            String::new(),
            ws.user_id.clone(),
            tessera_common::token::TokenDigest::of(""),
            state.clock.now_rfc3339(),
        )
    };
    let auditor = tessera_common::audit::Auditor::operator(state.clock.clone());
    for chunk in (0..quota).collect::<Vec<_>>().chunks(16) {
        let creations = chunk.iter().map(|i| {
            let token = NewToken::generate(TokenKind::AccessToken);
            let record = tessera_common::store::records::AccessToken {
                id: tessera_common::token::new_id(),
                name: fields::name(format!("{i:04}{}", "\u{1D11E}".repeat(96))).unwrap(),
                digest: token.digest().clone(),
                ..template.clone()
            };
            let (state, auditor) = (&state, &auditor);
            async move {
                state
                    .store
                    .create_access_token(&record, quota as u32, auditor)
                    .await
                    .unwrap()
            }
        });
        futures::future::join_all(creations).await;
    }

    let mut seen = std::collections::BTreeSet::new();
    let mut query = String::new();
    let mut pages = 0;
    loop {
        let req = HttpApiRequest::new("GET", "/accessTokens", "/accessTokens")
            .query(&query)
            .authorization(Some(&ws.basic_auth()))
            .to_lambda_request();
        let response = handle(&state, req).await;
        assert_eq!(response.status(), 200);
        let size = lambda_payload_len(&response);
        assert!(size < LAMBDA_LIMIT, "page {pages} is {size} bytes");
        pages += 1;
        for entry in body_json(&response)
            .as_array()
            .expect("the seed's bare array")
        {
            assert!(
                seen.insert(entry["id"].as_str().unwrap().to_owned()),
                "listed twice"
            );
        }
        let Some(link) = response.headers().get("link") else {
            break;
        };
        let link = link.to_str().unwrap();
        query = link
            .strip_prefix("<?")
            .and_then(|rest| rest.strip_suffix(">; rel=\"next\""))
            .unwrap_or_else(|| panic!("a relative next link: {link}"))
            .to_owned();
    }
    assert_eq!(seen.len(), quota, "every token once, in {pages} pages");
    assert!(pages > 1, "the worst case does not fit one response");
}
