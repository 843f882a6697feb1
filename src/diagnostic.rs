//! Problems found in a spec, and how they are shown: file:line:column, the
//! source line with carets under the offending text, and a hint.

use std::fmt::{self, Write as _};

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

/// One thing wrong with a spec, or worth a second look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// An error or a warning.
    pub severity: Severity,
    /// Where in the spec source.
    pub span: Span,
    /// What is wrong, lowercase, naming the thing.
    pub message: String,
    /// A short note under the carets.
    pub label: String,
    /// How to fix it, when there is something to say.
    pub help: Option<String>,
}

impl Problem {
    /// An error at `span`.
    pub fn new(span: Span, message: impl Into<String>, label: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Error,
            span,
            message: message.into(),
            label: label.into(),
            help: None,
        }
    }

    /// A warning at `span`.
    pub fn warning(span: Span, message: impl Into<String>, label: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Warning,
            ..Problem::new(span, message, label)
        }
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
                .map(|problem| {
                    let (line, column) = line_column(&self.source, problem.span.offset);
                    JsonProblem {
                        severity: problem.severity,
                        message: &problem.message,
                        label: &problem.label,
                        help: problem.help.as_deref(),
                        line,
                        column,
                        offset: problem.span.offset,
                        len: problem.span.len,
                    }
                })
                .collect(),
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
    /// What is wrong.
    pub message: &'a str,
    /// The note under the offending text.
    pub label: &'a str,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<&'a str>,
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

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for problem in &self.problems {
            render_problem(f, &self.file, &self.source, problem)?;
            f.write_char('\n')?;
        }
        let errors = self
            .problems
            .iter()
            .filter(|problem| problem.severity == Severity::Error)
            .count();
        if errors > 0 || self.problems.is_empty() {
            let noun = if errors == 1 { "problem" } else { "problems" };
            write!(f, "{}: {errors} {noun} found", self.file)
        } else {
            let warnings = self.problems.len();
            let noun = if warnings == 1 { "warning" } else { "warnings" };
            write!(f, "{}: {warnings} {noun}", self.file)
        }
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

fn render_problem(
    f: &mut fmt::Formatter<'_>,
    file: &str,
    source: &str,
    problem: &Problem,
) -> fmt::Result {
    let (line, column) = line_column(source, problem.span.offset);
    let line_text = source.lines().nth(line - 1).unwrap_or("");
    let gutter = " ".repeat(line.to_string().len());
    let span_text = source
        .get(problem.span.offset..problem.span.offset + problem.span.len)
        .unwrap_or("");
    let on_this_line = span_text.split('\n').next().unwrap_or("");
    let carets = "^".repeat(on_this_line.chars().count().max(1));
    // Pad with the line's own tabs, so carets line up however tabs render.
    let pad: String = line_text
        .chars()
        .take(column - 1)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();

    writeln!(f, "{}: {}", problem.severity, problem.message)?;
    writeln!(f, "{gutter}--> {file}:{line}:{column}")?;
    writeln!(f, "{gutter} |")?;
    writeln!(f, "{line} | {line_text}")?;
    if problem.label.is_empty() {
        writeln!(f, "{gutter} | {pad}{carets}")?;
    } else {
        writeln!(f, "{gutter} | {pad}{carets} {}", problem.label)?;
    }
    if let Some(help) = &problem.help {
        writeln!(f, "{gutter} |")?;
        writeln!(f, "{gutter} = help: {help}")?;
    }
    Ok(())
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
