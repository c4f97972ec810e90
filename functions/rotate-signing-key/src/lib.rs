//! The signing key's Secrets Manager rotation function: Secrets Manager invokes it on the
//! secret's schedule (`SigningKeyRotationDays`) with each of the four steps in turn; see
//! `protocol`.

pub mod protocol;

use aws_sdk_secretsmanager::Client;
use protocol::{check_rotation_interval, Rotation};
use tessera_common::{
    lambda::Function,
    rotation::{RotationError, RotationEvent},
};

/// What main.rs runs. A client per step costs no request (Secrets Manager calls four
/// times per rotation).
pub const FUNCTION: Function = Function::SecretRotation(|sdk, event| {
    Box::pin(async move { rotate(&Client::new(sdk), event).await })
});

/// One step of a scheduled rotation. A rotation interval too short for the token lifetime
/// fails every step before anything changes (the secret keeps its keys), with the fix in
/// the log.
pub async fn rotate(client: &Client, event: RotationEvent) -> Result<(), RotationError> {
    check_rotation_interval()?;
    Rotation::scheduled(client, &event.secret_id)
        .step(event.step, &event.client_request_token)
        .await
}
