//! The store and the operator actions against DynamoDB Local, a fresh table per test.

use tessera_admin::{
    seatable_admin::operator,
    store::WorkspaceStore,
    workspace_admin::{self, AdminError},
};
use tessera_common::{
    store::records::Role,
    token::{NewToken, PresentedToken, TokenKind},
    verify::verify_access_token,
    StoreError,
};
use tessera_test_support::{broken_state, fresh_state};

async fn workspace_token_works(store: &tessera_common::Store, token: &str) -> bool {
    let presented = PresentedToken::parse(token).unwrap();
    store.lookup(presented.digest()).await.unwrap().is_some()
}

#[tokio::test]
async fn workspaces_are_listed_from_the_index() {
    let state = fresh_state().await;
    let (a, _) = workspace_admin::create_workspace(&state.store, "a", None)
        .await
        .unwrap();
    let (b, _) = workspace_admin::create_workspace(&state.store, "b", Some("user-1"))
        .await
        .unwrap();
    let listed = state.store.workspaces().await.unwrap();
    let mut ids: Vec<_> = listed.iter().map(|w| w.id.clone()).collect();
    ids.sort();
    let mut expected = vec![a.id.clone(), b.id.clone()];
    expected.sort();
    assert_eq!(ids, expected);
    assert_eq!(
        state.store.workspace(&b.id).await.unwrap().unwrap().name,
        "b"
    );
    assert_eq!(state.store.workspace("nope").await.unwrap(), None);
}

#[tokio::test]
async fn rotation_replaces_the_secret_at_once() {
    let state = fresh_state().await;
    let (ws, first) = workspace_admin::create_workspace(&state.store, "w", None)
        .await
        .unwrap();
    let old = first.token.expose().to_owned();
    assert!(workspace_token_works(&state.store, &old).await);

    let rotated = workspace_admin::rotate_workspace_token(&state.store, &ws.id, &first.record.id)
        .await
        .unwrap();
    assert!(
        !workspace_token_works(&state.store, &old).await,
        "old token still works"
    );
    assert!(workspace_token_works(&state.store, rotated.token.expose()).await);
    assert_eq!(rotated.record.id, first.record.id);
    assert_eq!(rotated.record.role, Role::Admin);
}

#[tokio::test]
async fn a_rotation_racing_another_is_a_conflict() {
    let state = fresh_state().await;
    let (_, first) = workspace_admin::create_workspace(&state.store, "w", None)
        .await
        .unwrap();
    let stale = first.record.clone();
    let winner = NewToken::generate(TokenKind::WorkspaceToken);
    state
        .store
        .rotate_workspace_token(&stale, winner.digest(), &operator())
        .await
        .unwrap();
    // A second writer still holding the old record must not overwrite the winner.
    let loser = NewToken::generate(TokenKind::WorkspaceToken);
    let result = state
        .store
        .rotate_workspace_token(&stale, loser.digest(), &operator())
        .await;
    assert!(matches!(result, Err(StoreError::Conflict)), "{result:?}");
    assert!(workspace_token_works(&state.store, winner.expose()).await);
    assert!(!workspace_token_works(&state.store, loser.expose()).await);
}

