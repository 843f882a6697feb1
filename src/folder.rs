//! A generated project on disk, as `gen update`, `gen plan` and
//! `gen check --drift` read it: its spec, the spec and manifest of its last
//! generation, the templates it is generated with, its migrations, and the
//! files that generation wrote, rebuilt as merge bases. Reading is all it
//! does; deciding what to change is [`crate::reconcile`]'s, writing is
//! [`crate::write`]'s.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostics;
use crate::evolve::{Evolution, Unsupported};
use crate::format::{self, FormatError};
use crate::model::{MigrationSet, is_migration};
use crate::reconcile::{Action, Reconciliation};
use crate::render::{RenderError, RenderedFile, Templates};
use crate::state::{MANIFEST_PATH, Manifest, SPEC_PATH};
use crate::{GenerateError, RegenerateError};

/// Why a project folder could not be read, or its spec not regenerated.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    /// There is no spec.yaml: not a generated project.
    #[error("can't read `{}`: is `{}` a project made by `gen new`?", spec.display(), dir.display())]
    NoSpec {
        /// Where the spec should be.
        spec: PathBuf,
        /// The folder.
        dir: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// There is no manifest: generated before gen recorded its state.
    #[error("can't read `{}`: projects generated before gen recorded its state need `gen new spec.yaml -o {} --force` once", path.display(), dir.display())]
    NoManifest {
        /// Where the manifest should be.
        path: PathBuf,
        /// The folder.
        dir: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// The manifest is not one gen wrote.
    #[error("`{}` is not a manifest gen wrote", path.display())]
    BadManifest {
        /// The manifest.
        path: PathBuf,
        /// What the parser said.
        #[source]
        source: serde_json::Error,
    },
    /// A file or folder the project needs can't be read.
    #[error("can't read `{}`", path.display())]
    Unreadable {
        /// The path.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// The project's template overrides can't be read.
    #[error("this project is generated with the template overrides in `{}` (`templates` in {MANIFEST_PATH}), which can't be read", path.display())]
    Overrides {
        /// The overrides folder.
        path: PathBuf,
        /// Why not.
        #[source]
        source: Box<FolderError>,
    },
    /// An override is not a template.
    #[error(transparent)]
    Template(RenderError),
    /// The edited spec has problems.
    #[error("{0}")]
    Invalid(Diagnostics),
    /// The change is one no migration can carry out.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Unsupported(Vec<Unsupported>),
    /// The spec of the last generation no longer validates, or a built-in
    /// template failed.
    #[error(transparent)]
    Regenerate(RegenerateError),
    /// The Rust could not be laid out.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// A path that names no folder (`..`, `/`).
    #[error("`{}` does not name a folder", .0.display())]
    NotAFolder(PathBuf),
}

impl FolderError {
    /// Whether the input is at fault (exit code 1), not the system or gen.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            FolderError::Template(_)
                | FolderError::Invalid(_)
                | FolderError::Unsupported(_)
                | FolderError::NotAFolder(_)
        )
    }
}

impl From<RegenerateError> for FolderError {
    fn from(err: RegenerateError) -> Self {
        match err {
            RegenerateError::Invalid(diagnostics) => FolderError::Invalid(diagnostics),
            RegenerateError::Unsupported(steps) => FolderError::Unsupported(steps),
            other => FolderError::Regenerate(other),
        }
    }
}

impl From<GenerateError> for FolderError {
    fn from(err: GenerateError) -> Self {
        match err {
            GenerateError::Invalid(diagnostics) => FolderError::Invalid(diagnostics),
            GenerateError::Render(err) => FolderError::Regenerate(RegenerateError::Render(err)),
        }
    }
}

fn unreadable(path: &Path) -> impl FnOnce(io::Error) -> FolderError + '_ {
    move |source| FolderError::Unreadable {
        path: path.to_owned(),
        source,
    }
}

