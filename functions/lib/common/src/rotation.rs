//! What a Secrets Manager rotation function receives and may answer: the event of each
//! of the four steps and the errors that make Secrets Manager retry. The protocol itself is
//! the rotate-signing-key function's (`rotate_signing_key::protocol`).

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Step {
    CreateSecret,
    SetSecret,
    TestSecret,
    FinishSecret,
}

impl Step {
    /// The protocol's name of the step, as Secrets Manager sends it.
    pub fn name(self) -> &'static str {
        match self {
            Step::CreateSecret => "createSecret",
            Step::SetSecret => "setSecret",
            Step::TestSecret => "testSecret",
            Step::FinishSecret => "finishSecret",
        }
    }
}

/// The event Secrets Manager invokes a rotation function with.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RotationEvent {
    pub secret_id: String,
    /// The id of the version being rotated in.
    pub client_request_token: String,
    pub step: Step,
}

#[derive(Debug, thiserror::Error)]
pub enum RotationError {
    #[error("secret {0} does not have rotation enabled")]
    NotEnabled(String),
    #[error("version {token} of secret {secret} has no stage for rotation")]
    UnknownVersion { secret: String, token: String },
    #[error("version {token} of secret {secret} is not pending rotation")]
    NotPending { secret: String, token: String },
    #[error("secret {0} has no AWSCURRENT version")]
    NoCurrent(String),
    #[error("the pending signing key failed its test: {0}")]
    TestFailed(String),
    #[error("Secrets Manager: {0}")]
    SecretsManager(String),
    #[error("refusing to rotate: {0}")]
    Misconfigured(String),
    #[error("the rotation's event was not written: {0}")]
    Event(#[from] crate::StoreError),
}
