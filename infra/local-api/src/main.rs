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
    serve(listener, Arc::new(app)).await?;
    Ok(())
}
