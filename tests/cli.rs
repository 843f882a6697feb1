//! The `gen` binary end to end: exit codes, what it writes and what it
//! refuses to write.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::gen_command;

fn run(dir: &Path, args: &[&str]) -> Output {
    gen_command(dir).args(args).output().expect("run gen")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary folder")
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|entry| entry.expect("walk"))
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            entry
                .path()
                .strip_prefix(dir)
                .expect("under dir")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    files.sort();
    files
}

/// A new entity at the end of the crm example.
const NOTE_ENTITY: &str = "  note:\n    fields:\n      body: { type: text, required: true }\n";
/// A field of the crm example's company, and the same with a field added
/// after it.
const FOUNDED: &str = "      founded: date\n";
const WEBSITE_AFTER_FOUNDED: &str = "      founded: date\n      website: url\n";

/// `gen new` of the crm example into `scratch/name`; the project folder.
fn new_crm_project(scratch: &Path, name: &str) -> PathBuf {
    let spec = example("crm.yaml");
    let output = run(scratch, &["new", spec.to_str().expect("utf-8"), "-o", name]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    scratch.join(name)
}

/// Runs gen in `dir`: its exit code, standard output and standard error.
fn outcome(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let output = run(dir, args);
    (
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr),
    )
}

/// Appends `more` to the file at `path`.
fn append(path: &Path, more: &str) {
    let mut contents = std::fs::read_to_string(path).expect("read");
    contents.push_str(more);
    std::fs::write(path, contents).expect("write");
}

/// Replaces the first `from` in the file at `path` with `to`.
fn replace_in(path: &Path, from: &str, to: &str) {
    let contents = std::fs::read_to_string(path).expect("read");
    assert!(contents.contains(from), "`{from}` in {}", path.display());
    std::fs::write(path, contents.replacen(from, to, 1)).expect("write");
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    files_under(dir)
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(dir.join(&path)).expect("read");
            (path, bytes)
        })
        .collect()
}

#[test]
fn check_accepts_every_example() {
    let dir = tempdir();
    for name in ["crm.yaml", "helpdesk.yaml", "tracker.yaml"] {
        let out = run(
            dir.path(),
            &["check", example(name).to_str().expect("utf-8 path")],
        );
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains(": ok ("),
            "{name}: {}",
            text(&out.stdout)
        );
    }
}

