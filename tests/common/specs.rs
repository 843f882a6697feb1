//! The spec files the tests run over.

use std::path::{Path, PathBuf};

/// Every valid spec of the repository: `examples/*.yaml` and
/// `specs/ok_*.yaml`, sorted.
pub fn valid_specs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    for (folder, prefix) in [("examples", ""), ("specs", "ok_")] {
        for entry in std::fs::read_dir(root.join(folder)).expect("read a spec folder") {
            let path = entry.expect("read a spec folder entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if name.starts_with(prefix) && name.ends_with(".yaml") {
                paths.push(path);
            }
        }
    }
    paths.sort();
    assert!(!paths.is_empty(), "no specs found");
    paths
}

/// The synthetic specs of the generation benchmark,
/// `benches/specs/entities_*.yaml`, sorted.
pub fn bench_specs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/specs");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("read benches/specs")
        .map(|entry| entry.expect("read a benches/specs entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no bench specs found");
    paths
}

/// Generated files with no snapshot: thousands of lines of pinned versions,
/// the same in every project but for its name. `cargo build --locked` and
/// `npm ci` in the end-to-end test check them instead, and
/// `tests/generate.rs` checks their shape.
pub const NOT_SNAPSHOTTED: &[&str] = &["Cargo.lock", "web/package-lock.json"];
