//! One run of a subject: start its process under a fresh Runtime API, time init and the
//! cold invocation, then the warm ones, and read its CPU time and peak memory.

use std::{
    collections::BTreeMap,
    path::Path,
    process::Stdio,
    time::{Duration, Instant},
};

use hyper::body::Bytes;
use serde::Serialize;
use tokio::process::{Child, Command};

use crate::{
    counting_proxy::{self, CountingProxy, Counts},
    plan::Subject,
    procfs,
    runtime_api::{RuntimeApi, Signal},
};

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot read event {0}: {1}")]
    Event(String, std::io::Error),
    #[error("cannot start {0}: {1}")]
    Spawn(String, std::io::Error),
    #[error("{0} did not {1} within {2:?} (its log: {3})")]
    Timeout(String, &'static str, Duration, String),
    #[error("{0} failed during init: {1} (its log: {2})")]
    InitFailed(String, String, String),
    #[error("cannot start the runtime API: {0}")]
    Io(#[from] std::io::Error),
}

/// What one process did.
#[derive(Debug, Clone, Serialize)]
pub struct RunSample {
    /// exec -> first request for work.
    pub init_ms: f64,
    /// exec -> answer to the first event.
    pub cold_ms: f64,
    /// Event handed over -> answer, for each warm invocation.
    pub warm_ms: Vec<f64>,
    /// CPU time of the warm invocations, per invocation.
    pub cpu_per_warm_ms: f64,
    /// CPU time until the cold answer (init and the first invocation).
    pub cold_cpu_ms: f64,
    pub peak_rss_kib: u64,
    /// The statuses answered (API Gateway's view: an authorizer's allow is 200, deny 403).
    pub statuses: BTreeMap<String, u32>,
}

/// Calls to AWS, by operation, in each phase of a process's life.
#[derive(Debug, Clone, Serialize, Default)]
pub struct CallSample {
    pub init: Counts,
    pub cold_request: Counts,
    pub warm_request: Counts,
    /// The statuses of the two requests: a second delete of the same token is a 404, whose
    /// calls are not the ones a successful request makes.
    pub cold_status: String,
    pub warm_status: String,
}

impl CallSample {
    /// The calls of a successful request in a warm container when the second request
    /// succeeded, else those of the first (a mutation that only succeeds once).
    pub fn per_request(&self) -> (&Counts, bool) {
        if self.warm_status.starts_with('2') || !self.cold_status.starts_with('2') {
            (&self.warm_request, false)
        } else {
            (&self.cold_request, true)
        }
    }
}

/// Where the process's AWS calls go when they are counted.
pub struct Proxies {
    pub dynamodb: CountingProxy,
    pub secretsmanager: CountingProxy,
}

impl Proxies {
    fn snapshot(&self) -> Counts {
        let mut all = self.dynamodb.snapshot();
        all.extend(self.secretsmanager.snapshot());
        all
    }
}

pub struct Options<'a> {
    pub timeout: Duration,
    pub log_dir: &'a Path,
}

pub(crate) struct Running {
    pub(crate) child: Child,
    pub(crate) api: RuntimeApi,
    started: Instant,
    log: String,
}

