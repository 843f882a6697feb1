//! Raw spec → model. Every problem is collected, none stops the others.
//!
//! The checks are split by concern: this module walks the spec and holds
//! what every check shares (required and unknown keys, closed-set words);
//! [`fields`] checks one field's type and options, [`defaults`] its default
//! value, [`identifiers`] names and what is derived from them, [`entities`]
//! an entity's fields and permissions, and [`relations`] what spans
//! entities: references, their cycles, and creation order.

mod defaults;
mod entities;
mod fields;
mod identifiers;
mod relations;

use std::collections::BTreeMap;

use super::names::{self, sql_string};
use super::{Database, Field, FieldType, Isolation, Model, Noun, OnDelete, Role, Scope};
use crate::diagnostic::{Code, Problem, Span};
use crate::spec::{Located, RawEntity, RawSpec};
use identifiers::{sorted, suggesting};
use relations::{creation_order, mark_api_creatable};

/// The longest app name: derived role and database names must stay well
/// inside PostgreSQL's 63-byte identifiers.
const APP_MAX_CHARS: usize = 40;

/// Columns every entity has; a field may not take their names.
const IMPLICIT_COLUMNS: &[&str] = &["created_at", "id", "tenant_id", "updated_at"];

/// PostgreSQL's system columns, which every table has under these names.
const SYSTEM_COLUMNS: &[&str] = &["cmax", "cmin", "ctid", "oid", "tableoid", "xmax", "xmin"];

/// Collection routes the generated API already uses under `/api`.
const RESERVED_ROUTES: &[&str] = &["members"];

/// First path segments the generated app answers itself, outside `/api`:
/// the web frontend's own pages, the built assets, and the backend's
/// operational routes. An entity's pages (`/<plural>`) can't use them.
const RESERVED_PAGES: &[&str] = &[
    "api", "assets", "auth", "healthz", "login", "members", "metrics", "readyz", "signup",
];

/// Checks a raw spec and builds the model, or returns every problem found.
pub fn validate(raw: &Located<RawSpec>) -> Result<Model, Vec<Problem>> {
    let mut checker = Checker::default();
    let model = checker.spec(raw);
    match model {
        Some(model) if checker.problems.is_empty() => Ok(model),
        _ => Err(checker.problems),
    }
}

#[derive(Default)]
struct Checker {
    problems: Vec<Problem>,
}

/// A field that passed its own checks, before cross-entity checks.
struct FieldDraft<'a> {
    key: &'a Located<String>,
    field: Field,
    reference: Option<(Located<String>, OnDelete)>,
}

/// A required reference, for finding cycles.
struct RequiredRef {
    from: usize,
    to: usize,
    field: String,
    span: Span,
}

struct EntityDraft<'a> {
    key: &'a Located<String>,
    raw: &'a Located<RawEntity>,
    names: Noun,
    renamed_from: Option<String>,
    scope: Scope,
    fields: Vec<FieldDraft<'a>>,
}

