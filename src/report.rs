//! What `gen plan`, `gen update` and `gen check --drift` found, as values:
//! `gen` prints them as text (their `Display`), or as JSON with
//! `--format json`. Working them out reads the project (through
//! [`ProjectFolder`]) but writes nothing.

use std::fmt;

use serde::Serialize;

use crate::drift::{Drift, DriftKind};
use crate::evolve::Evolution;
use crate::folder::{FolderError, ProjectFolder, Regeneration};
use crate::model::is_migration;
use crate::plan::WritePolicy;
use crate::reconcile::{
    self, Action, Blocker, Outcome, Reconciliation, Resolution, contents_of, has_conflict_markers,
};

/// What a plan or an update does to one file, or why it can't.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileAction {
    /// Written for the first time.
    Create,
    /// Rewritten with the generator's new contents.
    Update,
    /// Removed.
    Delete,
    /// The user's edits and the generator's merged.
    Merge,
    /// Left as it is.
    Keep,
    /// Needs the user: nothing is written while one remains.
    Conflict,
    /// Merged with conflict markers where both sides changed the same
    /// lines, for the user to resolve.
    Clash,
    /// An update wrote it for the first time.
    Created,
    /// An update rewrote it.
    Updated,
    /// An update removed it.
    Deleted,
    /// An update merged it.
    Merged,
}

impl FileAction {
    fn word(self) -> &'static str {
        match self {
            FileAction::Create => "create",
            FileAction::Update => "update",
            FileAction::Delete => "delete",
            FileAction::Merge => "merge",
            FileAction::Keep => "keep",
            FileAction::Conflict | FileAction::Clash => "conflict",
            FileAction::Created => "created",
            FileAction::Updated => "updated",
            FileAction::Deleted => "deleted",
            FileAction::Merged => "merged",
        }
    }
}

/// One file of a plan or an update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileStep {
    /// Path relative to the project, `/`-separated.
    pub path: String,
    /// What happens to it.
    pub action: FileAction,
    /// Why, when it needs saying.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// An appended migration's statements, without its comments.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<String>,
    /// A unified diff from the file on disk to what would be written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

impl FileStep {
    fn new(path: &str, action: FileAction, note: Option<&str>) -> Self {
        FileStep {
            path: path.to_owned(),
            action,
            note: note.map(str::to_owned),
            statements: Vec::new(),
            diff: None,
        }
    }
}

impl fmt::Display for FileStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:<8} {}", self.action.word(), self.path)?;
        match (&self.note, self.action) {
            (Some(note), FileAction::Conflict) => write!(f, ": {note}")?,
            (Some(note), _) => write!(f, " ({note})")?,
            (None, _) => {}
        }
        for statement in &self.statements {
            write!(f, "\n    {statement}")?;
        }
        if let Some(diff) = self.diff.as_deref().filter(|diff| !diff.is_empty()) {
            write!(f, "\n{}", diff.trim_end_matches('\n'))?;
        }
        Ok(())
    }
}

/// What to make of one risky step of a database change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HazardVerdict {
    /// Throws data away, and not allowed.
    Refused,
    /// Throws data away, allowed with `--allow-destructive`.
    Destroys,
    /// May fail on existing rows.
    Warning,
}

/// A risky step of a database change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HazardStep {
    /// What to make of it.
    pub verdict: HazardVerdict,
    /// What happens, and what to do about it.
    pub message: String,
}

impl fmt::Display for HazardStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = match self.verdict {
            HazardVerdict::Refused => "refused",
            HazardVerdict::Destroys => "destroys",
            HazardVerdict::Warning => "warning",
        };
        write!(f, "{word:<8} {}", self.message)
    }
}

fn hazards(evolution: &Evolution, allow_destructive: bool) -> Vec<HazardStep> {
    evolution
        .hazards
        .iter()
        .map(|hazard| HazardStep {
            verdict: match (hazard.destructive, allow_destructive) {
                (true, false) => HazardVerdict::Refused,
                (true, true) => HazardVerdict::Destroys,
                (false, _) => HazardVerdict::Warning,
            },
            message: hazard.message.clone(),
        })
        .collect()
}

