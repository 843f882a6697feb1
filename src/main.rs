//! `gen`: the command-line front of tenantgen. The only place that reads the
//! environment, prints, and chooses exit codes: 0 ok, 1 invalid spec or
//! refused write, 2 anything unexpected.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use tenantgen::drift::DriftKind;
use tenantgen::evolve::Evolution;
use tenantgen::folder::{self, FolderError, ProjectFolder, Regeneration};
use tenantgen::model::{Isolation, is_migration};
use tenantgen::reconcile::{self, Action, Blocker, Outcome, count};
use tenantgen::state::Manifest;
use tenantgen::write::{self, WriteError};
use tenantgen::{Diagnostics, GenerateError, Templates};

/// Generate a multi-tenant SaaS — Rust backend, PostgreSQL with row-level
/// security, React frontend — from one YAML spec.
#[derive(Parser)]
#[command(name = "gen", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a commented starter spec.
    #[command(after_help = "Example:\n  gen init crm.yaml --isolation bridge")]
    Init {
        /// Where to write it.
        #[arg(default_value = "spec.yaml")]
        file: PathBuf,
        /// The tenant isolation mode of the starter.
        #[arg(long, value_enum, default_value_t = IsolationArg::Pool)]
        isolation: IsolationArg,
    },
    /// Validate a spec and print every problem; with --drift, compare a
    /// generated project with what its spec.yaml generates now.
    #[command(after_help = "Example:\n  gen check spec.yaml\n  gen check --drift acme_crm")]
    Check {
        /// The spec file; with --drift, the project folder (default: the current one).
        #[arg(required_unless_present = "drift")]
        path: Option<PathBuf>,
        /// List the generator-owned files that differ from what spec.yaml
        /// generates (edited, missing or stale) and exit 1 if there are any:
        /// for CI.
        #[arg(long)]
        drift: bool,
        /// With --drift: list your edits to generator-owned files that
        /// `gen update` keeps as they are (the generator's text for them is
        /// unchanged) without failing on them; stale, missing and merged
        /// files and edited migrations still fail.
        #[arg(long, requires = "drift")]
        allow_edits: bool,
    },
    /// Generate a project from a spec.
    #[command(after_help = "Example:\n  gen new examples/crm.yaml -o acme_crm")]
    New {
        /// The spec file.
        spec: PathBuf,
        /// The project folder (default: the app name).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Write into a folder that already has files in it.
        #[arg(long)]
        force: bool,
        /// A folder of templates that replace built-in ones of the same name.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// Skip rustfmt (most of the time `gen new` takes); run `cargo fmt` later.
        #[arg(long)]
        no_format: bool,
    },
    /// Show what regenerating a project from its edited spec.yaml would do,
    /// writing nothing.
    #[command(after_help = "Example:\n  gen plan acme_crm --diff")]
    Plan {
        /// The project folder.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Also print a unified diff of each file that would be written.
        #[arg(long)]
        diff: bool,
        /// Plan as if destructive database changes (dropping a table or a
        /// column, narrowing a type) were allowed.
        #[arg(long)]
        allow_destructive: bool,
    },
    /// Regenerate a project from its edited spec.yaml: rewrite the files you
    /// didn't change, merge the ones you did, never touch your own.
    #[command(after_help = "Example:\n  gen update acme_crm")]
    Update {
        /// The project folder.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Allow database changes that throw data away: dropping a table or
        /// a column, narrowing a type. Refused otherwise, with nothing written.
        #[arg(long)]
        allow_destructive: bool,
    },
    /// Print the JSON Schema of the spec format.
    #[command(after_help = "Example:\n  gen schema > spec.schema.json")]
    Schema,
    /// Print a shell completion script.
    #[command(after_help = "Example:\n  gen completions bash > /etc/bash_completion.d/gen")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum IsolationArg {
    Pool,
    Bridge,
    Silo,
}

impl From<IsolationArg> for Isolation {
    fn from(arg: IsolationArg) -> Self {
        match arg {
            IsolationArg::Pool => Isolation::Pool,
            IsolationArg::Bridge => Isolation::Bridge,
            IsolationArg::Silo => Isolation::Silo,
        }
    }
}

