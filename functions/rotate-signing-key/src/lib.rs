//! The signing key's Secrets Manager rotation function: Secrets Manager invokes it on the
//! secret's schedule (`SigningKeyRotationDays`) with each of the four steps in turn; see
//! `tessera_common::rotation`.

use tessera_common::{lambda::Function, rotation::Rotation};

/// What main.rs runs.
pub const FUNCTION: Function = Function::SecretRotation(|client, event| {
    Box::pin(async move {
        Rotation::scheduled(client, &event.secret_id)
            .step(event.step, &event.client_request_token)
            .await
    })
});
