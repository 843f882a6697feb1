//! Helpers shared by the integration tests. Each test binary compiles its
//! own copy and uses a different part, so unused items are expected here.
#![allow(dead_code)]

pub mod pg;
pub mod specs;
pub mod updates;

use std::path::Path;
use std::process::Command;

/// The `gen` under test, run in `dir`, without the cache of laid-out
/// files, so that every run lays its Rust out with rustfmt.
pub fn gen_command(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gen"));
    command
        .current_dir(dir)
        .env("RUST_BACKTRACE", "0")
        .env("TENANTGEN_CACHE_DIR", "");
    command
}
