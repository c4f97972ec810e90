//! The routes of `template.yaml`: every `HttpApi` event of every function.

use std::collections::BTreeMap;

use percent_encoding::percent_decode_str;
use serde::Deserialize;

/// One route as the template declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The function's logical id, e.g. `CreateAccessTokenFunction`.
    pub function: String,
    /// The function's crate folder, e.g. `functions/create-access-token`.
    pub code_uri: String,
    pub method: String,
    pub path: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("template is not valid YAML: {0}")]
    Yaml(#[from] serde_yaml_ng::Error),
    #[error("function {0} has no CodeUri")]
    NoCodeUri(String),
    #[error("function {function} has an HttpApi event without {field}")]
    IncompleteEvent {
        function: String,
        field: &'static str,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Template {
    resources: BTreeMap<String, Resource>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Resource {
    #[serde(rename = "Type")]
    kind: String,
    #[serde(default)]
    properties: FunctionProperties,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FunctionProperties {
    code_uri: Option<String>,
    #[serde(default)]
    events: BTreeMap<String, Event>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Event {
    #[serde(rename = "Type")]
    kind: String,
    #[serde(default)]
    properties: EventProperties,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EventProperties {
    method: Option<String>,
    path: Option<String>,
}

/// Every HttpApi route of every `AWS::Serverless::Function`, in template order of names.
pub fn routes_from_template(yaml: &str) -> Result<Vec<Route>, TemplateError> {
    let template: Template = serde_yaml_ng::from_str(yaml)?;
    let mut routes = Vec::new();
    for (function, resource) in template.resources {
        if resource.kind != "AWS::Serverless::Function" {
            continue;
        }
        let props = resource.properties;
        let code_uri = props
            .code_uri
            .ok_or_else(|| TemplateError::NoCodeUri(function.clone()))?;
        for event in props.events.into_values().filter(|e| e.kind == "HttpApi") {
            let incomplete = |field| TemplateError::IncompleteEvent {
                function: function.clone(),
                field,
            };
            routes.push(Route {
                function: function.clone(),
                code_uri: code_uri.trim_end_matches('/').to_owned(),
                method: event
                    .properties
                    .method
                    .ok_or_else(|| incomplete("Method"))?
                    .to_ascii_uppercase(),
                path: event.properties.path.ok_or_else(|| incomplete("Path"))?,
            });
        }
    }
    Ok(routes)
}

impl Route {
    /// The path parameters when this route takes `method path`, as API Gateway matches:
    /// segment by segment, `{name}` taking one whole (percent-decoded) segment.
    pub fn matches(&self, method: &str, path: &str) -> Option<BTreeMap<String, String>> {
        if self.method != "ANY" && !self.method.eq_ignore_ascii_case(method) {
            return None;
        }
        let pattern: Vec<&str> = self.path.split('/').collect();
        let actual: Vec<&str> = path.split('/').collect();
        if pattern.len() != actual.len() {
            return None;
        }
        let mut params = BTreeMap::new();
        for (want, got) in pattern.iter().zip(&actual) {
            match want.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                Some(name) if !got.is_empty() => {
                    params.insert(
                        name.to_owned(),
                        percent_decode_str(got).decode_utf8_lossy().into_owned(),
                    );
                }
                Some(_) => return None,
                None if want == got => {}
                None => return None,
            }
        }
        Some(params)
    }

    /// `METHOD /path`, as API Gateway names a route.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(method: &str, path: &str) -> Route {
        Route {
            function: "F".into(),
            code_uri: "functions/f".into(),
            method: method.into(),
            path: path.into(),
        }
    }

    #[test]
    fn matches_literal_paths_by_method() {
        let r = route("POST", "/accessTokens");
        assert_eq!(r.matches("POST", "/accessTokens"), Some(BTreeMap::new()));
        assert_eq!(r.matches("GET", "/accessTokens"), None);
        assert_eq!(r.matches("POST", "/accessTokens/"), None);
        assert_eq!(r.matches("POST", "/accesstokens"), None);
    }

    #[test]
    fn captures_decoded_path_parameters() {
        let r = route(
            "GET",
            "/api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/access-token/",
        );
        let params = r
            .matches(
                "GET",
                "/api/v2.1/workspace/7/dtable/My%20Base/access-token/",
            )
            .unwrap();
        assert_eq!(params["workspace_id"], "7");
        assert_eq!(params["dtable_name"], "My Base");
        assert_eq!(
            r.matches("GET", "/api/v2.1/workspace//dtable/x/access-token/"),
            None
        );
    }

    #[test]
    fn reads_routes_from_a_template() {
        let yaml = r#"
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: { TableName: !Ref Name }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/fn/
      Events:
        Api: { Type: HttpApi, Properties: { Method: get, Path: /x } }
        Timer: { Type: Schedule, Properties: { Schedule: rate(1 day) } }
"#;
        let routes = routes_from_template(yaml).unwrap();
        assert_eq!(
            routes,
            [Route {
                function: "Fn".into(),
                code_uri: "functions/fn".into(),
                method: "GET".into(),
                path: "/x".into()
            }]
        );
    }
}
