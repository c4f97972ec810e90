use std::time::Duration;

use serde_json::{json, Value};
use tessera_admin::{apigw::HttpApiRequest, fixtures};
use tessera_common::{
    clock::Clock,
    store::records::Role,
    token::{NewToken, TokenKind},
};
use tessera_test_support::{
    access_token, base, fixture_state, fresh_state, status_and_json, workspace, ManualClock,
    TestWorkspace,
};

use super::*;

async fn call(state: &AppState, auth: Option<&str>, body: &str) -> (u16, Value) {
    let req = HttpApiRequest::new("POST", "/introspect", "/introspect")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .authorization(auth);
    status_and_json(&handle(state, req.to_lambda_request()).await)
}

async fn introspect(state: &AppState, ws: &TestWorkspace, token: &str) -> Value {
    let (status, body) = call(state, Some(&ws.basic_auth()), &format!("token={token}")).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn a_live_access_token_of_the_callers_workspace_is_active_with_its_details() {
    let clock = ManualClock::new();
    let state = AppState {
        clock: clock.shared(),
        ..fresh_state().await
    };
    let ws = workspace(&state.store, Role::ReadOnly).await; // introspection needs no admin
    let exp = clock.now_secs() + 3600;
    let (record, token) = access_token(&state, &ws, "ci", &["read", "write"], Some(exp)).await;
    let answer = introspect(&state, &ws, token.expose()).await;
    let iat = answer["iat"].as_u64().unwrap();
    assert!(iat <= clock.now_secs() && iat + 5 >= clock.now_secs());
    assert_eq!(
        answer,
        json!({
            "active": true,
            "token_type": "Bearer",
            "token_kind": "access_token",
            "workspace_id": ws.id.parse::<u64>().unwrap(),
            "token_id": record.id,
            "name": "ci",
            "scope": "read write",
            "iat": iat,
            "exp": exp,
        })
    );
    clock.advance(Duration::from_secs(3600));
    assert_eq!(
        introspect(&state, &ws, token.expose()).await,
        json!({ "active": false })
    );
}

#[tokio::test]
async fn anything_else_is_exactly_inactive_and_leaks_nothing() {
    let state = fixture_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let other = workspace(&state.store, Role::Admin).await;
    let (_, theirs) = access_token(&state, &other, "theirs", &["admin"], None).await;
    let (revoked_record, revoked) = access_token(&state, &ws, "gone", &[], None).await;
    state
        .store
        .delete_access_token(
            &revoked_record,
            &tessera_common::audit::Auditor::operator(state.clock.clone()),
        )
        .await
        .unwrap();
    let fixture = fixtures::tokens();
    let unknown = NewToken::generate(TokenKind::AccessToken);
    for token in [
        theirs.expose().to_owned(),
        revoked.expose().to_owned(),
        unknown.expose().to_owned(),
        "garbage".to_owned(),
        "x".repeat(5000),
        ws.token.clone(), // a workspace token is not an access token
        fixture.user_auth.expose().to_owned(), // nor a user's auth token
        fixture.access.expose().to_owned(), // another workspace's (the fixture's)
        "eyJhbGciOiJIUzI1NiJ9.e30.c2ln".to_owned(), // a JWT that is not ours
    ] {
        assert_eq!(
            introspect(&state, &ws, &token).await,
            json!({ "active": false }),
            "{}",
            &token[..token.len().min(12)]
        );
    }
}

#[tokio::test]
async fn base_access_tokens_are_active_for_their_workspace_only() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let route = "/api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/access-token/";
    let req = HttpApiRequest::new("GET", route, "/x")
        .path_parameter("workspace_id", &b.base.workspace_id)
        .path_parameter("dtable_name", "Hello")
        .authorization(Some(&b.reader.auth()));
    let response = base_access_token::handle(&state, req.to_lambda_request()).await;
    let (_, body) = status_and_json(&response);
    let jwt = body["access_token"].as_str().unwrap();

    // A workspace token of the base's workspace.
    let owner = tessera_admin::workspace_admin::issue_workspace_token(
        &state.store,
        &b.base.workspace_id,
        "ops",
        Role::ReadOnly,
    )
    .await
    .unwrap();
    let mine = TestWorkspace {
        id: b.base.workspace_id.clone(),
        user_id: "ops".into(),
        token: owner.token.expose().to_owned(),
    };
    let answer = introspect(&state, &mine, jwt).await;
    assert_eq!(answer["active"], true, "{answer}");
    assert_eq!(answer["token_type"], "Bearer");
    assert_eq!(answer["token_kind"], "base_access_token");
    assert_eq!(answer["dtable_uuid"], json!(b.base.dtable_uuid));
    assert_eq!(answer["username"], json!(b.reader.name));
    assert_eq!(answer["scope"], "r");
    let stranger = workspace(&state.store, Role::Admin).await;
    assert_eq!(
        introspect(&state, &stranger, jwt).await,
        json!({ "active": false })
    );
}

