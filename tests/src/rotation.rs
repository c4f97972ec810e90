//! Secrets Manager as it is when it invokes a rotation function: rotation enabled and a
//! new version labelled `AWSPENDING`. The emulator (moto) gets there with RotateSecret
//! naming a Lambda function, which it then cannot invoke without Docker; so the tests
//! register a placeholder function and call the rotation handler themselves, step by step.

use std::sync::{Arc, Mutex};

use aws_sdk_secretsmanager::{
    config::{interceptors::BeforeTransmitInterceptorContextRef, ConfigBag, Intercept},
    types::RotationRulesType,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use base64::{engine::general_purpose::STANDARD, Engine};

/// An empty zip archive: the emulator stores a function's code without running it.
const EMPTY_ZIP: [u8; 22] = [
    b'P', b'K', 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
];

fn endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL_SECRETS_MANAGER")
        .expect("a local stack: AWS_ENDPOINT_URL_SECRETS_MANAGER")
}

/// An emulator request for `service` (moto routes by the credential scope; it checks no
/// signature).
fn emulator_request(service: &str, path: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .post(format!("{}{path}", endpoint()))
        .header(
            "Authorization",
            format!("AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=00"),
        )
}

/// A placeholder Lambda function in the emulator, to name as the rotation function.
async fn placeholder_function(name: &str) -> String {
    let role = emulator_request("iam", "/")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "Action=CreateRole&Version=2010-05-08&RoleName={name}&AssumeRolePolicyDocument=%7B%7D"
        ))
        .send()
        .await
        .expect("the emulator's IAM");
    assert!(role.status().is_success(), "CreateRole: {}", role.status());
    let function = emulator_request("lambda", "/2015-03-31/functions")
        .header("content-type", "application/json")
        .body(
            serde_json::json!({
                "FunctionName": name,
                "Runtime": "provided.al2023",
                "Role": format!("arn:aws:iam::123456789012:role/{name}"),
                "Handler": "bootstrap",
                "Code": { "ZipFile": STANDARD.encode(EMPTY_ZIP) },
            })
            .to_string(),
        )
        .send()
        .await
        .expect("the emulator's Lambda");
    assert!(
        function.status().is_success(),
        "CreateFunction: {}",
        function.status()
    );
    let body: serde_json::Value = function.json().await.unwrap();
    body["FunctionArn"].as_str().unwrap().to_owned()
}

/// Starts a scheduled rotation of `secret_id` as Secrets Manager does: rotation enabled,
/// and a new version `token` labelled `AWSPENDING` (without a value yet).
pub async fn begin_scheduled_rotation(
    client: &aws_sdk_secretsmanager::Client,
    secret_id: &str,
    token: &str,
) {
    let name = format!("rotate-{}", tessera_common::token::new_id());
    let function_arn = placeholder_function(&name).await;
    client
        .rotate_secret()
        .secret_id(secret_id)
        .rotation_lambda_arn(function_arn)
        .rotation_rules(
            RotationRulesType::builder()
                .automatically_after_days(30)
                .build(),
        )
        .client_request_token(token)
        .send()
        .await
        .expect("RotateSecret");
}

/// Records the Secrets Manager operations a client calls (to check a policy against).
#[derive(Debug, Clone, Default)]
pub struct OperationRecorder(Arc<Mutex<std::collections::BTreeSet<String>>>);

impl OperationRecorder {
    pub fn operations(&self) -> std::collections::BTreeSet<String> {
        self.0.lock().unwrap().clone()
    }

    pub async fn client(&self) -> aws_sdk_secretsmanager::Client {
        let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let config = aws_sdk_secretsmanager::config::Builder::from(&sdk)
            .interceptor(self.clone())
            .build();
        aws_sdk_secretsmanager::Client::from_conf(config)
    }
}

impl Intercept for OperationRecorder {
    fn name(&self) -> &'static str {
        "OperationRecorder"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        if let Some(metadata) = cfg.load::<Metadata>() {
            self.0.lock().unwrap().insert(metadata.name().to_owned());
        }
        Ok(())
    }
}

/// The secret of events/rotate-signing-key, afresh, in the middle of a scheduled rotation
/// to `fixtures::ROTATION_VERSION` whose new key has been created (as after createSecret).
pub async fn stage_fixture_rotation(client: &aws_sdk_secretsmanager::Client) {
    use tessera_admin::fixtures::{ROTATING_SECRET_ID, ROTATION_VERSION};
    // Gone for good, so that the name can be created again at once.
    let _ = client
        .delete_secret()
        .secret_id(ROTATING_SECRET_ID)
        .force_delete_without_recovery(true)
        .send()
        .await;
    client
        .create_secret()
        .name(ROTATING_SECRET_ID)
        .secret_string("FixtureSigningKeyBeforeRotation0000000000000000000000000000000001")
        .send()
        .await
        .expect("CreateSecret");
    begin_scheduled_rotation(client, ROTATING_SECRET_ID, ROTATION_VERSION).await;
    client
        .put_secret_value()
        .secret_id(ROTATING_SECRET_ID)
        .client_request_token(ROTATION_VERSION)
        .secret_string(
            "FixtureSigningKeyAfterRotation000000000000000000000000000000000000000000000000000001",
        )
        .version_stages("AWSPENDING")
        .send()
        .await
        .expect("PutSecretValue");
}