impl Checker {
    fn report(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    fn spec(&mut self, raw: &Located<RawSpec>) -> Option<Model> {
        let spec = &raw.value;
        self.unknown_keys(&spec.unknown_keys, RawSpec::KEYS, "the spec");

        let app = self.required(&spec.app, "app", raw.span, "the spec");
        let isolation = self.required(&spec.isolation, "isolation", raw.span, "the spec");
        let roles = self.required(&spec.roles, "roles", raw.span, "the spec");
        let entities = self.required(&spec.entities, "entities", raw.span, "the spec");

        let app = app.and_then(|app| self.app_name(app));
        let isolation = isolation.and_then(|isolation| {
            self.word::<Isolation>(
                isolation,
                "isolation mode",
                Isolation::from_word,
                Isolation::NAMES,
            )
        });
        let title = spec
            .title
            .as_ref()
            .and_then(|title| self.display_text(title, "title"));
        let tenant = match &spec.tenant {
            Some(tenant) => self.snake_name(tenant, "tenant name").map(str::to_owned),
            None => Some("tenant".to_owned()),
        };
        let roles = roles.map(|roles| self.roles(roles)).unwrap_or_default();
        let entities = entities.map(|entities| self.entities(entities, tenant.as_deref()));

        let (app, isolation, tenant, entities) = (app?, isolation?, tenant?, entities?);
        let tenant = Noun::new(&tenant, &names::pluralize(&tenant), None);
        let database = Database::new(&app, &roles);
        let mut entities = self.finish_entities(entities, &roles, isolation, &database);
        if roles.is_empty() {
            return None;
        }
        let creation_order = creation_order(&entities);
        mark_api_creatable(&mut entities, &creation_order);
        Some(Model {
            has_enums: entities
                .iter()
                .flat_map(|entity| &entity.fields)
                .any(|field| field.rust_enum.is_some()),
            has_tenant_entities: entities.iter().any(|entity| entity.tenant_scoped),
            has_global_entities: entities.iter().any(|entity| !entity.tenant_scoped),
            has_creatable_entities: entities.iter().any(|entity| entity.api_creatable),
            has_read_functions: entities
                .iter()
                .any(|entity| entity.table.read_by_id.is_some()),
            creation_order,
            title: title.unwrap_or_else(|| names::words(&app)),
            npm_package: format!("{}-web", app.replace('_', "-")),
            app,
            isolation,
            mode: isolation.into(),
            tenant,
            roles,
            entities,
            database,
        })
    }

    fn app_name(&mut self, app: &Located<String>) -> Option<String> {
        let name = self.snake_name(app, "app name")?;
        if name.starts_with("pg_") {
            self.report(
                Problem::new(Code::ReservedName, app.span, format!("app name `{name}` starts with `pg_`"), "reserved by PostgreSQL")
                    .with_help("PostgreSQL reserves role names starting with `pg_`, and the app's roles are named after it; drop the prefix"),
            );
            return None;
        }
        if name.chars().count() > APP_MAX_CHARS {
            self.report(
                Problem::new(
                    Code::NameTooLong,
                    app.span,
                    format!(
                        "app name `{name}` is {} characters long",
                        name.chars().count()
                    ),
                    format!("at most {APP_MAX_CHARS} characters"),
                )
                .with_help("crate, database and role names derive from it; choose a shorter name"),
            );
            return None;
        }
        Some(name.to_owned())
    }

    fn roles(&mut self, roles: &Located<Vec<Located<String>>>) -> Vec<Role> {
        if roles.value.is_empty() {
            self.report(
                Problem::new(Code::EmptyList, roles.span, "no roles are defined", "expected at least one role")
                    .with_help("for example `roles: [owner, admin, member]`; the first role goes to whoever signs a tenant up"),
            );
        }
        let mut seen = BTreeMap::new();
        let mut out = Vec::new();
        for role in &roles.value {
            let Some(name) = self.snake_name(role, "role name") else {
                continue;
            };
            if let Some(&first) = seen.get(name) {
                self.report(
                    Problem::new(
                        Code::ListedTwice,
                        role.span,
                        format!("role `{name}` is listed twice"),
                        "listed again",
                    )
                    .with_secondary(first, "first listed here"),
                );
                continue;
            }
            seen.insert(name.to_owned(), role.span);
            out.push(Role {
                name: name.to_owned(),
                label: names::words(name),
                sql_literal: sql_string(name),
                rust_variant: names::rust_type(&names::pascal(name)),
            });
        }
        out
    }

    /// A yes/no option: absent means no.
    fn flag(
        &mut self,
        value: &Option<Located<serde_json::Value>>,
        option: &str,
        what: &str,
    ) -> bool {
        match value {
            None => false,
            Some(Located {
                value: serde_json::Value::Bool(flag),
                ..
            }) => *flag,
            Some(other) => {
                self.report(
                    Problem::new(
                        Code::NotABoolean,
                        other.span,
                        format!("`{option}` of {what} must be true or false"),
                        "not a boolean",
                    )
                    .with_help(format!("write `{option}: true` or leave it out")),
                );
                false
            }
        }
    }

    fn required<'a, T>(
        &mut self,
        value: &'a Option<T>,
        key: &str,
        owner_span: Span,
        owner: &str,
    ) -> Option<&'a T> {
        if value.is_none() {
            let help = match key {
                "app" => "add `app: my_app` (lowercase letters, digits and underscores)".to_owned(),
                "isolation" => format!(
                    "add `isolation: pool`; modes: {}",
                    Isolation::NAMES.join(", ")
                ),
                "roles" => {
                    "add `roles: [owner, member]`; the first role goes to whoever signs a tenant up"
                        .to_owned()
                }
                "entities" => "add `entities:` with at least one entity".to_owned(),
                "fields" => "add `fields:` with at least one field".to_owned(),
                "type" => format!("add `type:`; types: {}", FieldType::NAMES.join(", ")),
                "values" => "add `values: [a, b, c]`".to_owned(),
                "to" => "add `to:` naming the entity this field refers to".to_owned(),
                _ => format!("add `{key}:`"),
            };
            self.report(
                Problem::new(
                    Code::MissingKey,
                    owner_span,
                    format!("{owner} is missing the required key `{key}`"),
                    format!("`{key}` is missing here"),
                )
                .with_help(help),
            );
        }
        value.as_ref()
    }

    fn unknown_keys(&mut self, unknown: &[Located<String>], known: &[&str], owner: &str) {
        self.unknown_keys_named(unknown, known, owner, "key");
    }

    fn unknown_keys_named(
        &mut self,
        unknown: &[Located<String>],
        known: &[&str],
        owner: &str,
        noun: &str,
    ) {
        for key in unknown {
            let list = format!(
                "expected one of: {}",
                sorted(known.iter().copied()).join(", ")
            );
            let problem = Problem::new(
                Code::UnknownKey,
                key.span,
                format!("unknown {noun} `{}` in {owner}", key.value),
                format!("unknown {noun}"),
            );
            self.report(suggesting(problem, &key.value, known.iter().copied(), list));
        }
    }

    /// A word from a closed set, with a suggestion when it is misspelled.
    fn word<T>(
        &mut self,
        value: &Located<String>,
        what: &str,
        parse: fn(&str) -> Option<T>,
        names: &[&str],
    ) -> Option<T> {
        if let Some(parsed) = parse(&value.value) {
            return Some(parsed);
        }
        let list = format!(
            "expected one of: {}",
            sorted(names.iter().copied()).join(", ")
        );
        let problem = Problem::new(
            Code::UnknownValue,
            value.span,
            format!("unknown {what} `{}`", value.value),
            format!("not a known {what}"),
        );
        self.report(suggesting(
            problem,
            &value.value,
            names.iter().copied(),
            list,
        ));
        None
    }
}
