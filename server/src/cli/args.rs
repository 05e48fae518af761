//! The commands and their arguments, as `serialtrace --help` lists them.

use crate::config::{DatabaseArgs, ServeArgs};
use clap::{Parser, Subcommand};

/// serialtrace: the public recall-and-warranty lookup portal.
#[derive(Parser, Debug)]
#[command(
    name = "serialtrace",
    version,
    about = "serialtrace: the public recall-and-warranty lookup portal (server and operator commands)"
)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Migrate the database, then serve the portal and the JSON API.
    Serve(ServeArgs),
    /// Apply any pending database migrations, then exit.
    Migrate,
    /// Create a user (the first admin, say). The password is read from standard input.
    CreateUser {
        /// The user's e-mail address.
        #[arg(long)]
        email: String,
        /// A role besides owner, which every user has: agent, staff, police or admin.
        #[arg(long)]
        role: Option<String>,
        /// For staff: the manufacturer they work for (its short name, e.g. nordvik).
        #[arg(long)]
        manufacturer: Option<String>,
        /// For police: their agency.
        #[arg(long)]
        agency: Option<String>,
    },
    /// Import records from CSV files.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Recalls.
    Recall {
        #[command(subcommand)]
        action: RecallCommand,
    },
    /// Partner API keys.
    ApiKey {
        #[command(subcommand)]
        action: ApiKeyCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// Load the deterministic demo data set into an empty database and print serials to try
    /// as lines `sample <outcome> <serial> [gtin]`.
    Demo {
        /// How many units to create (at least 1,000).
        #[arg(long, default_value_t = 100_000)]
        units: u64,
        /// Seed for the generator: the same seed and day give the same data set.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Units from a CSV file with the header
    /// manufacturer,model,serial,lot,manufactured_on,sold_on,warranty_months (other columns
    /// are ignored). Prints each rejected row as `line N: column: reason` and exits non-zero
    /// when any row was rejected. Importing the same file again changes nothing.
    Units {
        /// The CSV file (`-` for standard input).
        file: String,
        /// Check every row and report what would change, without writing anything.
        #[arg(long)]
        dry_run: bool,
        /// Make the manufacturers and models the file names that do not exist yet (a model
        /// gets the row's warranty months as its policy, from sale).
        #[arg(long)]
        create_missing: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum RecallCommand {
    /// Publish a draft recall (drafted and scoped in the staff screens): compute which units
    /// it covers and show it in lookups. Audited as the operator.
    Publish {
        /// The recall number.
        number: String,
        /// The manufacturer's slug: needed when several manufacturers have this number.
        #[arg(long)]
        manufacturer: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ApiKeyCommand {
    /// Make a key and print it (once: only its digest is kept).
    Create {
        /// Who uses it, e.g. "Corner Pawn, High St".
        #[arg(long)]
        name: String,
        /// stolen-check (pawn shops, resellers, repairers, insurers) or staff (a
        /// manufacturer's own systems: units import/export, recall remedies).
        #[arg(long)]
        scope: String,
        /// For a staff key: the manufacturer's short name, e.g. hallmark.
        #[arg(long)]
        manufacturer: Option<String>,
        /// Requests allowed per minute.
        #[arg(long, default_value_t = 60)]
        per_minute: i64,
        /// Requests allowed per day (UTC).
        #[arg(long, default_value_t = 10_000)]
        per_day: i64,
    },
    /// Revoke a key, by its id or name: its next request gets 401.
    Revoke {
        /// The key's id (as `api-key list` shows it) or name.
        key: String,
    },
    /// List the keys (never the keys themselves).
    List,
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Check the audit log's hash chain; exits non-zero, naming the entry, if it was tampered with.
    Verify,
}
