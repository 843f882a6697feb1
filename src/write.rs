//! The only place that writes to disk. A project is written into a staging
//! folder beside its target and moved into place, so that a failure or an
//! interrupt never leaves a half-written project behind.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use crate::format::{self, FormatError};
use crate::plan::WritePolicy;
use crate::render::RenderedFile;

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The target folder has files in it and `--force` was not given.
    #[error("`{}` already exists and is not empty; use --force to write into it", .0.display())]
    NotEmpty(PathBuf),
    /// Something in the target folder stands where a generated file goes.
    #[error("`{}` is in the way of a generated file; move it and try again", .0.display())]
    InTheWay(PathBuf),
    /// The target exists and is not a folder.
    #[error("`{}` exists and is not a folder", .0.display())]
    NotADirectory(PathBuf),
    /// A single file would be overwritten.
    #[error("`{}` already exists; it is left as it is", .0.display())]
    FileExists(PathBuf),
    /// A planned path would leave the project folder (a bug, never input).
    #[error("refusing to write `{0}`: it is not inside the project folder")]
    OutsideProject(String),
    /// The Rust could not be laid out.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// A file an interrupted update changed was changed again since, so
    /// rolling the update back would lose that edit.
    #[error("`{}` changed after an update was interrupted, so nothing was rolled back; keep what you need of it, then delete `{}`, which holds the files the update had set aside (under old/)", path.display(), staging.display())]
    ChangedSinceInterrupt {
        /// The file changed since.
        path: PathBuf,
        /// The interrupted update's staging folder.
        staging: PathBuf,
    },
    /// An interrupted update set files aside, and its journal, which says
    /// where they go, can't be read.
    #[error("`{}` holds files an interrupted update set aside (under old/), and its journal can't be read; put back what you need of them by hand, then delete the folder", .0.display())]
    UnreadableJournal(PathBuf),
    /// An update failed, and so did moving back what it had changed; the
    /// journal it leaves lets the next update finish the job.
    #[error(
        "the update failed half way and could not be undone yet ({0}); the next `gen update` puts back what it changed"
    )]
    HalfApplied(Box<WriteError>),
    /// The file system refused.
    #[error("could not write `{}`", path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
}

impl WriteError {
    /// Whether the user's own choice refused the write (exit code 1), as
    /// opposed to the system failing (exit code 2).
    pub fn is_refusal(&self) -> bool {
        !matches!(
            self,
            WriteError::Io { .. }
                | WriteError::OutsideProject(_)
                | WriteError::Format(_)
                | WriteError::HalfApplied(_)
        )
    }
}

/// What was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteSummary {
    /// Number of files.
    pub files: usize,
    /// Total size in bytes, as rendered.
    pub bytes: u64,
    /// Whether rustfmt laid out the Rust files.
    pub formatted: bool,
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_owned(),
        source,
    }
}

/// How a project is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOptions {
    /// Write into a folder that already has files in it.
    pub force: bool,
    /// Lay out the Rust files with rustfmt, when it is installed.
    pub format: bool,
    /// The folder of template overrides, relative to the project, for its
    /// state to remember: regenerating uses them too.
    pub templates: Option<String>,
}

