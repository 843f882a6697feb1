//! The published package must hold everything `cargo install tenantgen`
//! needs, and nothing of the repository's test data or tooling.
//!
//! `build.rs` embeds the templates with `minijinja_embed::embed_templates!`,
//! which walks whatever is under `templates/` at build time (only a missing
//! `templates/` folder as a whole fails the build). A single template left
//! out of the package by the `include` list in `Cargo.toml` therefore goes
//! unnoticed: `cargo install tenantgen` would succeed and install a `gen`
//! that fails at runtime with a "template not found" error. Only
//! `cargo package --list` shows the gap, so this test compares its output
//! with the `templates/` folder on disk.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use walkdir::WalkDir;

/// Files outside `templates/` that building, installing or the README's
/// quick start need.
const REQUIRED: &[&str] = &[
    "Cargo.toml",
    "Cargo.lock",
    "build.rs",
    "src/lib.rs",
    "src/bin/gen/main.rs",
    "README.md",
    "LICENSE-MIT",
    "LICENSE-APACHE",
    "examples/crm.yaml",
];

/// Folders of the repository that must stay out of the package.
const EXCLUDED: &[&str] = &["target/", "tests/snapshots/", "scripts/", ".ci/"];

#[test]
fn package_holds_every_template_and_no_repository_data() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["package", "--list", "--allow-dirty"])
        .current_dir(root)
        .output()
        .expect("run `cargo package --list`");
    assert!(
        output.status.success(),
        "`cargo package --list --allow-dirty` failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let listed: BTreeSet<&str> = std::str::from_utf8(&output.stdout)
        .expect("`cargo package --list` prints UTF-8 paths")
        .lines()
        .collect();

    let templates = root.join("templates");
    let mut on_disk = Vec::new();
    for entry in WalkDir::new(&templates) {
        let entry = entry.expect("read templates/");
        if entry.file_type().is_file() {
            let relative = entry
                .path()
                .strip_prefix(root)
                .expect("inside the crate")
                .components()
                .map(|part| part.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            on_disk.push(relative);
        }
    }
    on_disk.sort();
    assert!(
        !on_disk.is_empty(),
        "no templates found under {templates:?}"
    );

    let missing: Vec<&str> = on_disk
        .iter()
        .map(String::as_str)
        .chain(REQUIRED.iter().copied())
        .filter(|path| !listed.contains(path))
        .collect();
    assert!(
        missing.is_empty(),
        "files missing from the package (fix `include` in Cargo.toml): {missing:#?}"
    );

    let unwanted: Vec<&str> = listed
        .iter()
        .copied()
        .filter(|path| EXCLUDED.iter().any(|folder| path.starts_with(folder)))
        .collect();
    assert!(
        unwanted.is_empty(),
        "repository-only files in the package (fix `include` in Cargo.toml): {unwanted:#?}"
    );
}
