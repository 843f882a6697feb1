//! The spec files the tests run over.

use std::path::{Path, PathBuf};

/// Every valid spec of the repository: `examples/*.yaml` and
/// `specs/ok_*.yaml`, sorted.
pub fn valid_specs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<PathBuf> = yaml_files(&root.join("examples"))
        .into_iter()
        .chain(yaml_files(&root.join("specs")).into_iter().filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with("ok_"))
        }))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no specs found");
    paths
}

/// The synthetic specs of the generation benchmark,
/// `benches/specs/entities_*.yaml`, sorted.
pub fn bench_specs() -> Vec<PathBuf> {
    let paths = yaml_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/specs"));
    assert!(!paths.is_empty(), "no bench specs found");
    paths
}

/// The `.yaml` files directly in `folder`, sorted.
pub fn yaml_files(folder: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap_or_else(|err| panic!("read {}: {err}", folder.display()))
        .map(|entry| entry.expect("read a folder entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    paths.sort();
    paths
}

/// Generated files with no snapshot: thousands of lines of pinned versions,
/// the same in every project but for its name. `cargo build --locked` and
/// `npm ci` in the end-to-end test check them instead, and
/// `tests/generate.rs` checks their shape.
pub const NOT_SNAPSHOTTED: &[&str] = &["Cargo.lock", "web/package-lock.json"];