/// Writes a project into `dir`. Without `force`, `dir` must not exist or be
/// empty. `on_file` is called after each file is staged.
pub fn write_project(
    dir: &Path,
    files: &[RenderedFile],
    options: WriteOptions,
    mut on_file: impl FnMut(&RenderedFile),
) -> Result<WriteSummary, WriteError> {
    let force = options.force;
    if let Some(file) = files
        .iter()
        .find(|file| !crate::render::is_contained(&file.path))
    {
        return Err(WriteError::OutsideProject(file.path.clone()));
    }
    let existing = match fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => return Err(WriteError::NotADirectory(dir.to_owned())),
        Ok(_) => Some(is_empty_dir(dir)?),
        Err(err) if err.kind() == io::ErrorKind::NotFound => None,
        Err(err) => return Err(io_error(dir)(err)),
    };
    if existing == Some(false) && !force {
        return Err(WriteError::NotEmpty(dir.to_owned()));
    }
    // Files of the user's own that exist already are theirs: never moved in.
    let kept: Vec<&str> = files
        .iter()
        .filter(|file| file.policy == WritePolicy::UserOwned && dir.join(&file.path).is_file())
        .map(|file| file.path.as_str())
        .collect();
    if existing.is_some() {
        // What the project remembers of this generation goes in with it.
        let paths = files
            .iter()
            .map(|file| file.path.as_str())
            .filter(|path| !kept.contains(path));
        check_nothing_in_the_way(dir, paths.chain(crate::state::PATHS))?;
    }

    let parent = match dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(io_error(&parent))?;
    let staging = tempfile::Builder::new()
        .prefix(".tenantgen-staging-")
        .tempdir_in(&parent)
        .map_err(io_error(&parent))?;

    let (written, formatted) = if options.format {
        format::laid_out(files)?
    } else {
        (files.to_vec(), false)
    };
    let mut summary = WriteSummary {
        files: 0,
        bytes: 0,
        formatted,
    };
    for (file, rendered) in written.iter().zip(files) {
        write_file(&staging.path().join(&file.path), &file.contents)?;
        summary.files += 1;
        summary.bytes += rendered.contents.len() as u64;
        on_file(rendered);
    }
    // The manifest hashes files as written: the Rust as rustfmt laid it out.
    let state = crate::state::state_files(&written, None, options.templates.as_deref());
    for file in &state {
        write_file(&staging.path().join(&file.path), &file.contents)?;
    }

    if existing.is_none() {
        // The whole tree appears at once.
        fs::rename(staging.path(), dir).map_err(io_error(dir))?;
        // The staging folder is now the project; don't let its guard delete it.
        let _ = staging.keep();
    } else {
        // An existing folder (perhaps the current one) keeps its identity:
        // the files go in as an update's do, all or nothing, and files the
        // generator doesn't produce are left alone.
        let moved_in: Vec<RenderedFile> = written
            .into_iter()
            .chain(state)
            .filter(|file| !kept.contains(&file.path.as_str()))
            .collect();
        apply_update(dir, &moved_in, &[])?;
    }
    Ok(summary)
}

/// The staging folder of an update, inside the project.
const UPDATE_STAGING_PREFIX: &str = ".tenantgen-update-";
/// In an update's staging folder: the files to move in, ...
const STAGED_NEW: &str = "new";
/// ... the project's files they replace or delete, ...
const STAGED_OLD: &str = "old";
/// ... and the steps in order. The journal is written (and flushed to disk)
/// before the first move and removed after the last, so while it exists the
/// project may be half changed, and the set-aside files roll it back.
const JOURNAL: &str = "journal.json";

/// One move of an update: the file at `path` is set aside, if there is one,
/// and the staged one put in its place, if there is one. What the path held
/// before and after tells every state a run can leave it in from an edit
/// made since.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Step {
    path: String,
    /// What was there when the update was staged; none for no file.
    before: Option<Fingerprint>,
    /// What the step puts there; none when it deletes.
    after: Option<Fingerprint>,
}

/// What stands at a path: a file with these contents, or a symbolic link
/// to this target.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
enum Fingerprint {
    File { sha256: String },
    Link { target: PathBuf },
}

/// What stands at `path`, if anything; `Err` for a folder, which no step
/// ever moves.
fn fingerprint(path: &Path) -> Result<Option<Fingerprint>, WriteError> {
    match fs::symlink_metadata(path) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(io_error(path)(err)),
        Ok(meta) if meta.is_dir() => Err(WriteError::InTheWay(path.to_owned())),
        Ok(meta) if meta.file_type().is_symlink() => Ok(Some(Fingerprint::Link {
            target: fs::read_link(path).map_err(io_error(path))?,
        })),
        Ok(_) => Ok(Some(Fingerprint::File {
            sha256: crate::state::hash(&fs::read(path).map_err(io_error(path))?),
        })),
    }
}