/// A warning is printed to standard error; the spec is still fine, and
/// `gen new` still writes the project.
#[test]
fn warnings_go_to_stderr_and_refuse_nothing() {
    let dir = tempdir();
    let spec = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("specs/warn_cascade_past_delete_permission.yaml");
    let spec = spec.to_str().expect("utf-8 path");
    let (code, stdout, stderr) = outcome(dir.path(), &["check", spec]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains(": ok ("), "{stdout}");
    assert!(
        stderr.contains(
            "warning[cascade-past-permission]: deleting `invoice` records also deletes their `line` records"
        ),
        "{stderr}"
    );
    let (code, stdout, stderr) = outcome(dir.path(), &["new", spec, "-o", "books", "--no-format"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("1 warning"), "{stderr}");
    assert!(dir.path().join("books/spec.yaml").is_file());
    // The next step is printed even when standard output is not a terminal.
    assert!(
        stdout.starts_with("next: cd books && cargo run -- dev\n"),
        "{stdout}"
    );
    let (code, stdout, stderr) =
        outcome(dir.path(), &["new", spec, "-o", "my books", "--no-format"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.starts_with("next: cd 'my books' && cargo run -- dev\n"),
        "{stdout}"
    );
}

#[test]
fn check_rejects_a_bad_spec_with_exit_code_1() {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("bad.yaml"),
        "app: x\nisolation: poool\nroles: [a]\nentities:\n  e:\n    fields:\n      f: strng\n",
    )
    .expect("write spec");
    let out = run(dir.path(), &["check", "bad.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("bad.yaml:2:12"), "{stderr}");
    assert!(stderr.contains("did you mean `pool`?"), "{stderr}");
    assert!(stderr.contains("did you mean `string`?"), "{stderr}");
    assert!(stderr.contains("2 problems found"), "{stderr}");
    assert!(out.stdout.is_empty());
}

/// Diagnostics take colour on a terminal only, and never under `NO_COLOR`;
/// `script` gives `gen` a terminal of its own.
#[test]
fn diagnostics_are_coloured_on_a_terminal_only() {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs");
    let escape = "\u{1b}[";
    let piped = text(&run(&specs, &["check", "err_duplicate_key.yaml"]).stderr);
    assert!(
        piped.contains("duplicate") && !piped.contains(escape),
        "{piped}"
    );
    let on_terminal = |no_colour: Option<&str>| {
        let mut command = std::process::Command::new("script");
        command
            .current_dir(&specs)
            .env_remove("NO_COLOR")
            .args(["--quiet", "--return", "--command"])
            .arg(format!(
                "'{}' check err_duplicate_key.yaml",
                env!("CARGO_BIN_EXE_gen")
            ))
            .arg("/dev/null");
        if let Some(value) = no_colour {
            command.env("NO_COLOR", value);
        }
        let out = command.output().expect("run script");
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let coloured = on_terminal(None);
    assert!(
        coloured.contains("duplicate") && coloured.contains(escape),
        "{coloured}"
    );
    let plain = on_terminal(Some("1"));
    assert!(
        plain.contains("duplicate") && !plain.contains(escape),
        "{plain}"
    );
}

#[test]
fn a_missing_spec_file_is_exit_code_2() {
    let dir = tempdir();
    let out = run(dir.path(), &["check", "nowhere.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("could not read spec `nowhere.yaml`"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn new_writes_the_project_and_copies_the_spec() {
    let dir = tempdir();
    let spec = example("crm.yaml");
    let out = run(dir.path(), &["new", spec.to_str().expect("utf-8 path")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Default folder: the app name.
    let project = dir.path().join("acme_crm");
    let files = files_under(&project);
    assert!(
        files.contains(&"migrations/0001_roles.sql".to_owned()),
        "{files:?}"
    );
    assert!(files.contains(&"README.md".to_owned()));
    assert_eq!(
        std::fs::read_to_string(project.join("spec.yaml")).expect("copied spec"),
        std::fs::read_to_string(&spec).expect("spec")
    );
    // Nothing is left beside it.
    let siblings: Vec<String> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(siblings, vec!["acme_crm".to_owned()]);
}

#[test]
fn new_refuses_a_non_empty_folder_unless_forced() {
    let dir = tempdir();
    let spec = example("helpdesk.yaml");
    let spec = spec.to_str().expect("utf-8 path");
    let target = dir.path().join("out");
    std::fs::create_dir(&target).expect("mkdir");
    std::fs::write(target.join("notes.txt"), "mine").expect("write");

    let out = run(dir.path(), &["new", spec, "-o", "out"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("already exists and is not empty"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(files_under(&target), vec!["notes.txt".to_owned()]);

    let out = run(dir.path(), &["new", spec, "-o", "out", "--force"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let files = files_under(&target);
    assert!(
        files.contains(&"notes.txt".to_owned()),
        "user files are left alone"
    );
    assert!(
        files.contains(&"migrations/tenant/0001_create_customers.sql".to_owned()),
        "{files:?}"
    );
}

#[test]
fn new_writes_into_an_empty_folder() {
    let dir = tempdir();
    std::fs::create_dir(dir.path().join("empty")).expect("mkdir");
    let out = run(
        dir.path(),
        &[
            "new",
            example("tracker.yaml").to_str().expect("utf-8"),
            "-o",
            "empty",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        dir.path()
            .join("empty/migrations/control/0001_roles.sql")
            .is_file()
    );
}

#[test]
fn new_writes_nothing_for_an_invalid_spec() {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("bad.yaml"),
        "app: x\nisolation: pool\nroles: []\nentities: {}\n",
    )
    .expect("write");
    let out = run(dir.path(), &["new", "bad.yaml", "-o", "out"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!dir.path().join("out").exists());
    assert_eq!(files_under(dir.path()), vec!["bad.yaml".to_owned()]);
}

#[test]
fn init_writes_a_starter_that_checks_and_never_overwrites() {
    let dir = tempdir();
    for isolation in ["pool", "bridge", "silo"] {
        let file = format!("{isolation}.yaml");
        let out = run(dir.path(), &["init", &file, "--isolation", isolation]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let starter = std::fs::read_to_string(dir.path().join(&file)).expect("starter");
        assert!(starter.starts_with("# yaml-language-server: $schema=spec.schema.json"));
        assert!(starter.contains(&format!("isolation: {isolation}")));
        let out = run(dir.path(), &["check", &file]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    assert!(dir.path().join("spec.schema.json").is_file());

    std::fs::write(dir.path().join("pool.yaml"), "mine").expect("write");
    let out = run(dir.path(), &["init", "pool.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pool.yaml")).expect("read"),
        "mine"
    );
}

#[test]
fn schema_is_json_schema_of_the_spec() {
    let dir = tempdir();
    let out = run(dir.path(), &["schema"]);
    assert!(out.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    let required: Vec<&str> = schema["required"]
        .as_array()
        .expect("required")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(required, vec!["app", "isolation", "roles", "entities"]);
    assert_eq!(schema["additionalProperties"], false);
    assert!(
        schema["properties"]["isolation"]["enum"]
            .as_array()
            .is_some_and(|v| v.len() == 3)
    );
}

#[test]
fn completions_and_help() {
    let dir = tempdir();
    for shell in ["bash", "zsh", "fish"] {
        let out = run(dir.path(), &["completions", shell]);
        assert!(out.status.success() && !out.stdout.is_empty(), "{shell}");
    }
    for command in ["init", "check", "new", "schema", "completions"] {
        let out = run(dir.path(), &[command, "--help"]);
        assert!(out.status.success());
        assert!(
            text(&out.stdout).contains("Example:"),
            "`gen {command} --help` has an example"
        );
    }
}

#[test]
fn template_overrides_replace_single_templates() {
    let dir = tempdir();
    let overrides = dir.path().join("overrides");
    std::fs::create_dir(&overrides).expect("mkdir");
    std::fs::write(
        overrides.join("README.md.j2"),
        "# {{ model.title }} (ours)\n",
    )
    .expect("write");
    let spec = example("crm.yaml");
    let out = run(
        dir.path(),
        &[
            "new",
            spec.to_str().expect("utf-8"),
            "-o",
            "out",
            "--templates",
            "overrides",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/README.md")).expect("readme"),
        "# Acme CRM (ours)\n"
    );
    // The other templates are the built-in ones.
    assert!(
        std::fs::read_to_string(dir.path().join("out/migrations/0001_roles.sql"))
            .expect("sql")
            .contains("CREATE ROLE")
    );
    // The project remembers its overrides, relative to itself, and
    // regenerating uses them: no drift, nothing to do, and an update after
    // a spec edit keeps the overridden file.
    let project = dir.path().join("out");
    let manifest = std::fs::read_to_string(project.join(".gen/manifest.json")).expect("manifest");
    assert!(
        manifest.contains(r#""templates": "../overrides""#),
        "{manifest}"
    );
    let (code, stdout, stderr) = outcome(&project, &["check", "--drift"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let (code, stdout, stderr) = outcome(&project, &["plan"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("nothing to do"), "{stdout}");
    append(&project.join("spec.yaml"), NOTE_ENTITY);
    let (code, stdout, stderr) = outcome(&project, &["update"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(!stdout.contains("README.md"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(project.join("README.md")).expect("readme"),
        "# Acme CRM (ours)\n"
    );
    let manifest = std::fs::read_to_string(project.join(".gen/manifest.json")).expect("manifest");
    assert!(
        manifest.contains(r#""templates": "../overrides""#),
        "kept: {manifest}"
    );
    // Without them, regenerating would undo them: it refuses, naming them.
    std::fs::rename(&overrides, dir.path().join("moved")).expect("move");
    let (code, stdout, stderr) = outcome(&project, &["plan"]);
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("template overrides in"), "{stderr}");
    std::fs::rename(dir.path().join("moved"), &overrides).expect("move back");

    std::fs::write(overrides.join("READ_ME.md.j2"), "typo").expect("write");
    let out = run(
        dir.path(),
        &[
            "new",
            spec.to_str().expect("utf-8"),
            "-o",
            "out2",
            "--templates",
            "overrides",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("`READ_ME.md.j2` matches no built-in template"),
        "{}",
        text(&out.stderr)
    );
    assert!(!dir.path().join("out2").exists());
}

#[test]
fn new_writes_into_the_current_folder() {
    let dir = tempdir();
    let out = run(
        dir.path(),
        &[
            "new",
            example("crm.yaml").to_str().expect("utf-8"),
            "-o",
            ".",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.path().join("migrations/0001_roles.sql").is_file());
}

#[test]
fn new_refuses_before_writing_when_something_is_in_the_way() {
    let dir = tempdir();
    let target = dir.path().join("out");
    // A folder where the spec copy goes.
    std::fs::create_dir_all(target.join("spec.yaml")).expect("mkdir");
    let out = run(
        dir.path(),
        &[
            "new",
            example("crm.yaml").to_str().expect("utf-8"),
            "-o",
            "out",
            "--force",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("is in the way of a generated file"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        files_under(&target).is_empty(),
        "nothing was written: {:?}",
        files_under(&target)
    );
}

#[test]
fn separate_runs_write_identical_bytes() {
    let dir = tempdir();
    for name in ["crm.yaml", "helpdesk.yaml", "tracker.yaml"] {
        let spec = example(name);
        let spec = spec.to_str().expect("utf-8");
        for out in ["first", "second"] {
            let result = run(dir.path(), &["new", spec, "-o", out, "--force"]);
            assert!(result.status.success(), "{}", text(&result.stderr));
        }
        let first = files_under(&dir.path().join("first"));
        assert_eq!(
            first,
            files_under(&dir.path().join("second")),
            "{name}: same files"
        );
        for file in &first {
            let a = std::fs::read(dir.path().join("first").join(file)).expect("read");
            let b = std::fs::read(dir.path().join("second").join(file)).expect("read");
            assert!(a == b, "{name}: {file} differs between runs");
        }
        std::fs::remove_dir_all(dir.path().join("first")).expect("clean");
        std::fs::remove_dir_all(dir.path().join("second")).expect("clean");
    }
}

#[test]
fn no_format_skips_rustfmt_and_still_writes_everything() {
    let dir = tempdir();
    let spec = example("crm.yaml");
    let spec = spec.to_str().expect("utf-8");
    for (out, extra) in [("formatted", vec![]), ("raw", vec!["--no-format"])] {
        let mut args = vec!["new", spec, "-o", out];
        args.extend(extra);
        let result = run(dir.path(), &args);
        assert!(result.status.success(), "{}", text(&result.stderr));
    }
    assert_eq!(
        files_under(&dir.path().join("formatted")),
        files_under(&dir.path().join("raw"))
    );
}

/// Every generated Rust file is as rustfmt lays it out, with the project's
/// own configuration, for every spec of the repository: the files are
/// shared between several rustfmt processes, which must not change a byte.
#[test]
fn the_rust_is_laid_out_as_rustfmt_checks_it() {
    let dir = tempdir();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut specs: Vec<PathBuf> = ["examples", "benches/specs"]
        .iter()
        .flat_map(|folder| std::fs::read_dir(root.join(folder)).expect("list specs"))
        .map(|entry| entry.expect("spec").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    specs.sort();
    for (number, spec) in specs.iter().enumerate() {
        let out = format!("project_{number}");
        let result = run(
            dir.path(),
            &["new", spec.to_str().expect("utf-8"), "-o", &out],
        );
        assert!(result.status.success(), "{}", text(&result.stderr));
        let project = dir.path().join(&out);
        let roots: Vec<String> = files_under(&project)
            .into_iter()
            .filter(|file| {
                matches!(file.as_str(), "src/lib.rs" | "src/main.rs" | "build.rs")
                    || (file.starts_with("tests/") && file.matches('/').count() == 1)
            })
            .filter(|file| file.ends_with(".rs"))
            .collect();
        let check = std::process::Command::new("rustfmt")
            .current_dir(&project)
            .args(["--check", "--edition", "2024"])
            .args(&roots)
            .output()
            .expect("run rustfmt");
        assert!(
            check.status.success(),
            "{}: {}",
            spec.display(),
            text(&check.stdout)
        );
        std::fs::remove_dir_all(&project).expect("clean");
    }
}

/// With a cache, a second generation of the same spec takes every file
/// from it: rustfmt is only asked its version. The bytes are the same.
#[cfg(unix)]
#[test]
fn laid_out_files_come_from_the_cache_the_second_time() {
    use std::os::unix::fs::PermissionsExt as _;

    let dir = tempdir();
    let log = dir.path().join("rustfmt.log");
    let wrapper = dir.path().join("rustfmt-logged");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\nexec rustfmt \"$@\"\n",
            log.display()
        ),
    )
    .expect("write the wrapper");
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let cache = dir.path().join("cache");
    let spec = example("helpdesk.yaml");
    let new = |out: &str| {
        let result = gen_command(dir.path())
            .args(["new", spec.to_str().expect("utf-8"), "-o", out])
            .env("RUSTFMT", &wrapper)
            .env("TENANTGEN_CACHE_DIR", &cache)
            .output()
            .expect("run gen");
        assert!(result.status.success(), "{}", text(&result.stderr));
        let calls = std::fs::read_to_string(&log).unwrap_or_default();
        std::fs::remove_file(&log).expect("clear the log");
        calls
    };
    let first = new("first");
    assert!(
        first.lines().any(|line| line.contains("src/lib.rs")),
        "{first}"
    );
    let second = new("second");
    assert_eq!(second.trim(), "--version", "only the version is asked");
    assert_eq!(
        snapshot(&dir.path().join("first")),
        snapshot(&dir.path().join("second"))
    );
    let uncached = run(
        dir.path(),
        &["new", spec.to_str().expect("utf-8"), "-o", "uncached"],
    );
    assert!(uncached.status.success(), "{}", text(&uncached.stderr));
    assert_eq!(
        snapshot(&dir.path().join("first")),
        snapshot(&dir.path().join("uncached"))
    );
}

/// A project made before tenantgen started every project with migrations
/// it now has (sessions, and later placements, moves and the read
/// functions): `gen update`, with
/// nothing changed in the spec, appends them under their own names, in
/// order, after the project's last migration.
#[test]
fn update_appends_a_migration_a_newer_tenantgen_starts_projects_with() {
    let dir = tempdir();
    let project = dir.path().join("p");
    let spec = example("crm.yaml");
    let made = run(
        dir.path(),
        &[
            "new",
            spec.to_str().expect("utf-8 path"),
            "-o",
            project.to_str().expect("utf-8 path"),
        ],
    );
    assert!(made.status.success(), "{}", text(&made.stderr));
    // As an earlier tenantgen left it: none of these migrations, anywhere.
    let manifest_path = project.join(".gen/manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).expect("read"))
            .expect("json");
    for missing in [
        "migrations/0003_sessions.sql",
        "migrations/0004_placement.sql",
        "migrations/0005_moves.sql",
        "migrations/0010_read_functions.sql",
    ] {
        std::fs::remove_file(project.join(missing)).expect("remove");
        manifest["files"]
            .as_object_mut()
            .expect("files")
            .remove(missing);
    }
    std::fs::write(
        &manifest_path,
        serde_json::to_string_pretty(&manifest).expect("json"),
    )
    .expect("write");

    let appended = [
        (
            "migrations/0010_sessions.sql",
            "CREATE TABLE control.sessions",
        ),
        ("migrations/0011_placement.sql", "ADD COLUMN db_name text"),
        (
            "migrations/0012_moves.sql",
            "CREATE TABLE control.tenant_moves",
        ),
        (
            "migrations/0013_read_functions.sql",
            "CREATE OR REPLACE FUNCTION companies_by_id(tenant uuid, record uuid)",
        ),
    ];
    let (code, stdout, stderr) = outcome(&project, &["plan"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    for (path, _) in appended {
        assert!(stdout.contains(path), "{stdout}");
    }
    let (code, stdout, stderr) = outcome(&project, &["update"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    for (path, statement) in appended {
        let migration =
            std::fs::read_to_string(project.join(path)).expect("the appended migration");
        assert!(migration.contains(statement), "{path}: {migration}");
    }
    let (code, stdout, stderr) = outcome(&project, &["check", "--drift"]);
    assert_eq!(code, Some(0), "no drift afterwards: {stdout}{stderr}");
}

/// `gen check --drift` for CI: a fresh project has none; edited, deleted
/// and stale generator-owned files, and a migration the spec needs but
/// nobody appended, are each listed and fail the check; files of the
/// user's own are not the generator's business.
#[test]
fn drift_check_lists_what_differs_from_the_spec() {
    let scratch = tempdir();
    let project = new_crm_project(scratch.path(), "project");
    let drift = |dir: &Path, args: &[&str]| outcome(dir, &[&["check", "--drift"], args].concat());

    let (code, stdout, _) = drift(scratch.path(), &["project"]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.starts_with("no drift: "), "{stdout}");
    // The current folder is the default.
    assert_eq!(drift(&project, &[]).0, Some(0));

    std::fs::write(project.join("src/custom.rs"), "// mine\n").expect("write");
    assert_eq!(drift(&project, &[]).0, Some(0), "a file of the user's own");

    append(&project.join("src/app.rs"), "// a hand edit\n");
    std::fs::remove_file(project.join("web/src/App.tsx")).expect("remove");
    append(
        &project.join("migrations/0006_create_companies.sql"),
        "-- edited\n",
    );
    let (code, stdout, stderr) = drift(&project, &[]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert_eq!(
        stdout,
        "changed: migrations/0006_create_companies.sql\nchanged: src/app.rs\nmissing: web/src/App.tsx\n"
    );
    assert!(stderr.contains("3 generated files differ"), "{stderr}");
    assert!(stderr.contains("a migration was edited"), "{stderr}");
    // Edits `gen update` keeps can be allowed; the missing file and the
    // edited migration still fail.
    let (code, stdout, stderr) = drift(&project, &["--allow-edits"]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert_eq!(
        stdout,
        "edited: src/app.rs (yours; `gen update` keeps it)\nchanged: migrations/0006_create_companies.sql\nmissing: web/src/App.tsx\n"
    );
    replace_in(
        &project.join("migrations/0006_create_companies.sql"),
        "-- edited\n",
        "",
    );
    let (code, _, _) = outcome(&project, &["update"]);
    assert_eq!(code, Some(0), "the missing file comes back");
    let (code, stdout, stderr) = drift(&project, &["--allow-edits"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.ends_with("but for 1 edit of yours\n"), "{stdout}");
    // Once the generator's text for an edited file changes, it is stale.
    let company = project.join("src/api/entities/company.rs");
    replace_in(
        &company,
        "//! Companies,",
        "//! A note of mine.\n//! Companies,",
    );
    replace_in(
        &project.join("spec.yaml"),
        "      delete: [owner, admin]",
        "      delete: [owner]",
    );
    let (code, stdout, stderr) = drift(&project, &["--allow-edits"]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("edited: src/app.rs"), "{stdout}");
    assert!(
        stdout.contains("changed: src/api/entities/company.rs"),
        "{stdout}"
    );

    // Editing the spec without regenerating leaves the files stale.
    let fresh = new_crm_project(scratch.path(), "fresh");
    replace_in(&fresh.join("spec.yaml"), FOUNDED, WEBSITE_AFTER_FOUNDED);
    let (code, stdout, stderr) = drift(&fresh, &[]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("changed: src/api/entities/company.rs"),
        "{stdout}"
    );
    // The database change it needs is a pending migration; the ones
    // written stay the standard.
    assert!(
        stdout.contains("pending: migrations/0011_alter_companies.sql"),
        "{stdout}"
    );
    assert!(!stdout.contains("0006"), "{stdout}");
    assert!(
        stderr.contains("`gen update` appends the migration"),
        "{stderr}"
    );
    assert!(
        !stdout.contains("spec.yaml"),
        "the spec is the user's: {stdout}"
    );

    // Not a project.
    let (code, _, stderr) = drift(scratch.path(), &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("made by `gen new`"), "{stderr}");
}

/// `gen new` records its state under `.gen/`, and `gen plan` works from it:
/// a no-op plans nothing; a new entity creates its files and appends its
/// migration, which a new field joins; a file the user edited keeps the
/// edit; a destructive change is refused unless allowed, and an edited
/// migration is a conflict (exit 1 both); and nothing is ever written.
#[test]
fn plan_reads_the_recorded_state_and_writes_nothing() {
    let scratch = tempdir();
    let project = new_crm_project(scratch.path(), "project");

    // The manifest hashes every generator-owned file as written.
    let manifest = tenantgen::state::Manifest::parse(
        &std::fs::read_to_string(project.join(".gen/manifest.json")).expect("a manifest"),
    )
    .expect("a manifest gen wrote");
    assert!(manifest.files.contains_key("src/app.rs"));
    assert!(
        !manifest.files.contains_key("spec.yaml"),
        "the spec is the user's"
    );
    for (path, hash) in &manifest.files {
        let bytes = std::fs::read(project.join(path)).expect("a generated file");
        assert_eq!(&tenantgen::state::hash(&bytes), hash, "{path}");
    }
    assert_eq!(
        std::fs::read_to_string(project.join(".gen/spec.yaml")).expect("the recorded spec"),
        std::fs::read_to_string(example("crm.yaml")).expect("spec")
    );

    let plan = || outcome(&project, &["plan"]);
    let (code, stdout, _) = plan();
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.ends_with("nothing to do: the project matches its spec\n"),
        "{stdout}"
    );

    let before = files_under(&project);
    let app = project.join("src/app.rs");
    append(&app, "// a hand edit\n");
    let edited = std::fs::read_to_string(&app).expect("read");
    let spec_path = project.join("spec.yaml");
    append(&spec_path, NOTE_ENTITY);
    let (code, stdout, stderr) = plan();
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    for line in [
        "create   migrations/0011_create_notes.sql (the migration this change appends)",
        "create   src/api/entities/note.rs",
        "update   src/api/entities.rs",
        "update   web/src/entities.ts",
        "keep     src/app.rs (changed by you; the generator's version is the same)",
    ] {
        assert!(stdout.lines().any(|l| l == line), "`{line}` in:\n{stdout}");
    }

    // A field added to an existing entity joins the appended migration.
    replace_in(&spec_path, FOUNDED, WEBSITE_AFTER_FOUNDED);
    let (code, stdout, stderr) = plan();
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    for line in [
        "create   migrations/0011_update_companies_notes.sql (the migration this change appends)",
        "    ALTER TABLE companies ADD COLUMN website text;",
        "    CREATE TABLE notes (",
    ] {
        assert!(stdout.lines().any(|l| l == line), "`{line}` in:\n{stdout}");
    }

    // A field removed is refused unless allowed: it drops a column.
    replace_in(&spec_path, FOUNDED, "");
    let (code, stdout, stderr) = plan();
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("refused  drops column `companies.founded` and its values"),
        "{stdout}"
    );
    assert!(
        stderr.contains("1 destructive database change refused"),
        "{stderr}"
    );
    assert_eq!(
        plan_outlook(&project, &[]),
        (
            Some(1),
            serde_json::json!({"kind": "destructive", "count": 1})
        )
    );
    let (code, stdout, stderr) = outcome(&project, &["plan", "--allow-destructive"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("    ALTER TABLE companies DROP COLUMN founded;"),
        "{stdout}"
    );

    // A migration edited by hand is a conflict.
    append(
        &project.join("migrations/0006_create_companies.sql"),
        "-- mine\n",
    );
    let (code, stdout, stderr) = outcome(&project, &["plan", "--allow-destructive"]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("conflict migrations/0006_create_companies.sql: this migration was edited after it was generated"),
        "{stdout}"
    );
    assert!(stderr.contains("1 file can't be regenerated"), "{stderr}");
    assert_eq!(
        plan_outlook(&project, &["--allow-destructive"]),
        (
            Some(1),
            serde_json::json!({"kind": "conflicts", "count": 1})
        )
    );
    replace_in(
        &project.join("migrations/0006_create_companies.sql"),
        "-- mine\n",
        "",
    );

    let output = run(&project, &["plan", "--diff"]);
    assert!(
        text(&output.stdout).contains("+        url website"),
        "{}",
        text(&output.stdout)
    );

    // Planning wrote nothing.
    assert_eq!(files_under(&project), before);
    assert_eq!(std::fs::read_to_string(&app).expect("read"), edited);
}

/// `gen update`, scripted as a founder would use it: a no-op writes
/// nothing; a new entity is generated and its migration appended; a hand
/// edit to a generated file survives a spec change elsewhere in it (a
/// three-way merge) and clashes visibly (markers, exit 1) with one on the
/// same lines; a file of the user's own, and one tenantgen made for the
/// user (a hooks file), are never touched; and an update with a conflict it
/// can't merge writes nothing at all.
#[test]
fn update_rewrites_merges_and_never_loses_an_edit() {
    let scratch = tempdir();
    let project = new_crm_project(scratch.path(), "project");
    let update = || outcome(&project, &["update"]);
    let spec_path = project.join("spec.yaml");
    let edit_spec = |from: &str, to: &str| replace_in(&spec_path, from, to);
    let custom = project.join("src/custom.rs");
    std::fs::write(&custom, "// mine\n").expect("write");
    // A file the generator created for the user: theirs from the start,
    // kept even by a forced `gen new` over the project.
    let hook = project.join("src/hooks/company.rs");
    append(&hook, "// my rule\n");
    let hook_text = std::fs::read_to_string(&hook).expect("read");
    let (code, stdout, stderr) = outcome(&project, &["new", "spec.yaml", "-o", ".", "--force"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(std::fs::read_to_string(&hook).expect("read"), hook_text);

    // A no-op writes nothing.
    let before = snapshot(&project);
    let (code, stdout, _) = update();
    assert_eq!(
        (code, stdout.as_str()),
        (Some(0), "nothing to do: the project matches its spec\n")
    );
    assert_eq!(snapshot(&project), before);

    // A new entity, after an update that was killed half way: it had set
    // `src/app.rs` aside (into old/) and moved its new one in. The next
    // update puts the old one back before it plans, so the half-written
    // file is not taken for an edit of the user's.
    let leftover = project.join(".tenantgen-update-interrupted");
    let app = project.join("src/app.rs");
    std::fs::create_dir_all(leftover.join("old/src")).expect("create");
    let original = std::fs::read(&app).expect("read");
    std::fs::rename(&app, leftover.join("old/src/app.rs")).expect("set aside");
    std::fs::write(&app, "half").expect("write");
    let journal = serde_json::json!([{
        "path": "src/app.rs",
        "before": {"File": {"sha256": tenantgen::state::hash(&original)}},
        "after": {"File": {"sha256": tenantgen::state::hash(b"half")}},
    }]);
    std::fs::write(leftover.join("journal.json"), journal.to_string()).expect("write");
    append(&spec_path, NOTE_ENTITY);
    let (code, stdout, stderr) = outcome(&project, &["plan"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout.starts_with("note     an earlier `gen update` was interrupted"),
        "{stdout}"
    );
    let (code, stdout, stderr) = update();
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout.starts_with("restored the files an interrupted update had changed\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("created  migrations/0011_create_notes.sql"),
        "{stdout}"
    );
    assert!(
        stdout.contains("created  src/api/entities/note.rs"),
        "{stdout}"
    );
    assert!(
        stdout.contains("created  src/hooks/note.rs"),
        "a new entity's hooks file: {stdout}"
    );
    let drift = run(&project, &["check", "--drift"]);
    assert!(drift.status.success(), "{}", text(&drift.stdout));
    assert!(!leftover.exists(), "the leftover staging folder is removed");

    // A hand edit, then a spec change elsewhere in the same file: merged.
    let company = project.join("src/api/entities/company.rs");
    let original = std::fs::read_to_string(&company).expect("read");
    let edited = original.replacen("//! Companies,", "//! A note of mine.\n//! Companies,", 1);
    assert_ne!(edited, original);
    std::fs::write(&company, &edited).expect("write");
    edit_spec("      delete: [owner, admin]", "      delete: [owner]");
    let (code, stdout, stderr) = update();
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("merged   src/api/entities/company.rs"),
        "{stdout}"
    );
    let merged = std::fs::read_to_string(&company).expect("read");
    assert!(merged.contains("//! A note of mine."), "the edit survives");
    assert!(
        merged.contains("const DELETE: &'static [Role] = &[Role::Owner];"),
        "the spec change arrives"
    );

    // A hand edit to the very lines the spec changes: marked, exit 1.
    std::fs::write(
        &company,
        merged.replace(
            "const DELETE: &'static [Role] = &[Role::Owner];",
            "const DELETE: &'static [Role] = &[Role::Owner, Role::Member];",
        ),
    )
    .expect("write");
    edit_spec("      delete: [owner]", "      delete: [owner, viewer]");
    // The plan foresees it, and shows the merge it would write.
    let (code, stdout, stderr) = outcome(&project, &["plan", "--diff"]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("conflict src/api/entities/company.rs (changed by you and by the generator, on the same lines"),
        "{stdout}"
    );
    assert!(stdout.contains("+<<<<<<< ours"), "{stdout}");
    assert!(
        stderr.contains("1 file would be merged with conflicts"),
        "{stderr}"
    );
    assert_eq!(
        plan_outlook(&project, &[]),
        (Some(1), serde_json::json!({"kind": "clashes", "count": 1}))
    );
    let (code, stdout, stderr) = update();
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("conflict src/api/entities/company.rs"),
        "{stdout}"
    );
    assert!(stderr.contains("1 merged file has conflicts"), "{stderr}");
    let marked = std::fs::read_to_string(&company).expect("read");
    assert!(
        marked.contains("<<<<<<<")
            && marked.contains("Role::Member")
            && marked.contains("Role::Viewer")
            && marked.contains(">>>>>>>"),
        "{marked}"
    );
    // Until the markers are resolved, nothing goes on as if they were.
    for command in [&["plan"][..], &["update"], &["check", "--drift"]] {
        let (code, stdout, stderr) = outcome(&project, command);
        assert_eq!(code, Some(1), "{command:?}: {stdout}{stderr}");
        assert!(
            format!("{stdout}{stderr}").contains("conflict markers"),
            "{command:?}: {stdout}{stderr}"
        );
    }

    // Updates it can't do write nothing: a destructive change not allowed,
    // and an edited migration.
    std::fs::write(&company, &merged).expect("write");
    let before = snapshot(&project);
    edit_spec(FOUNDED, "");
    let spec_after_edit = std::fs::read(&spec_path).expect("read");
    let (code, stdout, stderr) = update();
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains(
            "1 destructive database change refused; review it, then rerun with --allow-destructive; nothing was written"
        ),
        "{stderr}"
    );
    let migration = project.join("migrations/0011_create_notes.sql");
    append(&migration, "-- mine\n");
    let (code, stdout, stderr) = outcome(&project, &["update", "--allow-destructive"]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    replace_in(&migration, "-- mine\n", "");
    let after: Vec<(String, Vec<u8>)> = snapshot(&project)
        .into_iter()
        .filter(|(path, _)| path != "spec.yaml")
        .collect();
    let before: Vec<(String, Vec<u8>)> = before
        .into_iter()
        .filter(|(path, _)| path != "spec.yaml")
        .collect();
    assert_eq!(after, before);
    assert_eq!(std::fs::read(&spec_path).expect("read"), spec_after_edit);

    // Allowed, it drops the column in a migration of its own.
    let (code, stdout, stderr) = outcome(&project, &["update", "--allow-destructive"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("destroys drops column `companies.founded` and its values"),
        "{stdout}"
    );
    assert!(
        std::fs::read_to_string(project.join("migrations/0012_alter_companies.sql"))
            .expect("the appended migration")
            .contains("ALTER TABLE companies DROP COLUMN founded;"),
    );
    // Only the hand edit differs from what the spec generates.
    let drift = run(&project, &["check", "--drift"]);
    assert_eq!(
        text(&drift.stdout),
        "changed: src/api/entities/company.rs\n"
    );

    // The user's own files went through every update untouched.
    assert_eq!(std::fs::read_to_string(&custom).expect("read"), "// mine\n");
    assert_eq!(std::fs::read_to_string(&hook).expect("read"), hook_text);

    // A forced `gen new` would rewrite the appended migrations: refused.
    let before = snapshot(&project);
    let (code, stdout, stderr) = outcome(&project, &["new", "spec.yaml", "-o", ".", "--force"]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("migrations/0011_create_notes.sql") && stderr.contains("use `gen update`"),
        "{stderr}"
    );
    assert_eq!(snapshot(&project), before);

    // A renamed entity whose hooks file holds rules: the update waits until
    // the user moves it, rather than start an empty one that switches the
    // rules off without a sound.
    edit_spec("  company:\n", "  firm:\n    renamed_from: company\n");
    edit_spec("to: company", "to: firm");
    edit_spec("to: company", "to: firm");
    let (code, stdout, stderr) = update();
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("conflict src/hooks/firm.rs: its entity was renamed, and your rules are in src/hooks/company.rs"),
        "{stdout}{stderr}"
    );
    assert_eq!(
        snapshot(&project)
            .into_iter()
            .filter(|(path, _)| path != "spec.yaml")
            .collect::<Vec<_>>(),
        before
            .into_iter()
            .filter(|(path, _)| path != "spec.yaml")
            .collect::<Vec<_>>()
    );
    let moved = project.join("src/hooks/firm.rs");
    std::fs::rename(&hook, &moved).expect("move the hooks file");
    replace_in(&moved, "entities::company::", "entities::firm::");
    let (code, stdout, stderr) = update();
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        std::fs::read_to_string(&moved)
            .expect("read")
            .contains("// my rule")
    );
}

/// A folder where a new generated file goes is a conflict the plan shows,
/// and the update refuses before writing anything.
#[test]
fn a_folder_in_the_way_is_a_conflict_before_anything_is_written() {
    let scratch = tempdir();
    let project = new_crm_project(scratch.path(), "project");
    append(&project.join("spec.yaml"), NOTE_ENTITY);
    std::fs::create_dir_all(project.join("src/api/entities/note.rs/mine")).expect("mkdir");
    let (code, stdout, stderr) = outcome(&project, &["plan"]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains(
            "conflict src/api/entities/note.rs: `src/api/entities/note.rs` is in the way of this generated file"
        ),
        "{stdout}"
    );
    let before = snapshot(&project);
    let (code, stdout, stderr) = outcome(&project, &["update"]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(snapshot(&project), before);
}

/// Standard output of `gen` with `--format json` in `dir`: its exit code
/// and the JSON, which must parse.
fn json(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let (code, stdout, stderr) = outcome(dir, args);
    serde_json::from_str::<serde_json::Value>(&stdout).unwrap_or_else(|err| {
        panic!(
            "`gen {}` printed no JSON ({err}):\n{stdout}{stderr}",
            args.join(" ")
        )
    });
    (code, stdout)
}

/// What `gen plan --format json` with `extra` arguments says the update
/// would run into in `dir`, and its exit code.
fn plan_outlook(dir: &Path, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let args: Vec<&str> = ["plan", "--format", "json"]
        .iter()
        .chain(extra)
        .copied()
        .collect();
    let (code, stdout) = json(dir, &args);
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("parsed once already");
    (code, report["outlook"].clone())
}

/// The shapes README.md documents for editors and CI, as reviewed snapshots.
#[test]
fn check_plan_and_drift_speak_json() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/cli");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let _bound = settings.bind_to_scope();
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs");

    let (code, stdout) = json(
        &specs,
        &["check", "--format", "json", "err_duplicate_key.yaml"],
    );
    assert_eq!(code, Some(1), "{stdout}");
    insta::assert_snapshot!("check-error.json", stdout);
    let (code, stdout) = json(
        &specs,
        &[
            "check",
            "--format",
            "json",
            "warn_cascade_past_delete_permission.yaml",
        ],
    );
    assert_eq!(code, Some(0), "{stdout}");
    insta::assert_snapshot!("check-warning.json", stdout);

    let scratch = tempdir();
    let project = new_crm_project(scratch.path(), "project");
    let (code, stdout) = json(&project, &["check", "--drift", "--format", "json"]);
    assert_eq!(code, Some(0), "{stdout}");
    append(&project.join("src/app.rs"), "// a hand edit\n");
    append(&project.join("spec.yaml"), NOTE_ENTITY);
    let (code, stdout) = json(&project, &["plan", "--format", "json"]);
    assert_eq!(code, Some(0), "{stdout}");
    insta::assert_snapshot!("plan.json", stdout);
    let (code, stdout) = json(&project, &["check", "--drift", "--format", "json"]);
    assert_eq!(code, Some(1), "{stdout}");
    insta::assert_snapshot!("drift.json", stdout);
}

#[test]
fn check_citus_reports_a_pool_spec_and_refuses_other_modes() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/cli");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let _bound = settings.bind_to_scope();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs");

    // The crm example clears a deal's contact with ON DELETE SET NULL,
    // which Citus refuses on a key that holds tenant_id.
    let (code, stdout, stderr) = outcome(&examples, &["check", "--citus", "crm.yaml"]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    insta::assert_snapshot!("check-citus.txt", stdout);

    let (code, stdout) = json(
        &specs,
        &[
            "check",
            "--citus",
            "--format",
            "json",
            "ok_global_only.yaml",
        ],
    );
    assert_eq!(code, Some(0), "{stdout}");
    insta::assert_snapshot!("check-citus.json", stdout);

    for (spec, isolation) in [("helpdesk.yaml", "bridge"), ("tracker.yaml", "silo")] {
        let (code, stdout, stderr) = outcome(&examples, &["check", "--citus", spec]);
        assert_eq!(code, Some(1), "{stdout}{stderr}");
        assert_eq!(
            stderr.trim_end(),
            format!(
                "{spec}: citus distributes the shared tables of pool isolation; this spec uses {isolation} isolation"
            )
        );
    }
}
