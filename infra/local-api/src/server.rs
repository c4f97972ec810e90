//! The HTTP server: matches a request to a template route, builds the payload v2 event
//! API Gateway would send, and calls the function's handler in-process.

use std::{convert::Infallible, net::SocketAddr, sync::Arc, time::Instant};

use http_body_util::{BodyExt, Full, Limited};
use hyper::{
    body::{Bytes, Incoming},
    server::conn::http1,
    service::service_fn,
    Request, Response, StatusCode,
};
use hyper_util::rt::TokioIo;
use tessera_common::{apigw::HttpApiRequest, AppState};
use tokio::net::TcpListener;

use crate::{
    handlers::{handler_for, Handler},
    routes::{routes_from_template, Route, TemplateError},
};

/// API Gateway's payload limit.
const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("template function {function} (CodeUri {code_uri}) has no handler in the local API")]
    NoHandler { function: String, code_uri: String },
}

/// The routes of the template, each with its handler, and the state they share.
pub struct App {
    routes: Vec<(Route, Handler)>,
    state: AppState,
}

impl App {
    /// Fails when the template names a function the local API cannot serve.
    pub fn from_template(yaml: &str, state: AppState) -> Result<Self, AppError> {
        let routes = routes_from_template(yaml)?
            .into_iter()
            .map(|route| match handler_for(&route.code_uri) {
                Some(handler) => Ok((route, handler)),
                None => Err(AppError::NoHandler {
                    function: route.function.clone(),
                    code_uri: route.code_uri.clone(),
                }),
            })
            .collect::<Result<_, _>>()?;
        Ok(App { routes, state })
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
        let Some((route, handler, params)) = self
            .routes
            .iter()
            .find_map(|(route, handler)| route.matches(method, path).map(|p| (route, handler, p)))
        else {
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
        let response = handler(&self.state, event.to_lambda_request()).await;
        let (parts, body) = response.into_parts();
        Response::from_parts(parts, Full::new(Bytes::copy_from_slice(body.as_ref())))
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
            .finish()
    }
}