fn refused(hazards: &[HazardStep]) -> usize {
    hazards
        .iter()
        .filter(|hazard| hazard.verdict == HazardVerdict::Refused)
        .count()
}

/// Said of a generated file the user changed once the spec no longer
/// produces it.
const KEPT_ORPHANED: &str = "changed by you and no longer generated: yours from now on";

/// Why a file the user and the generator both changed is marked in full.
const BASE_UNKNOWN: &str = "changed by you, and this tenantgen can't rebuild the text the last one wrote, so every difference from the new text is marked";

/// Said by the commands that only read a project an update left half done.
pub const INTERRUPTED: &str = "an earlier `gen update` was interrupted and left files half changed; the next `gen update` puts them back before it starts, so what it does may differ from what this shows";

/// The files of the user's that need a word besides the plan's own: hooks
/// of renamed entities still to be moved, then files of removed entities.
fn user_files(
    folder: &ProjectFolder,
    regeneration: &Regeneration,
) -> Result<(Vec<FileStep>, Vec<FileStep>), FolderError> {
    let unmoved = folder
        .unmoved(&regeneration.moved, &regeneration.templates)?
        .into_iter()
        .map(|(from, to)| {
            let note = format!(
                "its entity was renamed, and your rules are in {from}; move that file here (and its `use` line to the new module) first, or they would stop running"
            );
            FileStep::new(to, FileAction::Conflict, Some(&note))
        })
        .collect();
    let retired = regeneration
        .retired
        .iter()
        .filter(|path| folder.read(path).is_some())
        .map(|path| {
            FileStep::new(
                path,
                FileAction::Keep,
                Some("yours, but its entity is gone from the spec: nothing compiles or calls it now; move what you wrote, to the renamed entity's file if it was renamed"),
            )
        })
        .collect();
    Ok((unmoved, retired))
}

/// What the update a plan shows would run into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case", tag = "kind", content = "count")]
pub enum Outlook {
    /// The update would apply cleanly.
    #[error("the update would apply cleanly")]
    Clean,
    /// The update would refuse: files it can't handle.
    #[error("{}", Blocker::Conflicts(*.0))]
    Conflicts(usize),
    /// The update would refuse: destructive changes not allowed.
    #[error("{}", Blocker::Destructive(*.0))]
    Destructive(usize),
    /// The update would apply, leaving conflict markers to resolve.
    #[error("{} would be merged with conflicts; `gen update` marks them with <<<<<<< and >>>>>>> for you to resolve", reconcile::count(*.0, "file"))]
    Clashes(usize),
}

/// Drift found by `gen check --drift`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} differ{} from what `{spec}` generates", reconcile::count(*count, "generated file"), if *count == 1 { "s" } else { "" })]
pub struct Drifted {
    /// How many files differ.
    pub count: usize,
    /// The spec's path.
    pub spec: String,
}

/// What `gen update` would do, as `gen plan` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PlanReport {
    /// An earlier update was interrupted; the next one rolls it back first.
    pub interrupted: bool,
    /// The files that change or need attention, in path order, then the
    /// user's files that need a word.
    pub files: Vec<FileStep>,
    /// What the database change risks.
    pub hazards: Vec<HazardStep>,
    /// Generator-owned files that stay as they are.
    pub unchanged: usize,
    /// Whether the update would write anything.
    pub writes_anything: bool,
    /// What the update would run into.
    pub outlook: Outlook,
}

