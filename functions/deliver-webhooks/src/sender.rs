//! The HTTP POST of one delivery: to an address the policy allows, resolved here and
//! connected to as resolved (a name cannot be re-pointed between the check and the
//! connection), over TLS for `https`, within the timeout, following no redirect, and
//! reading nothing of the answer but its status.

use std::{
    future::Future,
    io,
    net::SocketAddr,
    pin::Pin,
    sync::{Arc, OnceLock},
    time::Duration,
};

use bytes::Bytes;
use http_body_util::Full;
use hyper_client::{client::conn::http1, Request};
use hyper_util::rt::TokioIo;
use rustls::{pki_types::ServerName, ClientConfig, RootCertStore};
use tessera_webhooks::url::{AddressPolicy, WebhookUrl};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

pub type ResolveFuture<'a> = Pin<Box<dyn Future<Output = io::Result<Vec<SocketAddr>>> + Send + 'a>>;

/// Names to addresses: the system's resolver, or a test's.
pub trait Resolve: Send + Sync {
    fn resolve<'a>(&'a self, host: &'a str, port: u16) -> ResolveFuture<'a>;
}

pub struct SystemResolver;

impl Resolve for SystemResolver {
    fn resolve<'a>(&'a self, host: &'a str, port: u16) -> ResolveFuture<'a> {
        Box::pin(async move { Ok(tokio::net::lookup_host((host, port)).await?.collect()) })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The host is, or resolves to, an address deliveries may not reach.
    Refused(String),
    Unresolved(String),
    Connect(String),
    Tls(String),
    Http(String),
    Timeout(Duration),
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Refused(why) => write!(f, "refused: {why}"),
            SendError::Unresolved(why) => write!(f, "name not resolved: {why}"),
            SendError::Connect(why) => write!(f, "connection failed: {why}"),
            SendError::Tls(why) => write!(f, "TLS failed: {why}"),
            SendError::Http(why) => write!(f, "HTTP failed: {why}"),
            SendError::Timeout(after) => write!(f, "no answer within {} s", after.as_secs()),
        }
    }
}

pub struct Sender {
    resolver: Arc<dyn Resolve>,
    policy: AddressPolicy,
    timeout: Duration,
    tls: OnceLock<Arc<ClientConfig>>,
}

impl Sender {
    pub fn new(resolver: Arc<dyn Resolve>, policy: AddressPolicy, timeout: Duration) -> Self {
        Sender {
            resolver,
            policy,
            timeout,
            tls: OnceLock::new(),
        }
    }

    pub fn policy(&self) -> AddressPolicy {
        self.policy
    }

    /// POSTs `body` with `headers`; the answer's status.
    pub async fn post(
        &self,
        url: &WebhookUrl,
        headers: &[(&str, String)],
        body: Bytes,
    ) -> Result<u16, SendError> {
        tokio::time::timeout(self.timeout, self.post_unbounded(url, headers, body))
            .await
            .unwrap_or(Err(SendError::Timeout(self.timeout)))
    }

    async fn post_unbounded(
        &self,
        url: &WebhookUrl,
        headers: &[(&str, String)],
        body: Bytes,
    ) -> Result<u16, SendError> {
        let addresses = self.addresses(url).await?;
        let stream = connect(&addresses).await?;
        let mut request = Request::post(url.uri.path_and_query().map_or("/", |p| p.as_str()))
            .header("host", host_header(url))
            .header("content-type", "application/json")
            .header(
                "user-agent",
                concat!("Tessera-Webhooks/", env!("CARGO_PKG_VERSION")),
            )
            .header("content-length", body.len());
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let request = request
            .body(Full::new(body))
            .map_err(|err| SendError::Http(err.to_string()))?;
        if url.https {
            let server_name = ServerName::try_from(url.host.clone())
                .map_err(|err| SendError::Tls(err.to_string()))?;
            let tls = TlsConnector::from(self.tls_config())
                .connect(server_name, stream)
                .await
                .map_err(|err| SendError::Tls(err.to_string()))?;
            exchange(TokioIo::new(tls), request).await
        } else {
            exchange(TokioIo::new(stream), request).await
        }
    }

    /// Where the URL's host is, every address checked: one that is not allowed refuses
    /// the delivery (a name that also points inside is not sent to at all).
    pub async fn addresses(&self, url: &WebhookUrl) -> Result<Vec<SocketAddr>, SendError> {
        let addresses = match url.host.parse() {
            Ok(ip) => vec![SocketAddr::new(ip, url.port)],
            Err(_) => self
                .resolver
                .resolve(&url.host, url.port)
                .await
                .map_err(|err| SendError::Unresolved(err.to_string()))?,
        };
        if addresses.is_empty() {
            return Err(SendError::Unresolved(format!(
                "{} has no address",
                url.host
            )));
        }
        if let Some(bad) = addresses.iter().find(|a| !self.policy.allows(a.ip())) {
            return Err(SendError::Refused(format!(
                "{} resolves to {}, which is not public",
                url.host,
                bad.ip()
            )));
        }
        Ok(addresses)
    }

    fn tls_config(&self) -> Arc<ClientConfig> {
        self.tls.get_or_init(|| Arc::new(tls_config())).clone()
    }
}

fn host_header(url: &WebhookUrl) -> String {
    let default = if url.https { 443 } else { 80 };
    let host = if url.host.contains(':') {
        format!("[{}]", url.host)
    } else {
        url.host.clone()
    };
    if url.port == default {
        host
    } else {
        format!("{host}:{}", url.port)
    }
}

async fn connect(addresses: &[SocketAddr]) -> Result<TcpStream, SendError> {
    let mut last = None;
    for address in addresses {
        match TcpStream::connect(address).await {
            Ok(stream) => return Ok(stream),
            Err(err) => last = Some(err),
        }
    }
    Err(SendError::Connect(
        last.map_or_else(|| "no address".into(), |err| err.to_string()),
    ))
}

async fn exchange<T>(io: TokioIo<T>, request: Request<Full<Bytes>>) -> Result<u16, SendError>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = http1::handshake(io)
        .await
        .map_err(|err| SendError::Http(err.to_string()))?;
    // The connection is driven while the request is in flight, and dropped with the answer.
    let driven = tokio::spawn(connection);
    let answer = sender.send_request(request).await;
    driven.abort();
    answer
        .map(|response| response.status().as_u16())
        .map_err(|err| SendError::Http(err.to_string()))
}

/// The system's trusted roots (the Lambda image's), read once per container.
fn tls_config() -> ClientConfig {
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    let mut config = ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("aws-lc-rs supports the default protocol versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config
}
