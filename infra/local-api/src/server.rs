//! The HTTP server: matches a request to a template route as API Gateway does (the most
//! specific route wins), runs the route's Lambda authorizer as API Gateway does (cached
//! per identity for `ReauthorizeEvery`), builds the payload v2 event API Gateway would
//! send, and calls the function's handler in-process.

use std::{
    collections::{BTreeMap, HashMap},
    convert::Infallible,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::{Instant, SystemTime},
};

use http_body_util::{BodyExt, Full, Limited};
use hyper::{
    body::{Bytes, Incoming},
    server::conn::http1,
    service::service_fn,
    Request, Response, StatusCode,
};
use hyper_util::rt::TokioIo;
use tessera_admin::apigw::HttpApiRequest;
use tessera_common::{
    authorizer::AuthorizerResponse,
    lambda::{Authorizer, Function},
    AppState,
};
use tokio::net::TcpListener;

use crate::{
    handlers::{handler_for, Handler},
    routes::{api_from_template, pick, AuthorizerSpec, Route, TemplateError},
};

/// API Gateway's payload limit.
const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;
/// Cached authorizer results kept before expired ones are dropped.
const MAX_CACHED: usize = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("template function {function} (CodeUri {code_uri}) has no handler in the local API")]
    NoHandler { function: String, code_uri: String },
    #[error("{function} serves a route but is not an HTTP function")]
    NotHttp { function: String },
    #[error("authorizer {name}: {function} is not an authorizer function")]
    NotAnAuthorizer { name: String, function: String },
}

/// An authorizer of the template with its function.
struct LocalAuthorizer {
    spec: AuthorizerSpec,
    authorize: Authorizer,
}

/// The routes of the template, each with its handler, the authorizers, and the state they share.
pub struct App {
    routes: Vec<(Route, Handler)>,
    authorizers: BTreeMap<String, LocalAuthorizer>,
    /// API Gateway's authorizer cache: (authorizer, identity) -> (until, result).
    cache: Mutex<HashMap<(String, String), (SystemTime, AuthorizerResponse)>>,
    state: AppState,
    /// openapi.yaml, served at /openapi.yaml (locally only) for people's tools.
    spec: Option<String>,
}

fn function_of(function: &str, code_uri: &str) -> Result<Function, AppError> {
    handler_for(code_uri).ok_or_else(|| AppError::NoHandler {
        function: function.to_owned(),
        code_uri: code_uri.to_owned(),
    })
}

impl App {
    /// Fails when the template names a function the local API cannot serve.
    pub fn from_template(yaml: &str, state: AppState) -> Result<Self, AppError> {
        let api = api_from_template(yaml)?;
        let mut routes = Vec::new();
        for route in api.routes {
            match function_of(&route.function, &route.code_uri)? {
                Function::Http(handler) => routes.push((route, handler)),
                Function::Authorizer(_)
                | Function::SecretRotation(_)
                | Function::TableStream(_)
                | Function::Queue(_)
                | Function::Scheduled(_) => {
                    return Err(AppError::NotHttp {
                        function: route.function,
                    })
                }
            }
        }
        let mut authorizers = BTreeMap::new();
        for (name, spec) in api.authorizers {
            let Function::Authorizer(authorize) = function_of(&spec.function, &spec.code_uri)?
            else {
                return Err(AppError::NotAnAuthorizer {
                    name,
                    function: spec.function,
                });
            };
            authorizers.insert(name, LocalAuthorizer { spec, authorize });
        }
        Ok(App {
            routes,
            authorizers,
            cache: Mutex::new(HashMap::new()),
            state,
            spec: None,
        })
    }

    /// Serves `spec` at GET /openapi.yaml.
    pub fn with_spec(mut self, spec: String) -> Self {
        self.spec = Some(spec);
        self
    }

    pub fn routes(&self) -> impl Iterator<Item = &Route> {
        self.routes.iter().map(|(route, _)| route)
    }

    async fn dispatch(&self, req: Request<Incoming>, peer: SocketAddr) -> Response<Full<Bytes>> {
        let started = Instant::now();
        let method = req.method().as_str().to_owned();
        let path = req.uri().path().to_owned();
        let response = self.answer(req, peer, &method, &path).await;
        tracing::info!(
            "{method} {path} -> {} ({} ms)",
            response.status().as_u16(),
            started.elapsed().as_millis()
        );
        response
    }