impl PlanReport {
    /// Works out the plan for the project in `folder`. `show_diff` adds a
    /// diff to each file written.
    pub fn new(
        folder: &ProjectFolder,
        regeneration: &Regeneration,
        show_diff: bool,
        allow_destructive: bool,
    ) -> Result<PlanReport, FolderError> {
        let files = &regeneration.files;
        let read = |path: &str| folder.read(path);
        let mut plan = reconcile::reconcile(files, &regeneration.manifest, read);
        folder.mark_obstructed(&mut plan);
        // Merges are worked out as the update would, to tell clean ones
        // from ones that will need the user.
        let base = folder.merge_base(&plan, &regeneration.templates)?;
        let merges = reconcile::resolve(&plan, files, &base, &regeneration.manifest, read);
        let mut steps: Vec<FileStep> = plan
            .changes
            .iter()
            .map(|change| plan_step(change, files, &merges, show_diff, read))
            .collect();
        let (unmoved, retired) = user_files(folder, regeneration)?;
        let hazards = hazards(&regeneration.evolution, allow_destructive);
        let outlook = match plan.blocker(unmoved.len(), refused(&hazards)) {
            Some(Blocker::Conflicts(count)) => Outlook::Conflicts(count),
            Some(Blocker::Destructive(count)) => Outlook::Destructive(count),
            None if merges.clashes() > 0 => Outlook::Clashes(merges.clashes()),
            None => Outlook::Clean,
        };
        steps.extend(unmoved);
        steps.extend(retired);
        Ok(PlanReport {
            interrupted: crate::write::interrupted_update(folder.dir()),
            files: steps,
            hazards,
            unchanged: plan.unchanged,
            writes_anything: plan.writes_anything(),
            outlook,
        })
    }
}

fn plan_step(
    change: &reconcile::Change,
    files: &[crate::RenderedFile],
    merges: &Resolution,
    show_diff: bool,
    read: impl Fn(&str) -> Option<Vec<u8>>,
) -> FileStep {
    let merged = |path: &str| {
        let outcome = merges.outcomes.iter().find(|(merged, _)| merged == path)?.1;
        Some((outcome, contents_of(&merges.writes, path)?))
    };
    let appended = is_migration(&change.path) && change.action == Action::Create;
    let (action, note) = match &change.action {
        Action::Create if appended => (
            FileAction::Create,
            Some("the migration this change appends"),
        ),
        Action::Create => (FileAction::Create, None),
        Action::Update => (FileAction::Update, None),
        Action::Delete => (FileAction::Delete, None),
        Action::Merge => match merged(&change.path) {
            Some((Outcome::Clashed, _)) => (
                FileAction::Clash,
                Some(
                    "changed by you and by the generator, on the same lines: `gen update` will mark them",
                ),
            ),
            Some((Outcome::BaseUnknown, _)) => (FileAction::Clash, Some(BASE_UNKNOWN)),
            _ => (
                FileAction::Merge,
                Some("changed by you and by the generator, on different lines"),
            ),
        },
        Action::KeepEdited => (
            FileAction::Keep,
            Some("changed by you; the generator's version is the same"),
        ),
        Action::KeepOrphaned => (FileAction::Keep, Some(KEPT_ORPHANED)),
        Action::Conflict(reason) => (FileAction::Conflict, Some(reason.as_str())),
    };
    let mut step = FileStep::new(&change.path, action, note);
    let new = contents_of(files, &change.path).unwrap_or_default();
    // The statements the migration runs: the database side of the plan,
    // shown whether or not a diff is asked for.
    if appended && !show_diff {
        step.statements = new
            .lines()
            .map(str::trim_end)
            .filter(|line| !line.is_empty() && !line.starts_with("--"))
            .map(str::to_owned)
            .collect();
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
        step.diff = Some(
            diff.unified_diff()
                .context_radius(3)
                .header(&format!("a/{}", change.path), &format!("b/{}", change.path))
                .to_string(),
        );
    }
    step
}

impl fmt::Display for PlanReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.interrupted {
            writeln!(f, "note     {INTERRUPTED}")?;
        }
        for step in &self.files {
            writeln!(f, "{step}")?;
        }
        for hazard in &self.hazards {
            writeln!(f, "{hazard}")?;
        }
        writeln!(f, "{} generated files unchanged", self.unchanged)?;
        let conflicts = self
            .files
            .iter()
            .any(|step| step.action == FileAction::Conflict);
        if !self.writes_anything && !conflicts {
            writeln!(f, "nothing to do: the project matches its spec")?;
        }
        Ok(())
    }
}

