//! `gen`: the command-line front of tenantgen. The only place that reads the
//! environment, prints, and chooses exit codes: 0 ok, 1 invalid spec or
//! refused write, 2 anything unexpected.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use clap::{CommandFactory, Parser};
use indicatif::{ProgressBar, ProgressStyle};
use tenantgen::folder::{self, ProjectFolder, Regeneration};
use tenantgen::model::Isolation;
use tenantgen::report::{DriftReport, Outlook, PlanReport, UpdateReport};
use tenantgen::write::{self, WriteError};
use tenantgen::{Diagnostics, GenerateError, Templates};

use args::{Cli, Command, Format};
use refusal::{Refusal, colour, folder_error, write_refusal};

mod args;
mod refusal;

fn main() -> ExitCode {
    // Output piped into `head` or `less` ends quietly when the reader
    // stops, as other command-line tools do, instead of a panic in println!.
    #[cfg(unix)]
    // SAFETY: nothing else runs yet; SIG_DFL is a valid disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if let Some(refusal) = err.downcast_ref::<Refusal>() {
                if !matches!(refusal, Refusal::Silent) {
                    eprintln!("{}", refusal.shown());
                }
                return ExitCode::from(1);
            }
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Init { file, isolation } => init(&file, isolation.into()),
        // clap requires the spec unless --drift is given.
        Command::Check {
            path,
            drift,
            allow_edits,
            citus,
            format,
        } => match path {
            Some(spec) if citus => check_citus(&spec, format),
            Some(spec) if !drift => check(&spec, format),
            dir => check_drift(
                dir.as_deref().unwrap_or(Path::new(".")),
                allow_edits,
                format,
            ),
        },
        Command::Plan {
            dir,
            diff,
            allow_destructive,
            format,
        } => plan(&dir, diff, allow_destructive, format),
        Command::Update {
            dir,
            allow_destructive,
        } => update(&dir, allow_destructive),
        Command::New {
            spec,
            output,
            force,
            templates,
            no_format,
        } => {
            let options = write::WriteOptions {
                force,
                format: !no_format,
                templates: None,
            };
            new(&spec, output, options, templates)
        }
        Command::Schema => {
            print!("{}", tenantgen::render::spec_schema_text());
            Ok(())
        }
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "gen", &mut std::io::stdout());
            Ok(())
        }
    }
}

fn read_spec(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path)
        .with_context(|| format!("could not read spec `{}`", path.display()))
}

fn init(file: &Path, isolation: Isolation) -> anyhow::Result<()> {
    let templates = Templates::builtin();
    let starter = tenantgen::starter_spec(&templates, isolation)?;
    write::write_new_file(file, &starter).map_err(write_refusal)?;
    let schema = file.with_file_name("spec.schema.json");
    let schema_note = match write::write_new_file(&schema, &tenantgen::render::spec_schema_text()) {
        Ok(()) => format!(" and `{}`", schema.display()),
        Err(WriteError::FileExists(_)) => String::new(),
        Err(err) => return Err(err.into()),
    };
    println!(
        "wrote `{}`{schema_note}; edit it, then run `gen new {}`",
        file.display(),
        file.display()
    );
    Ok(())
}

fn check(path: &Path, format: Format) -> anyhow::Result<()> {
    let source = read_spec(path)?;
    let checked = tenantgen::check(&path.display().to_string(), &source);
    if let Format::Json = format {
        let diagnostics = match &checked {
            Ok(checked) => &checked.warnings,
            Err(diagnostics) => diagnostics,
        };
        println!("{}", serde_json::to_string_pretty(&diagnostics.to_json())?);
    }
    let tenantgen::Checked { model, warnings } = checked.map_err(|diagnostics| match format {
        Format::Text => Refusal::Invalid(diagnostics),
        Format::Json => Refusal::Silent,
    })?;
    if let Format::Text = format {
        print_warnings(&warnings);
        let count = model.entities.len();
        let noun = if count == 1 { "entity" } else { "entities" };
        println!(
            "{}: ok ({count} {noun}, {} isolation)",
            path.display(),
            model.isolation
        );
    }
    Ok(())
}