/// Whether anything, a dangling link included, stands at `path`.
fn occupied(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// Whether an update was interrupted in `dir` before it finished, leaving
/// files to put back.
pub fn interrupted_update(dir: &Path) -> bool {
    leftover_staging(dir)
        .unwrap_or_default()
        .iter()
        .any(|staging| staging.join(JOURNAL).is_file())
}

/// Puts the project in `dir` back as it was before an update that was
/// interrupted, and removes the staging folders such updates left. Returns
/// whether there was anything to put back. Run before reading the project,
/// since a half-applied update is neither the old project nor the new one.
/// Safe to run again after it is itself interrupted.
pub fn roll_back_interrupted(dir: &Path) -> Result<bool, WriteError> {
    let mut rolled_back = false;
    for staging in leftover_staging(dir)? {
        let journal = staging.join(JOURNAL);
        let steps = fs::read(&journal)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Vec<Step>>(&bytes).ok());
        match steps {
            Some(steps) => {
                roll_back(dir, &staging, &steps)?;
                rolled_back = true;
            }
            // No journal, or one cut short while being written: nothing
            // had moved yet, so nothing was set aside either. Anything set
            // aside without a journal to say where it goes is kept.
            None if occupied(&staging.join(STAGED_OLD)) => {
                return Err(WriteError::UnreadableJournal(staging));
            }
            None => {}
        }
        fs::remove_dir_all(&staging).map_err(io_error(&staging))?;
    }
    Ok(rolled_back)
}

/// The staging folders of updates in `dir`; nothing else uses the prefix.
fn leftover_staging(dir: &Path) -> Result<Vec<PathBuf>, WriteError> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_error(dir))? {
        let entry = entry.map_err(io_error(dir))?;
        let ours = entry
            .file_name()
            .to_str()
            .is_some_and(|name| name.starts_with(UPDATE_STAGING_PREFIX));
        if ours && entry.file_type().map_err(io_error(&entry.path()))?.is_dir() {
            found.push(entry.path());
        }
    }
    found.sort();
    Ok(found)
}

/// Applies an update to the project in `dir`: writes `writes` (path →
/// contents, the `.gen/` state among them) and deletes `deletes`, all or
/// nothing. Every new file is first written in full inside the project;
/// then each file is moved in, the one it replaces set aside. A failure
/// moves everything back before returning, and an interrupt leaves a
/// journal that [`roll_back_interrupted`] follows the next time. The state
/// under `.gen/` moves last.
pub fn apply_update(
    dir: &Path,
    writes: &[RenderedFile],
    deletes: &[String],
) -> Result<(), WriteError> {
    let update = StagedUpdate::stage(dir, writes, deletes)?;
    let steps = update.steps.len();
    update.apply(steps)?.finish()
}

/// An update written in full beside the project, not yet moved in.
struct StagedUpdate<'a> {
    dir: &'a Path,
    staging: tempfile::TempDir,
    steps: Vec<Step>,
}