    async fn answer(
        &self,
        req: Request<Incoming>,
        peer: SocketAddr,
        method: &str,
        path: &str,
    ) -> Response<Full<Bytes>> {
        if let (Some(spec), "GET", "/openapi.yaml") = (&self.spec, method, path) {
            return Response::builder()
                .header("content-type", "application/yaml")
                .body(Full::new(Bytes::from(spec.clone())))
                .expect("static response parts are valid");
        }
        let Some((route, handler, params)) = pick(&self.routes, method, path) else {
            return plain(StatusCode::NOT_FOUND, r#"{"message":"Not Found"}"#);
        };
        let (parts, body) = req.into_parts();
        let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(_) => {
                return plain(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    r#"{"message":"Request Entity Too Large"}"#,
                )
            }
        };
        let mut event = HttpApiRequest::new(method, &route.path, path)
            .query(parts.uri.query().unwrap_or(""))
            .body(body.to_vec());
        event.source_ip = peer.ip().to_string();
        for (name, value) in &parts.headers {
            if let Ok(value) = value.to_str() {
                event = event.header(name.as_str(), value);
            }
        }
        event = event
            .header("x-forwarded-for", &peer.ip().to_string())
            .header("x-forwarded-proto", "http")
            .header("x-forwarded-port", &peer.port().to_string());
        for (name, value) in params {
            event = event.path_parameter(&name, &value);
        }
        if let Some(name) = &route.authorizer {
            match self.authorize(name, &event).await {
                Ok(context) => event = event.authorizer_context(context),
                Err(refusal) => return refusal,
            }
        }
        let response = handler(&self.state, event.to_lambda_request()).await;
        let (parts, body) = response.into_parts();
        Response::from_parts(parts, Full::new(Bytes::copy_from_slice(body.as_ref())))
    }

    /// What API Gateway does before a guarded route: 401 without the identity sources,
    /// the cached result for the same identity while it is fresh, else the authorizer's;
    /// 403 for a deny and 500 when the authorizer fails.
    async fn authorize(
        &self,
        name: &str,
        event: &HttpApiRequest,
    ) -> Result<serde_json::Map<String, serde_json::Value>, Response<Full<Bytes>>> {
        let authorizer = &self.authorizers[name];
        let identity: Option<Vec<String>> = authorizer
            .spec
            .identity_headers
            .iter()
            .map(|header| {
                // API Gateway joins a repeated header's values with commas, and so
                // passes them to the authorizer as one identity source.
                let values: Vec<&str> = event
                    .headers
                    .iter()
                    .filter(|(n, v)| n.eq_ignore_ascii_case(header) && !v.is_empty())
                    .map(|(_, v)| v.as_str())
                    .collect();
                (!values.is_empty()).then(|| values.join(","))
            })
            .collect();
        let Some(identity) = identity else {
            return Err(plain(
                StatusCode::UNAUTHORIZED,
                r#"{"message":"Unauthorized"}"#,
            ));
        };
        let key = (name.to_owned(), identity.join(","));
        let now = self.state.clock.now();
        let cached = self
            .cache
            .lock()
            .expect("cache lock")
            .get(&key)
            .filter(|(until, _)| now < *until)
            .map(|(_, result)| result.clone());
        let result = match cached {
            Some(result) => result,
            None => {
                let request = event.to_authorizer_request(identity);
                match (authorizer.authorize)(&self.state, request).await {
                    Ok(result) => {
                        self.remember(key, now + authorizer.spec.reauthorize_every, &result);
                        result
                    }
                    Err(err) => {
                        err.log();
                        return Err(plain(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            r#"{"message":"Internal Server Error"}"#,
                        ));
                    }
                }
            }
        };
        if result.is_authorized {
            Ok(result.context)
        } else {
            Err(plain(StatusCode::FORBIDDEN, r#"{"message":"Forbidden"}"#))
        }
    }

    fn remember(&self, key: (String, String), until: SystemTime, result: &AuthorizerResponse) {
        let mut cache = self.cache.lock().expect("cache lock");
        if cache.len() >= MAX_CACHED {
            let now = self.state.clock.now();
            cache.retain(|_, (until, _)| *until > now);
        }
        cache.insert(key, (until, result.clone()));
    }
}

fn plain(status: StatusCode, json: &'static str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(json.as_bytes())))
        .expect("static response parts are valid")
}

/// Serves `app` on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, app: Arc<App>) -> std::io::Result<()> {
    loop {
        let (stream, peer) = listener.accept().await?;
        let app = app.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let app = app.clone();
                async move { Ok::<_, Infallible>(app.dispatch(req, peer).await) }
            });
            if let Err(err) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!("connection from {peer} ended: {err}");
            }
        });
    }
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("routes", &self.routes().collect::<Vec<_>>())
            .field("authorizers", &self.authorizers.keys().collect::<Vec<_>>())
            .finish()
    }
}
