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
    /// Rotate the JWT signing key.
    #[command(subcommand)]
    SigningKey(SigningKeyCommand),
    /// Manage workspaces and their workspace tokens.
    #[command(subcommand)]
    Workspace(WorkspaceCommand),
    /// Manage users of the SeaTable-style API.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage bases (dtables).
    #[command(subcommand)]
    Base(BaseCommand),
    /// Grant or revoke users' permission in a workspace.
    #[command(subcommand)]
    Member(MemberCommand),
    /// Manage a base's API tokens.
    #[command(subcommand)]
    ApiToken(ApiTokenCommand),
    /// Manage a base's share links.
    #[command(subcommand)]
    ShareLink(ShareLinkCommand),
    /// Read the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The public fixture data set that events/ names (local stacks only).
    #[command(subcommand)]
    Fixtures(FixturesCommand),
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// A workspace's audit log (or a user's, with --user-id), newest first.
    List {
        #[command(flatten)]
        table: TableArg,
        #[arg(long, required_unless_present = "user_id", conflicts_with = "user_id")]
        workspace_id: Option<String>,
        #[arg(long)]
        user_id: Option<String>,
        /// How many entries, at most.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i32).range(1..=1000))]
        limit: i32,
    },
}

#[derive(Debug, Subcommand)]
pub enum FixturesCommand {
    /// Load the fixture into an empty local table. Its tokens are public: never on AWS.
    Load {
        #[command(flatten)]
        table: TableArg,
        /// Empty the table first, so the fixture is loaded afresh.
        #[arg(long)]
        reset: bool,
        /// Give the fixture workspace this many more access tokens (for benchmarks).
        #[arg(long, default_value_t = 0)]
        extra_access_tokens: u32,
    },
}

/// A base, named as the SeaTable API names it.
#[derive(Debug, Args)]
pub struct BaseArg {
    #[arg(long)]
    pub workspace_id: String,
    /// The base's name (dtable_name).
    #[arg(long)]
    pub base: String,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; prints the user's id and auth token (shown only once).
    Create {
        #[command(flatten)]
        table: TableArg,
        /// What tokens call the user (the JWT's username), e.g. an email address. Unique,
        /// whatever its case.
        #[arg(long)]
        name: String,
    },
    /// Manage a user's auth token.
    #[command(subcommand)]
    Token(UserTokenCommand),
    /// Disable a user: their auth token stops working at once, and the temporary API
    /// tokens issued to them are refused. Their bases, API tokens and share links stay.
    Disable {
        #[command(flatten)]
        table: TableArg,
        #[arg(long)]
        user_id: String,
    },
    /// Enable a disabled user with a new auth token (shown only once).
    Enable {
        #[command(flatten)]
        table: TableArg,
        #[arg(long)]
        user_id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserTokenCommand {
    /// Replace a user's auth token (the new one is shown only once); the old one stops
    /// working at once.
    Rotate {
        #[command(flatten)]
        table: TableArg,
        #[arg(long)]
        user_id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum BaseCommand {
    /// Create a base in a workspace, owned (and administered) by a user.
    Create {
        #[command(flatten)]
        table: TableArg,
        #[arg(long)]
        workspace_id: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        owner_id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Give a user a permission in a workspace: r, rw or admin.
    Grant {
        #[command(flatten)]
        table: TableArg,
        #[arg(long)]
        workspace_id: String,
        #[arg(long)]
        user_id: String,
        #[arg(long, value_parser = ["r", "rw", "admin"])]
        permission: String,
    },
    /// Take a user's permission in a workspace away.
    Revoke {
        #[command(flatten)]
        table: TableArg,
        #[arg(long)]
        workspace_id: String,
        #[arg(long)]
        user_id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ApiTokenCommand {
    /// Create a base's API token (shown only once).
    Create {
        #[command(flatten)]
        table: TableArg,
        #[command(flatten)]
        base: BaseArg,
        #[arg(long)]
        app_name: String,
        #[arg(long, value_parser = ["r", "rw"])]
        permission: String,
        /// Recorded as generated_by.
        #[arg(long, default_value = "tessera-admin")]
        generated_by: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ShareLinkCommand {
    /// Create a base's share link on a user's behalf (its token is shown only once).
    Create {
        #[command(flatten)]
        table: TableArg,
        #[command(flatten)]
        base: BaseArg,
        /// The user the link belongs to (who may list and delete it).
        #[arg(long)]
        user_id: String,
        #[arg(long, value_parser = ["r", "rw"], default_value = "r")]
        permission: String,
        #[arg(long)]
        expire_days: Option<u64>,
    },
    /// List a base's share and external links (one kind of record), never their tokens.
    List {
        #[command(flatten)]
        table: TableArg,
        #[command(flatten)]
        base: BaseArg,
    },
    /// Revoke one of a base's links by its id (from `share-link list`): it stops working at once.
    Revoke {
        #[command(flatten)]
        table: TableArg,
        #[command(flatten)]
        base: BaseArg,
        #[arg(long)]
        link_id: String,
    },
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
        /// Without the table's stream (on DynamoDB Local it slows every write): for a table
        /// whose events no one reads, such as the benchmark's.
        #[arg(long)]
        without_stream: bool,
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
pub enum SigningKeyCommand {
    /// Rotate now, by the same four steps as the scheduled rotation: a new random key
    /// becomes AWSCURRENT; the old one, AWSPREVIOUS, verifies the tokens it signed.
    Rotate {
        #[arg(long, env = "SIGNING_SECRET_ID")]
        secret_id: String,
        /// The stack's table: with it, the rotation is told of as a `Signing Key Rotated`
        /// event, as the scheduled rotation is.
        #[arg(long, env = "TABLE_NAME")]
        table_name: Option<String>,
        /// After a key compromise: also retire the old key at once, so that nothing it
        /// signed verifies any more (live tokens it signed stop working too).
        #[arg(long)]
        revoke_previous: bool,
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
    /// Manage a workspace's tokens.
    #[command(subcommand)]
    Token(WorkspaceTokenCommand),
}

/// One workspace token, by its id (`workspace token list` shows them).
#[derive(Debug, Args)]
pub struct WorkspaceTokenArg {
    #[arg(long)]
    pub workspace_id: String,
    #[arg(long)]
    pub token_id: String,
}

#[derive(Debug, Subcommand)]
pub enum WorkspaceTokenCommand {
    /// Issue another workspace token (shown only once), e.g. a read-only one.
    Issue {
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
    /// List a workspace's tokens: ids, roles, users and dates, never the tokens.
    List {
        #[command(flatten)]
        table: TableArg,
        #[arg(long)]
        workspace_id: String,
    },
    /// Replace a workspace token's secret (shown only once); the old one stops working
    /// at once.
    Rotate {
        #[command(flatten)]
        table: TableArg,
        #[command(flatten)]
        token: WorkspaceTokenArg,
    },
    /// Revoke a workspace token: it stops working at once.
    Revoke {
        #[command(flatten)]
        table: TableArg,
        #[command(flatten)]
        token: WorkspaceTokenArg,
    },
}