impl<'a> StagedUpdate<'a> {
    fn stage(
        dir: &'a Path,
        writes: &[RenderedFile],
        deletes: &[String],
    ) -> Result<Self, WriteError> {
        if let Some(path) = writes
            .iter()
            .map(|file| &file.path)
            .chain(deletes)
            .find(|path| !crate::render::is_contained(path))
        {
            return Err(WriteError::OutsideProject(path.clone()));
        }
        roll_back_interrupted(dir)?;
        let staging = tempfile::Builder::new()
            .prefix(UPDATE_STAGING_PREFIX)
            .tempdir_in(dir)
            .map_err(io_error(dir))?;
        for file in writes {
            write_file(
                &staging.path().join(STAGED_NEW).join(&file.path),
                &file.contents,
            )?;
        }
        let is_state = |path: &str| crate::state::PATHS.contains(&path);
        let write = |file: &RenderedFile| -> Result<Step, WriteError> {
            Ok(Step {
                path: file.path.clone(),
                before: fingerprint(&dir.join(&file.path))?,
                after: Some(Fingerprint::File {
                    sha256: crate::state::hash(file.contents.as_bytes()),
                }),
            })
        };
        let delete = |path: &String| -> Result<Step, WriteError> {
            Ok(Step {
                path: path.clone(),
                before: fingerprint(&dir.join(path))?,
                after: None,
            })
        };
        // Last: until the state moves in, the next run still sees the old base.
        let steps = writes
            .iter()
            .filter(|file| !is_state(&file.path))
            .map(write)
            .chain(deletes.iter().map(delete))
            .chain(writes.iter().filter(|file| is_state(&file.path)).map(write))
            .collect::<Result<Vec<Step>, WriteError>>()?;
        let journal = staging.path().join(JOURNAL);
        write_file(
            &journal,
            &serde_json::to_string(&steps).expect("paths and hashes serialize as JSON strings"),
        )?;
        // On disk before any move: a crash after a move must find it.
        for synced in [journal.as_path(), staging.path()] {
            fs::File::open(synced)
                .and_then(|file| file.sync_all())
                .map_err(io_error(synced))?;
        }
        Ok(StagedUpdate {
            dir,
            staging,
            steps,
        })
    }

    /// Takes the first `count` steps; on a failure, moves back what moved.
    fn apply(self, count: usize) -> Result<Self, WriteError> {
        for index in 0..count.min(self.steps.len()) {
            if let Err(err) = take_step(self.dir, self.staging.path(), &self.steps[index]) {
                return Err(self.undo(index + 1, err));
            }
        }
        Ok(self)
    }

    /// Moves back what the first `taken` steps moved, then reports `err`;
    /// if that fails too, keeps the staging folder for the next run to
    /// finish the job.
    fn undo(self, taken: usize, err: WriteError) -> WriteError {
        match roll_back(self.dir, self.staging.path(), &self.steps[..taken]) {
            Ok(()) => err,
            Err(roll_back_err) => {
                let _ = self.staging.keep();
                WriteError::HalfApplied(Box::new(roll_back_err))
            }
        }
    }

    /// The update is whole once its journal is gone: nothing may roll it
    /// back from then on.
    fn finish(self) -> Result<(), WriteError> {
        let journal = self.staging.path().join(JOURNAL);
        if let Err(err) = fs::remove_file(&journal) {
            let taken = self.steps.len();
            return Err(self.undo(taken, io_error(&journal)(err)));
        }
        // A staging folder without a journal is only removed by the next
        // run: nothing in it matters any more.
        let _ = self.staging.close();
        Ok(())
    }
}

/// Sets aside what is at the step's path, then moves the staged file in.
fn take_step(dir: &Path, staging: &Path, step: &Step) -> Result<(), WriteError> {
    let target = dir.join(&step.path);
    if fingerprint(&target)?.is_some() {
        move_into(dir, &staging.join(STAGED_OLD), &step.path)?;
    }
    if step.after.is_some() {
        move_into(&staging.join(STAGED_NEW), dir, &step.path)?;
    }
    Ok(())
}