#[tokio::test]
async fn callers_and_bodies_are_checked() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    assert_eq!(call(&state, None, "token=x").await.0, 401);
    for body in ["", "token=", "other=1"] {
        let (status, answer) = call(&state, Some(&ws.basic_auth()), body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["error"], "invalid_request", "OAuth's error shape");
    }
}

/// RFC 7662 / 6749 details: a repeated parameter is a 400, the media type is matched
/// without regard to case, errors are OAuth's, and a 401 names the scheme.
#[tokio::test]
async fn the_protocol_details_are_oauths() {
    let state = fixture_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (_, token) = access_token(&state, &ws, "ci", &[], None).await;
    let form = format!("token={}", token.expose());
    let twice = format!("{form}&{form}");
    let (status, answer) = call(&state, Some(&ws.basic_auth()), &twice).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"], "invalid_request");
    assert!(answer["error_description"]
        .as_str()
        .unwrap()
        .contains("token"));

    let req = HttpApiRequest::new("POST", "/introspect", "/introspect")
        .header(
            "content-type",
            "Application/X-WWW-Form-Urlencoded; Charset=UTF-8",
        )
        .body(form.clone())
        .authorization(Some(&ws.basic_auth()));
    let (status, answer) = status_and_json(&handle(&state, req.to_lambda_request()).await);
    assert_eq!((status, &answer["active"]), (200, &json!(true)), "{answer}");

    let req = HttpApiRequest::new("POST", "/introspect", "/introspect")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form);
    let response = handle(&state, req.to_lambda_request()).await;
    assert!(response.headers().contains_key("www-authenticate"));
    assert_eq!(
        status_and_json(&response),
        (401, json!({ "error": "invalid_client" }))
    );
}

/// Issue 16, item 4: revocations that offline verifiers cannot see are seen here. A base
/// access token stops being active when its user is disabled (and stays so once they are
/// enabled again), or when its API token is deleted (even if one of the same name is made
/// again); tokens of share links name no user to look up.
#[tokio::test]
async fn base_access_tokens_stop_when_what_issued_them_is_revoked() {
    use tessera_admin::seatable_admin;
    use tessera_common::{audit::Auditor, store::records::TokenPermission};
    use tessera_jwt::{base_token, JwtKind};
    use tessera_seatable::tokens as seatable_tokens;
    let clock = ManualClock::new();
    let state = AppState {
        clock: clock.shared(),
        ..fresh_state().await
    };
    let b = base(&state.store, "Hello").await;
    let issued = tessera_admin::workspace_admin::issue_workspace_token(
        &state.store,
        &b.base.workspace_id,
        "ops",
        Role::ReadOnly,
    )
    .await
    .unwrap();
    let ws = TestWorkspace {
        id: b.base.workspace_id.clone(),
        user_id: "ops".into(),
        token: issued.token.expose().to_owned(),
    };
    let mint = |username: String, app_name: Option<&'static str>| {
        let state = &state;
        let workspace_id = b.base.workspace_id.clone();
        let dtable_uuid = b.base.dtable_uuid.clone();
        async move {
            let mut claims = base_token::claims(
                state,
                JwtKind::BaseAccessToken,
                &dtable_uuid,
                &username,
                TokenPermission::R,
                state.seatable.access_token_ttl,
            );
            claims.app_name = app_name.map(str::to_owned);
            claims.workspace_id = Some(workspace_id);
            base_token::sign(state, JwtKind::BaseAccessToken, &claims)
                .await
                .unwrap()
        }
    };
    let active = |token: String| {
        let (state, ws) = (&state, &ws);
        async move { introspect(state, ws, &token).await["active"] == json!(true) }
    };
    let hour = Duration::from_secs(3600);

    let user_token = mint(b.reader.name.clone(), None).await;
    assert!(active(user_token.clone()).await);
    seatable_admin::disable_user(&state.store, &b.reader.id)
        .await
        .unwrap();
    assert!(!active(user_token.clone()).await, "disabled");
    seatable_admin::enable_user(&state.store, &b.reader.id)
        .await
        .unwrap();
    assert!(
        !active(user_token.clone()).await,
        "issued before the disable"
    );
    clock.advance(hour);
    assert!(
        active(mint(b.reader.name.clone(), None).await).await,
        "issued after"
    );

    let auditor = Auditor::operator(state.clock.clone());
    let create = || {
        seatable_tokens::create_api_token(
            &state.store,
            &auditor,
            &b.base,
            "etl",
            TokenPermission::R,
            "owner",
            100,
        )
    };
    let (record, _) = create().await.unwrap();
    clock.advance(hour);
    let api_token = mint(b.owner.name.clone(), Some("etl")).await;
    assert!(active(api_token.clone()).await);
    state
        .store
        .delete_api_token(&record, &auditor)
        .await
        .unwrap();
    assert!(!active(api_token.clone()).await, "its API token is gone");
    clock.advance(hour);
    create().await.unwrap();
    assert!(!active(api_token).await, "another token of the same name");

    assert!(active(mint("share-link:x".into(), None).await).await);
}