/// Starts the subject's process under a fresh Runtime API, with `env` besides Lambda's.
pub(crate) async fn start(
    subject: &Subject,
    options: &Options<'_>,
    proxies: Option<&Proxies>,
    env: &[(String, String)],
) -> Result<Running, RunError> {
    let api = RuntimeApi::start().await?;
    let log = options
        .log_dir
        .join(format!("{}-{}.log", subject.group, subject.implementation));
    let log_file = std::fs::File::create(&log)?;
    let mut command = Command::new(&subject.command[0]);
    command
        .args(&subject.command[1..])
        .env("AWS_LAMBDA_RUNTIME_API", api.address.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", &subject.group)
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bench")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .envs(env.iter().map(|(name, value)| (name, value)))
        .stdin(Stdio::null())
        .stdout(log_file.try_clone()?)
        .stderr(log_file)
        .kill_on_drop(true);
    if let Some(proxies) = proxies {
        command
            .env("AWS_ENDPOINT_URL_DYNAMODB", proxies.dynamodb.url())
            .env(
                "AWS_ENDPOINT_URL_SECRETS_MANAGER",
                proxies.secretsmanager.url(),
            );
    }
    let started = Instant::now();
    let child = command
        .spawn()
        .map_err(|err| RunError::Spawn(subject.command.join(" "), err))?;
    Ok(Running {
        child,
        api,
        started,
        log: log.display().to_string(),
    })
}

impl Running {
    async fn wait(
        &mut self,
        label: &str,
        what: &'static str,
        timeout: Duration,
    ) -> Result<Signal, RunError> {
        match tokio::time::timeout(timeout, self.api.signal()).await {
            Ok(Some(signal)) => Ok(signal),
            _ => Err(RunError::Timeout(
                label.to_owned(),
                what,
                timeout,
                self.log.clone(),
            )),
        }
    }

    pub(crate) async fn ready(
        &mut self,
        label: &str,
        timeout: Duration,
    ) -> Result<Instant, RunError> {
        match self.wait(label, "ask for an event", timeout).await? {
            Signal::Ready(at) => Ok(at),
            Signal::Answered { body, .. } => Err(RunError::InitFailed(
                label.to_owned(),
                String::from_utf8_lossy(&body).chars().take(300).collect(),
                self.log.clone(),
            )),
        }
    }

    async fn answer(
        &mut self,
        label: &str,
        timeout: Duration,
    ) -> Result<(Instant, String), RunError> {
        let (at, body, error) = self.answer_body(label, timeout).await?;
        Ok((at, status_of(&body, error)))
    }

    /// The function's next answer: when, what, and whether through the error endpoint.
    pub(crate) async fn answer_body(
        &mut self,
        label: &str,
        timeout: Duration,
    ) -> Result<(Instant, Bytes, bool), RunError> {
        loop {
            if let Signal::Answered { at, body, error } =
                self.wait(label, "answer its event", timeout).await?
            {
                return Ok((at, body, error));
            }
        }
    }

    fn pid(&self) -> u32 {
        self.child.id().unwrap_or(0)
    }
}

/// The status API Gateway would answer for a function's output.
pub fn status_of(body: &Bytes, error: bool) -> String {
    if error {
        return "error".into();
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return "unparsable".into();
    };
    if let Some(code) = value.get("statusCode").and_then(|c| c.as_u64()) {
        return code.to_string();
    }
    match value.get("isAuthorized").and_then(|a| a.as_bool()) {
        Some(true) => "200".into(),
        Some(false) => "403".into(),
        None => "no status".into(),
    }
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Starts the subject, sends it `1 + warm` events, and stops it.
pub async fn run_once(
    subject: &Subject,
    warm: usize,
    options: &Options<'_>,
) -> Result<RunSample, RunError> {
    let event = read_event(&subject.event)?;
    let label = subject.label();
    let mut running = start(subject, options, None, &[]).await?;
    let ready = running.ready(&label, options.timeout).await?;
    running.api.push(event.clone());
    let (answered, status) = running.answer(&label, options.timeout).await?;
    let pid = running.pid();
    let cpu_before = procfs::cpu_ns(pid).unwrap_or(0);
    let mut statuses = BTreeMap::from([(status, 1)]);
    let mut warm_ms = Vec::with_capacity(warm);
    for _ in 0..warm {
        running.ready(&label, options.timeout).await?;
        let pushed = running.api.push(event.clone());
        let (at, status) = running.answer(&label, options.timeout).await?;
        warm_ms.push(millis(at - pushed));
        *statuses.entry(status).or_default() += 1;
    }
    // Let the process settle back into waiting, so its CPU time covers whole invocations.
    running.ready(&label, options.timeout).await?;
    let cpu_after = procfs::cpu_ns(pid).unwrap_or(0);
    let peak_rss_kib = procfs::peak_rss_kib(pid).unwrap_or(0);
    let _ = running.child.kill().await;
    Ok(RunSample {
        init_ms: millis(ready - running.started),
        cold_ms: millis(answered - running.started),
        warm_ms,
        cpu_per_warm_ms: if warm == 0 {
            f64::NAN
        } else {
            (cpu_after.saturating_sub(cpu_before)) as f64 / 1e6 / warm as f64
        },
        cold_cpu_ms: cpu_before as f64 / 1e6,
        peak_rss_kib,
        statuses,
    })
}

/// Starts the subject with its AWS calls through the counting proxies: the calls of its
/// init, of its first request and of a warm one.
pub async fn count_calls(
    subject: &Subject,
    proxies: &Proxies,
    options: &Options<'_>,
) -> Result<CallSample, RunError> {
    let event = read_event(&subject.event)?;
    let label = subject.label();
    let start_counts = proxies.snapshot();
    let mut running = start(subject, options, Some(proxies), &[]).await?;
    running.ready(&label, options.timeout).await?;
    let after_init = proxies.snapshot();
    running.api.push(event.clone());
    let (_, cold_status) = running.answer(&label, options.timeout).await?;
    let after_cold = proxies.snapshot();
    running.ready(&label, options.timeout).await?;
    running.api.push(event);
    let (_, warm_status) = running.answer(&label, options.timeout).await?;
    let after_warm = proxies.snapshot();
    let _ = running.child.kill().await;
    Ok(CallSample {
        init: counting_proxy::difference(&after_init, &start_counts),
        cold_request: counting_proxy::difference(&after_cold, &after_init),
        warm_request: counting_proxy::difference(&after_warm, &after_cold),
        cold_status,
        warm_status,
    })
}

pub(crate) fn read_event(path: &Path) -> Result<Bytes, RunError> {
    std::fs::read(path)
        .map(Bytes::from)
        .map_err(|err| RunError::Event(path.display().to_string(), err))
}