/// Whether Citus could take the spec's pool database as generated: exit 1
/// if it would refuse any of it.
fn check_citus(path: &Path, format: Format) -> anyhow::Result<()> {
    let source = read_spec(path)?;
    let model = tenantgen::load(&path.display().to_string(), &source).map_err(Refusal::Invalid)?;
    let distribution = tenantgen::citus::distribution(&model)
        .map_err(|err| Refusal::Citus(path.display().to_string(), err))?;
    match format {
        Format::Text => {
            let verdict = if distribution.distributable {
                "Citus could distribute its pool database as generated"
            } else {
                "Citus would refuse part of its pool database as generated"
            };
            println!("{}: {verdict}\n\n{distribution}", path.display());
        }
        Format::Json => println!("{}", serde_json::to_string_pretty(&distribution)?),
    }
    if distribution.distributable {
        Ok(())
    } else {
        Err(Refusal::Silent.into())
    }
}

/// Warnings go to standard error, before whatever the command goes on to do.
fn print_warnings(warnings: &Diagnostics) {
    if !warnings.problems.is_empty() {
        eprintln!("{}\n", warnings.render(colour()));
    }
}

fn print_unformatted(formatted: bool) {
    if !formatted {
        eprintln!("note: rustfmt was not found; Rust files are compared as rendered, unformatted");
    }
}

/// Opens the project in `dir` and works out what regenerating it produces,
/// saying what is worth saying on the way.
fn regeneration(dir: &Path) -> anyhow::Result<(ProjectFolder, Regeneration)> {
    let folder = ProjectFolder::open(dir).map_err(folder_error)?;
    let regeneration = folder.regeneration().map_err(folder_error)?;
    print_warnings(&regeneration.warnings);
    print_unformatted(regeneration.formatted);
    Ok((folder, regeneration))
}

/// Puts back what an interrupted update changed in `dir`, saying so.
fn restore_interrupted(dir: &Path) -> anyhow::Result<()> {
    if write::roll_back_interrupted(dir).map_err(write_refusal)? {
        println!("restored the files an interrupted update had changed");
    }
    Ok(())
}

fn update(dir: &Path, allow_destructive: bool) -> anyhow::Result<()> {
    restore_interrupted(dir)?;
    let (folder, regeneration) = regeneration(dir)?;
    let report =
        UpdateReport::new(&folder, &regeneration, allow_destructive).map_err(folder_error)?;
    for line in &report.conflicts {
        println!("{line}");
    }
    for hazard in &report.hazards {
        println!("{hazard}");
    }
    if let Some(blocker) = report.blocker {
        return Err(Refusal::Blocked(blocker).nothing_written().into());
    }
    if !report.writes_anything() {
        println!("nothing to do: the project matches its spec");
        return Ok(());
    }
    let resolution = &report.resolution;
    write::apply_update(dir, &resolution.writes, &resolution.deletes).map_err(|err| match err {
        WriteError::HalfApplied(_) => err.into(),
        err => write_refusal(err).context("the update was not applied; the project is as it was"),
    })?;
    for line in report.applied() {
        println!("{line}");
    }
    match resolution.clashes() {
        0 => Ok(()),
        clashes => Err(Refusal::MergeConflicts(clashes).into()),
    }
}

fn plan(
    dir: &Path,
    show_diff: bool,
    allow_destructive: bool,
    format: Format,
) -> anyhow::Result<()> {
    let (folder, regeneration) = regeneration(dir)?;
    let report = PlanReport::new(&folder, &regeneration, show_diff, allow_destructive)
        .map_err(folder_error)?;
    match format {
        Format::Text => print!("{report}"),
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
    }
    match report.outlook {
        Outlook::Clean => Ok(()),
        outlook => Err(Refusal::Plan(outlook).into()),
    }
}

