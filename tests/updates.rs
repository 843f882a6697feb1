//! Scripted spec edits (`tests/updates/<case>/`), each planned and applied
//! with `gen plan` and `gen update`: a snapshot per case holds every plan,
//! what update said, and every migration it appended. After an update that
//! succeeds the project has no drift; one that fails leaves the project as
//! it was. `tests/backend.rs` runs the same sequences against PostgreSQL.

mod common;

use std::path::Path;
use std::process::Output;

use common::updates::{self, Step};

fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|entry| entry.expect("walk"))
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let path = entry
                .path()
                .strip_prefix(dir)
                .expect("under dir")
                .to_string_lossy()
                .replace('\\', "/");
            (path, std::fs::read(entry.path()).expect("read"))
        })
        .collect();
    files.sort();
    files
}

/// Runs `gen <command> <args>` in `project`, adding to `log` what it
/// printed and its exit code, as the snapshot shows them.
fn logged(project: &Path, command: &str, args: &[&str], log: &mut String) -> Output {
    let output = updates::run_gen(project, &[&[command], args].concat());
    log.push_str(&format!(
        "$ {}\n{}{}[exit {}]\n",
        ["gen", command]
            .iter()
            .chain(args)
            .copied()
            .collect::<Vec<_>>()
            .join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        output.status.code().unwrap_or(-1)
    ));
    output
}

/// Plans and applies `step`. `edits` are the hand edits of the steps
/// applied so far, this one's included: each must survive the update, and
/// the drift check then allows them.
fn run_step(project: &Path, step: &Step, edits: &[(String, String)], log: &mut String) {
    let spec = project.join("spec.yaml");
    let previous = std::fs::read(&spec).expect("read spec.yaml");
    let unedited = step.edit(project);
    std::fs::write(&spec, &step.source).expect("write spec.yaml");
    let args: Vec<&str> = step.args.iter().map(String::as_str).collect();
    let before = files_under(project);

    log.push_str(&format!("\n## {}\n\n", step.name));
    for (path, old, new) in &step.edits {
        log.push_str(&format!("(edited by hand: {path}: `{old}` => `{new}`)\n\n"));
    }
    let plan = logged(project, "plan", &args, log);
    assert_eq!(
        files_under(project),
        before,
        "{}: plan writes nothing",
        step.name
    );
    if step.plan_only {
        std::fs::write(&spec, previous).expect("restore spec.yaml");
        for (file, contents) in unedited {
            std::fs::write(file, contents).expect("undo an edit");
        }
        return;
    }

    log.push('\n');
    let update = logged(project, "update", &args, log);
    let after = files_under(project);
    if !update.status.success() {
        assert_eq!(
            after, before,
            "{}: a failed update writes nothing",
            step.name
        );
        std::fs::write(&spec, previous).expect("restore spec.yaml");
        return;
    }
    assert_eq!(
        plan.status.code(),
        Some(0),
        "{}: an update that succeeds was planned without conflicts",
        step.name
    );
    for (path, contents) in &after {
        if path.starts_with("migrations/") && !before.iter().any(|(old, _)| old == path) {
            log.push_str(&format!(
                "\n### {path}\n\n{}",
                String::from_utf8_lossy(contents)
            ));
        }
    }
    for (path, new) in edits {
        let text = std::fs::read_to_string(project.join(path)).expect("read an edited file");
        assert!(
            text.contains(new.as_str()),
            "{}: the hand edit to {path} is lost",
            step.name
        );
    }
    let drift_args: &[&str] = if !edits.is_empty() {
        &["check", "--drift", "--allow-edits"]
    } else {
        &["check", "--drift"]
    };
    let drift = updates::run_gen(project, drift_args);
    assert!(
        drift.status.success(),
        "{}: drift after the update:\n{}",
        step.name,
        String::from_utf8_lossy(&drift.stdout)
    );
}

#[test]
fn scripted_spec_edits_plan_and_append_migrations() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/updates");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (case, folder) in updates::cases() {
            let steps = updates::steps(&folder);
            let scratch = tempfile::tempdir().expect("temporary folder");
            let project = scratch.path().join("project");
            updates::start(&steps, scratch.path(), &project);
            let mut log = format!("# {case}: from {}\n", steps[0].name);
            let mut edits = Vec::new();
            for step in &steps[1..] {
                if !step.plan_only {
                    edits.extend(
                        step.edits
                            .iter()
                            .map(|(path, _, new)| (path.clone(), new.clone())),
                    );
                }
                run_step(&project, step, &edits, &mut log);
            }
            insta::assert_snapshot!(case, log);
        }
    });
}
