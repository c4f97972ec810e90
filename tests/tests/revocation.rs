//! Every token can be revoked: users' auth tokens rotate, users can be disabled (and
//! enabled again), workspace tokens rotate and are revoked; each in one transaction with
//! its record, effective at once. These are what `tessera-admin` runs.

use tessera_admin::{
    seatable_admin::{self, UserError},
    store::WorkspaceStore,
    workspace_admin::{self, AdminError},
};
use tessera_common::{store::records::Role, AppState};
use tessera_test_support::{base, basic_auth_for, fresh_state, route_request, workspace};
use tessera_tests::call;

const ACCESS_TOKEN: &str = "/api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/access-token/";

async fn exchange(state: &AppState, workspace_id: &str, auth_token: &str) -> u16 {
    let request = route_request(
        "GET",
        ACCESS_TOKEN,
        &[("workspace_id", workspace_id), ("dtable_name", "Hello")],
    )
    .authorization(Some(&format!("Token {auth_token}")));
    call(state, "base-access-token", request).await.status
}

async fn list(state: &AppState, workspace_token: &str) -> u16 {
    let request = route_request("GET", "/accessTokens", &[])
        .authorization(Some(&basic_auth_for(workspace_token)));
    call(state, "list-access-tokens", request).await.status
}

#[tokio::test]
async fn a_rotated_user_token_stops_at_once_and_the_new_one_works() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let ws = &b.base.workspace_id;
    assert_eq!(exchange(&state, ws, &b.reader.token).await, 200);
    let (user, new) = seatable_admin::rotate_user_token(&state.store, &b.reader.id)
        .await
        .unwrap();
    assert_eq!(user.id, b.reader.id);
    assert_eq!(exchange(&state, ws, &b.reader.token).await, 401);
    assert_eq!(exchange(&state, ws, new.expose()).await, 200);
}

#[tokio::test]
async fn a_disabled_user_is_refused_at_once_and_can_be_enabled_with_a_new_token() {
    let state = fresh_state().await;
    let b = base(&state.store, "Hello").await;
    let ws = &b.base.workspace_id;
    seatable_admin::disable_user(&state.store, &b.writer.id)
        .await
        .unwrap();
    assert_eq!(exchange(&state, ws, &b.writer.token).await, 401);
    // Disabling twice is harmless; a disabled user's token cannot be rotated back to life.
    assert!(seatable_admin::disable_user(&state.store, &b.writer.id)
        .await
        .is_ok());
    assert!(matches!(
        seatable_admin::rotate_user_token(&state.store, &b.writer.id).await,
        Err(UserError::Disabled(_))
    ));
    let (_, token) = seatable_admin::enable_user(&state.store, &b.writer.id)
        .await
        .unwrap();
    assert_eq!(
        exchange(&state, ws, &b.writer.token).await,
        401,
        "the old token stays dead"
    );
    assert_eq!(exchange(&state, ws, token.expose()).await, 200);
    // The username stays reserved while the user exists, disabled or not.
    assert!(matches!(
        seatable_admin::create_user(&state.store, &b.writer.name).await,
        Err(UserError::NameTaken(_))
    ));
}

#[tokio::test]
async fn unknown_users_are_reported() {
    let state = fresh_state().await;
    for result in [
        seatable_admin::disable_user(&state.store, "nobody")
            .await
            .map(|_| ()),
        seatable_admin::rotate_user_token(&state.store, "nobody")
            .await
            .map(|_| ()),
        seatable_admin::enable_user(&state.store, "nobody")
            .await
            .map(|_| ()),
    ] {
        assert!(
            matches!(result, Err(UserError::NoSuchUser(_))),
            "{result:?}"
        );
    }
}

#[tokio::test]
async fn a_revoked_workspace_token_stops_at_once_and_leaves_the_list() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let second =
        workspace_admin::issue_workspace_token(&state.store, &ws.id, &ws.user_id, Role::ReadOnly)
            .await
            .unwrap();
    assert_eq!(list(&state, second.token.expose()).await, 200);
    let tokens = state.store.workspace_tokens(&ws.id).await.unwrap();
    assert_eq!(tokens.len(), 2);

    workspace_admin::revoke_workspace_token(&state.store, &ws.id, &second.record.id)
        .await
        .unwrap();
    assert_eq!(list(&state, second.token.expose()).await, 401);
    assert_eq!(
        list(&state, &ws.token).await,
        200,
        "the other token still works"
    );
    let left: Vec<String> = state
        .store
        .workspace_tokens(&ws.id)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert!(!left.contains(&second.record.id));
    assert!(matches!(
        workspace_admin::revoke_workspace_token(&state.store, &ws.id, &second.record.id).await,
        Err(AdminError::NoSuchToken { .. })
    ));
}

#[tokio::test]
async fn a_revoke_racing_a_rotation_never_leaves_a_live_unlisted_token() {
    let state = fresh_state().await;
    let ws = workspace(&state.store, Role::Admin).await;
    let token_id = state.store.workspace_tokens(&ws.id).await.unwrap()[0]
        .id
        .clone();
    let (rotated, revoked) = tokio::join!(
        workspace_admin::rotate_workspace_token(&state.store, &ws.id, &token_id),
        workspace_admin::revoke_workspace_token(&state.store, &ws.id, &token_id),
    );
    let listed = state.store.workspace_tokens(&ws.id).await.unwrap();
    match (rotated, revoked) {
        (Ok(new), Err(_)) => {
            assert_eq!(list(&state, new.token.expose()).await, 200);
            assert_eq!(listed.len(), 1);
        }
        (Err(_), Ok(_)) => assert!(listed.is_empty()),
        // Both may succeed one after the other: then the rotated token is revoked too.
        (Ok(new), Ok(_)) => {
            assert_eq!(list(&state, new.token.expose()).await, 401);
            assert!(listed.is_empty());
        }
        (Err(a), Err(b)) => panic!("both failed: {a}; {b}"),
    }
    assert_eq!(
        list(&state, &ws.token).await,
        401,
        "the original token is dead"
    );
}
