//! insta fails on a missing snapshot but not on one nobody asserts any
//! more: this test does, so that snapshots of removed specs or of files no
//! longer generated can't linger unreviewed.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn specs(folder: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root().join(folder)).expect("read spec folder") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if name.ends_with(".yaml") {
            out.push((name, std::fs::read_to_string(&path).expect("read spec")));
        }
    }
    out
}

fn snapshot_files(folder: &str) -> BTreeSet<String> {
    let dir = root().join("tests/snapshots").join(folder);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("read {}: {err}", dir.display()))
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".snap"))
        .collect()
}

#[test]
fn every_snapshot_is_still_asserted() {
    let templates = tenantgen::Templates::builtin();
    let mut generated = BTreeSet::new();
    let mut diagnostics = BTreeSet::new();
    for folder in ["examples", "specs"] {
        for (name, source) in specs(folder) {
            if name.starts_with("err_") {
                diagnostics.insert(format!("diagnostic@{name}.snap"));
                continue;
            }
            if name.starts_with("warn_") {
                diagnostics.insert(format!("warning@{name}.snap"));
                continue;
            }
            let suffix = format!("{folder}__{name}");
            generated.insert(format!("tree@{suffix}.snap"));
            generated.insert(format!("names@{suffix}.snap"));
            let project =
                tenantgen::generate(&name, &source, &templates).expect("valid spec generates");
            for file in project
                .files
                .into_iter()
                .filter(|f| !common::specs::NOT_SNAPSHOTTED.contains(&f.path.as_str()))
            {
                generated.insert(format!("{}@{suffix}.snap", file.path.replace('/', "__")));
            }
        }
    }
    for (folder, expected) in [("generate", generated), ("diagnostics", diagnostics)] {
        let actual = snapshot_files(folder);
        let stale: Vec<&String> = actual.difference(&expected).collect();
        assert!(
            stale.is_empty(),
            "snapshots in tests/snapshots/{folder} that no test asserts any more; delete them: {stale:?}"
        );
        let missing: Vec<&String> = expected.difference(&actual).collect();
        assert!(
            missing.is_empty(),
            "snapshots missing from tests/snapshots/{folder}: {missing:?}"
        );
    }
}