/// What regenerating a project from its edited spec produces.
pub struct Regeneration {
    /// Every file, laid out as written; migrations only the appended ones.
    pub files: Vec<RenderedFile>,
    /// Whether rustfmt laid the Rust out (it may not be installed).
    pub formatted: bool,
    /// What the edited spec does that is worth a second look.
    pub warnings: Diagnostics,
    /// How the database changes.
    pub evolution: Evolution,
    /// The manifest of the last generation.
    pub manifest: Manifest,
    /// The user's files the new spec no longer uses.
    pub retired: Vec<String>,
    /// The user's files of renamed entities: (from, to).
    pub moved: Vec<(String, String)>,
    /// The templates the project is generated with.
    pub templates: Templates,
}

/// What the spec of a project generates now, to compare the project with.
#[derive(Debug)]
pub struct Expected {
    /// Every file, laid out as `gen new` writes it; with a manifest, the
    /// migrations are those of the last generation plus the appended ones.
    pub files: Vec<RenderedFile>,
    /// Whether rustfmt laid the Rust out.
    pub formatted: bool,
    /// What the spec does that is worth a second look.
    pub warnings: Diagnostics,
    /// The manifest of the last generation, if the project has one.
    pub manifest: Option<Manifest>,
}

/// A generated project's folder, with its spec read.
#[derive(Debug, Clone)]
pub struct ProjectFolder {
    dir: PathBuf,
    /// The spec's path.
    pub spec: PathBuf,
    /// The spec's text.
    pub source: String,
}

impl ProjectFolder {
    /// Reads the spec of the project in `dir`.
    pub fn open(dir: &Path) -> Result<ProjectFolder, FolderError> {
        let spec = dir.join("spec.yaml");
        let source = std::fs::read_to_string(&spec).map_err(|source| FolderError::NoSpec {
            spec: spec.clone(),
            dir: dir.to_owned(),
            source,
        })?;
        Ok(ProjectFolder {
            dir: dir.to_owned(),
            spec,
            source,
        })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The bytes of the file at `path`, relative to the project, if it can
    /// be read.
    pub fn read(&self, path: &str) -> Option<Vec<u8>> {
        std::fs::read(self.dir.join(path)).ok()
    }

    /// The manifest of the last generation.
    pub fn manifest(&self) -> Result<Manifest, FolderError> {
        let path = self.dir.join(MANIFEST_PATH);
        let text = std::fs::read_to_string(&path).map_err(|source| FolderError::NoManifest {
            path: path.clone(),
            dir: self.dir.clone(),
            source,
        })?;
        Manifest::parse(&text).map_err(|source| FolderError::BadManifest { path, source })
    }

    /// The templates the project is generated with: the built-in ones, and
    /// the overrides its manifest names, if any.
    pub fn templates(&self, manifest: &Manifest) -> Result<Templates, FolderError> {
        let Some(folder) = &manifest.templates else {
            return Ok(Templates::builtin());
        };
        let path = self.dir.join(folder);
        let overrides = read_overrides(&path).map_err(|source| FolderError::Overrides {
            path,
            source: Box::new(source),
        })?;
        Templates::with_overrides(overrides).map_err(FolderError::Template)
    }

    /// What the spec generates now: as regenerating would, when the last
    /// generation left its state, else from the built-in templates.
    pub fn expected(&self) -> Result<Expected, FolderError> {
        if self.manifest().is_ok() {
            let regeneration = self.regeneration()?;
            return Ok(Expected {
                files: regeneration.files,
                formatted: regeneration.formatted,
                warnings: regeneration.warnings,
                manifest: Some(regeneration.manifest),
            });
        }
        let spec = self.spec.display().to_string();
        let project = crate::generate(&spec, &self.source, &Templates::builtin())?;
        let (files, formatted) = format::laid_out(&project.files)?;
        Ok(Expected {
            files,
            formatted,
            warnings: project.warnings,
            manifest: None,
        })
    }

    /// What regenerating the project from its edited spec produces.
    pub fn regeneration(&self) -> Result<Regeneration, FolderError> {
        let manifest = self.manifest()?;
        let (base_spec, base_source) = self.last_spec()?;
        let existing = self.migrations(&manifest);
        let templates = self.templates(&manifest)?;
        let regenerated = crate::regenerate(
            (&self.spec.display().to_string(), &self.source),
            (&base_spec.display().to_string(), &base_source),
            &existing,
            &templates,
        )?;
        let (files, formatted) = format::laid_out(&regenerated.project.files)?;
        Ok(Regeneration {
            files,
            formatted,
            warnings: regenerated.project.warnings,
            evolution: regenerated.evolution,
            manifest,
            retired: regenerated.retired,
            moved: regenerated.moved,
            templates,
        })
    }

    /// The spec of the last generation: its path and text.
    fn last_spec(&self) -> Result<(PathBuf, String), FolderError> {
        let path = self.dir.join(SPEC_PATH);
        let source = std::fs::read_to_string(&path).map_err(unreadable(&path))?;
        Ok((path, source))
    }

    /// Every migration of the project, with its text: those the last
    /// generation wrote and any the user added, which appended migrations
    /// are numbered after. A migration the manifest lists but the disk lacks
    /// has no text; the plan reports it.
    fn migrations(&self, manifest: &Manifest) -> Vec<(String, String)> {
        let mut paths: Vec<String> = manifest
            .files
            .keys()
            .filter(|path| is_migration(path))
            .cloned()
            .collect();
        for set in [
            MigrationSet::Pool,
            MigrationSet::Control,
            MigrationSet::Tenant,
        ] {
            let folder = set.directory();
            let Ok(entries) = std::fs::read_dir(self.dir.join(folder)) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = format!("{folder}/{}", entry.file_name().to_string_lossy());
                if is_migration(&path) && !paths.contains(&path) {
                    paths.push(path);
                }
            }
        }
        paths.sort();
        paths
            .into_iter()
            .map(|path| {
                let sql = std::fs::read_to_string(self.dir.join(&path)).unwrap_or_default();
                (path, sql)
            })
            .collect()
    }

