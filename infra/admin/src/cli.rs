//! The command line of `tessera-admin`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Operate a Tessera deployment: its table, signing secret and workspaces.
///
/// Uses the standard AWS configuration (profile, region, credentials, and
/// AWS_ENDPOINT_URL_* for the local stack), so the same binary works locally and on AWS.
#[derive(Debug, Parser)]
#[command(name = "tessera-admin", version)]
pub struct Cli {
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct TableArg {
    /// The Tessera table (the stack's TableName output).
    #[arg(long, env = "TABLE_NAME")]
    pub table_name: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Manage the DynamoDB table.
    #[command(subcommand)]
    Table(TableCommand),
    /// Manage the JWT signing secret.
    #[command(subcommand)]
    Secret(SecretCommand),
    /// Manage workspaces and their workspace tokens.
    #[command(subcommand)]
    Workspace(WorkspaceCommand),
}

#[derive(Debug, Subcommand)]
pub enum TableCommand {
    /// Create the table as template.yaml defines it (for local stacks; SAM creates it on AWS).
    Create {
        #[command(flatten)]
        table: TableArg,
        /// The SAM template holding the table definition.
        #[arg(long, default_value = "template.yaml")]
        template: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Create the signing secret with a random 64-character key, unless it exists.
    Ensure {
        #[arg(long, env = "SIGNING_SECRET_ID")]
        secret_id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum WorkspaceCommand {
    /// Create a workspace; prints its id and admin workspace token (shown only once).
    Create {
        #[command(flatten)]
        table: TableArg,
        /// A name to recognise the workspace by.
        #[arg(long)]
        name: String,
        /// The owner's user id (the `userId` of its access tokens); a new one if omitted.
        #[arg(long)]
        user_id: Option<String>,
    },
    /// List every workspace.
    List {
        #[command(flatten)]
        table: TableArg,
    },
    /// Issue another workspace token (shown only once), e.g. a read-only one.
    IssueToken {
        #[command(flatten)]
        table: TableArg,
        #[arg(long)]
        workspace_id: String,
        /// The user the token belongs to.
        #[arg(long)]
        user_id: String,
        /// The token may list access tokens but not create or delete them.
        #[arg(long)]
        read_only: bool,
    },
    /// Replace a workspace token's secret; the old one stops working at once.
    RotateToken {
        #[command(flatten)]
        table: TableArg,
        #[arg(long)]
        workspace_id: String,
        #[arg(long)]
        token_id: String,
    },
}
