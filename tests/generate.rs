//! Snapshot of every file generated from every example and valid fixture
//! spec, plus a sorted listing of each project's tree. CI never writes a
//! snapshot: a missing or changed one fails.

mod common;

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
            if name.starts_with("err_") || name.starts_with("warn_") {
                return;
            }
            let project = generate(path);
            let tree: Vec<String> = project
                .files
                .iter()
                .map(|file| format!("{}  ({} bytes)", file.path, file.contents.len()))
                .collect();
            insta::assert_snapshot!("tree", tree.join("\n"));
            insta::assert_snapshot!("names", derived_names(&project.model));
            for file in &project.files {
                if common::specs::NOT_SNAPSHOTTED.contains(&file.path.as_str()) {
                    continue;
                }
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

/// Every name the model derives for the output languages, one line each,
/// so that keyword escaping and renaming are reviewed like generated code.
fn derived_names(model: &tenantgen::Model) -> String {
    let mut lines = vec![
        format!(
            "app {}: database {}, owner role {}, runtime role {}, control schema {}",
            model.app,
            model.database.name,
            model.database.owner_role,
            model.database.runtime_role,
            model.database.control_schema
        ),
        format!("tenant: {}", noun(&model.tenant)),
    ];
    for entity in &model.entities {
        lines.push(format!(
            "entity {} ({}): table {}, route {}; {}",
            entity.names.singular,
            entity.scope,
            entity.table.name,
            entity.route,
            noun(&entity.names)
        ));
        for field in &entity.fields {
            lines.push(format!(
                "  field {} ({}): column {}, Rust {}, TypeScript {}, label {:?}",
                field.name,
                field.field_type,
                field.column_sql,
                field.rust_ident,
                field.ts_ident,
                field.label
            ));
        }
    }
    lines.join("\n")
}

fn noun(noun: &tenantgen::model::Noun) -> String {
    format!(
        "plural {}, Rust {} / {} / {}, TypeScript {} / {} / {}, labels {:?} / {:?}",
        noun.plural,
        noun.rust_type,
        noun.rust_ident,
        noun.rust_plural_ident,
        noun.ts_type,
        noun.ts_ident,
        noun.ts_plural_ident,
        noun.label,
        noun.plural_label
    )
}

/// Cargo rewrites a lock file whose packages are out of its order, and
/// `--locked` refuses one; whatever the app is called, its own package sits
/// where its name sorts, once.
#[test]
fn cargo_lock_lists_packages_in_cargo_order() {
    let template = tenantgen::Templates::builtin();
    for app in ["a", "acme_crm", "m_app", "tokio_app", "zz"] {
        let source = format!(
            "app: {app}\nisolation: pool\nroles: [owner]\nentities:\n  note:\n    fields:\n      body: text\n"
        );
        let project = tenantgen::generate("spec.yaml", &source, &template).expect("generate");
        let lock = &project
            .files
            .iter()
            .find(|file| file.path == "Cargo.lock")
            .expect("a Cargo.lock")
            .contents;
        let names: Vec<&str> = lock
            .lines()
            .filter_map(|line| line.strip_prefix("name = \""))
            .filter_map(|rest| rest.strip_suffix('"'))
            .collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted, "{app}: packages in name order");
        assert_eq!(
            names.iter().filter(|name| **name == app).count(),
            1,
            "{app} once"
        );
        assert!(
            lock.starts_with("# This file is automatically @generated by Cargo."),
            "{app}"
        );
        assert!(
            lock.ends_with('\n') && !lock.ends_with("\n\n"),
            "{app}: one final newline"
        );
    }
}

/// `npm ci` refuses a lock that disagrees with package.json; this catches it
/// without the network: the lock's root package must be package.json's.
#[test]
fn package_lock_matches_package_json() {
    let source = "app: acme_crm\nisolation: pool\nroles: [owner]\nentities:\n  note:\n    fields:\n      body: text\n";
    let project = tenantgen::generate("spec.yaml", source, &tenantgen::Templates::builtin())
        .expect("generate");
    let json = |path: &str| -> serde_json::Value {
        let file = project
            .files
            .iter()
            .find(|file| file.path == path)
            .unwrap_or_else(|| panic!("no {path}"));
        serde_json::from_str(&file.contents).unwrap_or_else(|err| panic!("{path}: {err}"))
    };
    let package = json("web/package.json");
    let lock = json("web/package-lock.json");
    let root = &lock["packages"][""];
    assert_eq!(package["name"], "acme-crm-web");
    assert_eq!(lock["name"], package["name"]);
    for key in [
        "name",
        "version",
        "dependencies",
        "devDependencies",
        "engines",
    ] {
        assert_eq!(root[key], package[key], "the lock's root `{key}`");
    }
    let dependencies = package["dependencies"].as_object().expect("dependencies");
    let dev = package["devDependencies"]
        .as_object()
        .expect("devDependencies");
    for (name, version) in dependencies.iter().chain(dev) {
        assert_eq!(
            lock["packages"][format!("node_modules/{name}")]["version"],
            *version,
            "{name} is locked at the version package.json pins"
        );
    }
}

/// No generated file prints a secret the generated app would accept: every
/// value given to JWT_SECRET, JWT_PREVIOUS_SECRET or METRICS_TOKEN, and every
/// secret- or token-like string literal of the generated code, is empty, an
/// interpolation or command, or one of the published secrets the app refuses.
#[test]
fn every_printed_secret_is_refused_by_the_app() {
    let published = tenantgen::render::PUBLISHED_SECRETS;
    let literal_chars = |c: char| c.is_ascii_alphanumeric() || "-_'".contains(c);
    for spec in common::specs::valid_specs() {
        let project = generate(&spec);
        for file in &project.files {
            for line in file.contents.lines() {
                for name in ["JWT_SECRET", "JWT_PREVIOUS_SECRET", "METRICS_TOKEN"] {
                    for (at, _) in line.match_indices(name) {
                        let rest = &line[at + name.len()..];
                        let Some(value) =
                            rest.strip_prefix('=').or_else(|| rest.strip_prefix(": "))
                        else {
                            continue;
                        };
                        let value = value
                            .trim()
                            .trim_matches('"')
                            .split(|c: char| c.is_whitespace() || "|`".contains(c))
                            .next()
                            .unwrap_or_default();
                        if !value.chars().all(|c| literal_chars(c) || "+/=".contains(c)) {
                            // A pattern or an expression, not a value.
                            continue;
                        }
                        assert!(
                            value.is_empty()
                                || value.starts_with('$')
                                || published.contains(&value),
                            "{}: {}: `{name}` is given `{value}`, which the app would accept",
                            spec.display(),
                            file.path
                        );
                    }
                }
                for literal in line.split('"').skip(1).step_by(2) {
                    let lower = literal.to_lowercase();
                    let secret_like = literal.len() >= 16
                        && literal.chars().all(literal_chars)
                        && literal.chars().any(|c| c.is_ascii_lowercase())
                        && (lower.contains("secret") || lower.contains("token"));
                    assert!(
                        !secret_like || published.contains(&literal),
                        "{}: {}: the literal `{literal}` looks like a secret; add it to PUBLISHED_SECRETS",
                        spec.display(),
                        file.path
                    );
                }
            }
        }
    }
}
