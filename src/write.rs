//! The only place that writes to disk. A project is written into a staging
//! folder beside its target and moved into place, so that a failure or an
//! interrupt never leaves a half-written project behind.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

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
    /// rustfmt rejected a generated file: a bug in a template.
    #[error("rustfmt could not format the generated Rust code:\n{0}")]
    Format(String),
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
            WriteError::Io { .. } | WriteError::OutsideProject(_) | WriteError::Format(_)
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    /// Write into a folder that already has files in it.
    pub force: bool,
    /// Lay out the Rust files with rustfmt, when it is installed.
    pub format: bool,
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
    // Files of the user's own that exist already are theirs: staged, so
    // that rustfmt finds every module, but never moved in.
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

    let mut summary = WriteSummary {
        files: 0,
        bytes: 0,
        formatted: false,
    };
    for file in files {
        write_file(&staging.path().join(&file.path), &file.contents)?;
        summary.files += 1;
        summary.bytes += file.contents.len() as u64;
        on_file(file);
    }
    if options.format {
        summary.formatted = format_rust(staging.path(), files)?;
    }
    // The manifest hashes files as written: the Rust as rustfmt laid it out.
    let written = if summary.formatted {
        read_back_rust(staging.path(), files)?
    } else {
        files.to_vec()
    };
    let state = crate::state::state_files(&written, None);
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
        // each file is moved in atomically, and files the generator doesn't
        // produce are left alone. Everything in the way was ruled out above.
        for file in files.iter().chain(&state) {
            if !kept.contains(&file.path.as_str()) {
                move_into(staging.path(), dir, &file.path)?;
            }
        }
    }
    Ok(summary)
}

/// The staging folder of an update, inside the project.
const UPDATE_STAGING_PREFIX: &str = ".tenantgen-update-";

/// Removes staging folders an interrupted update left in `dir`; nothing
/// else uses the prefix, and nothing in them was moved into the project.
fn remove_leftover_staging(dir: &Path) -> Result<(), WriteError> {
    for entry in fs::read_dir(dir).map_err(io_error(dir))? {
        let entry = entry.map_err(io_error(dir))?;
        let leftover = entry
            .file_name()
            .to_str()
            .is_some_and(|name| name.starts_with(UPDATE_STAGING_PREFIX));
        if leftover && entry.file_type().map_err(io_error(&entry.path()))?.is_dir() {
            fs::remove_dir_all(entry.path()).map_err(io_error(&entry.path()))?;
        }
    }
    Ok(())
}

/// Applies an update to the project in `dir`: writes `writes` (path →
/// contents, the `.gen/` state among them) and deletes `deletes`. Every new
/// file is first written in full beside the project, so a failure before the
/// first rename leaves the project as it was; the renames and deletes that
/// follow are each atomic, and the state under `.gen/` is written last.
pub fn apply_update(
    dir: &Path,
    writes: &[RenderedFile],
    deletes: &[String],
) -> Result<(), WriteError> {
    if let Some(path) = writes
        .iter()
        .map(|file| &file.path)
        .chain(deletes)
        .find(|path| !crate::render::is_contained(path))
    {
        return Err(WriteError::OutsideProject(path.clone()));
    }
    remove_leftover_staging(dir)?;
    let staging = tempfile::Builder::new()
        .prefix(UPDATE_STAGING_PREFIX)
        .tempdir_in(dir)
        .map_err(io_error(dir))?;
    for file in writes {
        write_file(&staging.path().join(&file.path), &file.contents)?;
    }
    let (state, project): (Vec<&RenderedFile>, Vec<&RenderedFile>) = writes
        .iter()
        .partition(|file| crate::state::PATHS.contains(&file.path.as_str()));
    for file in project {
        move_into(staging.path(), dir, &file.path)?;
    }
    for path in deletes {
        let target = dir.join(path);
        match fs::remove_file(&target) {
            Err(err) if err.kind() != io::ErrorKind::NotFound => {
                return Err(io_error(&target)(err));
            }
            _ => {}
        }
    }
    // Last: until the state moves in, the next run still sees the old base.
    for file in state {
        move_into(staging.path(), dir, &file.path)?;
    }
    Ok(())
}

/// `files` as `gen new` would write them: the Rust laid out by rustfmt in
/// a scratch folder, everything else as rendered. Returns them and whether
/// rustfmt ran.
pub fn laid_out(files: &[RenderedFile]) -> Result<(Vec<RenderedFile>, bool), WriteError> {
    let scratch = tempfile::Builder::new()
        .prefix("tenantgen-layout-")
        .tempdir()
        .map_err(io_error(&std::env::temp_dir()))?;
    for file in files.iter().filter(|file| is_rust(file)) {
        write_file(&scratch.path().join(&file.path), &file.contents)?;
    }
    if format_rust(scratch.path(), files)? {
        Ok((read_back_rust(scratch.path(), files)?, true))
    } else {
        Ok((files.to_vec(), false))
    }
}

fn is_rust(file: &RenderedFile) -> bool {
    file.path.ends_with(".rs")
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

/// `files` with the Rust among them as rustfmt left it under `root`.
fn read_back_rust(root: &Path, files: &[RenderedFile]) -> Result<Vec<RenderedFile>, WriteError> {
    files
        .iter()
        .map(|file| {
            let mut file = file.clone();
            if is_rust(&file) {
                let path = root.join(&file.path);
                file.contents = fs::read_to_string(&path).map_err(io_error(&path))?;
            }
            Ok(file)
        })
        .collect()
}

/// Lays out the staged Rust files with rustfmt, when it is installed (as it
/// is with every rustup toolchain); `RUSTFMT` names another binary. Templates
/// already follow rustfmt's style for ordinary names, but rustfmt's line
/// breaking depends on how long names are, which only it can judge, and the
/// generated project must pass `cargo fmt --check`. Returns whether it ran.
/// One process for all files: rustfmt also formats the modules a file
/// declares, so two processes would write the same file at once.
fn format_rust(staging: &Path, files: &[RenderedFile]) -> Result<bool, WriteError> {
    let rust_files: Vec<PathBuf> = files
        .iter()
        .filter(|file| is_rust(file))
        .map(|file| staging.join(&file.path))
        .collect();
    if rust_files.is_empty() {
        return Ok(false);
    }
    let rustfmt = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
    let output = std::process::Command::new(&rustfmt)
        .args(["--edition", "2024", "--quiet"])
        .args(&rust_files)
        .output();
    match output {
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(err) => Err(io_error(Path::new(&rustfmt))(err)),
        Ok(output) if output.status.success() => Ok(true),
        Ok(output) => Err(WriteError::Format(
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )),
    }
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
    for path in paths {
        let target = dir.join(path);
        if target.is_dir() {
            return Err(WriteError::InTheWay(target));
        }
        let mut ancestor = target.parent();
        while let Some(folder) = ancestor.filter(|folder| *folder != dir) {
            if folder.exists() && !folder.is_dir() {
                return Err(WriteError::InTheWay(folder.to_owned()));
            }
            ancestor = folder.parent();
        }
    }
    Ok(())
}

fn is_empty_dir(dir: &Path) -> Result<bool, WriteError> {
    let mut entries = fs::read_dir(dir).map_err(io_error(dir))?;
    Ok(entries.next().is_none())
}