/// Undoes `steps`, last first: whatever was set aside goes back, and a file
/// moved in where there was none is removed. Each state a step can be in,
/// not taken, half taken, taken or already undone, has a path holding what
/// it held before or after the step, or nothing; anything else is an edit
/// made since, and then nothing is undone at all. So this is right after
/// any prefix of the steps, and again after being interrupted itself.
fn roll_back(dir: &Path, staging: &Path, steps: &[Step]) -> Result<(), WriteError> {
    for step in steps {
        let now = fingerprint(&dir.join(&step.path))?;
        if now.is_some() && now != step.before && now != step.after {
            return Err(WriteError::ChangedSinceInterrupt {
                path: dir.join(&step.path),
                staging: staging.to_owned(),
            });
        }
    }
    for step in steps.iter().rev() {
        let target = dir.join(&step.path);
        if occupied(&staging.join(STAGED_OLD).join(&step.path)) {
            move_into(&staging.join(STAGED_OLD), dir, &step.path)?;
        } else if step.before.is_none() && step.after.is_some() && occupied(&target) {
            fs::remove_file(&target).map_err(io_error(&target))?;
            remove_empty_folders(dir, &target);
        }
    }
    Ok(())
}

/// Removes the folders above `file` that are now empty, up to `dir`.
fn remove_empty_folders(dir: &Path, file: &Path) {
    let mut folder = file.parent();
    while let Some(current) = folder.filter(|current| *current != dir && current.starts_with(dir)) {
        if fs::remove_dir(current).is_err() {
            break;
        }
        folder = current.parent();
    }
}

/// Writes `contents` to `path`, creating its folders.
fn write_file(path: &Path, contents: &str) -> Result<(), WriteError> {
    if let Some(folder) = path.parent() {
        fs::create_dir_all(folder).map_err(io_error(folder))?;
    }
    fs::write(path, contents).map_err(io_error(path))
}

/// Moves the file at `path` under `from` to the same path under `to`,
/// creating its folders; the move itself is atomic.
fn move_into(from: &Path, to: &Path, path: &str) -> Result<(), WriteError> {
    let target = to.join(path);
    if let Some(folder) = target.parent() {
        fs::create_dir_all(folder).map_err(io_error(folder))?;
    }
    fs::rename(from.join(path), &target).map_err(io_error(&target))
}

/// Writes one new file; an existing file is never overwritten.
pub fn write_new_file(path: &Path, contents: &str) -> Result<(), WriteError> {
    if let Some(folder) = path
        .parent()
        .filter(|folder| !folder.as_os_str().is_empty())
    {
        fs::create_dir_all(folder).map_err(io_error(folder))?;
    }
    let mut file = match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
            return Err(WriteError::FileExists(path.to_owned()));
        }
        Err(err) => return Err(io_error(path)(err)),
    };
    file.write_all(contents.as_bytes()).map_err(io_error(path))
}

/// Refuses before writing anything if a folder stands where a file goes,
/// or a file where a folder goes, so that moving files in can't stop half way.
fn check_nothing_in_the_way<'a>(
    dir: &Path,
    paths: impl IntoIterator<Item = &'a str>,
) -> Result<(), WriteError> {
    match paths.into_iter().find_map(|path| in_the_way(dir, path)) {
        Some(obstacle) => Err(WriteError::InTheWay(obstacle)),
        None => Ok(()),
    }
}

/// What stands in the way of writing the file at `path` in `dir`: a folder
/// in its place, or a file in place of one of its folders.
pub fn in_the_way(dir: &Path, path: &str) -> Option<PathBuf> {
    let target = dir.join(path);
    if target.is_dir() {
        return Some(target);
    }
    let mut ancestor = target.parent();
    while let Some(folder) = ancestor.filter(|folder| *folder != dir) {
        if folder.exists() && !folder.is_dir() {
            return Some(folder.to_owned());
        }
        ancestor = folder.parent();
    }
    None
}

