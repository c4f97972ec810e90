mod cli;
mod seatable;
mod workspace;

use std::process::ExitCode;

use aws_config::BehaviorVersion;
use clap::Parser;
use serde_json::{json, Value};
use tessera_admin::provision::TableDefinition;
use tessera_common::{token::random_base62, Store};

use cli::{
    AuditCommand, Cli, Command, FixturesCommand, SecretCommand, SigningKeyCommand, TableCommand,
};

pub(crate) type Failure = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command).await {
        Ok(mut output) => {
            if cli.json {
                if let Some(fields) = output.as_object_mut() {
                    fields.remove("message");
                }
                println!("{output:#}");
            } else {
                print_text(&output);
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("tessera-admin: {}", error_chain(err.as_ref()));
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<Value, Failure> {
    let sdk = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let store = |table: String| Store::new(aws_sdk_dynamodb::Client::new(&sdk), table);
    Ok(match command {
        Command::Table(TableCommand::Create {
            table,
            template,
            without_stream,
        }) => {
            let yaml = std::fs::read_to_string(&template)
                .map_err(|e| format!("cannot read {}: {e}", template.display()))?;
            let definition = TableDefinition::from_template(&yaml)?;
            let definition = if without_stream {
                definition.without_stream()
            } else {
                definition
            };
            definition
                .create(&aws_sdk_dynamodb::Client::new(&sdk), &table.table_name)
                .await?;
            json!({ "message": format!("created table {}", table.table_name), "table_name": table.table_name })
        }
        Command::Secret(SecretCommand::Ensure { secret_id }) => {
            ensure_secret(&aws_sdk_secretsmanager::Client::new(&sdk), &secret_id).await?
        }
        Command::SigningKey(SigningKeyCommand::Rotate {
            secret_id,
            table_name,
            revoke_previous,
        }) => {
            let client = aws_sdk_secretsmanager::Client::new(&sdk);
            let kid = rotate_signing_key::protocol::rotate_now(&client, &secret_id).await?;
            if let Some(table) = table_name {
                rotate_signing_key::event::record_rotation(
                    (
                        &store(table),
                        std::time::SystemTime::now(),
                        tessera_common::audit::DEFAULT_RETENTION,
                    ),
                    &client,
                    &secret_id,
                    &kid,
                    "operator",
                )
                .await?;
            }
            if revoke_previous {
                let retired =
                    rotate_signing_key::protocol::retire_previous(&client, &secret_id).await?;
                json!({ "message": format!("rotated {secret_id}: new tokens are signed with key version {kid}; the previous key is retired: what it signed stops verifying within the key cache's refresh (5 minutes)"), "kid": kid, "retired": retired })
            } else {
                json!({ "message": format!("rotated {secret_id}: new tokens are signed with key version {kid}; the previous key verifies until the next rotation"), "kid": kid })
            }
        }
        Command::Workspace(command) => workspace::workspace(store, command).await?,
        Command::Audit(AuditCommand::List {
            table,
            workspace_id,
            user_id,
            limit,
        }) => {
            let scope =
                workspace_id.unwrap_or_else(|| format!("user:{}", user_id.unwrap_or_default()));
            let page = store(table.table_name)
                .audit_log(&scope, limit, None)
                .await?;
            let lines: Vec<String> = page
                .entries
                .iter()
                .map(|e| {
                    format!(
                        "{}  {}  {}  {}{}",
                        e.at,
                        e.actor,
                        e.action,
                        e.object,
                        e.detail
                            .as_deref()
                            .map(|d| format!("  ({d})"))
                            .unwrap_or_default()
                    )
                })
                .collect();
            json!({ "message": lines.join("\n"), "entries": page.entries })
        }
        Command::Fixtures(FixturesCommand::Load {
            table,
            reset,
            extra_access_tokens,
        }) => {
            let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB").unwrap_or_default();
            if !is_local_stack(&endpoint) {
                return Err("fixtures hold public tokens: load them only into a local stack (AWS_ENDPOINT_URL_DYNAMODB on 127.0.0.1 or a private address)".into());
            }
            let store = store(table.table_name.clone());
            if reset {
                tessera_admin::fixtures::reset(&store).await?;
            }
            tessera_admin::fixtures::load(&store).await?;
            tessera_admin::fixtures::add_access_tokens(&store, extra_access_tokens).await?;
            json!({ "message": format!("loaded the fixture into {}", table.table_name), "workspace_id": tessera_common::limits::workspace_id_json(tessera_admin::fixtures::WORKSPACE_ID) })
        }
        Command::User(command) => seatable::user(store, command).await?,
        Command::Base(command) => seatable::base(store, command).await?,
        Command::Member(command) => seatable::member(store, command).await?,
        Command::ApiToken(command) => seatable::api_token(store, command).await?,
        Command::ShareLink(command) => seatable::share_link(store, command).await?,
    })
}

/// Creates the signing secret if it does not exist; never prints or changes a key.
async fn ensure_secret(
    client: &aws_sdk_secretsmanager::Client,
    secret_id: &str,
) -> Result<Value, Failure> {
    let existing = client.describe_secret().secret_id(secret_id).send().await;
    if let Ok(found) = existing {
        return Ok(json!({
            "message": format!("signing secret {secret_id} already exists"),
            "arn": found.arn(),
            "created": false,
        }));
    }
    let created = client
        .create_secret()
        .name(secret_id)
        .description("Tessera HS256 signing key for base access tokens")
        .secret_string(random_base62(64))
        .send()
        .await?;
    Ok(json!({
        "message": format!("created signing secret {secret_id}"),
        "arn": created.arn(),
        "created": true,
    }))
}

/// Text output: the message, then every other field as `key: value`.
fn print_text(output: &Value) {
    if let Some(message) = output.get("message").and_then(Value::as_str) {
        println!("{message}");
    }
    if let Some(fields) = output.as_object() {
        for (key, value) in fields {
            if key != "message" && !value.is_array() {
                let text = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_owned);
                println!("  {key}: {text}");
            }
        }
    }
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(next) = cause {
        text.push_str(": ");
        text.push_str(&next.to_string());
        cause = next.source();
    }
    text
}

/// A local stack: plain HTTP on a loopback or private address (127.0.0.1 for `make dev`, the
/// docker bridge's 172.17.0.1 for `make sam-local`), never an AWS endpoint.
fn is_local_stack(endpoint: &str) -> bool {
    let Some(rest) = endpoint.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split([':', '/']).next().unwrap_or_default();
    host == "localhost"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback() || ip.is_private())
}

#[cfg(test)]
mod tests {
    use super::is_local_stack;

    #[test]
    fn fixtures_load_only_into_a_local_stack() {
        for local in [
            "http://127.0.0.1:8000",
            "http://localhost:8000",
            "http://172.17.0.1:41029",
        ] {
            assert!(is_local_stack(local), "{local}");
        }
        for remote in [
            "",
            "https://dynamodb.us-east-1.amazonaws.com",
            "http://dynamodb.us-east-1.amazonaws.com",
            "http://8.8.8.8:80",
            "https://127.0.0.1:8000",
        ] {
            assert!(!is_local_stack(remote), "{remote}");
        }
    }
}
