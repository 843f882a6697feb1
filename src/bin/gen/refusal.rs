//! Failures that are the input's fault, which `gen` reports without
//! `error:` and with exit code 1; anything else is exit code 2.

use std::io::IsTerminal;

use tenantgen::Diagnostics;
use tenantgen::folder::{self, FolderError};
use tenantgen::reconcile::{Blocker, count};
use tenantgen::report::{Drifted, Outlook};
use tenantgen::write::WriteError;

/// A failure that is the input's fault: exit code 1.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("{0}")]
    Invalid(Diagnostics),
    /// Already said, on standard output (`--format json`).
    #[error("")]
    Silent,
    #[error(transparent)]
    Write(WriteError),
    #[error("{0}")]
    Template(tenantgen::RenderError),
    #[error(transparent)]
    Folder(FolderError),
    #[error(transparent)]
    Blocked(Blocker),
    #[error("{0}; nothing was written")]
    NothingWritten(Box<Refusal>),
    #[error(transparent)]
    Drift(Drifted),
    #[error(transparent)]
    Plan(Outlook),
    /// The spec's path, and why Citus doesn't apply to it.
    #[error("{0}: {1}")]
    Citus(String, tenantgen::citus::NotPool),
    #[error(transparent)]
    MigrationsRewritten(folder::MigrationsRewritten),
    #[error("{} ha{} conflicts, marked with <<<<<<< and >>>>>>>; resolve them, then commit", count(*.0, "merged file"), if *.0 == 1 { "s" } else { "ve" })]
    MergeConflicts(usize),
}

impl Refusal {
    pub fn nothing_written(self) -> Refusal {
        Refusal::NothingWritten(Box::new(self))
    }

    /// The refusal as standard error shows it: a spec's problems in colour
    /// on a terminal.
    pub fn shown(&self) -> String {
        match self {
            Refusal::Invalid(diagnostics) | Refusal::Folder(FolderError::Invalid(diagnostics)) => {
                diagnostics.render(colour())
            }
            Refusal::NothingWritten(refusal) => format!("{}; nothing was written", refusal.shown()),
            refusal => refusal.to_string(),
        }
    }
}

/// The input's fault (exit code 1) or not (exit code 2).
pub fn folder_error(err: FolderError) -> anyhow::Error {
    if err.is_refusal() {
        Refusal::Folder(err).into()
    } else {
        err.into()
    }
}

/// The input's fault (exit code 1) or not (exit code 2).
pub fn write_refusal(err: WriteError) -> anyhow::Error {
    if err.is_refusal() {
        Refusal::Write(err).into()
    } else {
        err.into()
    }
}

/// Whether standard error takes colour: a terminal, and no `NO_COLOR`.
pub fn colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
