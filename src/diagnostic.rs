//! Problems found in a spec, and how they are shown: a stable code,
//! file:line:column, the source line with carets under the offending text
//! (and under the other places involved), and a hint. annotate-snippets,
//! rustc's own renderer, lays them out.

use std::fmt;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// A byte range in the spec source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Span {
    /// Byte offset of the first byte.
    pub offset: usize,
    /// Length in bytes; zero for a position.
    pub len: usize,
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The spec can't be generated.
    Error,
    /// The spec generates, but does something its author may not expect.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// Declares [`Code`]: each kind of problem, its stable id and what it means.
macro_rules! codes {
    ($($(#[doc = $doc:literal])+ $variant:ident = $id:literal,)*) => {
        /// What kind of problem: a stable id that tools and searches can
        /// rely on, shown as `error[id]`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($(#[doc = $doc])+ $variant,)*
        }

        impl Code {
            /// Every code, in the order README.md lists them.
            pub const ALL: &[Code] = &[$(Code::$variant,)*];

            /// The id shown with the problem.
            pub fn id(self) -> &'static str {
                match self {
                    $(Code::$variant => $id,)*
                }
            }

            /// What the code means, one sentence.
            pub fn meaning(self) -> &'static str {
                match self {
                    $(Code::$variant => concat!($($doc),+).trim_start(),)*
                }
            }
        }
    };
}

codes! {
    /// The file is not YAML, or a key holds the wrong kind of value.
    Yaml = "yaml",
    /// A mapping has the same key twice.
    DuplicateKey = "duplicate-key",
    /// The file holds no spec at all.
    EmptySpec = "empty-spec",
    /// A required key is missing (`app`, `isolation`, a field's `type`, ...).
    MissingKey = "missing-key",
    /// A key the spec format doesn't have.
    UnknownKey = "unknown-key",
    /// A word outside its closed set: a field type, an isolation mode, a scope, an `on_delete`.
    UnknownValue = "unknown-value",
    /// An app, role, entity, field or enum value name that is not a valid identifier.
    InvalidName = "invalid-name",
    /// A label that is not one line of text.
    InvalidText = "invalid-text",
    /// A name that PostgreSQL or the generated app keeps for itself.
    ReservedName = "reserved-name",
    /// A name, or a PostgreSQL name derived from it, longer than allowed.
    NameTooLong = "name-too-long",
    /// Two things that would get the same name in code, SQL or routes.
    NameCollision = "name-collision",
    /// An entity whose API route or web page the generated app uses itself.
    ReservedRoute = "reserved-route",
    /// The same role or value listed twice.
    ListedTwice = "listed-twice",
    /// A list or mapping that must not be empty (roles, entities, fields, enum values).
    EmptyList = "empty-list",
    /// An option that doesn't apply to the field's type.
    MisplacedOption = "misplaced-option",
    /// A `min` or `max` that is not a number, doesn't fit, or is out of order.
    InvalidBound = "invalid-bound",
    /// A `default` that doesn't fit its field.
    InvalidDefault = "invalid-default",
    /// An option that takes true or false.
    NotABoolean = "not-a-boolean",
    /// A reference to an entity the spec doesn't define.
    UnknownEntity = "unknown-entity",
    /// A permission naming a role the spec doesn't define.
    UnknownRole = "unknown-role",
    /// A global entity referring to a tenant's records.
    GlobalRefersToTenant = "global-refers-to-tenant",
    /// A permission to write a global entity, which tenants only read.
    GlobalWrite = "global-write",
    /// `on_delete: set_null` on a required reference.
    SetNullOnRequired = "set-null-on-required",
    /// Required references that go round in a circle.
    ReferenceCycle = "reference-cycle",
    /// A `renamed_from` that names the thing itself.
    RenamedFromItself = "renamed-from-itself",
    /// A warning: a cascade deletes records that the deleting role may not delete itself.
    CascadePastPermission = "cascade-past-permission",
}

/// Another place a problem involves, with a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is there.
    pub text: String,
}

/// One thing wrong with a spec, or worth a second look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// An error or a warning.
    pub severity: Severity,
    /// What kind of problem.
    pub code: Code,
    /// Where in the spec source.
    pub span: Span,
    /// What is wrong, lowercase, naming the thing.
    pub message: String,
    /// A short note under the carets.
    pub label: String,
    /// The other places involved (the first of two duplicates, say).
    pub secondary: Vec<Label>,
    /// How to fix it, when there is something to say.
    pub help: Option<String>,
}

impl Problem {
    /// An error of kind `code` at `span`.
    pub fn new(
        code: Code,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        Problem {
            severity: Severity::Error,
            code,
            span,
            message: message.into(),
            label: label.into(),
            secondary: Vec::new(),
            help: None,
        }
    }

    /// A warning of kind `code` at `span`.
    pub fn warning(
        code: Code,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        Problem {
            severity: Severity::Warning,
            ..Problem::new(code, span, message, label)
        }
    }

