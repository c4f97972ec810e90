//! API Gateway HTTP API (payload format 2.0) events, built the way API Gateway builds
//! them, and turned into a `lambda_http::Request` by lambda_http's own parser: the local
//! API and the tests hand handlers exactly what a deployed function receives.

use std::collections::BTreeMap;

use base64::{engine::general_purpose::STANDARD, Engine};
use lambda_http::Request;

use serde_json::{json, Map, Value};
use tessera_common::authorizer::AuthorizerRequest;

/// One HTTP request as API Gateway sees it after matching a route.
#[derive(Debug, Clone, Default)]
pub struct HttpApiRequest {
    pub method: String,
    /// The route's path as the template declares it, e.g. `/accessTokens`.
    pub route_path: String,
    pub raw_path: String,
    pub raw_query: String,
    pub headers: Vec<(String, String)>,
    pub path_parameters: BTreeMap<String, String>,
    pub body: Vec<u8>,
    pub source_ip: String,
    /// What a Lambda authorizer allowed the request with (`requestContext.authorizer.lambda`).
    pub authorizer_context: Option<Map<String, Value>>,
}

impl HttpApiRequest {
    pub fn new(method: &str, route_path: &str, raw_path: &str) -> Self {
        HttpApiRequest {
            method: method.to_ascii_uppercase(),
            route_path: route_path.to_owned(),
            raw_path: raw_path.to_owned(),
            source_ip: "127.0.0.1".to_owned(),
            ..Default::default()
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// An `Authorization` header when there is one (tests of missing credentials pass `None`).
    pub fn authorization(self, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.header("authorization", value),
            None => self,
        }
    }

    pub fn query(mut self, raw_query: &str) -> Self {
        self.raw_query = raw_query.to_owned();
        self
    }

    pub fn path_parameter(mut self, name: &str, value: &str) -> Self {
        self.path_parameters
            .insert(name.to_owned(), value.to_owned());
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    pub fn authorizer_context(mut self, context: Map<String, Value>) -> Self {
        self.authorizer_context = Some(context);
        self
    }

    /// What API Gateway sends a Lambda authorizer (payload 2.0) for this request, with the
    /// values of its identity sources.
    pub fn to_authorizer_request(&self, identity_source: Vec<String>) -> AuthorizerRequest {
        let event = self.to_event();
        let headers = event["headers"]
            .as_object()
            .map(|h| {
                h.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        AuthorizerRequest {
            version: "2.0".into(),
            kind: "REQUEST".into(),
            route_arn: format!(
                "arn:aws:execute-api:us-east-1:123456789012:local/$default/{}{}",
                self.method, self.route_path
            ),
            identity_source: Some(identity_source),
            route_key: format!("{} {}", self.method, self.route_path),
            raw_path: self.raw_path.clone(),
            raw_query_string: self.raw_query.clone(),
            headers,
            request_context: event["requestContext"].clone(),
        }
    }

    /// The payload v2 event: header names lower-cased and repeated headers and query
    /// parameters joined with commas, cookies split out, binary bodies base64-encoded.
    pub fn to_event(&self) -> Value {
        let mut headers: BTreeMap<String, String> = BTreeMap::new();
        let mut cookies = Vec::new();
        for (name, value) in &self.headers {
            let name = name.to_ascii_lowercase();
            if name == "cookie" {
                cookies.extend(value.split(';').map(|c| c.trim().to_owned()));
                continue;
            }
            headers
                .entry(name)
                .and_modify(|joined| {
                    joined.push(',');
                    joined.push_str(value);
                })
                .or_insert_with(|| value.clone());
        }
        let mut query: BTreeMap<String, String> = BTreeMap::new();
        for (name, value) in form_urlencoded::parse(self.raw_query.as_bytes()) {
            query
                .entry(name.into_owned())
                .and_modify(|joined| {
                    joined.push(',');
                    joined.push_str(&value);
                })
                .or_insert_with(|| value.into_owned());
        }
        let route_key = format!("{} {}", self.method, self.route_path);
        let user_agent = headers.get("user-agent").cloned().unwrap_or_default();
        let domain = headers
            .get("host")
            .cloned()
            .unwrap_or_else(|| "127.0.0.1".to_owned());
        let (body, base64) = match std::str::from_utf8(&self.body) {
            Ok(text) => (text.to_owned(), false),
            Err(_) => (STANDARD.encode(&self.body), true),
        };
        let mut event = Map::new();
        event.insert("version".into(), json!("2.0"));
        event.insert("routeKey".into(), json!(route_key));
        event.insert("rawPath".into(), json!(self.raw_path));
        event.insert("rawQueryString".into(), json!(self.raw_query));
        if !cookies.is_empty() {
            event.insert("cookies".into(), json!(cookies));
        }
        event.insert("headers".into(), json!(headers));
        if !query.is_empty() {
            event.insert("queryStringParameters".into(), json!(query));
        }
        if !self.path_parameters.is_empty() {
            event.insert("pathParameters".into(), json!(self.path_parameters));
        }
        event.insert(
            "requestContext".into(),
            json!({
                "accountId": "123456789012",
                "apiId": "local",
                "domainName": domain,
                "domainPrefix": "local",
                "http": {
                    "method": self.method,
                    "path": self.raw_path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": self.source_ip,
                    "userAgent": user_agent,
                },
                "requestId": tessera_common::token::new_id(),
                "routeKey": route_key,
                "stage": "$default",
                "time": "01/Jan/2026:00:00:00 +0000",
                "timeEpoch": 1767225600000u64,
            }),
        );
        if let Some(context) = &self.authorizer_context {
            event["requestContext"]["authorizer"] = json!({ "lambda": context });
        }
        if !self.body.is_empty() {
            event.insert("body".into(), json!(body));
        }
        event.insert("isBase64Encoded".into(), json!(base64));
        Value::Object(event)
    }

    /// The request lambda_http would hand the function for this event.
    pub fn to_lambda_request(&self) -> Request {
        lambda_http::request::from_str(&self.to_event().to_string())
            .expect("a payload v2 event built here always parses")
    }
}
