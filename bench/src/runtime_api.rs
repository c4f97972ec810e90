//! A Lambda Runtime API emulator (the 2018-06-01 interface a function's runtime polls):
//! one per function process, serving the events the driver pushes and reporting when the
//! function asks for work and when it answers.

use std::{convert::Infallible, net::SocketAddr, sync::Arc, time::Instant};

use http_body_util::{BodyExt, Full};
use hyper::{body::Bytes, server::conn::http1, service::service_fn, Method, Request, Response};
use hyper_util::rt::TokioIo;
use tokio::{
    net::TcpListener,
    sync::{mpsc, Mutex},
};

/// What the function did, in the order it did it.
#[derive(Debug)]
pub enum Signal {
    /// It asked for its next event (the first time: init is over).
    Ready(Instant),
    /// It answered an event (`error`: through the runtime's error endpoint).
    Answered {
        at: Instant,
        body: Bytes,
        error: bool,
    },
}

struct Shared {
    events: Mutex<mpsc::UnboundedReceiver<(String, Bytes)>>,
    signals: mpsc::UnboundedSender<Signal>,
}

/// The emulator's two ends: push events in, read signals out.
pub struct RuntimeApi {
    pub address: SocketAddr,
    events: mpsc::UnboundedSender<(String, Bytes)>,
    signals: mpsc::UnboundedReceiver<Signal>,
    next_id: u64,
}

impl RuntimeApi {
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let (signals_tx, signals_rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            events: Mutex::new(events_rx),
            signals: signals_tx,
        });
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| serve(shared.clone(), req));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(RuntimeApi {
            address,
            events: events_tx,
            signals: signals_rx,
            next_id: 0,
        })
    }

    /// Hands the function its next event; returns when it was handed over.
    pub fn push(&mut self, event: Bytes) -> Instant {
        self.next_id += 1;
        let id = format!("bench-{:08}", self.next_id);
        let at = Instant::now();
        // The server side lives as long as the listener task; a closed channel means the
        // task ended, which the next `signal` reports as a timeout.
        let _ = self.events.send((id, event));
        at
    }

    pub async fn signal(&mut self) -> Option<Signal> {
        self.signals.recv().await
    }
}

async fn serve(
    shared: Arc<Shared>,
    req: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    let accepted = || {
        Response::builder()
            .status(202)
            .body(Full::new(Bytes::from_static(b"{}")))
            .expect("a static response")
    };
    if method == Method::GET && path == "/2018-06-01/runtime/invocation/next" {
        let _ = shared.signals.send(Signal::Ready(Instant::now()));
        let Some((id, event)) = shared.events.lock().await.recv().await else {
            return Ok(Response::builder()
                .status(500)
                .body(Full::new(Bytes::new()))
                .expect("a static response"));
        };
        let deadline_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() + 30_000)
            .unwrap_or_default();
        return Ok(Response::builder()
            .header("Lambda-Runtime-Aws-Request-Id", id)
            .header("Lambda-Runtime-Deadline-Ms", deadline_ms.to_string())
            .header(
                "Lambda-Runtime-Invoked-Function-Arn",
                "arn:aws:lambda:us-east-1:123456789012:function:bench",
            )
            .header(
                "Lambda-Runtime-Trace-Id",
                "Root=1-00000000-000000000000000000000000",
            )
            .header("content-type", "application/json")
            .body(Full::new(event))
            .expect("valid headers"));
    }
    let answer = path.strip_prefix("/2018-06-01/runtime/invocation/");
    let error = path.ends_with("/error");
    if method == Method::POST && (answer.is_some() || path == "/2018-06-01/runtime/init/error") {
        let body = req
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let _ = shared.signals.send(Signal::Answered {
            at: Instant::now(),
            body,
            error,
        });
        return Ok(accepted());
    }
    Ok(Response::builder()
        .status(404)
        .body(Full::new(Bytes::new()))
        .expect("a static response"))
}
