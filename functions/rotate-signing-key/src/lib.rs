//! The signing key's Secrets Manager rotation function: Secrets Manager invokes it on the
//! secret's schedule (`SigningKeyRotationDays`) with each of the four steps in turn; see
//! `protocol`.

pub mod event;
pub mod protocol;

use aws_sdk_secretsmanager::Client;
use protocol::{check_rotation_interval, Rotation};
use tessera_common::{
    lambda::Function,
    rotation::{RotationError, RotationEvent, Step},
    AppState,
};

/// What main.rs runs. A client per step costs no request (Secrets Manager calls four
/// times per rotation).
pub const FUNCTION: Function = Function::SecretRotation(|state, sdk, event| {
    Box::pin(async move { rotate(state, &Client::new(sdk), event).await })
});

/// One step of a scheduled rotation. A rotation interval too short for the token lifetime
/// fails every step before anything changes (the secret keeps its keys), with the fix in
/// the log. After the last step (or a retry of it), the rotation is told of once
/// (`event`); if that write fails, the step fails, and Secrets Manager's retry tells it.
pub async fn rotate(
    state: &AppState,
    client: &Client,
    event: RotationEvent,
) -> Result<(), RotationError> {
    check_rotation_interval()?;
    Rotation::scheduled(client, &event.secret_id)
        .step(event.step, &event.client_request_token)
        .await?;
    if event.step == Step::FinishSecret {
        event::record_rotation(
            (&state.store, state.clock.now(), state.audit_retention),
            client,
            &event.secret_id,
            &event.client_request_token,
            "secrets-manager-rotation",
        )
        .await?;
    }
    Ok(())
}
