//! The signing key's Secrets Manager rotation function: Secrets Manager invokes it on the
//! secret's schedule (`SigningKeyRotationDays`) with each of the four steps in turn; see
//! `protocol`.

pub mod protocol;

use protocol::{check_rotation_interval, Rotation};
use tessera_common::lambda::Function;

/// What main.rs runs. A rotation interval too short for the token lifetime fails every
/// step before anything changes (the secret keeps its keys), with the fix in the log.
pub const FUNCTION: Function = Function::SecretRotation(|client, event| {
    Box::pin(async move {
        check_rotation_interval()?;
        Rotation::scheduled(client, &event.secret_id)
            .step(event.step, &event.client_request_token)
            .await
    })
});
