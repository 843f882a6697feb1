//! tenantgen: from one YAML spec to a multi-tenant SaaS.
//!
//! The pipeline, one module per stage: [`spec`] (raw YAML types) →
//! [`model`] (validated, every name derived) → [`plan`] (which files) →
//! [`render`] (templates to text, in memory) → [`write`] (the only disk IO).
//! The library returns values; only the `gen` binary prints.

#![deny(missing_docs)]

pub mod diagnostic;
pub mod drift;
pub mod model;
pub mod plan;
pub mod regenerate;
pub mod render;
pub mod spec;
pub mod state;
pub mod write;

pub use diagnostic::{Diagnostics, Problem};
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

/// A generated project, in memory.
#[derive(Debug, Clone)]
pub struct Project {
    /// The validated spec.
    pub model: Model,
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
    let model = load(file, source).map_err(GenerateError::Invalid)?;
    let files = plan::plan(&model);
    let files = render::render(templates, &model, source, &files)?;
    Ok(Project { model, files })
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
