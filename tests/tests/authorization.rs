//! Who may do what: a base's owner is admin of that base only, and usernames are unique
//! because every JWT names its user by username.

use tessera_admin::{seatable_admin, workspace_admin};
use tessera_common::store::records::MemberPermission;
use tessera_test_support::{fresh_state, route_request, user};
use tessera_tests::call;

#[tokio::test]
async fn owning_a_base_grants_nothing_on_the_other_bases_of_its_workspace() {
    let state = fresh_state().await;
    let (ws, _) = workspace_admin::create_workspace(&state.store, "w", None)
        .await
        .unwrap();
    let alice = user(&state.store, "alice@example.com").await;
    let bob = user(&state.store, "bob@example.com").await;
    seatable_admin::create_base(&state.store, &ws.id, "Alice's", &alice.id)
        .await
        .unwrap();
    seatable_admin::create_base(&state.store, &ws.id, "Bob's", &bob.id)
        .await
        .unwrap();
    assert_eq!(
        state.store.member(&ws.id, &bob.id).await.unwrap(),
        None,
        "creating a base made its owner a member of the workspace"
    );
    let route = "/api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/access-token/";
    for (caller, base, expected) in [
        (&alice, "Alice's", 200),
        (&alice, "Bob's", 403),
        (&bob, "Alice's", 403),
        (&bob, "Bob's", 200),
    ] {
        let request = route_request(
            "GET",
            route,
            &[("workspace_id", &ws.id), ("dtable_name", base)],
        )
        .authorization(Some(&caller.auth()));
        let answer = call(&state, "base-access-token", request).await;
        assert_eq!(
            answer.status, expected,
            "{} on {base}: {}",
            caller.name, answer.json
        );
    }
    // A membership still gives access to every base of the workspace.
    seatable_admin::grant(&state.store, &ws.id, &bob.id, MemberPermission::R)
        .await
        .unwrap();
    let request = route_request(
        "GET",
        route,
        &[("workspace_id", &ws.id), ("dtable_name", "Alice's")],
    )
    .authorization(Some(&bob.auth()));
    assert_eq!(call(&state, "base-access-token", request).await.status, 200);
}

#[tokio::test]
async fn usernames_are_unique_whatever_their_case() {
    let state = fresh_state().await;
    seatable_admin::create_user(&state.store, "alice@example.com")
        .await
        .unwrap();
    for twin in ["alice@example.com", "Alice@Example.com"] {
        assert!(
            seatable_admin::create_user(&state.store, twin)
                .await
                .is_err(),
            "a second user named {twin} was created"
        );
    }
    assert!(seatable_admin::create_user(&state.store, "bob@example.com")
        .await
        .is_ok());
}
