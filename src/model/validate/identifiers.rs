//! Names: each must be an identifier of the right case, and what is
//! derived from them (tables, indexes, Rust and TypeScript names) must not
//! collide.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Problem, Span};
use crate::model::names::{self, closest};
use crate::model::{Entity, Field, Noun};
use crate::spec::Located;

use super::{Checker, EntityDraft};

/// A table or index name an entity declares, and who declares it.
pub(super) struct RelationName {
    /// Whether it lives in the control schema, apart from tenant tables
    /// (global entities in bridge and silo).
    pub(super) in_control_schema: bool,
    /// The name, as PostgreSQL sees it.
    pub(super) name: String,
    /// Where the spec causes it.
    pub(super) span: Span,
    /// The entity or field, as problems name it.
    pub(super) owner: String,
}

impl Checker {
    /// A name that must already be snake_case: app, tenant, roles, enum values.
    pub(super) fn snake_name<'a>(
        &mut self,
        value: &'a Located<String>,
        what: &str,
    ) -> Option<&'a str> {
        let name = value.value.as_str();
        let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if valid {
            return Some(name);
        }
        let suggestion = names::snake(name);
        let mut problem = Problem::new(
            Code::InvalidName,
            value.span,
            format!("invalid {what} `{name}`"),
            "not a lowercase identifier",
        );
        problem = if is_spec_name(name) && !suggestion.is_empty() {
            problem.with_help(format!("use lowercase letters, digits and underscores, starting with a letter: `{suggestion}`"))
        } else {
            problem
                .with_help("use lowercase letters, digits and underscores, starting with a letter")
        };
        self.report(problem);
        None
    }

    /// An entity or field name: letters, digits and underscores, starting
    /// with a letter, in any case; returns its snake_case form.
    pub(super) fn spec_name(&mut self, value: &Located<String>, what: &str) -> Option<String> {
        if is_spec_name(&value.value) {
            return Some(names::snake(&value.value));
        }
        self.report(
            Problem::new(Code::InvalidName, value.span, format!("invalid {what} `{}`", value.value), "not an identifier")
                .with_help("use ASCII letters, digits and underscores, starting with a letter (e.g. `line_item` or `LineItem`)"),
        );
        None
    }

    /// A `renamed_from:` name: an identifier other than the name it is given on.
    pub(super) fn renamed_from(
        &mut self,
        value: Option<&Located<String>>,
        current: &str,
        what: &str,
    ) -> Option<String> {
        let value = value?;
        let old = self.spec_name(value, "renamed_from name")?;
        if old == current {
            self.report(
                Problem::new(Code::RenamedFromItself,
                    value.span,
                    format!("{what} `{current}` is renamed from its own name"),
                    "same name",
                )
                .with_help("`renamed_from:` names what it was called before; drop it, or write the old name"),
            );
            return None;
        }
        Some(old)
    }

    /// Text for people (title, labels): one line, no control characters.
    pub(super) fn display_text(&mut self, value: &Located<String>, what: &str) -> Option<String> {
        let text = value.value.trim();
        if text.is_empty() || text.chars().any(char::is_control) {
            self.report(
                Problem::new(
                    Code::InvalidText,
                    value.span,
                    format!("invalid {what} {:?}", value.value),
                    "expected one line of text",
                )
                .with_help("use a non-empty single line without control characters"),
            );
            return None;
        }
        Some(text.to_owned())
    }

    /// Tables and indexes share one namespace per schema, so two entities
    /// may not declare the same one (entity `x` with field `y_z` and entity
    /// `x_y` with field `z` would both make `x_y_z_key`).
    pub(super) fn relation_name_collisions(&mut self, names: Vec<RelationName>) {
        let mut seen: BTreeMap<(bool, &str), &RelationName> = BTreeMap::new();
        for relation in &names {
            let key = (relation.in_control_schema, relation.name.as_str());
            let Some(first) = seen.get(&key) else {
                seen.insert(key, relation);
                continue;
            };
            self.report(
                Problem::new(
                    Code::NameCollision,
                    relation.span,
                    format!(
                        "{} and {} would both create the PostgreSQL table or index `{}`",
                        relation.owner, first.owner, relation.name
                    ),
                    "name already taken",
                )
                .with_secondary(first.span, "taken here")
                .with_help("tables and indexes share one namespace; rename a field or entity, or set another `plural:`"),
            );
        }
    }

    /// Names derived for Rust and TypeScript must stay distinct even where
    /// the snake_case names differ (`item_2` and `item2` are both `Item2`).
    pub(super) fn derived_name_collisions(
        &mut self,
        drafts: &[EntityDraft<'_>],
        entities: &[Entity],
    ) {
        let check =
            |checker: &mut Checker, kind: &str, mut names: Vec<(&str, &Located<String>)>| {
                // In the order they are written, so that "the first" is.
                names.sort_by_key(|(_, key)| key.span);
                let mut seen: BTreeMap<&str, &Located<String>> = BTreeMap::new();
                for (name, key) in names {
                    if let Some(first) = seen.get(name) {
                        checker.report(
                            Problem::new(
                                Code::NameCollision,
                                key.span,
                                format!(
                                    "`{}` and `{}` both become the {kind} `{name}`",
                                    first.value, key.value
                                ),
                                "name already taken",
                            )
                            .with_secondary(first.span, "the first")
                            .with_help("rename one of them"),
                        );
                    } else {
                        seen.insert(name, key);
                    }
                }
            };
        let keyed = |pick: fn(&Noun) -> &str| -> Vec<(&str, &Located<String>)> {
            entities
                .iter()
                .zip(drafts)
                .map(|(entity, draft)| (pick(&entity.names), draft.key))
                .collect()
        };
        let mut rust_types = keyed(|noun| &noun.rust_type);
        rust_types.extend(keyed(|noun| &noun.rust_input_type));
        // Enums are schemas of the API as entities are, in one namespace.
        for (entity, draft) in entities.iter().zip(drafts) {
            for field in &entity.fields {
                let key = draft.fields.iter().find(|f| f.field.name == field.name);
                if let (Some(rust_enum), Some(key)) = (&field.rust_enum, key) {
                    rust_types.push((&rust_enum.name, key.key));
                }
            }
        }
        check(self, "Rust type", rust_types);
        check(self, "Rust module", keyed(|noun| &noun.rust_module));
        check(self, "TypeScript type", keyed(|noun| &noun.ts_type));
        check(self, "TypeScript name", keyed(|noun| &noun.ts_plural_ident));
        for (entity, draft) in entities.iter().zip(drafts) {
            let field_keys = |pick: fn(&Field) -> &str| -> Vec<(&str, &Located<String>)> {
                entity
                    .fields
                    .iter()
                    .filter_map(|field| {
                        let key = draft
                            .fields
                            .iter()
                            .find(|f| f.field.name == field.name)?
                            .key;
                        Some((pick(field), key))
                    })
                    .collect()
            };
            check(self, "Rust field", field_keys(|field| &field.rust_ident));
            check(
                self,
                "TypeScript field",
                field_keys(|field| &field.ts_ident),
            );
        }
    }
}

fn is_spec_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

pub(super) fn sorted<'a>(words: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut words: Vec<&str> = words.into_iter().collect();
    words.sort_unstable();
    words
}

/// `problem` with its hint: the candidate nearest to what was `typed`, if
/// one is near, before `listing` (the candidates, for the reader).
pub(super) fn suggesting<'a>(
    problem: Problem,
    typed: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    listing: String,
) -> Problem {
    match closest(typed, candidates) {
        Some(near) => problem.with_help(format!("did you mean `{near}`? {listing}")),
        None => problem.with_help(listing),
    }
}
