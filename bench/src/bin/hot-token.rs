//! `hot-token`: the hot-token simulation of `make bench` (see `tessera_bench::hot`). Each
//! `--scenario label=event` runs `--processes` copies of `--command` on that event for
//! `--seconds`; `--env NAME=VALUE` is set for every process of the scenarios after it.

use std::{path::PathBuf, time::Duration};

use clap::Parser;
use tessera_bench::{
    counting_proxy::CountingProxy,
    hot,
    measure::{Options, Proxies},
    plan::Subject,
};

#[derive(Debug, Parser)]
#[command(about = "One token verified by many function processes at once: its hottest keys")]
struct Cli {
    /// The function binary (the verify API or the authorizer).
    #[arg(long)]
    command: PathBuf,
    /// `label=event.json[,NAME=VALUE...]`: a scenario, with the environment of its processes.
    #[arg(long = "scenario", required = true)]
    scenarios: Vec<String>,
    #[arg(long, default_value_t = 8)]
    processes: usize,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// A shell command run before each scenario (e.g. reload the fixture).
    #[arg(long)]
    reset: Option<String>,
    #[arg(long, default_value = "target/bench/logs")]
    log_dir: PathBuf,
    #[arg(long)]
    json_out: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cli = Cli::parse();
    std::fs::create_dir_all(&cli.log_dir)?;
    let upstream = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
    let proxies = Proxies {
        dynamodb: CountingProxy::start(upstream("AWS_ENDPOINT_URL_DYNAMODB")?).await?,
        secretsmanager: CountingProxy::start(upstream("AWS_ENDPOINT_URL_SECRETS_MANAGER")?).await?,
    };
    let options = Options {
        timeout: Duration::from_secs(30),
        log_dir: &cli.log_dir,
    };
    let mut runs = Vec::new();
    for scenario in &cli.scenarios {
        let mut parts = scenario.split(',');
        let (label, event) = parts
            .next()
            .and_then(|first| first.split_once('='))
            .ok_or_else(|| format!("--scenario {scenario}: expected label=event.json"))?;
        let env: Vec<(String, String)> = parts
            .map(|pair| {
                pair.split_once('=')
                    .map(|(name, value)| (name.to_owned(), value.to_owned()))
                    .ok_or_else(|| format!("--scenario {scenario}: {pair} is not NAME=VALUE"))
            })
            .collect::<Result<_, _>>()?;
        if let Some(reset) = &cli.reset {
            let status = std::process::Command::new("sh")
                .args(["-c", reset])
                .stdout(std::process::Stdio::null())
                .status()?;
            if !status.success() {
                return Err(format!("reset command failed: {reset}").into());
            }
        }
        eprintln!(
            "hot-token: {label}: {} processes for {} s",
            cli.processes, cli.seconds
        );
        let subject = Subject {
            group: label.to_owned(),
            implementation: "rust".into(),
            event: PathBuf::from(event),
            command: vec![cli.command.display().to_string()],
        };
        runs.push(
            hot::drive(
                &subject,
                &proxies,
                &options,
                cli.processes,
                Duration::from_secs(cli.seconds),
                &env,
            )
            .await?,
        );
    }
    if let Some(path) = &cli.json_out {
        std::fs::write(path, serde_json::to_vec_pretty(&runs)?)?;
    }
    println!("{}", hot::markdown(&runs));
    Ok(())
}
