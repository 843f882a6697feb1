//! The command line `gen` accepts.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use tenantgen::model::Isolation;

/// Generate a multi-tenant SaaS — Rust backend, PostgreSQL with row-level
/// security, React frontend — from one YAML spec.
#[derive(Parser)]
#[command(name = "gen", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Write a commented starter spec.
    #[command(after_help = "Example:\n  gen init crm.yaml --isolation bridge")]
    Init {
        /// Where to write it.
        #[arg(default_value = "spec.yaml")]
        file: PathBuf,
        /// The tenant isolation mode of the starter.
        #[arg(long, value_enum, default_value_t = IsolationArg::Pool)]
        isolation: IsolationArg,
    },
    /// Validate a spec and print every problem; with --drift, compare a
    /// generated project with what its spec.yaml generates now.
    #[command(
        after_help = "Example:\n  gen check spec.yaml\n  gen check --drift acme_crm\n  gen check --citus spec.yaml"
    )]
    Check {
        /// The spec file; with --drift, the project folder (default: the current one).
        #[arg(required_unless_present = "drift")]
        path: Option<PathBuf>,
        /// List the generator-owned files that differ from what spec.yaml
        /// generates (edited, missing or stale) and exit 1 if there are any:
        /// for CI.
        #[arg(long)]
        drift: bool,
        /// With --drift: list your edits to generator-owned files that
        /// `gen update` keeps as they are (the generator's text for them is
        /// unchanged) without failing on them; stale, missing and merged
        /// files and edited migrations still fail.
        #[arg(long, requires = "drift")]
        allow_edits: bool,
        /// Report whether Citus could distribute a pool spec's shared
        /// database as generated, table by table, and exit 1 if it would
        /// refuse any of it.
        #[arg(long, conflicts_with = "drift")]
        citus: bool,
        /// How to print the result: text for people, json for editors and CI.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Generate a project from a spec.
    #[command(after_help = "Example:\n  gen new examples/crm.yaml -o acme_crm")]
    New {
        /// The spec file.
        spec: PathBuf,
        /// The project folder (default: the app name).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Write into a folder that already has files in it.
        #[arg(long)]
        force: bool,
        /// A folder of templates that replace built-in ones of the same name.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// Skip rustfmt (most of the time `gen new` takes); run `cargo fmt` later.
        #[arg(long)]
        no_format: bool,
    },
    /// Show what regenerating a project from its edited spec.yaml would do,
    /// writing nothing.
    #[command(after_help = "Example:\n  gen plan acme_crm --diff")]
    Plan {
        /// The project folder.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Also print a unified diff of each file that would be written.
        #[arg(long)]
        diff: bool,
        /// Plan as if destructive database changes (dropping a table or a
        /// column, narrowing a type) were allowed.
        #[arg(long)]
        allow_destructive: bool,
        /// How to print the plan: text for people, json for editors and CI.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Regenerate a project from its edited spec.yaml: rewrite the files you
    /// didn't change, merge the ones you did, never touch your own.
    #[command(after_help = "Example:\n  gen update acme_crm")]
    Update {
        /// The project folder.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Allow database changes that throw data away: dropping a table or
        /// a column, narrowing a type. Refused otherwise, with nothing written.
        #[arg(long)]
        allow_destructive: bool,
    },
    /// Print the JSON Schema of the spec format.
    #[command(after_help = "Example:\n  gen schema > spec.schema.json")]
    Schema,
    /// Print a shell completion script.
    #[command(after_help = "Example:\n  gen completions bash > /etc/bash_completion.d/gen")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum IsolationArg {
    Pool,
    Bridge,
    Silo,
}

impl From<IsolationArg> for Isolation {
    fn from(arg: IsolationArg) -> Self {
        match arg {
            IsolationArg::Pool => Isolation::Pool,
            IsolationArg::Bridge => Isolation::Bridge,
            IsolationArg::Silo => Isolation::Silo,
        }
    }
}