/// What an update will do, worked out before it writes anything.
#[derive(Debug, Clone)]
pub struct UpdateReport {
    /// The files it can't handle and the user's hooks still to be moved.
    pub conflicts: Vec<FileStep>,
    /// What the database change risks.
    pub hazards: Vec<HazardStep>,
    /// Why it can't be applied, if it can't.
    pub blocker: Option<Blocker>,
    /// The files to write and delete, and what happens to each.
    pub resolution: Resolution,
    /// Files kept as the user left them, and files of removed entities.
    pub kept: Vec<FileStep>,
}

impl UpdateReport {
    /// Works out the update of the project in `folder`.
    pub fn new(
        folder: &ProjectFolder,
        regeneration: &Regeneration,
        allow_destructive: bool,
    ) -> Result<UpdateReport, FolderError> {
        let files = &regeneration.files;
        let manifest = &regeneration.manifest;
        let read = |path: &str| folder.read(path);
        let mut plan: Reconciliation = reconcile::reconcile(files, manifest, read);
        folder.mark_obstructed(&mut plan);
        let mut conflicts: Vec<FileStep> = plan
            .conflicts()
            .filter_map(|change| match &change.action {
                Action::Conflict(reason) => Some(FileStep::new(
                    &change.path,
                    FileAction::Conflict,
                    Some(reason),
                )),
                _ => None,
            })
            .collect();
        let (unmoved, retired) = user_files(folder, regeneration)?;
        let hazards = hazards(&regeneration.evolution, allow_destructive);
        let blocker = plan.blocker(unmoved.len(), refused(&hazards));
        conflicts.extend(unmoved);
        let resolution = if blocker.is_some() || !plan.writes_anything() {
            Resolution::default()
        } else {
            let base = folder.merge_base(&plan, &regeneration.templates)?;
            let mut resolution = reconcile::resolve(&plan, files, &base, manifest, read);
            resolution.writes.extend(crate::state::state_files(
                files,
                Some(manifest),
                manifest.templates.as_deref(),
            ));
            resolution
        };
        let kept = plan
            .changes
            .iter()
            .filter(|change| change.action == Action::KeepOrphaned)
            .map(|change| FileStep::new(&change.path, FileAction::Keep, Some(KEPT_ORPHANED)))
            .chain(retired)
            .collect();
        Ok(UpdateReport {
            conflicts,
            hazards,
            blocker,
            resolution,
            kept,
        })
    }

    /// Whether the update writes anything.
    pub fn writes_anything(&self) -> bool {
        !self.resolution.outcomes.is_empty()
    }

    /// What the update did to each file, once applied.
    pub fn applied(&self) -> impl Iterator<Item = FileStep> + '_ {
        self.resolution
            .outcomes
            .iter()
            .map(|(path, outcome)| match outcome {
                Outcome::Created => FileStep::new(path, FileAction::Created, None),
                Outcome::Updated => FileStep::new(path, FileAction::Updated, None),
                Outcome::Deleted => FileStep::new(path, FileAction::Deleted, None),
                Outcome::Merged => FileStep::new(path, FileAction::Merged, None),
                Outcome::Clashed => FileStep::new(
                    path,
                    FileAction::Clash,
                    Some("both changed the same lines: marked in the file"),
                ),
                Outcome::BaseUnknown => FileStep::new(path, FileAction::Clash, Some(BASE_UNKNOWN)),
            })
            .chain(self.kept.iter().cloned())
    }
}

/// How a generated project differs from what its spec generates now.
#[derive(Debug, Clone, Serialize)]
pub struct DriftReport {
    /// The spec's path.
    pub spec: String,
    /// The user's edits that `gen update` keeps as they are (with
    /// `--allow-edits`): not drift.
    pub kept_edits: Vec<String>,
    /// The generator-owned files that differ.
    pub differences: Vec<Difference>,
    /// An earlier update was interrupted.
    pub interrupted: bool,
    /// Changed files that still hold a merge's conflict markers.
    pub conflict_markers: Vec<String>,
    /// Generator-owned files compared.
    pub compared: usize,
}

/// One generator-owned file that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// Path relative to the project, `/`-separated.
    pub path: String,
    /// How it differs.
    pub kind: DriftKind,
}

