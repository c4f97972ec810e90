//! The signing key's rotation: each step of Secrets Manager's protocol against the
//! emulator, a whole rotation end to end with the tokens issued around it, and the
//! operator's `rotate_now`.

use std::{sync::Arc, time::Duration};

use rotate_signing_key::protocol;
use tessera_common::{
    rotation::{RotationError, RotationEvent, Step},
    store::records::TokenPermission,
    token::new_uuid_hex,
    AppState,
};
use tessera_jwt::{
    base_token,
    signing_key::{CachePolicy, SigningKeys},
    JwtKind,
};
use tessera_test_support::{fresh_state, secretsmanager_client, signing_keys, ManualClock};
use tessera_tests::{
    rotation::{begin_scheduled_rotation, OperationRecorder},
    template,
};

const STEPS: [Step; 4] = [
    Step::CreateSecret,
    Step::SetSecret,
    Step::TestSecret,
    Step::FinishSecret,
];

fn secret_id(state: &AppState) -> String {
    base_token::signing_keys(state)
        .unwrap()
        .secret_id()
        .to_owned()
}

/// Calls the rotation function as Secrets Manager would, with one step's event.
async fn invoke(
    state: &AppState,
    client: &aws_sdk_secretsmanager::Client,
    secret_id: &str,
    token: &str,
    step: Step,
) -> Result<(), RotationError> {
    let event: RotationEvent = serde_json::from_value(serde_json::json!({
        "SecretId": secret_id,
        "ClientRequestToken": token,
        "Step": step_name(step),
    }))
    .unwrap();
    rotate_signing_key::rotate(state, client, event).await
}

fn step_name(step: Step) -> &'static str {
    match step {
        Step::CreateSecret => "createSecret",
        Step::SetSecret => "setSecret",
        Step::TestSecret => "testSecret",
        Step::FinishSecret => "finishSecret",
    }
}

async fn scheduled_rotation(
    state: &AppState,
    client: &aws_sdk_secretsmanager::Client,
    secret_id: &str,
) -> String {
    let token = new_uuid_hex();
    begin_scheduled_rotation(client, secret_id, &token).await;
    for step in STEPS {
        invoke(state, client, secret_id, &token, step)
            .await
            .unwrap_or_else(|err| panic!("{step:?}: {err}"));
    }
    token
}

async fn stages(
    client: &aws_sdk_secretsmanager::Client,
    secret_id: &str,
    version: &str,
) -> Vec<String> {
    let meta = client
        .describe_secret()
        .secret_id(secret_id)
        .send()
        .await
        .unwrap();
    let mut stages = meta
        .version_ids_to_stages()
        .and_then(|v| v.get(version))
        .cloned()
        .unwrap_or_default();
    stages.sort();
    stages
}

/// A base access token signed with the state's current key.
async fn issue(state: &AppState) -> String {
    let claims = base_token::claims(
        state,
        JwtKind::BaseAccessToken,
        "5a40dd8e59b749ff84a73c9fb8a0cf60",
        "rotation@example.com",
        TokenPermission::R,
        Duration::from_secs(3600),
    );
    base_token::sign(state, JwtKind::BaseAccessToken, &claims)
        .await
        .unwrap()
}

async fn verifies(state: &AppState, token: &str) -> bool {
    base_token::verify(state, JwtKind::BaseAccessToken, token)
        .await
        .unwrap()
        .is_some()
}

fn kid(token: &str) -> String {
    tessera_jwt::kid_of(token).unwrap()
}

