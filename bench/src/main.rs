//! `lambda-bench`: measures the subjects of a plan (see `plan`) and prints the report.

use std::{path::PathBuf, time::Duration};

use clap::Parser;
use tessera_bench::{
    counting_proxy::CountingProxy,
    measure::{self, Options, Proxies},
    plan,
    report::{self, SubjectResult},
};

#[derive(Debug, Parser)]
#[command(about = "Cold starts, warm CPU, memory and AWS calls of Lambda function binaries")]
struct Cli {
    /// The subjects (see bench/plan.tsv).
    #[arg(long)]
    plan: PathBuf,
    /// Processes started per subject: each one cold start.
    #[arg(long, default_value_t = 7)]
    cold_runs: usize,
    /// Warm invocations after each cold start.
    #[arg(long, default_value_t = 300)]
    warm: usize,
    /// A shell command run before each process starts (e.g. reload the fixture).
    #[arg(long)]
    reset: Option<String>,
    /// Count the AWS calls of each subject through proxies (one more process each).
    #[arg(long)]
    count_calls: bool,
    /// Where each subject's output goes.
    #[arg(long, default_value = "target/bench/logs")]
    log_dir: PathBuf,
    /// Everything measured, as JSON.
    #[arg(long)]
    json_out: Option<PathBuf>,
    #[arg(long, default_value_t = 30)]
    timeout_secs: u64,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cli = Cli::parse();
    let subjects = plan::parse(&std::fs::read_to_string(&cli.plan)?)?;
    std::fs::create_dir_all(&cli.log_dir)?;
    let options = Options {
        timeout: Duration::from_secs(cli.timeout_secs),
        log_dir: &cli.log_dir,
    };
    let proxies = if cli.count_calls {
        let upstream = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
        Some(Proxies {
            dynamodb: CountingProxy::start(upstream("AWS_ENDPOINT_URL_DYNAMODB")?).await?,
            secretsmanager: CountingProxy::start(upstream("AWS_ENDPOINT_URL_SECRETS_MANAGER")?)
                .await?,
        })
    } else {
        None
    };
    let mut results = Vec::new();
    let mut failed = 0;
    for subject in &subjects {
        eprint!("bench: {:<40}", subject.label());
        let mut result = SubjectResult::new(subject);
        let outcome: Result<(), measure::RunError> = async {
            for _ in 0..cli.cold_runs {
                reset(cli.reset.as_deref())?;
                result
                    .runs
                    .push(measure::run_once(subject, cli.warm, &options).await?);
                eprint!(".");
            }
            if let Some(proxies) = &proxies {
                reset(cli.reset.as_deref())?;
                result.calls = Some(measure::count_calls(subject, proxies, &options).await?);
            }
            Ok(())
        }
        .await;
        match outcome {
            Ok(()) => eprintln!(" ok"),
            Err(err) => {
                eprintln!(" FAILED: {err}");
                result.error = Some(err.to_string());
                failed += 1;
            }
        }
        results.push(result);
    }
    if let Some(path) = &cli.json_out {
        std::fs::write(path, serde_json::to_vec_pretty(&results)?)?;
    }
    println!("{}", report::markdown(&results, cli.cold_runs, cli.warm));
    if failed > 0 {
        return Err(format!("{failed} of {} subjects failed", subjects.len()).into());
    }
    Ok(())
}

fn reset(command: Option<&str>) -> Result<(), measure::RunError> {
    let Some(command) = command else {
        return Ok(());
    };
    let status = std::process::Command::new("sh")
        .args(["-c", command])
        .stdout(std::process::Stdio::null())
        .status()?;
    if status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!("reset command failed: {command}")).into())
    }
}
