use std::time::Duration;

use tessera_admin::apigw::HttpApiRequest;
use tessera_common::{
    clock::Clock,
    store::records::Role,
    token::{NewToken, TokenKind},
};
use tessera_test_support::{
    access_token, basic_auth_for, broken_state, fresh_state, workspace, ManualClock,
};

use super::*;

fn request(authorization: Option<&str>) -> AuthorizerRequest {
    let identity = authorization.map(str::to_owned).into_iter().collect();
    HttpApiRequest::new("GET", "/whoami", "/whoami")
        .authorization(authorization)
        .to_authorizer_request(identity)
}

async fn allowed(state: &AppState, authorization: Option<&str>) -> bool {
    authorize(state, request(authorization))
        .await
        .expect("no fault")
        .is_authorized
}

#[tokio::test]
async fn a_live_token_is_allowed_as_bearer_or_basic_with_its_context() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (record, token) =
        access_token(&state, &ws, "ci", &["read:events", "write:events"], None).await;
    for authorization in [
        format!("Bearer {}", token.expose()),
        basic_auth_for(token.expose()),
    ] {
        let answer = authorize(&state, request(Some(&authorization)))
            .await
            .unwrap();
        assert!(answer.is_authorized, "{authorization}");
        assert_eq!(
            serde_json::Value::Object(answer.context),
            serde_json::json!({
                "workspaceId": ws.id.parse::<u64>().unwrap(),
                "tokenId": record.id,
                "tokenName": "ci",
                "scopes": "read:events write:events",
            })
        );
    }
}

#[tokio::test]
async fn anything_but_a_well_formed_access_token_is_denied_without_a_lookup() {
    // Every lookup of the broken state fails: a deny here was decided before one.
    let state = broken_state().await;
    let access = NewToken::generate(TokenKind::AccessToken);
    let mut tampered = access.expose().to_owned();
    tampered.replace_range(5..6, if &tampered[5..6] == "a" { "b" } else { "a" });
    let workspace_token = NewToken::generate(TokenKind::WorkspaceToken);
    for authorization in [
        None,
        Some("".to_owned()),
        Some("Bearer".to_owned()),
        Some("Bearer garbage".to_owned()),
        Some(format!("Bearer {tampered}")),
        Some(format!("Token {}", access.expose())),
        Some(format!("Bearer {}", workspace_token.expose())),
        Some(basic_auth_for(workspace_token.expose())),
    ] {
        let answer = authorize(&state, request(authorization.as_deref())).await;
        assert!(
            matches!(
                answer,
                Ok(AuthorizerResponse {
                    is_authorized: false,
                    ..
                })
            ),
            "{authorization:?}: {answer:?}"
        );
    }
    // A well-formed access token needs the lookup, which fails: an error, never a deny
    // (API Gateway would cache a deny).
    assert!(authorize(
        &state,
        request(Some(&format!("Bearer {}", access.expose())))
    )
    .await
    .is_err());
}

#[tokio::test]
async fn unknown_revoked_and_expired_tokens_are_denied() {
    let clock = ManualClock::new();
    let state = AppState {
        clock: clock.shared(),
        ..fresh_state().await
    };
    let ws = workspace(&state.store, Role::Admin).await;
    let unknown = NewToken::generate(TokenKind::AccessToken);
    assert!(!allowed(&state, Some(&format!("Bearer {}", unknown.expose()))).await);

    let (record, revoked) = access_token(&state, &ws, "gone", &[], None).await;
    let bearer = format!("Bearer {}", revoked.expose());
    assert!(allowed(&state, Some(&bearer)).await);
    state
        .store
        .delete_access_token(
            &record,
            &tessera_common::audit::Auditor::operator(state.clock.clone()),
        )
        .await
        .unwrap();
    assert!(!allowed(&state, Some(&bearer)).await);

    let expires = clock.now_secs() + 60;
    let (_, expiring) = access_token(&state, &ws, "short", &[], Some(expires)).await;
    let bearer = format!("Bearer {}", expiring.expose());
    assert!(allowed(&state, Some(&bearer)).await);
    clock.advance(Duration::from_secs(60));
    assert!(
        !allowed(&state, Some(&bearer)).await,
        "refused at expiry, not at TTL time"
    );
}

#[tokio::test]
async fn a_metered_token_spends_one_use_per_call_and_is_denied_over_its_limits() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let (record, token) = access_token(&state, &ws, "metered", &[], None).await;
    let metered = tessera_common::store::records::AccessToken {
        ratelimit: Some(tessera_common::usage::RateLimit {
            limit: 2,
            duration_secs: 3600,
        }),
        credits_remaining: Some(5),
        external_id: Some("user_7".into()),
        ..record.clone()
    };
    state
        .store
        .update_access_token(&record, &metered, "test".into(), &test_auditor(&state))
        .await
        .unwrap();
    let bearer = format!("Bearer {}", token.expose());
    let first = authorize(&state, request(Some(&bearer))).await.unwrap();
    assert!(first.is_authorized);
    assert_eq!(first.context["externalId"], "user_7");
    assert_eq!(first.context["ratelimitRemaining"], 1);
    assert_eq!(first.context["creditsRemaining"], 4);
    assert!(allowed(&state, Some(&bearer)).await);
    assert!(
        !allowed(&state, Some(&bearer)).await,
        "the third use in the hour"
    );
    let stored = &state.store.access_tokens(&ws.id).await.unwrap()[0];
    assert_eq!(
        stored.credits_remaining,
        Some(3),
        "the denied use spent nothing"
    );

    let disabled = tessera_common::store::records::AccessToken {
        disabled: true,
        ..stored.clone()
    };
    state
        .store
        .update_access_token(stored, &disabled, "test".into(), &test_auditor(&state))
        .await
        .unwrap();
    let (_, other) = access_token(&state, &ws, "other", &[], None).await;
    assert!(allowed(&state, Some(&format!("Bearer {}", other.expose()))).await);
    let disabled_one = authorize(&state, request(Some(&bearer))).await.unwrap();
    assert!(!disabled_one.is_authorized);
}

fn test_auditor(state: &AppState) -> tessera_common::audit::Auditor {
    tessera_common::audit::Auditor::operator(state.clock.clone())
}
