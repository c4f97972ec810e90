//! The API of `template.yaml`: every `HttpApi` route of every function, and the Lambda
//! authorizers the HTTP API declares.

use std::{cmp::Ordering, collections::BTreeMap, time::Duration};

use percent_encoding::percent_decode_str;
use serde_yaml_ng::Value;

/// One route as the template declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The function's logical id, e.g. `CreateAccessTokenFunction`.
    pub function: String,
    /// The function's crate folder, e.g. `functions/create-access-token`.
    pub code_uri: String,
    pub method: String,
    pub path: String,
    /// The authorizer (a name of the HttpApi's `Auth.Authorizers`) that guards it.
    pub authorizer: Option<String>,
}

/// A Lambda authorizer of the HTTP API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizerSpec {
    pub name: String,
    /// The authorizer function's logical id and crate folder.
    pub function: String,
    pub code_uri: String,
    /// Header names of the identity source, lower-cased.
    pub identity_headers: Vec<String>,
    /// How long API Gateway caches a result per identity (`ReauthorizeEvery`).
    pub reauthorize_every: Duration,
}

/// What the local API serves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Api {
    pub routes: Vec<Route>,
    pub authorizers: BTreeMap<String, AuthorizerSpec>,
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
    #[error("authorizer {name}: {problem}")]
    Authorizer { name: String, problem: String },
}

/// The routes and authorizers of a template.
pub fn api_from_template(yaml: &str) -> Result<Api, TemplateError> {
    let template: Value = serde_yaml_ng::from_str(yaml)?;
    let resources = template["Resources"]
        .as_mapping()
        .cloned()
        .unwrap_or_default();
    let mut code_uris = BTreeMap::new();
    let mut routes = Vec::new();
    for (id, resource) in &resources {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let function = id.as_str().unwrap_or_default().to_owned();
        let props = &resource["Properties"];
        let code_uri = props["CodeUri"]
            .as_str()
            .ok_or_else(|| TemplateError::NoCodeUri(function.clone()))?
            .trim_end_matches('/')
            .to_owned();
        code_uris.insert(function.clone(), code_uri.clone());
        for event in props["Events"]
            .as_mapping()
            .into_iter()
            .flat_map(|m| m.values())
        {
            if event["Type"].as_str() != Some("HttpApi") {
                continue;
            }
            let event = &event["Properties"];
            let incomplete = |field| TemplateError::IncompleteEvent {
                function: function.clone(),
                field,
            };
            routes.push(Route {
                function: function.clone(),
                code_uri: code_uri.clone(),
                method: event["Method"]
                    .as_str()
                    .ok_or_else(|| incomplete("Method"))?
                    .to_ascii_uppercase(),
                path: event["Path"]
                    .as_str()
                    .ok_or_else(|| incomplete("Path"))?
                    .to_owned(),
                authorizer: event["Auth"]["Authorizer"]
                    .as_str()
                    .filter(|name| *name != "NONE")
                    .map(str::to_owned),
            });
        }
    }
    let mut authorizers = BTreeMap::new();
    for resource in resources.values() {
        if resource["Type"].as_str() != Some("AWS::Serverless::HttpApi") {
            continue;
        }
        let declared = resource["Properties"]["Auth"]["Authorizers"]
            .as_mapping()
            .cloned()
            .unwrap_or_default();
        for (name, spec) in declared {
            let name = name.as_str().unwrap_or_default().to_owned();
            let spec = authorizer(&template, &code_uris, &name, &spec)?;
            authorizers.insert(name, spec);
        }
    }
    for route in &routes {
        if let Some(name) = &route.authorizer {
            if !authorizers.contains_key(name) {
                return Err(TemplateError::Authorizer {
                    name: name.clone(),
                    problem: format!(
                        "{} names it, but the HttpApi does not declare it",
                        route.key()
                    ),
                });
            }
        }
    }
    Ok(Api {
        routes,
        authorizers,
    })
}

/// Every HttpApi route of every function.
pub fn routes_from_template(yaml: &str) -> Result<Vec<Route>, TemplateError> {
    Ok(api_from_template(yaml)?.routes)
}

