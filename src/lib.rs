//! tenantgen: from one YAML spec to a multi-tenant SaaS.
//!
//! The pipeline, one module per stage: [`spec`] (raw YAML types) →
//! [`model`] (validated, every name derived) → [`plan`] (which files) →
//! [`render`] (templates to text, in memory) → [`write`] (the only disk IO).
//! The library returns values; only the `gen` binary prints.

#![deny(missing_docs)]

pub mod citus;
pub mod diagnostic;
pub mod drift;
pub mod evolve;
pub mod folder;
pub mod format;
pub mod model;
pub mod plan;
pub mod reconcile;
pub mod render;
pub mod report;
pub mod schema;
pub mod spec;
pub mod state;
pub mod write;

pub use diagnostic::{Diagnostics, Problem, Severity};
pub use model::Model;
pub use render::{RenderError, RenderedFile, Templates};

/// The generator's version, as recorded in generated projects.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Parses and validates a spec. `file` is the name problems are shown under.
pub fn load(file: &str, source: &str) -> Result<Model, Diagnostics> {
    let raw =
        spec::parse(source).map_err(|problem| Diagnostics::new(file, source, vec![problem]))?;
    model::validate(&raw).map_err(|problems| Diagnostics::new(file, source, problems))
}

/// A validated spec and its warnings (an empty [`Diagnostics`] when there
/// are none).
#[derive(Debug, Clone)]
pub struct Checked {
    /// The validated spec.
    pub model: Model,
    /// What is valid but worth a second look.
    pub warnings: Diagnostics,
}

/// Parses and validates a spec, and finds what is worth a warning.
pub fn check(file: &str, source: &str) -> Result<Checked, Diagnostics> {
    let raw =
        spec::parse(source).map_err(|problem| Diagnostics::new(file, source, vec![problem]))?;
    let model =
        model::validate(&raw).map_err(|problems| Diagnostics::new(file, source, problems))?;
    let warnings = Diagnostics::new(file, source, model::warnings(&raw, &model));
    Ok(Checked { model, warnings })
}

/// A generated project, in memory.
#[derive(Debug, Clone)]
pub struct Project {
    /// The validated spec.
    pub model: Model,
    /// What the spec does that is worth a second look.
    pub warnings: Diagnostics,
    /// Every file, sorted by path.
    pub files: Vec<RenderedFile>,
}

/// Why a project could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The spec has problems.
    #[error("{0}")]
    Invalid(Diagnostics),
    /// A template failed.
    #[error(transparent)]
    Render(#[from] RenderError),
}

/// Loads, validates, plans and renders a project, touching no disk.
pub fn generate(file: &str, source: &str, templates: &Templates) -> Result<Project, GenerateError> {
    let Checked { model, warnings } = check(file, source).map_err(GenerateError::Invalid)?;
    let files = plan::plan(&model);
    let files = render::render(templates, &model, source, &files)?;
    Ok(Project {
        model,
        warnings,
        files,
    })
}

/// A project regenerated from its edited spec.
#[derive(Debug, Clone)]
pub struct Regenerated {
    /// The new spec's files, its migrations replaced by those the change
    /// appends.
    pub project: Project,
    /// How the database changes, with what each step risks.
    pub evolution: evolve::Evolution,
    /// Files of the user's that the last spec had them write and this one
    /// no longer uses (the hooks of a removed or renamed entity): they stay,
    /// but nothing compiles or calls them any more.
    pub retired: Vec<String>,
    /// The user's files of renamed entities: (where it is, where the new
    /// spec has it). The user moves them; gen never touches them.
    pub moved: Vec<(String, String)>,
}

/// Why a project could not be regenerated.
#[derive(Debug, thiserror::Error)]
pub enum RegenerateError {
    /// The edited spec has problems.
    #[error("{0}")]
    Invalid(Diagnostics),
    /// The spec of the last generation no longer validates.
    #[error("the spec of the last generation no longer validates:\n{0}")]
    InvalidBase(Diagnostics),
    /// The change is one no migration can carry out.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Unsupported(Vec<evolve::Unsupported>),
    /// A template failed.
    #[error(transparent)]
    Render(#[from] RenderError),
}

/// Renders the project of the edited spec `source` (from `file`) for a
/// project last generated from `base_source` (from `base_file`): every file
/// but the migrations, which stay (`existing` holds each one's path and
/// text), plus the migrations the spec change appends. Touches no disk.
pub fn regenerate(
    (file, source): (&str, &str),
    (base_file, base_source): (&str, &str),
    existing: &[(String, String)],
    templates: &Templates,
) -> Result<Regenerated, RegenerateError> {
    let Checked { model, warnings } = check(file, source).map_err(RegenerateError::Invalid)?;
    let base_raw = spec::parse(base_source).map_err(|problem| {
        RegenerateError::InvalidBase(Diagnostics::new(base_file, base_source, vec![problem]))
    })?;
    let base = model::validate(&base_raw).map_err(|problems| {
        RegenerateError::InvalidBase(Diagnostics::new(base_file, base_source, problems))
    })?;
    let replayed: Vec<&str> = existing
        .iter()
        .filter(|(path, _)| model::MigrationSet::Tenant.contains(path))
        .map(|(_, sql)| sql.as_str())
        .collect();
    let evolution = evolve::evolve(&base_raw, &base, &model, &replayed)
        .map_err(RegenerateError::Unsupported)?;
    let paths: Vec<String> = existing.iter().map(|(path, _)| path.clone()).collect();
    let files = plan::regenerated(&model, &evolution, &paths);
    let retired = plan::plan(&base)
        .into_iter()
        .filter(|old| old.policy == plan::WritePolicy::UserOwned)
        .filter(|old| !files.iter().any(|file| file.path == old.path))
        .map(|old| old.path)
        .collect();
    let moved = evolution
        .renamed
        .iter()
        .filter_map(|&(old_idx, new_idx)| {
            let from = plan::hooks_path(&base.entities[old_idx])?;
            let to = plan::hooks_path(&model.entities[new_idx])?;
            Some((from, to))
        })
        .collect();
    let files = render::render(templates, &model, source, &files)?;
    Ok(Regenerated {
        project: Project {
            model,
            warnings,
            files,
        },
        evolution,
        retired,
        moved,
    })
}

/// The commented starter spec that `gen init` writes.
pub fn starter_spec(
    templates: &Templates,
    isolation: model::Isolation,
) -> Result<String, RenderError> {
    templates.render_standalone(
        "init/spec.yaml.j2",
        &serde_json::json!({ "isolation": isolation }),
    )
}
