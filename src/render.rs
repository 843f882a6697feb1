//! Templates → text, in memory. Pure: no disk, no clock, no environment.

use std::collections::BTreeMap;
use std::path::Path;

use minijinja::value::{Serde, Value};
use minijinja::{Environment, UndefinedBehavior, context, syntax::SyntaxConfig};

use crate::model::Model;
use crate::plan::{FileContext, FileSource, PlannedFile, WritePolicy};

/// A file ready to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    /// Path relative to the project root, `/`-separated.
    pub path: String,
    /// The file's contents.
    pub contents: String,
    /// Who owns it.
    pub policy: WritePolicy,
    /// Whether rustfmt still has to lay it out.
    pub layout: Layout,
}

/// Whether a rendered file still needs rustfmt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// rustfmt lays it out, if it is Rust: where its lines break depends on
    /// the spec's names, or nobody has checked that its template doesn't.
    Rustfmt,
    /// Its template lays it out as rustfmt would, whatever the spec's
    /// names (`tests/layout.rs` checks every one of [`LAID_OUT`]), so
    /// rustfmt is skipped.
    AsRendered,
}

/// The built-in templates whose text is already laid out as rustfmt would
/// lay out what they render, for any spec.
pub const LAID_OUT: &[&str] = &[
    "src/api.rs.j2",
    "src/api/auth.rs.j2",
    "src/api/fields.rs.j2",
    "src/api/records.rs.j2",
    "src/api/records/silo.rs.j2",
    "src/app.rs.j2",
    "src/client_address.rs.j2",
    "src/config.rs.j2",
    "src/db.rs.j2",
    "src/db/bridge.rs.j2",
    "src/dev.rs.j2",
    "src/fair_share.rs.j2",
    "src/frontend.rs.j2",
    "src/hooks/entity.rs.j2",
    "src/jwks.rs.j2",
    "src/memberships.rs.j2",
    "src/metrics.rs.j2",
    "src/passwords.rs.j2",
    "src/routes.rs.j2",
    "src/sessions.rs.j2",
    "src/tenant_data/bridge.rs.j2",
    "src/tenant_data/pool.rs.j2",
    "src/tenant_data/silo.rs.j2",
    "src/throttle.rs.j2",
    "src/tls.rs.j2",
];

/// Why rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template failed to parse or render.
    #[error("template `{name}` failed: {source:#}")]
    Template {
        /// The template's name.
        name: String,
        /// What minijinja reported, with the template line.
        #[source]
        source: minijinja::Error,
    },
    /// An override names a template that doesn't exist.
    #[error("template override `{name}` matches no built-in template; built-in templates: {}", known.join(", "))]
    UnknownOverride {
        /// The override's name, relative to the override folder.
        name: String,
        /// The built-in template names.
        known: Vec<String>,
    },
}

/// Every secret and token this or an earlier tenantgen has printed in a
/// generated project (examples, compose files, generated tests): the
/// generated app refuses to sign or accept anything with them, since anyone
/// can read them. Append, never remove: old projects' `.env` files keep them.
pub const PUBLISHED_SECRETS: &[&str] = &[
    "change-me-to-a-long-random-secret",
    "local-development-secret-change-me-0123456789",
    "development-secret-do-not-use-in-production",
    "a-test-secret-that-is-long-enough-0123456789",
    "ci-secret-that-is-long-enough-0123456789",
    "another-secret-another-secret-another-secret",
    "change-me-too",
    "the-new-secret-after-rotation-0123456789",
    "another-environment's-secret-0123456789",
    "a-metrics-token-long-enough-0123456789",
    "a-metrics-token-long-enough-0123456788",
];

/// `text` as a Rust string literal: plain where it can be, raw where it
/// holds a quote or a backslash (a quoted SQL identifier, say).
fn rust_str(text: &str) -> String {
    if !text.contains(['"', '\\']) {
        return format!("\"{text}\"");
    }
    let mut hashes = "#".to_owned();
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
}

/// The templates, embedded in the binary, with a user's overrides on top.
pub struct Templates {
    env: Environment<'static>,
    /// Whether a user's templates replace some built-in ones: then no
    /// template's layout is vouched for.
    overridden: bool,
}

impl Templates {
    /// The built-in templates.
    pub fn builtin() -> Self {
        let mut env = Environment::new();
        // Syntax applies when templates are loaded, so it is set first.
        let syntax = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .expect("the default delimiters are valid");
        env.set_syntax(syntax);
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        minijinja_embed::load_templates!(&mut env);
        env.add_global("published_secrets", Value::from(PUBLISHED_SECRETS.to_vec()));
        env.add_filter("rust_str", rust_str);
        Templates {
            env,
            overridden: false,
        }
    }