/// A failure that is the input's fault: exit code 1.
#[derive(Debug, thiserror::Error)]
enum Refusal {
    #[error("{0}")]
    Invalid(Diagnostics),
    #[error(transparent)]
    Write(WriteError),
    #[error("{0}")]
    Template(tenantgen::RenderError),
    #[error(transparent)]
    Folder(FolderError),
    #[error(transparent)]
    Blocked(Blocker),
    #[error("{0}; nothing was written")]
    NothingWritten(Box<Refusal>),
    #[error("{} differ{} from what `{spec}` generates", reconcile::count(*count, "generated file"), if *count == 1 { "s" } else { "" })]
    Drift { count: usize, spec: PathBuf },
    #[error("`{}` has migrations that `gen new` would rewrite or drop ({}); databases may have applied them, so nothing was written: use `gen update`, which appends a migration instead", dir.display(), paths.join(", "))]
    MigrationsRewritten { dir: PathBuf, paths: Vec<String> },
    #[error("{} ha{} conflicts, marked with <<<<<<< and >>>>>>>; resolve them, then commit", count(*.0, "merged file"), if *.0 == 1 { "s" } else { "ve" })]
    MergeConflicts(usize),
    #[error("{} would be merged with conflicts; `gen update` marks them with <<<<<<< and >>>>>>> for you to resolve", count(*.0, "file"))]
    ClashesAhead(usize),
}

impl Refusal {
    fn nothing_written(self) -> Refusal {
        Refusal::NothingWritten(Box::new(self))
    }
}

/// The input's fault (exit code 1) or not (exit code 2).
fn folder_error(err: FolderError) -> anyhow::Error {
    if err.is_refusal() {
        Refusal::Folder(err).into()
    } else {
        err.into()
    }
}

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
                eprintln!("{refusal}");
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
        Command::Check {
            path,
            drift: true,
            allow_edits,
        } => check_drift(
            path.as_deref().unwrap_or_else(|| Path::new(".")),
            allow_edits,
        ),
        Command::Check {
            path: Some(spec), ..
        } => check(&spec),
        Command::Check { path: None, .. } => {
            unreachable!("clap requires the spec unless --drift is given")
        }
        Command::Plan {
            dir,
            diff,
            allow_destructive,
        } => plan(&dir, diff, allow_destructive),
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