    /// The files `wanted` picks of what the last generation wrote, rebuilt
    /// from its spec and laid out as written; rustfmt runs on those alone.
    pub fn last_generation(
        &self,
        templates: &Templates,
        wanted: impl Fn(&str) -> bool,
    ) -> Result<Vec<RenderedFile>, FolderError> {
        let (base_spec, source) = self.last_spec()?;
        let rendered = crate::generate(&base_spec.display().to_string(), &source, templates)?;
        // Whether rustfmt ran was said when the new render was laid out.
        let (files, _) = format::laid_out_only(&rendered.files, wanted)?;
        Ok(files)
    }

    /// What the last generation wrote of the files `plan` merges: the base
    /// of each merge.
    pub fn merge_base(
        &self,
        plan: &Reconciliation,
        templates: &Templates,
    ) -> Result<Vec<RenderedFile>, FolderError> {
        let merged: Vec<&str> = plan
            .changes
            .iter()
            .filter(|change| change.action == Action::Merge)
            .map(|change| change.path.as_str())
            .collect();
        if merged.is_empty() {
            return Ok(Vec::new());
        }
        self.last_generation(templates, |path| merged.contains(&path))
    }

    /// The hooks files of renamed entities (`moved`: from, to) that the
    /// user has yet to move: generating an empty one under the new name
    /// would switch their rules off without a sound, so an update waits for
    /// the move. A file still as gen wrote it holds no rules: nothing to move.
    pub fn unmoved<'m>(
        &self,
        moved: &'m [(String, String)],
        templates: &Templates,
    ) -> Result<Vec<&'m (String, String)>, FolderError> {
        let waiting: Vec<&(String, String)> = moved
            .iter()
            .filter(|(from, to)| self.dir.join(from).is_file() && !self.dir.join(to).exists())
            .collect();
        if waiting.is_empty() {
            return Ok(waiting);
        }
        let base = self.last_generation(templates, |path| {
            waiting.iter().any(|(from, _)| from == path)
        })?;
        Ok(waiting
            .into_iter()
            .filter(|(from, _)| {
                self.read(from).as_deref()
                    != crate::reconcile::contents_of(&base, from).map(str::as_bytes)
            })
            .collect())
    }

    /// Turns each planned write that something on disk stands in the way
    /// of into a conflict: the plan says so, and an update refuses before
    /// it writes anything.
    pub fn mark_obstructed(&self, plan: &mut Reconciliation) {
        for change in &mut plan.changes {
            if !matches!(
                change.action,
                Action::Create | Action::Update | Action::Merge
            ) {
                continue;
            }
            if let Some(obstacle) = crate::write::in_the_way(&self.dir, &change.path) {
                let shown = obstacle.strip_prefix(&self.dir).unwrap_or(&obstacle);
                change.action = Action::Conflict(format!(
                    "`{}` is in the way of this generated file; move it",
                    shown.display()
                ));
            }
        }
    }
}

