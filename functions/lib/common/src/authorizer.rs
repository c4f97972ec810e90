//! API Gateway HTTP API Lambda authorizers, payload format 2.0 with simple responses: the
//! request an authorizer receives and the answer it gives. The local API builds the same
//! request and reads the same answer, so local behaviour matches API Gateway's.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What API Gateway sends an authorizer (only the fields Tessera reads are typed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizerRequest {
    #[serde(default)]
    pub version: String,
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub route_arn: String,
    /// The values of the identity sources (here, the `Authorization` header).
    #[serde(default)]
    pub identity_source: Option<Vec<String>>,
    #[serde(default)]
    pub route_key: String,
    #[serde(default)]
    pub raw_path: String,
    #[serde(default)]
    pub raw_query_string: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub request_context: Value,
}

impl AuthorizerRequest {
    /// The `Authorization` value: the identity source, else the header itself.
    pub fn authorization(&self) -> Option<&str> {
        self.identity_source
            .as_ref()
            .and_then(|values| values.first())
            .or_else(|| self.headers.get("authorization"))
            .map(String::as_str)
    }
}

/// The simple response: allowed or not, and what the protected backend receives as
/// `requestContext.authorizer.lambda`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizerResponse {
    pub is_authorized: bool,
    #[serde(default)]
    pub context: Map<String, Value>,
}

impl AuthorizerResponse {
    pub fn deny() -> Self {
        AuthorizerResponse::default()
    }

    pub fn allow(context: Map<String, Value>) -> Self {
        AuthorizerResponse {
            is_authorized: true,
            context,
        }
    }
}