#[tokio::test]
async fn a_scheduled_rotation_keeps_old_tokens_verifying_and_signs_with_the_new_key() {
    let state = fresh_state().await;
    let secret = secret_id(&state);
    let recorder = OperationRecorder::default();
    let client = recorder.client().await;
    let before = issue(&state).await;
    let first_kid = kid(&before);

    let token = scheduled_rotation(&state, &client, &secret).await;
    assert_eq!(stages(&client, &secret, &token).await, ["AWSCURRENT"]);
    assert_eq!(stages(&client, &secret, &first_kid).await, ["AWSPREVIOUS"]);
    // The signing keys of the state are uncached: every use reads Secrets Manager.
    let after = issue(&state).await;
    assert_eq!(kid(&after), token, "new tokens carry the new key's kid");
    assert!(
        verifies(&state, &before).await,
        "a token of the old key verifies"
    );
    assert!(verifies(&state, &after).await);

    // A second rotation retires the first key: its tokens stop verifying.
    let second = scheduled_rotation(&state, &client, &secret).await;
    assert_eq!(stages(&client, &secret, &token).await, ["AWSPREVIOUS"]);
    assert!(!verifies(&state, &before).await, "the first key is retired");
    assert!(
        verifies(&state, &after).await,
        "the previous key still verifies"
    );
    assert_eq!(kid(&issue(&state).await), second);

    // Each rotation is told of once, with its key and the one before; a finishSecret that
    // Secrets Manager retries tells of nothing more.
    invoke(&state, &client, &secret, &second, Step::FinishSecret)
        .await
        .unwrap();
    let log = state.store.audit_log("stack", 10, None).await.unwrap();
    let told: Vec<(String, String)> = log
        .entries
        .iter()
        .rev()
        .map(|entry| (entry.action.clone(), entry.event.clone().unwrap().detail))
        .collect();
    assert_eq!(told.len(), 2, "{told:?}");
    assert!(told
        .iter()
        .all(|(action, _)| action == "signing_key.rotate"));
    let details: Vec<serde_json::Value> = told
        .iter()
        .map(|(_, detail)| serde_json::from_str(detail).unwrap())
        .collect();
    assert_eq!(details[0]["signingKey"]["kid"], token.as_str());
    assert_eq!(details[0]["signingKey"]["previousKid"], first_kid.as_str());
    assert_eq!(details[1]["signingKey"]["kid"], second.as_str());
    assert_eq!(details[1]["signingKey"]["previousKid"], token.as_str());

    // The function's policy names exactly the operations it called.
    let policy = &template::functions()["functions/rotate-signing-key"].secret_actions;
    let mut used = recorder.operations();
    used.remove("RotateSecret"); // the test's, standing in for Secrets Manager
    assert_eq!(&used, policy);
}

#[tokio::test]
async fn a_container_with_the_old_ring_accepts_tokens_of_the_new_key() {
    let state = fresh_state().await;
    let secret = secret_id(&state);
    let clock = ManualClock::new();
    let cached = Arc::new(SigningKeys::new(
        secretsmanager_client().await,
        &secret,
        CachePolicy::DEFAULT,
        Arc::new(clock.clone()),
    ));
    cached.load_at_start().await.unwrap();
    let stale = AppState {
        signing: Some(cached),
        clock: Arc::new(clock.clone()),
        ..state.clone()
    };
    let client = secretsmanager_client().await;
    let token = scheduled_rotation(&state, &client, &secret).await;
    let new = issue(&state).await;
    assert_eq!(kid(&new), token);
    // Past the minimum interval between reads, an unknown kid refreshes the cache.
    clock.advance(Duration::from_secs(6));
    assert!(verifies(&stale, &new).await);
}

#[tokio::test]
async fn the_steps_check_what_aws_templates_check() {
    let state = fresh_state().await;
    let secret = secret_id(&state);
    let client = secretsmanager_client().await;
    let token = new_uuid_hex();

    // Rotation not enabled for the secret: refused.
    let err = invoke(&state, &client, &secret, &token, Step::CreateSecret)
        .await
        .unwrap_err();
    assert!(matches!(err, RotationError::NotEnabled(_)), "{err}");

    begin_scheduled_rotation(&client, &secret, &token).await;
    // A token that is no version of the secret.
    let err = invoke(
        &state,
        &client,
        &secret,
        &new_uuid_hex(),
        Step::CreateSecret,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, RotationError::UnknownVersion { .. }), "{err}");

    // createSecret twice: the pending key is made once.
    invoke(&state, &client, &secret, &token, Step::CreateSecret)
        .await
        .unwrap();
    let pending = |client: aws_sdk_secretsmanager::Client, token: String, secret: String| async move {
        client
            .get_secret_value()
            .secret_id(secret)
            .version_id(token)
            .send()
            .await
            .unwrap()
            .secret_string()
            .unwrap()
            .to_owned()
    };
    let first = pending(client.clone(), token.clone(), secret.clone()).await;
    assert!(first.len() >= 64, "a key of {} bytes", first.len());
    invoke(&state, &client, &secret, &token, Step::CreateSecret)
        .await
        .unwrap();
    assert_eq!(
        pending(client.clone(), token.clone(), secret.clone()).await,
        first
    );

    // Finished: the version is current, and a repeated step is a no-op.
    for step in [Step::SetSecret, Step::TestSecret, Step::FinishSecret] {
        invoke(&state, &client, &secret, &token, step)
            .await
            .unwrap();
    }
    invoke(&state, &client, &secret, &token, Step::FinishSecret)
        .await
        .unwrap();
    assert_eq!(stages(&client, &secret, &token).await, ["AWSCURRENT"]);
}