impl DriftReport {
    /// Compares the project in `folder` with what its spec generates now:
    /// `files`, laid out as `gen new` writes them, and `manifest`, the
    /// state of the last generation, when there is one.
    pub fn new(
        folder: &ProjectFolder,
        files: &[crate::RenderedFile],
        manifest: Option<&crate::state::Manifest>,
        allow_edits: bool,
    ) -> DriftReport {
        let read = |path: &str| folder.read(path);
        let drift: Vec<Drift> = crate::drift::compare(files, manifest, read);
        // Edits `gen update` would keep as they are: the project is as up
        // to date with its spec as regenerating can make it.
        let kept_edits: Vec<String> = match manifest {
            Some(manifest) if allow_edits => reconcile::reconcile(files, manifest, read)
                .changes
                .into_iter()
                .filter(|change| change.action == Action::KeepEdited)
                .map(|change| change.path)
                .collect(),
            _ => Vec::new(),
        };
        let kept_edits: Vec<String> = kept_edits
            .into_iter()
            .filter(|path| {
                drift
                    .iter()
                    .any(|drift| drift.kind == DriftKind::Changed && &drift.path == path)
            })
            .collect();
        let differences: Vec<Difference> = drift
            .into_iter()
            .filter(|drift| !(drift.kind == DriftKind::Changed && kept_edits.contains(&drift.path)))
            .map(|drift| Difference {
                path: drift.path,
                kind: drift.kind,
            })
            .collect();
        let conflict_markers = differences
            .iter()
            .filter(|difference| {
                difference.kind == DriftKind::Changed
                    && read(&difference.path).is_some_and(|bytes| has_conflict_markers(&bytes))
            })
            .map(|difference| difference.path.clone())
            .collect();
        let compared = files
            .iter()
            .filter(|file| file.policy == WritePolicy::Generated)
            .count()
            + manifest.map_or(0, |manifest| {
                manifest
                    .files
                    .keys()
                    .filter(|path| is_migration(path))
                    .count()
            });
        DriftReport {
            spec: folder.spec.display().to_string(),
            kept_edits,
            differences,
            interrupted: crate::write::interrupted_update(folder.dir()),
            conflict_markers,
            compared,
        }
    }

    /// Whether the project matches its spec.
    pub fn verdict(&self) -> Result<(), Drifted> {
        match self.differences.len() {
            0 => Ok(()),
            count => Err(Drifted {
                count,
                spec: self.spec.clone(),
            }),
        }
    }

    /// Notes for standard error: what the differences mean.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.interrupted {
            notes.push(INTERRUPTED.to_owned());
        }
        notes.extend(
            self.conflict_markers
                .iter()
                .map(|path| format!("{path} still holds the conflict markers of a merge")),
        );
        let has = |kind: DriftKind, migration: bool| {
            self.differences.iter().any(|difference| {
                difference.kind == kind && (!migration || is_migration(&difference.path))
            })
        };
        if has(DriftKind::Changed, true) {
            notes.push("a migration was edited; databases that already applied it won't run it again, and `migrate` refuses a changed one".to_owned());
        }
        if has(DriftKind::Pending, false) {
            notes.push("spec.yaml changes the database since the last generation; `gen update` appends the migration".to_owned());
        }
        notes
    }
}

impl fmt::Display for DriftReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for path in &self.kept_edits {
            writeln!(f, "edited: {path} (yours; `gen update` keeps it)")?;
        }
        for difference in &self.differences {
            let kind = match difference.kind {
                DriftKind::Changed => "changed",
                DriftKind::Missing => "missing",
                DriftKind::Pending => "pending",
            };
            writeln!(f, "{kind}: {}", difference.path)?;
        }
        if self.differences.is_empty() {
            let but = match self.kept_edits.len() {
                0 => String::new(),
                edits => format!(", but for {} of yours", reconcile::count(edits, "edit")),
            };
            writeln!(
                f,
                "no drift: the {} generated files match what `{}` generates{but}",
                self.compared, self.spec
            )?;
        }
        Ok(())
    }
}