fn is_empty_dir(dir: &Path) -> Result<bool, WriteError> {
    let mut entries = fs::read_dir(dir).map_err(io_error(dir))?;
    Ok(entries.next().is_none())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::render::Layout;

    /// Every folder and file under `dir`, with each file's contents.
    fn snapshot(dir: &Path) -> BTreeMap<String, Option<String>> {
        walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .map(|entry| {
                let entry = entry.expect("walk");
                let path = entry.path().strip_prefix(dir).expect("inside");
                let contents = entry
                    .file_type()
                    .is_file()
                    .then(|| fs::read_to_string(entry.path()).expect("read"));
                (path.to_string_lossy().replace('\\', "/"), contents)
            })
            .collect()
    }

    fn file(path: &str, contents: &str) -> RenderedFile {
        RenderedFile {
            path: path.to_owned(),
            contents: contents.to_owned(),
            policy: WritePolicy::Generated,
            layout: Layout::Rustfmt,
        }
    }

    /// A project, and an update that replaces, creates (in a new folder)
    /// and deletes files, and writes the state.
    fn project() -> (tempfile::TempDir, Vec<RenderedFile>, Vec<String>) {
        let dir = tempfile::tempdir().expect("tempdir");
        for (path, contents) in [
            ("src/app.rs", "old app"),
            ("src/gone.rs", "gone"),
            ("notes.txt", "the user's"),
            (".gen/manifest.json", "old manifest"),
            (".gen/spec.yaml", "old spec"),
        ] {
            write_file(&dir.path().join(path), contents).expect("write");
        }
        let writes = vec![
            file("src/app.rs", "new app"),
            file("src/hooks/note.rs", "new hooks"),
            file(".gen/manifest.json", "new manifest"),
            file(".gen/spec.yaml", "new spec"),
        ];
        (dir, writes, vec!["src/gone.rs".to_owned()])
    }

    /// An update of `dir` killed after its last move, before it finished:
    /// its staging folder, and its steps.
    fn interrupted_after_every_step(
        dir: &Path,
        writes: &[RenderedFile],
        deletes: &[String],
    ) -> (PathBuf, Vec<Step>) {
        let update = StagedUpdate::stage(dir, writes, deletes).expect("stage");
        let steps = update.steps.clone();
        let update = update.apply(steps.len()).expect("steps");
        (update.staging.keep(), steps)
    }

    #[test]
    fn an_update_applies_every_change_and_leaves_no_staging() {
        let (dir, writes, deletes) = project();
        apply_update(dir.path(), &writes, &deletes).expect("update");
        let after = snapshot(dir.path());
        let expected: BTreeMap<String, Option<String>> = [
            (".gen", None),
            (".gen/manifest.json", Some("new manifest")),
            (".gen/spec.yaml", Some("new spec")),
            ("notes.txt", Some("the user's")),
            ("src", None),
            ("src/app.rs", Some("new app")),
            ("src/hooks", None),
            ("src/hooks/note.rs", Some("new hooks")),
        ]
        .into_iter()
        .map(|(path, contents)| (path.to_owned(), contents.map(str::to_owned)))
        .collect();
        assert_eq!(after, expected);
        assert!(!interrupted_update(dir.path()));
    }

    #[test]
    fn an_update_interrupted_after_any_step_is_rolled_back_to_the_project_as_it_was() {
        let (template, writes, deletes) = project();
        let before = snapshot(template.path());
        let steps = writes.len() + deletes.len();
        for taken in 0..=steps {
            let (dir, _, _) = project();
            let update = StagedUpdate::stage(dir.path(), &writes, &deletes).expect("stage");
            assert_eq!(update.steps.len(), steps);
            assert_eq!(
                update.steps.last().map(|step| step.path.as_str()),
                Some(".gen/spec.yaml"),
                "the state moves last"
            );
            let update = update.apply(taken).expect("steps");
            // Killed here: nothing cleans up.
            let _ = update.staging.keep();
            assert!(interrupted_update(dir.path()), "after {taken} steps");

            assert!(roll_back_interrupted(dir.path()).expect("roll back"));
            assert_eq!(snapshot(dir.path()), before, "after {taken} steps");
            assert!(!roll_back_interrupted(dir.path()).expect("again"));
        }
    }

    #[test]
    fn a_roll_back_that_would_lose_an_edit_made_since_changes_nothing() {
        let (dir, writes, deletes) = project();
        interrupted_after_every_step(dir.path(), &writes, &deletes);
        let edited = dir.path().join("src/app.rs");
        fs::write(&edited, "new app, and a fix of mine").expect("edit");
        let before = snapshot(dir.path());
        let err = roll_back_interrupted(dir.path()).expect_err("an edit in the way");
        assert!(
            matches!(&err, WriteError::ChangedSinceInterrupt { path, .. } if *path == edited),
            "{err}"
        );
        assert_eq!(snapshot(dir.path()), before, "nothing moved");
        assert!(interrupted_update(dir.path()), "the journal stays");
    }

    #[test]
    fn a_roll_back_that_was_itself_interrupted_is_finished_by_the_next() {
        let (template, writes, deletes) = project();
        let before = snapshot(template.path());
        let (dir, _, _) = project();
        let (staging, steps) = interrupted_after_every_step(dir.path(), &writes, &deletes);
        // The roll back got as far as the last two steps, then stopped.
        roll_back(dir.path(), &staging, &steps[steps.len() - 2..]).expect("part of it");
        assert!(roll_back_interrupted(dir.path()).expect("the rest"));
        assert_eq!(snapshot(dir.path()), before);
    }

    #[test]
    fn files_set_aside_without_a_readable_journal_are_kept() {
        let (dir, writes, deletes) = project();
        let (staging, _) = interrupted_after_every_step(dir.path(), &writes, &deletes);
        fs::write(staging.join(JOURNAL), "").expect("truncate");
        let err = roll_back_interrupted(dir.path()).expect_err("nothing to go by");
        assert!(matches!(err, WriteError::UnreadableJournal(_)), "{err}");
        assert_eq!(
            fs::read_to_string(staging.join(STAGED_OLD).join("src/gone.rs")).expect("kept"),
            "gone"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_set_aside_is_put_back_as_a_link() {
        let (template, writes, deletes) = project();
        let (dir, _, _) = project();
        for project in [template.path(), dir.path()] {
            fs::remove_file(project.join("src/app.rs")).expect("remove");
            std::os::unix::fs::symlink("../notes.txt", project.join("src/app.rs")).expect("link");
        }
        let before = snapshot(template.path());
        interrupted_after_every_step(dir.path(), &writes, &deletes);
        assert!(roll_back_interrupted(dir.path()).expect("roll back"));
        assert_eq!(snapshot(dir.path()), before);
        assert_eq!(
            fs::read_link(dir.path().join("src/app.rs")).expect("a link"),
            Path::new("../notes.txt")
        );
    }

    #[test]
    fn a_staging_folder_without_a_journal_is_removed_and_nothing_rolled_back() {
        let (dir, _, _) = project();
        let before = snapshot(dir.path());
        let leftover = dir.path().join(format!("{UPDATE_STAGING_PREFIX}cut"));
        write_file(&leftover.join(STAGED_NEW).join("src/app.rs"), "half").expect("write");
        // Cut short while being written: no step had been taken.
        write_file(&leftover.join(JOURNAL), r#"[{"Write":"src/ap"#).expect("write");
        assert!(!roll_back_interrupted(dir.path()).expect("clean up"));
        assert_eq!(snapshot(dir.path()), before);
    }

    #[test]
    fn a_step_that_fails_moves_back_everything_before_it() {
        let (dir, writes, deletes) = project();
        // A folder where the last step's file goes: every other step is
        // taken before it fails.
        let spec = dir.path().join(".gen/spec.yaml");
        fs::remove_file(&spec).expect("remove");
        write_file(&spec.join("keep.txt"), "mine").expect("write");
        let before = snapshot(dir.path());
        let err = apply_update(dir.path(), &writes, &deletes).expect_err("in the way");
        assert!(matches!(err, WriteError::InTheWay(_)), "{err}");
        assert_eq!(snapshot(dir.path()), before);
    }
}