    /// Points at another place the problem involves.
    pub fn with_secondary(mut self, span: Span, text: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    /// Adds a hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Every problem found in one spec file, with the source to show them in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics {
    /// The name the file is shown under (the path the user gave).
    pub file: String,
    /// The spec text.
    pub source: String,
    /// The problems, ordered by position.
    pub problems: Vec<Problem>,
}

impl Diagnostics {
    /// Orders `problems` by where they occur, so output reads top to bottom.
    pub fn new(file: &str, source: &str, mut problems: Vec<Problem>) -> Self {
        problems.sort_by(|a, b| (a.span, &a.message).cmp(&(b.span, &b.message)));
        problems.dedup();
        Diagnostics {
            file: file.to_owned(),
            source: source.to_owned(),
            problems,
        }
    }
}

impl Diagnostics {
    /// The problems as `gen check --format json` prints them: positions as
    /// line and column (1-based, columns in characters) and as bytes.
    pub fn to_json(&self) -> JsonDiagnostics<'_> {
        let count = |severity| {
            self.problems
                .iter()
                .filter(|problem| problem.severity == severity)
                .count()
        };
        JsonDiagnostics {
            file: &self.file,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            problems: self
                .problems
                .iter()
                .map(|problem| JsonProblem {
                    severity: problem.severity,
                    code: problem.code.id(),
                    message: &problem.message,
                    at: self.place(problem.span, &problem.label),
                    secondary: problem
                        .secondary
                        .iter()
                        .map(|label| self.place(label.span, &label.text))
                        .collect(),
                    help: problem.help.as_deref(),
                })
                .collect(),
        }
    }
}

impl Diagnostics {
    fn place<'a>(&self, span: Span, label: &'a str) -> JsonPlace<'a> {
        let (line, column) = line_column(&self.source, span.offset);
        JsonPlace {
            label,
            line,
            column,
            offset: span.offset,
            len: span.len,
        }
    }
}

/// A spec's problems, for machines: see [`Diagnostics::to_json`].
#[derive(Debug, serde::Serialize)]
pub struct JsonDiagnostics<'a> {
    /// The spec file, as the user named it.
    pub file: &'a str,
    /// How many problems stop generation.
    pub errors: usize,
    /// How many are warnings.
    pub warnings: usize,
    /// Each problem, in source order.
    pub problems: Vec<JsonProblem<'a>>,
}

/// One problem, for machines.
#[derive(Debug, serde::Serialize)]
pub struct JsonProblem<'a> {
    /// An error or a warning.
    pub severity: Severity,
    /// The kind of problem: [`Code::id`].
    pub code: &'static str,
    /// What is wrong.
    pub message: &'a str,
    /// Where, with the note under the offending text.
    pub at: JsonPlace<'a>,
    /// The other places involved.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secondary: Vec<JsonPlace<'a>>,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<&'a str>,
}

/// A place in the spec, for machines.
#[derive(Debug, serde::Serialize)]
pub struct JsonPlace<'a> {
    /// The note shown there; may be empty.
    pub label: &'a str,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Byte offset in the file.
    pub offset: usize,
    /// Length in bytes.
    pub len: usize,
}

impl std::error::Error for Diagnostics {}

impl Diagnostics {
    /// The problems as text, in colour when `styled` (for a terminal).
    pub fn render(&self, styled: bool) -> String {
        let renderer = if styled {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let mut text = String::new();
        for problem in &self.problems {
            text.push_str(&renderer.render(&[self.report(problem)]));
            text.push_str("\n\n");
        }
        text.push_str(&self.summary());
        text
    }

    /// One problem as annotate-snippets lays it out.
    fn report<'a>(&'a self, problem: &'a Problem) -> Group<'a> {
        let level = match problem.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let range = |span: Span| {
            let start = floor_char_boundary(&self.source, span.offset.min(self.source.len()));
            let end = floor_char_boundary(
                &self.source,
                (span.offset + span.len).min(self.source.len()),
            );
            // A block scalar's span runs on to the next key; point at the
            // text.
            let text = self.source[start..end.max(start)].trim_end();
            start..start + text.len()
        };
        let mut snippet = Snippet::source(self.source.as_str())
            .path(self.file.as_str())
            .annotation(
                AnnotationKind::Primary
                    .span(range(problem.span))
                    .label(Some(problem.label.as_str()).filter(|label| !label.is_empty())),
            );
        for label in &problem.secondary {
            snippet = snippet.annotation(
                AnnotationKind::Context
                    .span(range(label.span))
                    .label(label.text.as_str()),
            );
        }
        let mut group = level
            .primary_title(problem.message.as_str())
            .id(problem.code.id())
            .element(snippet);
        if let Some(help) = &problem.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        group
    }

    /// The last line: how many problems, or warnings.
    fn summary(&self) -> String {
        let errors = self
            .problems
            .iter()
            .filter(|problem| problem.severity == Severity::Error)
            .count();
        if errors > 0 || self.problems.is_empty() {
            let noun = if errors == 1 { "problem" } else { "problems" };
            format!("{}: {errors} {noun} found", self.file)
        } else {
            let warnings = self.problems.len();
            let noun = if warnings == 1 { "warning" } else { "warnings" };
            format!("{}: {warnings} {noun}", self.file)
        }
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

/// Line and column (1-based, columns in characters) of a byte offset.
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |idx| idx + 1);
    let column = source[line_start..offset].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut idx: usize) -> usize {
    while !text.is_char_boundary(idx) {
        idx -= 1;
    }
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let source = "a: 1\nb: é x\n";
        assert_eq!(line_column(source, 0), (1, 1));
        assert_eq!(line_column(source, 5), (2, 1));
        let x = source.find('x').expect("x is in the source");
        assert_eq!(line_column(source, x), (2, 6));
        assert_eq!(line_column(source, source.len() + 10), (3, 1));
    }
}