#[tokio::test]
async fn a_pending_key_that_is_too_short_fails_its_test_and_is_not_made_current() {
    let state = fresh_state().await;
    let secret = secret_id(&state);
    let client = secretsmanager_client().await;
    let token = new_uuid_hex();
    begin_scheduled_rotation(&client, &secret, &token).await;
    client
        .put_secret_value()
        .secret_id(&secret)
        .client_request_token(&token)
        .secret_string("too-short")
        .version_stages("AWSPENDING")
        .send()
        .await
        .unwrap();
    let err = invoke(&state, &client, &secret, &token, Step::TestSecret)
        .await
        .unwrap_err();
    assert!(matches!(err, RotationError::TestFailed(_)), "{err}");
    assert_eq!(stages(&client, &secret, &token).await, ["AWSPENDING"]);
}

#[tokio::test]
async fn the_operator_rotates_without_a_schedule() {
    let state = fresh_state().await;
    let secret = secret_id(&state);
    let client = secretsmanager_client().await;
    let before = issue(&state).await;
    let kid_now = protocol::rotate_now(&client, &secret).await.unwrap();
    assert_eq!(stages(&client, &secret, &kid_now).await, ["AWSCURRENT"]);
    assert_eq!(
        stages(&client, &secret, &kid(&before)).await,
        ["AWSPREVIOUS"]
    );
    let keys = signing_keys(&secret).await;
    assert_eq!(keys.ring().await.unwrap().current.kid, kid_now);
    assert!(verifies(&state, &before).await);
}

#[tokio::test]
async fn finish_never_makes_a_version_without_a_key_current() {
    let state = fresh_state().await;
    let secret = secret_id(&state);
    let client = secretsmanager_client().await;
    let token = new_uuid_hex();
    begin_scheduled_rotation(&client, &secret, &token).await;
    let err = invoke(&state, &client, &secret, &token, Step::FinishSecret)
        .await
        .unwrap_err();
    assert!(matches!(err, RotationError::TestFailed(_)), "{err}");
    assert_eq!(stages(&client, &secret, &token).await, ["AWSPENDING"]);
    assert!(
        verifies(&state, &issue(&state).await).await,
        "the current key still signs"
    );
}

/// Issue 16, item 3: a holder of a leaked key cannot mint long-lived tokens (an `exp`
/// beyond the deployment's lifetime is refused), and the operator retires the previous key
/// at once, so that what the leaked key signed stops verifying now.
#[tokio::test]
async fn a_compromised_key_mints_nothing_long_lived_and_is_retired_at_once() {
    let state = fresh_state().await;
    let secret = secret_id(&state);
    let client = secretsmanager_client().await;
    let lifetime = state.seatable.access_token_ttl;
    let minted = |ttl: Duration| {
        let state = &state;
        async move {
            let claims = base_token::claims(
                state,
                JwtKind::BaseAccessToken,
                "5a40dd8e59b749ff84a73c9fb8a0cf60",
                "mallory@example.com",
                TokenPermission::Rw,
                ttl,
            );
            base_token::sign(state, JwtKind::BaseAccessToken, &claims)
                .await
                .unwrap()
        }
    };
    assert!(verifies(&state, &minted(lifetime).await).await);
    let ten_years = minted(Duration::from_secs(10 * 365 * 24 * 3600)).await;
    assert!(
        !verifies(&state, &ten_years).await,
        "exp beyond the lifetime"
    );
    assert!(!verifies(&state, &minted(lifetime + Duration::from_secs(3600)).await).await);

    let before = issue(&state).await;
    protocol::rotate_now(&client, &secret).await.unwrap();
    assert!(verifies(&state, &before).await, "a plain rotation keeps it");
    let retired = protocol::retire_previous(&client, &secret).await.unwrap();
    assert_eq!(retired.as_deref(), Some(kid(&before).as_str()));
    assert_eq!(
        stages(&client, &secret, &kid(&before)).await,
        Vec::<String>::new()
    );
    assert!(
        !verifies(&state, &before).await,
        "the retired key verifies nothing"
    );
    assert!(
        verifies(&state, &issue(&state).await).await,
        "the new key signs"
    );
    assert_eq!(
        protocol::retire_previous(&client, &secret).await.unwrap(),
        None
    );
}

/// Only one previous key is kept: a rotation interval under two token lifetimes is refused
/// (the rotation function checks it before any step).
#[test]
fn a_rotation_interval_under_two_token_lifetimes_is_refused() {
    let day = 24 * 3600;
    assert!(
        protocol::rotation_interval_fits(30, 3 * day).is_ok(),
        "the defaults"
    );
    assert!(protocol::rotation_interval_fits(6, 3 * day).is_ok());
    let err = protocol::rotation_interval_fits(5, 3 * day).unwrap_err();
    assert!(matches!(err, RotationError::Misconfigured(_)));
    assert!(err.to_string().contains("at least 6 days"), "{err}");
    assert!(protocol::rotation_interval_fits(1, 30 * day).is_err());
}