    /// The built-in templates with `overrides` (name → source) replacing
    /// some of them. Overrides that match no template are an error: a typo
    /// would otherwise be ignored.
    pub fn with_overrides(overrides: BTreeMap<String, String>) -> Result<Self, RenderError> {
        let mut templates = Templates::builtin();
        for (name, source) in overrides {
            if templates.env.get_template(&name).is_err() {
                return Err(RenderError::UnknownOverride {
                    name,
                    known: templates.names(),
                });
            }
            templates
                .env
                .add_template_owned(name.clone(), source)
                .map_err(|source| RenderError::Template { name, source })?;
            templates.overridden = true;
        }
        Ok(templates)
    }

    /// Every template name, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .env
            .templates()
            .map(|(name, _)| name.to_owned())
            .collect();
        names.sort();
        names
    }

    /// How a file rendered from the template `name` is laid out.
    fn layout(&self, name: &str) -> Layout {
        if !self.overridden && LAID_OUT.contains(&name) {
            Layout::AsRendered
        } else {
            Layout::Rustfmt
        }
    }

    /// Renders one template with `model` (converted once, shared by every
    /// file) and the file's own context.
    fn render(
        &self,
        name: &str,
        model: &Value,
        file: &impl serde::Serialize,
    ) -> Result<String, RenderError> {
        let fail = |source| RenderError::Template {
            name: name.to_owned(),
            source,
        };
        let template = self.env.get_template(name).map_err(fail)?;
        template
            .render(context! { model => model.clone(), file => Serde(file) })
            .map_err(fail)
    }

    /// Renders a standalone template (one that is not part of a project).
    pub fn render_standalone(
        &self,
        name: &str,
        values: &impl serde::Serialize,
    ) -> Result<String, RenderError> {
        let fail = |source| RenderError::Template {
            name: name.to_owned(),
            source,
        };
        let template = self.env.get_template(name).map_err(fail)?;
        template.render(Serde(values)).map_err(fail)
    }
}

/// Renders every planned file.
pub fn render(
    templates: &Templates,
    model: &Model,
    spec_source: &str,
    files: &[PlannedFile],
) -> Result<Vec<RenderedFile>, RenderError> {
    // Converting the model is most of the cost of a render; doing it per
    // file made generation quadratic in the number of entities.
    let values = Value::from(Serde(model));
    files
        .iter()
        .map(|file| {
            let (contents, layout) = match &file.source {
                FileSource::Template { name, context } => (
                    templates.render(name, &values, context)?,
                    templates.layout(name),
                ),
                FileSource::Spec => (spec_source.to_owned(), Layout::Rustfmt),
                FileSource::SpecSchema => (spec_schema_text(), Layout::Rustfmt),
                FileSource::CargoLock { name } => {
                    let lock = templates.render(name, &values, &FileContext::Project {})?;
                    (place_root_package(&lock, &model.app), Layout::Rustfmt)
                }
            };
            Ok(RenderedFile {
                path: file.path.clone(),
                contents,
                policy: file.policy,
                layout,
            })
        })
        .collect()
}

/// Cargo writes a lock file's packages sorted by name. The template has the
/// project's own package first; this moves it to where `app` sorts. A lock
/// without that package is returned as it is.
pub fn place_root_package(lock: &str, app: &str) -> String {
    const SEPARATOR: &str = "\n[[package]]\n";
    let mut blocks: Vec<&str> = lock.split(SEPARATOR).collect();
    let header = blocks.remove(0);
    let name_of = |block: &str| {
        block
            .lines()
            .next()
            .and_then(|line| line.strip_prefix("name = \""))
            .and_then(|rest| rest.strip_suffix('"'))
            .unwrap_or_default()
            .to_owned()
    };
    let is_root = |block: &&str| name_of(block) == app && !block.contains("\nsource = ");
    let Some(root_at) = blocks.iter().position(is_root) else {
        return lock.to_owned();
    };
    let root = blocks.remove(root_at);
    let at = blocks
        .iter()
        .position(|block| name_of(block).as_str() > app)
        .unwrap_or(blocks.len());
    blocks.insert(at, root);
    std::iter::once(header)
        .chain(blocks)
        .collect::<Vec<_>>()
        .join(SEPARATOR)
}

/// The JSON Schema of the spec format, pretty-printed with a final newline.
pub fn spec_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&crate::schema::json_schema())
        .expect("a JSON value always serializes");
    text.push('\n');
    text
}

/// Whether a relative path stays inside the folder it is joined to.
pub fn is_contained(path: &str) -> bool {
    let path = Path::new(path);
    !path.as_os_str().is_empty()
        && path
            .components()
            .all(|component| matches!(component, std::path::Component::Normal(_)))
}

#[cfg(test)]
mod tests {
    use super::rust_str;

    #[test]
    fn rust_strings_are_raw_only_when_they_must_be() {
        for (text, literal) in [
            ("title", r#""title""#),
            (r#""order""#, r###"r#""order""#"###),
            (r##"a"#b"##, r###"r##"a"#b"##"###),
            (r"back\slash", r###"r#"back\slash"#"###),
        ] {
            assert_eq!(rust_str(text), literal, "{text}");
        }
    }
}