/// Compares the project in `dir` with what its `spec.yaml` generates now,
/// laid out as `gen new` writes it. With the state of the last generation,
/// migrations are held to what it wrote, and a spec change the database
/// hasn't had yet is a pending migration.
fn check_drift(dir: &Path, allow_edits: bool, format: Format) -> anyhow::Result<()> {
    let folder = ProjectFolder::open(dir).map_err(folder_error)?;
    let expected = folder.expected().map_err(folder_error)?;
    print_warnings(&expected.warnings);
    print_unformatted(expected.formatted);
    let report = DriftReport::new(
        &folder,
        &expected.files,
        expected.manifest.as_ref(),
        allow_edits,
    );
    match format {
        Format::Text => print!("{report}"),
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
    }
    for note in report.notes() {
        eprintln!("note: {note}");
    }
    Ok(report.verdict().map_err(Refusal::Drift)?)
}

fn new(
    path: &Path,
    output: Option<PathBuf>,
    mut options: write::WriteOptions,
    overrides: Option<PathBuf>,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let source = read_spec(path)?;
    let overridden = overrides.is_some();
    let templates = match &overrides {
        Some(dir) => folder::templates_with_overrides(dir).map_err(folder_error)?,
        None => Templates::builtin(),
    };
    let project = match tenantgen::generate(&path.display().to_string(), &source, &templates) {
        Ok(project) => project,
        Err(GenerateError::Invalid(diagnostics)) => {
            return Err(Refusal::Invalid(diagnostics).nothing_written().into());
        }
        // A user's template override is input like the spec; a built-in
        // template failing is a bug.
        Err(GenerateError::Render(err)) if overridden => return Err(Refusal::Template(err).into()),
        Err(err) => return Err(err.into()),
    };
    print_warnings(&project.warnings);
    let dir = output.unwrap_or_else(|| PathBuf::from(&project.model.app));
    // A half-applied update is neither the old project nor the new one:
    // put it back before judging what is there.
    if dir.is_dir() {
        restore_interrupted(&dir)?;
    }
    // Regenerating renders with the same overrides: the project remembers
    // where they are, relative to itself, so it can move with them.
    if let Some(overrides) = &overrides {
        options.templates = Some(folder::relative_path(&dir, overrides).map_err(folder_error)?);
    }
    let format = options.format;
    folder::keeps_migrations(&dir, &project.files).map_err(Refusal::MigrationsRewritten)?;

    let progress = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(project.files.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
                .expect("the progress template is valid"),
        );
        Some(bar)
    } else {
        None
    };
    let summary = write::write_project(&dir, &project.files, options, |file| {
        if let Some(bar) = &progress {
            bar.set_message(file.path.clone());
            bar.inc(1);
        }
    })
    .map_err(write_refusal)?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if std::io::stdout().is_terminal() {
        println!(
            "generated {} files ({:.1} KiB) in `{}` in {} ms",
            summary.files,
            summary.bytes as f64 / 1024.0,
            dir.display(),
            started.elapsed().as_millis()
        );
    }
    let has_rust = project.files.iter().any(|file| file.path.ends_with(".rs"));
    if has_rust && format && !summary.formatted {
        eprintln!(
            "note: rustfmt was not found; the Rust code is not laid out by it (`cargo fmt` in the project fixes that)"
        );
    }
    // Plain lines, on a terminal or not: a script or a CI log reads them too.
    println!(
        "next: cd {} && cargo run -- dev",
        shell_word(&dir.display().to_string())
    );
    println!(
        "      (starts a database of its own under .dev/, seeds demo data and serves the app)"
    );
    Ok(())
}

/// `text` as one word of a POSIX shell command line.
fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./+=:@%,".contains(c));
    if plain {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}
