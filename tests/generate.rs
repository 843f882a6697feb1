//! Snapshot of every file generated from every example and valid fixture
//! spec, plus a sorted listing of each project's tree. CI never writes a
//! snapshot: a missing or changed one fails.

use std::path::Path;

fn generate(path: &Path) -> tenantgen::Project {
    let source = std::fs::read_to_string(path).expect("read spec");
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .expect("spec file name");
    tenantgen::generate(name, &source, &tenantgen::Templates::builtin())
        .unwrap_or_else(|err| panic!("{} should generate: {err}", path.display()))
}

/// The snapshot name of a generated file: its path with `/` as `__`.
pub fn snapshot_name(path: &str) -> String {
    path.replace('/', "__")
}

#[test]
fn generated_files() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/generate");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        insta::glob!("..", "{examples,specs}/*.yaml", |path| {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if name.starts_with("err_") {
                return;
            }
            let project = generate(path);
            let tree: Vec<String> = project
                .files
                .iter()
                .map(|file| format!("{}  ({} bytes)", file.path, file.contents.len()))
                .collect();
            insta::assert_snapshot!("tree", tree.join("\n"));
            for file in &project.files {
                insta::assert_snapshot!(snapshot_name(&file.path), &file.contents);
            }
        });
    });
}

#[test]
fn output_is_deterministic() {
    for folder in ["examples", "specs"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
        for entry in std::fs::read_dir(dir).expect("read folder") {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if name.ends_with(".yaml") && !name.starts_with("err_") {
                let first = generate(&path).files;
                let second = generate(&path).files;
                assert_eq!(
                    first,
                    second,
                    "{} renders differently twice",
                    path.display()
                );
            }
        }
    }
}
