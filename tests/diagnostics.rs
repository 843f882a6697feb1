//! Every bad fixture spec holds one mistake, and every warning fixture one
//! thing worth a warning; the full output, line and column included, is a
//! reviewed snapshot.

#[test]
fn bad_specs_report_one_clear_problem() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/diagnostics");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        insta::glob!("../specs", "err_*.yaml", |path| {
            let source = std::fs::read_to_string(path).expect("read spec");
            let name = format!(
                "specs/{}",
                path.file_name()
                    .and_then(|n| n.to_str())
                    .expect("file name")
            );
            let diagnostics = match tenantgen::load(&name, &source) {
                Ok(_) => panic!("{name} should be rejected"),
                Err(diagnostics) => diagnostics,
            };
            assert_eq!(
                diagnostics.problems.len(),
                1,
                "{name} holds one mistake, so it should report one problem:\n{diagnostics}"
            );
            insta::assert_snapshot!("diagnostic", diagnostics.to_string());
        });
    });
}

#[test]
fn questionable_specs_generate_with_one_warning() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/diagnostics");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        insta::glob!("../specs", "warn_*.yaml", |path| {
            let source = std::fs::read_to_string(path).expect("read spec");
            let name = format!(
                "specs/{}",
                path.file_name()
                    .and_then(|n| n.to_str())
                    .expect("file name")
            );
            let checked = tenantgen::check(&name, &source)
                .unwrap_or_else(|err| panic!("{name} is valid, only questionable:\n{err}"));
            assert_eq!(
                checked.warnings.problems.len(),
                1,
                "{name} holds one questionable thing, so it should warn once:\n{}",
                checked.warnings
            );
            insta::assert_snapshot!("warning", checked.warnings.to_string());
        });
    });
}

/// Codes are a promise to tools and to people searching for them: each has
/// a fixture that shows it and a line in README.md that explains it.
#[test]
fn every_code_has_a_fixture_and_a_line_in_the_readme() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut shown = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(root.join("specs")).expect("read specs") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if !(name.starts_with("err_") || name.starts_with("warn_")) {
            continue;
        }
        let source = std::fs::read_to_string(&path).expect("read spec");
        let problems = match tenantgen::check(name, &source) {
            Ok(checked) => checked.warnings.problems,
            Err(diagnostics) => diagnostics.problems,
        };
        shown.extend(problems.into_iter().map(|problem| problem.code));
    }
    let readme = std::fs::read_to_string(root.join("README.md")).expect("read README.md");
    for &code in tenantgen::diagnostic::Code::ALL {
        assert!(
            shown.contains(&code),
            "no specs/err_*.yaml or warn_*.yaml shows `{}`; add one",
            code.id()
        );
        let line = format!("| `{}` | {} |", code.id(), code.meaning());
        assert!(readme.contains(&line), "README.md should list {line}");
    }
}