/// Reads every file under `dir`, keyed by its `/`-separated relative path:
/// a folder of template overrides.
pub fn read_overrides(dir: &Path) -> Result<BTreeMap<String, String>, FolderError> {
    let mut overrides = BTreeMap::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(folder) = pending.pop() {
        let entries = std::fs::read_dir(&folder).map_err(unreadable(&folder))?;
        for entry in entries {
            let path = entry.map_err(unreadable(&folder))?.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let Ok(relative) = path.strip_prefix(dir) else {
                continue;
            };
            let name = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let text = std::fs::read_to_string(&path).map_err(unreadable(&path))?;
            overrides.insert(name, text);
        }
    }
    Ok(overrides)
}

/// The `/`-separated path that leads from the project folder `dir`, which
/// may not exist yet, to `to`: how a project remembers its template
/// overrides, relative to itself, so that it can move with them.
pub fn relative_path(dir: &Path, to: &Path) -> Result<String, FolderError> {
    let from = resolved(dir)?;
    let to = resolved(to)?;
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let shared = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    Ok(from[shared..]
        .iter()
        .map(|_| "..".into())
        .chain(
            to[shared..]
                .iter()
                .map(|part| part.as_os_str().to_string_lossy()),
        )
        .collect::<Vec<_>>()
        .join("/"))
}

/// Where a folder is, absolute and with symbolic links resolved, whether or
/// not it exists yet.
fn resolved(dir: &Path) -> Result<PathBuf, FolderError> {
    if let Ok(resolved) = dir.canonicalize() {
        return Ok(resolved);
    }
    let parent = match dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = dir
        .file_name()
        .ok_or_else(|| FolderError::NotAFolder(dir.to_owned()))?;
    Ok(resolved(parent)?.join(name))
}

/// `gen new --force` on a project that `gen update` has appended
/// migrations to would rewrite or drop them; databases may have applied
/// them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{}` has migrations that `gen new` would rewrite or drop ({}); databases may have applied them, so nothing was written: use `gen update`, which appends a migration instead", dir.display(), paths.join(", "))]
pub struct MigrationsRewritten {
    /// The project folder.
    pub dir: PathBuf,
    /// The migrations.
    pub paths: Vec<String>,
}

/// Refuses to write `files` over the project in `dir` when that would
/// rewrite or leave behind a migration its last generation wrote.
pub fn keeps_migrations(dir: &Path, files: &[RenderedFile]) -> Result<(), MigrationsRewritten> {
    let paths = std::fs::read_to_string(dir.join(MANIFEST_PATH))
        .ok()
        .and_then(|text| Manifest::parse(&text).ok())
        .map(|manifest| crate::reconcile::migrations_rewritten(files, &manifest))
        .unwrap_or_default();
    if paths.is_empty() {
        return Ok(());
    }
    Err(MigrationsRewritten {
        dir: dir.to_owned(),
        paths,
    })
}

/// The built-in templates with the overrides in the folder `dir`.
pub fn templates_with_overrides(dir: &Path) -> Result<Templates, FolderError> {
    Templates::with_overrides(read_overrides(dir)?).map_err(FolderError::Template)
}
