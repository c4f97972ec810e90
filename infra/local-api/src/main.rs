use std::{net::SocketAddr, path::PathBuf, process::ExitCode, sync::Arc};

use clap::Parser;
use tessera_common::AppState;
use tessera_local_api::{serve, App};

/// Serves Tessera's API locally, as API Gateway would, from template.yaml.
#[derive(Debug, Parser)]
#[command(name = "tessera-local-api", version)]
struct Args {
    /// Address to listen on (loopback only).
    #[arg(long, default_value = "127.0.0.1:3000")]
    listen: SocketAddr,
    /// The SAM template whose routes to serve.
    #[arg(long, default_value = "template.yaml")]
    template: PathBuf,
    /// Also run the events pipeline: the table's stream to the bus EVENT_BUS_NAME, and
    /// the queue WEBHOOK_QUEUE_NAME to the workspaces' webhook endpoints (made if missing).
    #[arg(long)]
    events: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    // The same rule as the functions: their crates at the configured level, dependencies
    // at most INFO, so nothing secret is logged locally either.
    let own: Vec<String> = tessera_local_api::handlers::HANDLERS
        .iter()
        .map(|(code_uri, _)| code_uri.trim_start_matches("functions/").replace('-', "_"))
        .chain(["tessera_local_api".to_owned()])
        .collect();
    tessera_common::logging::init(own.iter().map(String::as_str));
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("tessera-local-api: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    if !args.listen.ip().is_loopback() {
        return Err(format!(
            "refusing to listen on {}: the local API serves loopback only",
            args.listen
        )
        .into());
    }
    let yaml = std::fs::read_to_string(&args.template)
        .map_err(|e| format!("cannot read {}: {e}", args.template.display()))?;
    let sdk = tessera_common::config::sdk_config().await;
    let mut state = AppState::from_env_with(&sdk)?;
    // One state serves every function in-process, those that sign JWTs too.
    if tessera_common::config::optional("SIGNING_SECRET_ID").is_some() {
        state.signing = Some(tessera_jwt::lambda::signing_keys_from_env(
            &sdk,
            state.clock.clone(),
        )?);
    }
    if tessera_common::config::optional("WEBHOOK_KEY_SECRET_ID").is_some() {
        state.webhook_key = Some(tessera_webhooks::lambda::key_from_env(&sdk)?);
    }
    let pipeline = if args.events {
        Some(events_pipeline(&sdk, &state).await?)
    } else {
        None
    };
    let mut app = App::from_template(&yaml, state)?;
    // The API's contract, beside the template, for people's tools (local only).
    let spec = args.template.with_file_name("openapi.yaml");
    if let Ok(text) = std::fs::read_to_string(&spec) {
        app = app.with_spec(text);
        println!("  GET     /openapi.yaml  -> {}", spec.display());
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    println!("Tessera local API on http://{}", args.listen);
    for route in app.routes() {
        println!(
            "  {:<7} {}  -> {}",
            route.method, route.path, route.function
        );
    }
    match pipeline {
        Some(pipeline) => {
            tokio::select! {
                served = serve(listener, Arc::new(app)) => served?,
                () = pipeline => {}
            }
        }
        None => serve(listener, Arc::new(app)).await?,
    }
    Ok(())
}

/// The events pipeline, ready to run, after saying where events go.
async fn events_pipeline(
    sdk: &aws_config::SdkConfig,
    state: &AppState,
) -> Result<impl std::future::Future<Output = ()>, Box<dyn std::error::Error>> {
    use tessera_local_api::events;
    let bus = std::env::var("EVENT_BUS_NAME").map_err(|_| "--events needs EVENT_BUS_NAME")?;
    let queue =
        std::env::var("WEBHOOK_QUEUE_NAME").map_err(|_| "--events needs WEBHOOK_QUEUE_NAME")?;
    let queue_url = events::ensure_bus_and_queue(sdk, &bus, &queue)
        .await
        .map_err(|e| format!("cannot make the bus and the webhook queue: {e}"))?;
    let deliverer = deliver_webhooks::Deliverer {
        retry: deliver_webhooks::RetryPolicy::DEFAULT,
        sender: deliver_webhooks::Sender::new(
            Arc::new(deliver_webhooks::SystemResolver),
            tessera_webhooks::url::AddressPolicy::from_env(),
            deliver_webhooks::TIMEOUT,
        ),
        queue: Some((aws_sdk_sqs::Client::new(sdk), queue_url.clone())),
    };
    println!("Events: the table's stream -> publish-events -> EventBridge bus {bus}");
    println!(
        "        -> rule -> queue {queue_url} -> deliver-webhooks -> the workspaces' endpoints"
    );
    if tessera_webhooks::url::AddressPolicy::from_env().allow_loopback {
        println!(
            "        (receivers on http://127.0.0.1:<port> are allowed here, never when deployed)"
        );
    }
    Ok(events::run(
        state.clone(),
        sdk.clone(),
        queue_url,
        deliverer,
    ))
}