fn authorizer(
    template: &Value,
    code_uris: &BTreeMap<String, String>,
    name: &str,
    spec: &Value,
) -> Result<AuthorizerSpec, TemplateError> {
    let problem = |problem: String| TemplateError::Authorizer {
        name: name.to_owned(),
        problem,
    };
    // FunctionArn: !GetAtt SomeFunction.Arn
    let function = match &spec["FunctionArn"] {
        Value::Tagged(tagged) if tagged.tag == "GetAtt" => tagged
            .value
            .as_str()
            .and_then(|target| target.strip_suffix(".Arn"))
            .map(str::to_owned),
        _ => None,
    }
    .ok_or_else(|| problem("FunctionArn must be !GetAtt <Function>.Arn".into()))?;
    let code_uri = code_uris
        .get(&function)
        .ok_or_else(|| problem(format!("{function} is not a function of the template")))?
        .clone();
    let identity = &spec["Identity"];
    let identity_headers: Vec<String> = identity["Headers"]
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_ascii_lowercase)
        .collect();
    if identity_headers.is_empty() {
        return Err(problem("Identity.Headers names no header".into()));
    }
    let seconds = resolve_number(template, &identity["ReauthorizeEvery"])
        .ok_or_else(|| problem("ReauthorizeEvery must be a number or !Ref to one".into()))?;
    Ok(AuthorizerSpec {
        name: name.to_owned(),
        function,
        code_uri,
        identity_headers,
        reauthorize_every: Duration::from_secs(seconds),
    })
}

/// A number, or `!Ref` to a parameter whose default is one (what a deploy gets by default).
fn resolve_number(template: &Value, value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(text) => text.parse().ok(),
        Value::Tagged(tagged) if tagged.tag == "Ref" => {
            let parameter = tagged.value.as_str()?;
            resolve_number(template, &template["Parameters"][parameter]["Default"])
        }
        _ => None,
    }
}

/// How a route's path segment matches: API Gateway prefers literal segments to
/// `{parameters}`, and those to greedy `{proxy+}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Segment {
    Greedy,
    Parameter,
    Literal,
}

fn segment_kind(segment: &str) -> Segment {
    match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
        Some(name) if name.ends_with('+') => Segment::Greedy,
        Some(_) => Segment::Parameter,
        None => Segment::Literal,
    }
}

impl Route {
    /// The path parameters when this route takes `method path`, as API Gateway matches:
    /// segment by segment, `{name}` taking one whole (percent-decoded) segment and
    /// `{name+}` the rest of the path.
    pub fn matches(&self, method: &str, path: &str) -> Option<BTreeMap<String, String>> {
        if self.method != "ANY" && !self.method.eq_ignore_ascii_case(method) {
            return None;
        }
        let pattern: Vec<&str> = self.path.split('/').collect();
        let actual: Vec<&str> = path.split('/').collect();
        let mut params = BTreeMap::new();
        for (i, want) in pattern.iter().enumerate() {
            match segment_kind(want) {
                Segment::Greedy => {
                    let rest = actual.get(i..).filter(|r| !r.is_empty())?.join("/");
                    let name = want[1..want.len() - 2].to_owned();
                    params.insert(
                        name,
                        percent_decode_str(&rest).decode_utf8_lossy().into_owned(),
                    );
                    return (!rest.is_empty()).then_some(params);
                }
                Segment::Parameter => {
                    let got = actual.get(i).filter(|g| !g.is_empty())?;
                    params.insert(
                        want[1..want.len() - 1].to_owned(),
                        percent_decode_str(got).decode_utf8_lossy().into_owned(),
                    );
                }
                Segment::Literal if actual.get(i) == Some(want) => {}
                Segment::Literal => return None,
            }
        }
        (pattern.len() == actual.len()).then_some(params)
    }

    /// Which of two matching routes API Gateway picks: the more specific path (compared
    /// segment by segment), then an exact method over `ANY`.
    pub fn specificity_cmp(&self, other: &Route) -> Ordering {
        let kinds =
            |route: &Route| -> Vec<Segment> { route.path.split('/').map(segment_kind).collect() };
        kinds(self)
            .cmp(&kinds(other))
            .then_with(|| (self.method != "ANY").cmp(&(other.method != "ANY")))
    }

    /// `METHOD /path`, as API Gateway names a route.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// The route API Gateway would pick for `method path`, with its path parameters.
pub fn pick<'a, T>(
    routes: &'a [(Route, T)],
    method: &str,
    path: &str,
) -> Option<(&'a Route, &'a T, BTreeMap<String, String>)> {
    routes
        .iter()
        .filter_map(|(route, value)| route.matches(method, path).map(|p| (route, value, p)))
        .max_by(|a, b| a.0.specificity_cmp(b.0))
}

#[cfg(test)]
mod tests;