fn write_refusal(err: WriteError) -> anyhow::Error {
    if err.is_refusal() {
        Refusal::Write(err).into()
    } else {
        err.into()
    }
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

fn check(path: &Path) -> anyhow::Result<()> {
    let source = read_spec(path)?;
    let tenantgen::Checked { model, warnings } =
        tenantgen::check(&path.display().to_string(), &source).map_err(Refusal::Invalid)?;
    print_warnings(&warnings);
    let count = model.entities.len();
    let noun = if count == 1 { "entity" } else { "entities" };
    println!(
        "{}: ok ({count} {noun}, {} isolation)",
        path.display(),
        model.isolation
    );
    Ok(())
}

/// Warnings go to standard error, before whatever the command goes on to do.
fn print_warnings(warnings: &Diagnostics) {
    if !warnings.problems.is_empty() {
        eprintln!("{warnings}\n");
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

/// Prints the hooks files of renamed entities the user has yet to move;
/// returns how many.
fn print_unmoved(folder: &ProjectFolder, regeneration: &Regeneration) -> anyhow::Result<usize> {
    let unmoved = folder
        .unmoved(&regeneration.moved, &regeneration.templates)
        .map_err(folder_error)?;
    for (from, to) in &unmoved {
        println!(
            "conflict {to}: its entity was renamed, and your rules are in {from}; move that file here (and its `use` line to the new module) first, or they would stop running"
        );
    }
    Ok(unmoved.len())
}

/// Points at files of the user's that the spec no longer uses, so code in
/// them is not silently left behind.
fn print_retired(dir: &Path, retired: &[String]) {
    for path in retired.iter().filter(|path| dir.join(path).is_file()) {
        println!(
            "keep     {path} (yours, but its entity is gone from the spec: nothing compiles or calls it now; move what you wrote, to the renamed entity's file if it was renamed)"
        );
    }
}

/// Prints what the database change risks; returns how many of its steps
/// are destructive and not allowed.
fn print_hazards(evolution: &Evolution, allow_destructive: bool) -> usize {
    let mut refused = 0;
    for hazard in &evolution.hazards {
        let word = match (hazard.destructive, allow_destructive) {
            (true, false) => {
                refused += 1;
                "refused"
            }
            (true, true) => "destroys",
            (false, _) => "warning",
        };
        println!("{word:<8} {}", hazard.message);
    }
    refused
}

/// What becomes of a generated file the user changed once the spec no
/// longer produces it.
const KEPT_ORPHANED: &str = " (changed by you and no longer generated: yours from now on)";

/// Why a file the user and the generator both changed is marked in full.
const BASE_UNKNOWN: &str = " (changed by you, and this tenantgen can't rebuild the text the last one wrote, so every difference from the new text is marked)";

/// Puts back what an interrupted update changed in `dir`, saying so.
fn restore_interrupted(dir: &Path) -> anyhow::Result<()> {
    if write::roll_back_interrupted(dir).map_err(write_refusal)? {
        println!("restored the files an interrupted update had changed");
    }
    Ok(())
}

/// Said by the commands that only read a project an update left half done.
const INTERRUPTED: &str = "an earlier `gen update` was interrupted and left files half changed; the next `gen update` puts them back before it starts, so what it does may differ from what this shows";

fn update(dir: &Path, allow_destructive: bool) -> anyhow::Result<()> {
    restore_interrupted(dir)?;
    let (folder, regeneration) = regeneration(dir)?;
    let Regeneration {
        files,
        evolution,
        manifest,
        retired,
        templates,
        ..
    } = &regeneration;
    let read = |path: &str| folder.read(path);
    let mut plan = reconcile::reconcile(files, manifest, read);
    folder.mark_obstructed(&mut plan);
    for change in plan.conflicts() {
        if let Action::Conflict(reason) = &change.action {
            println!("conflict {}: {reason}", change.path);
        }
    }
    let unmoved = print_unmoved(&folder, &regeneration)?;
    let refused = print_hazards(evolution, allow_destructive);
    if let Some(blocker) = plan.blocker(unmoved, refused) {
        return Err(Refusal::Blocked(blocker).nothing_written().into());
    }
    if !plan.writes_anything() {
        println!("nothing to do: the project matches its spec");
        return Ok(());
    }
    let base = folder.merge_base(&plan, templates).map_err(folder_error)?;
    let mut resolution = reconcile::resolve(&plan, files, &base, manifest, read);
    let clashes = resolution.clashes();
    resolution.writes.extend(tenantgen::state::state_files(
        files,
        Some(manifest),
        manifest.templates.as_deref(),
    ));
    write::apply_update(dir, &resolution.writes, &resolution.deletes).map_err(|err| match err {
        WriteError::HalfApplied(_) => err.into(),
        err => write_refusal(err).context("the update was not applied; the project is as it was"),
    })?;
    for (path, outcome) in &resolution.outcomes {
        let (word, note) = match outcome {
            Outcome::Created => ("created", ""),
            Outcome::Updated => ("updated", ""),
            Outcome::Deleted => ("deleted", ""),
            Outcome::Merged => ("merged", ""),
            Outcome::Clashed => (
                "conflict",
                " (both changed the same lines: marked in the file)",
            ),
            Outcome::BaseUnknown => ("conflict", BASE_UNKNOWN),
        };
        println!("{word:<8} {path}{note}");
    }
    for change in &plan.changes {
        if change.action == Action::KeepOrphaned {
            println!("{:<8} {}{KEPT_ORPHANED}", "keep", change.path);
        }
    }
    print_retired(dir, retired);
    if clashes > 0 {
        return Err(Refusal::MergeConflicts(clashes).into());
    }
    Ok(())
}

fn plan(dir: &Path, show_diff: bool, allow_destructive: bool) -> anyhow::Result<()> {
    let (folder, regeneration) = regeneration(dir)?;
    let Regeneration {
        files,
        evolution,
        manifest,
        retired,
        templates,
        ..
    } = &regeneration;
    let read = |path: &str| folder.read(path);
    let mut plan = reconcile::reconcile(files, manifest, read);
    folder.mark_obstructed(&mut plan);
    if write::interrupted_update(dir) {
        println!("note     {INTERRUPTED}");
    }
    // Merges are worked out as the update would, to tell clean ones from
    // ones that will need the user.
    let base = folder.merge_base(&plan, templates).map_err(folder_error)?;
    let merges = reconcile::resolve(&plan, files, &base, manifest, read);
    let merged = |path: &str| {
        let outcome = merges.outcomes.iter().find(|(merged, _)| merged == path)?.1;
        let contents = reconcile::contents_of(&merges.writes, path)?;
        Some((outcome, contents))
    };
    for change in &plan.changes {
        let appended = is_migration(&change.path) && change.action == Action::Create;
        let (word, note) = match &change.action {
            Action::Create if appended => {
                ("create", " (the migration this change appends)".to_owned())
            }
            Action::Create => ("create", String::new()),
            Action::Update => ("update", String::new()),
            Action::Delete => ("delete", String::new()),
            Action::Merge => match merged(&change.path) {
                Some((Outcome::Clashed, _)) => (
                    "conflict",
                    " (changed by you and by the generator, on the same lines: `gen update` will mark them)"
                        .to_owned(),
                ),
                Some((Outcome::BaseUnknown, _)) => ("conflict", BASE_UNKNOWN.to_owned()),
                _ => (
                    "merge",
                    " (changed by you and by the generator, on different lines)".to_owned(),
                ),
            },
            Action::KeepEdited => (
                "keep",
                " (changed by you; the generator's version is the same)".to_owned(),
            ),
            Action::KeepOrphaned => ("keep", KEPT_ORPHANED.to_owned()),
            Action::Conflict(reason) => ("conflict", format!(": {reason}")),
        };
        println!("{word:<8} {}{note}", change.path);
        let new = reconcile::contents_of(files, &change.path).unwrap_or_default();
        // The statements the migration runs, without its comments: the
        // database side of the plan, shown whether or not --diff is given.
        if appended && !show_diff {
            for line in new.lines() {
                let statement = line.trim_end();
                if !statement.is_empty() && !statement.starts_with("--") {
                    println!("    {statement}");
                }
            }
        }
        let writes = matches!(
            change.action,
            Action::Create | Action::Update | Action::Delete | Action::Merge
        );
        if show_diff && writes {
            let old = read(&change.path)
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .unwrap_or_default();
            // A merge's diff is from the user's file to the merged one.
            let new = match change.action {
                Action::Merge => merged(&change.path).map_or(new, |(_, contents)| contents),
                _ => new,
            };
            let diff = similar::TextDiff::from_lines(old.as_str(), new);
            print!(
                "{}",
                diff.unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{}", change.path), &format!("b/{}", change.path))
            );
        }
    }
    let unmoved = print_unmoved(&folder, &regeneration)?;
    print_retired(dir, retired);
    let refused = print_hazards(evolution, allow_destructive);
    println!("{} generated files unchanged", plan.unchanged);
    if !plan.writes_anything() && plan.conflicts().next().is_none() {
        println!("nothing to do: the project matches its spec");
    }
    match plan.blocker(unmoved, refused) {
        Some(blocker) => Err(Refusal::Blocked(blocker).into()),
        None if merges.clashes() > 0 => Err(Refusal::ClashesAhead(merges.clashes()).into()),
        None => Ok(()),
    }
}

/// Compares the project in `dir` with what its `spec.yaml` generates now,
/// laid out as `gen new` writes it; prints each difference. With the state
/// of the last generation, migrations are held to what it wrote, and a spec
/// change the database hasn't had yet is a pending migration.
fn check_drift(dir: &Path, allow_edits: bool) -> anyhow::Result<()> {
    let folder = ProjectFolder::open(dir).map_err(folder_error)?;
    let (files, manifest) = match folder.manifest() {
        Ok(_) => {
            let (_, regeneration) = regeneration(dir)?;
            (regeneration.files, Some(regeneration.manifest))
        }
        Err(_) => {
            let generation = folder.generation().map_err(folder_error)?;
            print_unformatted(generation.formatted);
            (generation.files, None)
        }
    };
    let read = |path: &str| folder.read(path);
    let mut drift = tenantgen::drift::compare(&files, manifest.as_ref(), read);
    // Edits `gen update` would keep as they are: the project is as up to
    // date with its spec as regenerating can make it.
    let kept: Vec<String> = match &manifest {
        Some(manifest) if allow_edits => reconcile::reconcile(&files, manifest, read)
            .changes
            .into_iter()
            .filter(|change| change.action == Action::KeepEdited)
            .map(|change| change.path)
            .collect(),
        _ => Vec::new(),
    };
    drift.retain(|difference| {
        let edit = difference.kind == DriftKind::Changed && kept.contains(&difference.path);
        if edit {
            println!("edited: {} (yours; `gen update` keeps it)", difference.path);
        }
        !edit
    });
    if write::interrupted_update(dir) {
        eprintln!("note: {INTERRUPTED}");
    }
    for difference in &drift {
        let kind = match difference.kind {
            DriftKind::Changed => "changed",
            DriftKind::Missing => "missing",
            DriftKind::Pending => "pending",
        };
        println!("{kind}: {}", difference.path);
    }
    for difference in drift.iter().filter(|difference| {
        difference.kind == DriftKind::Changed
            && read(&difference.path).is_some_and(|bytes| reconcile::has_conflict_markers(&bytes))
    }) {
        eprintln!(
            "note: {} still holds the conflict markers of a merge",
            difference.path
        );
    }
    if drift
        .iter()
        .any(|difference| is_migration(&difference.path) && difference.kind == DriftKind::Changed)
    {
        eprintln!(
            "note: a migration was edited; databases that already applied it won't run it again, and `migrate` refuses a changed one"
        );
    }
    if drift
        .iter()
        .any(|difference| difference.kind == DriftKind::Pending)
    {
        eprintln!(
            "note: spec.yaml changes the database since the last generation; `gen update` appends the migration"
        );
    }
    if !drift.is_empty() {
        return Err(Refusal::Drift {
            count: drift.len(),
            spec: folder.spec,
        }
        .into());
    }
    let owned = files
        .iter()
        .filter(|file| file.policy == tenantgen::plan::WritePolicy::Generated)
        .count()
        + manifest.as_ref().map_or(0, |manifest| {
            manifest
                .files
                .keys()
                .filter(|path| is_migration(path))
                .count()
        });
    let but = match kept.len() {
        0 => String::new(),
        edits => format!(", but for {} of yours", count(edits, "edit")),
    };
    println!(
        "no drift: the {owned} generated files match what `{}` generates{but}",
        folder.spec.display()
    );
    Ok(())
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
        Some(dir) => {
            let overrides = folder::read_overrides(dir).map_err(folder_error)?;
            Templates::with_overrides(overrides).map_err(Refusal::Template)?
        }
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
        options.templates = Some(folder::relative_path(&dir, overrides)?);
    }
    let format = options.format;
    // A project `gen update` has appended migrations to keeps them.
    let manifest = std::fs::read_to_string(dir.join(tenantgen::state::MANIFEST_PATH))
        .ok()
        .and_then(|text| Manifest::parse(&text).ok());
    if let Some(manifest) = manifest {
        let rewritten = reconcile::migrations_rewritten(&project.files, &manifest);
        if !rewritten.is_empty() {
            return Err(Refusal::MigrationsRewritten {
                dir: dir.clone(),
                paths: rewritten,
            }
            .into());
        }
    }

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
    Ok(())
}