#[tokio::test]
async fn rotating_an_unknown_token_says_so() {
    let state = fresh_state().await;
    let (ws, _) = workspace_admin::create_workspace(&state.store, "w", None)
        .await
        .unwrap();
    let result = workspace_admin::rotate_workspace_token(&state.store, &ws.id, "nope").await;
    assert!(
        matches!(result, Err(AdminError::NoSuchToken { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn tokens_are_issued_only_for_existing_workspaces() {
    let state = fresh_state().await;
    let (ws, owner) = workspace_admin::create_workspace(&state.store, "w", None)
        .await
        .unwrap();
    let read_only = workspace_admin::issue_workspace_token(
        &state.store,
        &ws.id,
        &owner.record.user_id,
        Role::ReadOnly,
    )
    .await
    .unwrap();
    assert_eq!(state.store.workspace_tokens(&ws.id).await.unwrap().len(), 2);
    assert!(workspace_token_works(&state.store, read_only.token.expose()).await);

    let missing =
        workspace_admin::issue_workspace_token(&state.store, "no-such-ws", "u", Role::Admin).await;
    assert!(
        matches!(missing, Err(AdminError::NoSuchWorkspace(_))),
        "{missing:?}"
    );
}

#[tokio::test]
async fn verification_refuses_malformed_tokens_without_a_lookup() {
    // The broken store fails every call: a malformed token must not reach it.
    let state = broken_state().await;
    let workspace_token = NewToken::generate(TokenKind::WorkspaceToken);
    for token in ["", "garbage", "tsa_short", workspace_token.expose()] {
        assert_eq!(
            verify_access_token(&state.store, &tessera_common::clock::SystemClock, token)
                .await
                .unwrap(),
            None,
            "{token}"
        );
    }
    let well_formed = NewToken::generate(TokenKind::AccessToken);
    assert!(verify_access_token(
        &state.store,
        &tessera_common::clock::SystemClock,
        well_formed.expose()
    )
    .await
    .is_err());
}

#[tokio::test]
async fn verification_of_an_unknown_access_token_is_none() {
    let state = fresh_state().await;
    let unknown = NewToken::generate(TokenKind::AccessToken);
    assert_eq!(
        verify_access_token(
            &state.store,
            &tessera_common::clock::SystemClock,
            unknown.expose()
        )
        .await
        .unwrap(),
        None
    );
}

#[tokio::test]
async fn warm_up_reaches_the_table_and_reports_a_missing_one() {
    assert!(fresh_state().await.store.warm_up().await.is_ok());
    assert!(broken_state().await.store.warm_up().await.is_err());
}

/// Workspace ids are SeaTable's: positive integers from one counter, unique under
/// concurrency (the counter only grows), and never one that loaded data holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn workspace_ids_are_integers_allocated_once_each_under_concurrency() {
    let state = fresh_state().await;
    tessera_admin::fixtures::load(&state.store).await.unwrap();
    let creations = (0..20).map(|i| {
        let store = state.store.clone();
        tokio::spawn(async move {
            workspace_admin::create_workspace(&store, &format!("ws {i}"), None)
                .await
                .unwrap()
                .0
                .id
        })
    });
    let mut ids: Vec<u64> = futures::future::join_all(creations)
        .await
        .into_iter()
        .map(|id| id.unwrap().parse().expect("an integer id"))
        .collect();
    ids.sort_unstable();
    // The fixture holds workspace 1; the 20 new ones are 2 to 21, each once.
    assert_eq!(ids, (2..=21).collect::<Vec<u64>>());
    // Loading data with fixed ids never moves the counter back.
    state.store.reserve_workspace_ids_through(5).await.unwrap();
    let (next, _) = workspace_admin::create_workspace(&state.store, "next", None)
        .await
        .unwrap();
    assert_eq!(next.id, "22");
}

/// The SDK sends CreateTable again when its answer was lost (a timeout under load); the table
/// it finds is the one its first attempt made, so creating must succeed, TTL and all.
#[tokio::test]
async fn creating_a_table_twice_is_the_retry_of_one_creation() {
    use tessera_admin::provision::TableDefinition;
    use tessera_test_support as testing;
    let client = testing::dynamodb_client().await;
    let table = format!("test-twice-{}", tessera_common::token::new_id());
    let definition = TableDefinition::from_template(testing::TEMPLATE).unwrap();
    definition.create(&client, &table).await.unwrap();
    definition
        .create(&client, &table)
        .await
        .expect("the second creation of one table succeeds");
    let ttl = client
        .describe_time_to_live()
        .table_name(&table)
        .send()
        .await
        .unwrap();
    assert_eq!(
        ttl.time_to_live_description()
            .and_then(|d| d.attribute_name()),
        Some("expires_at")
    );
}
