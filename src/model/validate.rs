//! Raw spec → model. Every problem is collected, none stops the others.

use std::collections::{BTreeMap, BTreeSet};

use super::names::{self, SQL_IDENTIFIER_MAX_BYTES, closest, sql_ident, sql_string};
use super::sql::{TargetInfo, build_table};
use super::{
    Action, Database, DefaultValue, Entity, Field, FieldType, Isolation, Model, Noun, OnDelete,
    Permissions, Reference, Role, Scope,
};
use crate::diagnostic::{Code, Problem, Span};
use crate::spec::{Located, RawEntity, RawField, RawFieldDef, RawMap, RawPermissions, RawSpec};

/// The longest app name: derived role and database names must stay well
/// inside PostgreSQL's 63-byte identifiers.
const APP_MAX_CHARS: usize = 40;

/// The schema of tenants, users and memberships: apart from entity tables,
/// so that no entity name can collide with them.
const CONTROL_SCHEMA: &str = "control";

/// The transaction-local setting that names the current tenant.
const TENANT_SETTING: &str = "app.tenant_id";

/// Columns every entity has; a field may not take their names.
const IMPLICIT_COLUMNS: &[&str] = &["created_at", "id", "tenant_id", "updated_at"];

/// PostgreSQL's system columns, which every table has under these names.
const SYSTEM_COLUMNS: &[&str] = &["cmax", "cmin", "ctid", "oid", "tableoid", "xmax", "xmin"];

/// Collection routes the generated API already uses under `/api`.
const RESERVED_ROUTES: &[&str] = &["members"];

/// The query parameters of a list that are not filters.
const LIST_PARAMETERS: &[&str] = &["limit", "page", "q", "sort"];

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
        let current_tenant = format!("nullif(current_setting('{TENANT_SETTING}', true), '')::uuid");
        let role_literals: Vec<&str> = roles.iter().map(|role| role.sql_literal.as_str()).collect();
        let database = Database {
            role_check: format!("role IN ({})", role_literals.join(", ")),
            name: app.clone(),
            owner_role: sql_ident(&format!("{app}_owner")),
            runtime_role: sql_ident(&format!("{app}_runtime")),
            control_schema: CONTROL_SCHEMA.to_owned(),
            tenants_table: format!("{CONTROL_SCHEMA}.tenants"),
            users_table: format!("{CONTROL_SCHEMA}.users"),
            memberships_table: format!("{CONTROL_SCHEMA}.memberships"),
            sessions_table: format!("{CONTROL_SCHEMA}.sessions"),
            refresh_tokens_table: format!("{CONTROL_SCHEMA}.refresh_tokens"),
            standing: format!("{CONTROL_SCHEMA}.standing"),
            notify_standing: format!("{CONTROL_SCHEMA}.notify_standing"),
            standing_channel: format!("{app}_standing"),
            tenant_schema_pattern: "^t_[a-z0-9_]{1,61}$".to_owned(),
            tenant_schema_name: "'t_' || replace(slug, '-', '_')".to_owned(),
            tenant_setting: TENANT_SETTING.to_owned(),
            current_tenant: current_tenant.clone(),
            tenant_by_slug: format!("{CONTROL_SCHEMA}.tenant_by_slug"),
            tenant_predicate: format!("tenant_id = {current_tenant}"),
            tenant_migrations_table: format!("{CONTROL_SCHEMA}.tenant_migrations"),
            migrate_tenant: format!("{CONTROL_SCHEMA}.migrate_tenant"),
            provision_tenant: format!("{CONTROL_SCHEMA}.provision_tenant"),
            enter_tenant: format!("{CONTROL_SCHEMA}.enter_tenant"),
            ledger_table: "schema_migrations".to_owned(),
        };
        let mut entities = self.finish_entities(entities, &roles, isolation, &database);
        if roles.is_empty() {
            return None;
        }
        let creation_order = creation_order(&entities);
        mark_api_creatable(&mut entities, &creation_order);
        Some(Model {
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

    fn entities<'a>(
        &mut self,
        entities: &'a Located<RawMap<Located<RawEntity>>>,
        tenant: Option<&str>,
    ) -> Vec<EntityDraft<'a>> {
        if entities.value.0.is_empty() {
            self.report(
                Problem::new(Code::EmptyList, entities.span, "no entities are defined", "expected at least one entity")
                    .with_help("add an entity with at least one field, e.g. `company: { fields: { name: string } }`"),
            );
        }
        let mut drafts: Vec<EntityDraft<'a>> = Vec::new();
        let mut by_name: BTreeMap<String, &Located<String>> = BTreeMap::new();
        let mut by_table: BTreeMap<String, &Located<String>> = BTreeMap::new();
        for (key, raw) in &entities.value.0 {
            let Some(snake) = self.spec_name(key, "entity name") else {
                continue;
            };
            // A duplicate is still checked, so its own problems show too.
            let duplicate = by_name.contains_key(&snake);
            if let Some(first) = by_name.get(&snake) {
                self.report(
                    Problem::new(
                        Code::NameCollision,
                        key.span,
                        format!(
                            "entity `{}` collides with entity `{}`",
                            key.value, first.value
                        ),
                        format!("both become `{snake}`"),
                    )
                    .with_secondary(first.span, "the first")
                    .with_help("entity names are compared in snake_case; rename one of them"),
                );
            } else {
                by_name.insert(snake.clone(), key);
            }
            let entity = &raw.value;
            self.unknown_keys(
                &entity.unknown_keys,
                RawEntity::KEYS,
                &format!("entity `{}`", key.value),
            );

            let plural = match &entity.plural {
                Some(plural) => self.spec_name(plural, "plural"),
                None => Some(names::pluralize(&snake)),
            };
            let scope = match &entity.scope {
                Some(scope) => self.word::<Scope>(scope, "scope", Scope::from_word, Scope::NAMES),
                None => Some(Scope::Tenant),
            };
            let label = entity
                .label
                .as_ref()
                .and_then(|label| self.display_text(label, "label"));
            let Some(plural) = plural else { continue };
            let plural_span = entity
                .plural
                .as_ref()
                .map_or(key.span, |plural| plural.span);
            if let Some(first) = by_table.get(&plural).filter(|_| !duplicate) {
                self.report(
                    Problem::new(
                        Code::NameCollision,
                        plural_span,
                        format!(
                            "entity `{}` has the same plural, `{plural}`, as entity `{}`",
                            key.value, first.value
                        ),
                        "tables and routes would collide",
                    )
                    .with_secondary(first.span, "the first")
                    .with_help("set `plural:` on one of them to tell them apart"),
                );
            } else if !duplicate {
                by_table.insert(plural.clone(), key);
            }
            if RESERVED_ROUTES.contains(&plural.as_str()) {
                self.report(
                    Problem::new(Code::ReservedRoute,
                        plural_span,
                        format!("entity `{}` would be served at `/api/{plural}`, which the generated API uses for tenant members", key.value),
                        "route already taken",
                    )
                    .with_help("rename the entity, or set another `plural:`"),
                );
            }
            let page = names::path_segment(&plural);
            if !RESERVED_ROUTES.contains(&plural.as_str())
                && RESERVED_PAGES.contains(&page.as_str())
            {
                self.report(
                    Problem::new(Code::ReservedRoute,
                        plural_span,
                        format!("entity `{}` would have its web pages at `/{page}`, which the generated app uses itself", key.value),
                        "path already taken",
                    )
                    .with_help("rename the entity, or set another `plural:`"),
                );
            }
            if let Some(tenant) = tenant
                && (snake == tenant || plural == names::pluralize(tenant))
            {
                self.report(
                    Problem::new(Code::ReservedName,
                        key.span,
                        format!("entity `{}` has the name of the tenant, `{tenant}`", key.value),
                        "tenants are built in",
                    )
                    .with_help("tenants, their users and memberships are generated; rename the entity or set `tenant:` to another word"),
                );
            }
            let fields = match self.required(
                &entity.fields,
                "fields",
                key.span,
                &format!("entity `{}`", key.value),
            ) {
                Some(fields) => self.fields(key, fields),
                None => Vec::new(),
            };
            let Some(scope) = scope else { continue };
            if duplicate {
                continue;
            }
            let renamed_from = self.renamed_from(entity.renamed_from.as_ref(), &snake, "entity");
            drafts.push(EntityDraft {
                key,
                raw,
                renamed_from,
                names: Noun::new(&snake, &plural, label.as_deref()),
                scope,
                fields,
            });
        }
        drafts
    }

    fn fields<'a>(
        &mut self,
        entity: &Located<String>,
        fields: &'a Located<RawMap<Located<RawField>>>,
    ) -> Vec<FieldDraft<'a>> {
        if fields.value.0.is_empty() {
            self.report(
                Problem::new(Code::EmptyList, fields.span, format!("entity `{}` has no fields", entity.value), "expected at least one field")
                    .with_help("id, created_at and updated_at are implicit; add the entity's own fields, e.g. `name: string`"),
            );
        }
        let mut drafts = Vec::new();
        let mut by_name: BTreeMap<String, &Located<String>> = BTreeMap::new();
        let mut by_column: BTreeMap<String, &Located<String>> = BTreeMap::new();
        for (key, raw) in &fields.value.0 {
            let Some(snake) = self.spec_name(key, "field name") else {
                continue;
            };
            if SYSTEM_COLUMNS.contains(&snake.as_str()) {
                self.report(
                    Problem::new(
                        Code::ReservedName,
                        key.span,
                        format!(
                            "field `{}` has the name of a PostgreSQL system column",
                            key.value
                        ),
                        "every table has this column already",
                    )
                    .with_help(format!(
                        "system columns: {}; rename the field (e.g. `{snake}_value`)",
                        SYSTEM_COLUMNS.join(", ")
                    )),
                );
                continue;
            }
            if IMPLICIT_COLUMNS.contains(&snake.as_str()) {
                self.report(
                    Problem::new(Code::ReservedName, key.span, format!("field `{}` uses a reserved column name", key.value), "every entity has this column already")
                        .with_help(format!("id, created_at, updated_at and tenant_id are implicit; rename the field (e.g. `{snake}_value`)")),
                );
                continue;
            }
            if let Some(first) = by_name.get(&snake) {
                self.report(
                    Problem::new(
                        Code::NameCollision,
                        key.span,
                        format!(
                            "field `{}` collides with field `{}` of entity `{}`",
                            key.value, first.value, entity.value
                        ),
                        format!("both become `{snake}`"),
                    )
                    .with_secondary(first.span, "the first")
                    .with_help("field names are compared in snake_case; rename one of them"),
                );
                continue;
            }
            by_name.insert(snake.clone(), key);
            let Some(draft) = self.field(entity, key, &snake, raw) else {
                continue;
            };
            let column = draft.field.column.clone();
            if IMPLICIT_COLUMNS.contains(&column.as_str()) {
                self.report(
                    Problem::new(
                        Code::ReservedName,
                        key.span,
                        format!(
                            "ref field `{}` would be stored in the reserved column `{column}`",
                            key.value
                        ),
                        "reserved column",
                    )
                    .with_help("rename the field"),
                );
                continue;
            }
            if let Some(first) = by_column.get(&column) {
                self.report(
                    Problem::new(Code::NameCollision, key.span, format!("field `{}` and field `{}` would both be stored in column `{column}`", key.value, first.value), "column already taken")
                        .with_secondary(first.span, "stored there first")
                        .with_help("a ref field named `x` is stored in column `x_id`; rename one of the fields"),
                );
                continue;
            }
            by_column.insert(column, key);
            drafts.push(draft);
        }
        drafts
    }

    fn field<'a>(
        &mut self,
        entity: &Located<String>,
        key: &'a Located<String>,
        snake: &str,
        raw: &'a Located<RawField>,
    ) -> Option<FieldDraft<'a>> {
        let empty = RawFieldDef::default();
        let (def, type_word) = match &raw.value {
            RawField::Shorthand(word) => (
                &empty,
                Some(Located {
                    value: word.clone(),
                    span: raw.span,
                }),
            ),
            RawField::Definition(def) => {
                self.unknown_keys(
                    &def.unknown_keys,
                    RawFieldDef::KEYS,
                    &format!("field `{}.{}`", entity.value, key.value),
                );
                let word = self
                    .required(
                        &def.field_type,
                        "type",
                        key.span,
                        &format!("field `{}.{}`", entity.value, key.value),
                    )
                    .cloned();
                (def.as_ref(), word)
            }
            RawField::Empty => {
                self.report(
                    Problem::new(
                        Code::MissingKey,
                        key.span,
                        format!("field `{}.{}` has no type", entity.value, key.value),
                        "expected a type",
                    )
                    .with_help(format!(
                        "write a type after the colon, e.g. `{}: string`; types: {}",
                        key.value,
                        FieldType::NAMES.join(", ")
                    )),
                );
                return None;
            }
        };
        let field_type =
            self.word::<FieldType>(&type_word?, "type", FieldType::from_word, FieldType::NAMES)?;
        let what = format!("field `{}.{}`", entity.value, key.value);

        let required = self.flag(&def.required, "required", &what);
        let unique = self.flag(&def.unique, "unique", &what);
        let index = self.flag(&def.index, "index", &what);

        // Options that only make sense for some types.
        let misplaced = |option: &str| {
            format!("`{option}` does not apply to {what}, which is of type `{field_type}`")
        };
        if field_type != FieldType::Enum
            && let Some(values) = &def.values
        {
            self.report(
                Problem::new(
                    Code::MisplacedOption,
                    values.span,
                    misplaced("values"),
                    "only enum fields have values",
                )
                .with_help("remove `values`, or make the field `type: enum`"),
            );
        }
        if field_type != FieldType::Ref {
            for (option, value) in [("to", &def.to), ("on_delete", &def.on_delete)] {
                if let Some(value) = value {
                    self.report(
                        Problem::new(
                            Code::MisplacedOption,
                            value.span,
                            misplaced(option),
                            "only ref fields have this option",
                        )
                        .with_help(format!("remove `{option}`, or make the field `type: ref`")),
                    );
                }
            }
        }
        if !field_type.bounds_length() && !field_type.bounds_value() {
            for (option, value) in [("min", &def.min), ("max", &def.max)] {
                if let Some(value) = value {
                    self.report(
                        Problem::new(Code::MisplacedOption, value.span, misplaced(option), "no bound applies to this type")
                            .with_help("min and max bound numbers (integer, bigint, decimal, float) and lengths (string, text, email, url)"),
                    );
                }
            }
        }
        if field_type == FieldType::Json {
            for (option, value, set) in [
                ("unique", &def.unique, unique),
                ("index", &def.index, index),
            ] {
                if let Some(value) = value.as_ref().filter(|_| set) {
                    self.report(
                        Problem::new(Code::MisplacedOption, value.span, misplaced(option), "json values are not compared")
                            .with_help(format!("remove `{option}`; store the value you need to look up in a field of its own")),
                    );
                }
            }
        }

        let (min, max) = self.bounds(def, field_type, &what);

        let values = if field_type == FieldType::Enum {
            let values = self.required(&def.values, "values", key.span, &what)?;
            self.enum_values(values, &what)?
        } else {
            Vec::new()
        };

        let reference = if field_type == FieldType::Ref {
            let to = self.required(&def.to, "to", key.span, &what)?;
            let on_delete = match &def.on_delete {
                Some(on_delete) => self.word::<OnDelete>(
                    on_delete,
                    "on_delete action",
                    OnDelete::from_word,
                    OnDelete::NAMES,
                )?,
                None => OnDelete::Restrict,
            };
            if on_delete == OnDelete::SetNull && required {
                let span = def.on_delete.as_ref().map_or(key.span, |v| v.span);
                self.report(
                    Problem::new(Code::SetNullOnRequired, span, format!("{what} is required, so it can't be set to null when its target is deleted"), "set_null on a required ref")
                        .with_help("use `on_delete: cascade` or `restrict`, or drop `required: true`"),
                );
                return None;
            }
            Some((to.clone(), on_delete))
        } else {
            None
        };

        let default = match &def.default {
            Some(default) if field_type == FieldType::Ref => {
                self.report(
                    Problem::new(
                        Code::MisplacedOption,
                        default.span,
                        misplaced("default"),
                        "a ref can't have a default",
                    )
                    .with_help("remove `default`"),
                );
                None
            }
            Some(default) => Some(self.default_value(
                default,
                field_type,
                &values,
                min.as_ref(),
                max.as_ref(),
                &what,
            )?),
            None => None,
        };

        let label = match &def.label {
            Some(label) => self.display_text(label, "label")?,
            None => names::words(snake),
        };
        let column = if field_type == FieldType::Ref && !snake.ends_with("_id") {
            format!("{snake}_id")
        } else {
            snake.to_owned()
        };
        let field = Field {
            name: snake.to_owned(),
            column_sql: sql_ident(&column),
            column,
            rust_ident: names::rust_ident(snake),
            rules_const: snake.to_uppercase(),
            pg_type: field_type.pg_type(),
            rust_value_type: field_type.rust_type(),
            serde_rename: (names::rust_ident(snake).trim_start_matches("r#") != snake)
                .then(|| snake.to_owned()),
            parse_fn: field_type.parse_fn(),
            is_text: field_type.bounds_length(),
            rust_type: if required {
                field_type.rust_type().to_owned()
            } else {
                format!("Option<{}>", field_type.rust_type())
            },
            ts_ident: names::ts_ident(&names::camel(snake)),
            ts_type: field_type.ts_type(&values),
            widget: field_type.widget(required || default.is_some()),
            ts_min: min.as_ref().and_then(|bound| ts_number(&bound.value)),
            ts_max: max.as_ref().and_then(|bound| ts_number(&bound.value)),
            listed: false,
            // A field named like a list parameter can't be a filter too.
            filterable: !LIST_PARAMETERS.contains(&snake)
                && (field_type == FieldType::Enum
                    || field_type == FieldType::Bool
                    || field_type == FieldType::Ref
                    || index),
            phrase: names::phrase(&label),
            label,
            field_type,
            required,
            unique,
            index,
            default,
            // Debug prints the nearest f64 exactly (`120.0`, `9.223372036854776e18`),
            // so the literal needs no rounding the compiler would warn about.
            rust_min: min
                .as_ref()
                .map(|bound| format!("{:?}", number_value(&bound.value))),
            rust_max: max
                .as_ref()
                .map(|bound| format!("{:?}", number_value(&bound.value))),
            min: min.map(|bound| bound.value),
            max: max.map(|bound| bound.value),
            values,
            reference: None,
            renamed_from: self.renamed_from(def.renamed_from.as_ref(), snake, "field"),
        };
        Some(FieldDraft {
            key,
            field,
            reference,
        })
    }

    /// The field's bounds, when they are numbers that fit its type and min ≤ max.
    fn bounds(
        &mut self,
        def: &RawFieldDef,
        field_type: FieldType,
        what: &str,
    ) -> (
        Option<Located<serde_json::Number>>,
        Option<Located<serde_json::Number>>,
    ) {
        if !field_type.bounds_length() && !field_type.bounds_value() {
            return (None, None);
        }
        let mut check = |bound: &Option<Located<serde_json::Value>>,
                         option: &str|
         -> Option<Located<serde_json::Number>> {
            let bound = bound.as_ref()?;
            let serde_json::Value::Number(number) = &bound.value else {
                self.problems.push(
                    Problem::new(
                        Code::InvalidBound,
                        bound.span,
                        format!("`{option}` of {what} must be a number"),
                        "not a number",
                    )
                    .with_help(format!("for example `{option}: 10`")),
                );
                return None;
            };
            if !is_exact(number) {
                self.problems.push(
                    Problem::new(
                        Code::InvalidBound,
                        bound.span,
                        format!("`{option}` of {what} has more digits than can be kept exactly"),
                        "would be rounded",
                    )
                    .with_help("use at most 15 significant digits, or an integer within 64 bits"),
                );
                return None;
            }
            let problem = if field_type.bounds_length() {
                match number.as_u64() {
                    Some(len) if option == "max" && len == 0 => {
                        Some("a maximum length must be at least 1".to_owned())
                    }
                    Some(_) => None,
                    None => Some(format!(
                        "`{option}` of {what} is a length, so it must be a whole number of at least 0"
                    )),
                }
            } else {
                match field_type {
                    FieldType::Integer => (number
                        .as_i64()
                        .and_then(|n| i32::try_from(n).ok())
                        .is_none())
                    .then(|| {
                        format!(
                            "`{option}` of {what} must be a whole number between {} and {}",
                            i32::MIN,
                            i32::MAX
                        )
                    }),
                    FieldType::Bigint => number.as_i64().is_none().then(|| {
                        format!(
                            "`{option}` of {what} must be a whole number between {} and {}",
                            i64::MIN,
                            i64::MAX
                        )
                    }),
                    _ => None,
                }
            };
            match problem {
                Some(message) => {
                    self.problems.push(Problem::new(
                        Code::InvalidBound,
                        bound.span,
                        message,
                        format!("`{number}` doesn't fit"),
                    ));
                    None
                }
                None => Some(Located {
                    value: number.clone(),
                    span: bound.span,
                }),
            }
        };
        let min = check(&def.min, "min");
        let max = check(&def.max, "max");
        if let (Some(low), Some(high)) = (&min, &max)
            && number_value(&low.value) > number_value(&high.value)
        {
            self.report(
                Problem::new(
                    Code::InvalidBound,
                    low.span,
                    format!(
                        "`min` ({}) of {what} is greater than `max` ({})",
                        low.value, high.value
                    ),
                    "min is above max",
                )
                .with_help("swap the bounds, or fix the one that is wrong"),
            );
            return (None, None);
        }
        (min, max)
    }

    fn enum_values(
        &mut self,
        values: &Located<Vec<Located<String>>>,
        what: &str,
    ) -> Option<Vec<String>> {
        if values.value.is_empty() {
            self.report(
                Problem::new(
                    Code::EmptyList,
                    values.span,
                    format!("{what} has no values"),
                    "expected at least one value",
                )
                .with_help("list the allowed values, e.g. `values: [small, medium, large]`"),
            );
            return None;
        }
        let mut seen = BTreeMap::new();
        let mut out = Vec::new();
        let before = self.problems.len();
        for value in &values.value {
            let Some(name) = self.snake_name(value, "enum value") else {
                continue;
            };
            if let Some(&first) = seen.get(name) {
                self.report(
                    Problem::new(
                        Code::ListedTwice,
                        value.span,
                        format!("value `{name}` of {what} is listed twice"),
                        "listed again",
                    )
                    .with_secondary(first, "first listed here"),
                );
                continue;
            }
            seen.insert(name.to_owned(), value.span);
            out.push(name.to_owned());
        }
        (self.problems.len() == before).then_some(out)
    }

    fn default_value(
        &mut self,
        default: &Located<serde_json::Value>,
        field_type: FieldType,
        values: &[String],
        min: Option<&Located<serde_json::Number>>,
        max: Option<&Located<serde_json::Number>>,
        what: &str,
    ) -> Option<DefaultValue> {
        use serde_json::Value;
        let json = default.value.clone();
        let mismatch = |expected: &str| {
            Problem::new(
                Code::InvalidDefault,
                default.span,
                format!("the default of {what} doesn't match its type `{field_type}`"),
                format!("expected {expected}"),
            )
        };
        // `today` and `now` are worked out by the database at insert time,
        // so no other layer knows them in advance.
        if let Some(sql) = insert_time_default(field_type, &json) {
            return Some(DefaultValue {
                json,
                sql: sql.to_owned(),
                ts: None,
            });
        }
        let sql = match (field_type, &json) {
            (FieldType::Json, value) => {
                let text = serde_json::to_string(value).unwrap_or_default();
                format!("{}::jsonb", sql_string(&text))
            }
            (
                FieldType::String | FieldType::Text | FieldType::Email | FieldType::Url,
                Value::String(text),
            ) => {
                if text.contains('\0') {
                    self.report(mismatch(
                        "text without NUL characters, which PostgreSQL can't store",
                    ));
                    return None;
                }
                let length = text.chars().count() as f64;
                if min.is_some_and(|min| length < number_value(&min.value))
                    || max.is_some_and(|max| length > number_value(&max.value))
                {
                    self.report(Problem::new(Code::InvalidDefault, default.span, format!("the default of {what} is {length} characters long, outside its min and max"), "length out of bounds"));
                    return None;
                }
                if field_type == FieldType::Email && !looks_like_email(text) {
                    self.report(mismatch("an email address like `someone@example.com`"));
                    return None;
                }
                if field_type == FieldType::Url && !looks_like_url(text) {
                    self.report(mismatch("an http:// or https:// address"));
                    return None;
                }
                sql_string(text)
            }
            (FieldType::Enum, Value::String(text)) if values.contains(text) => sql_string(text),
            (FieldType::Enum, Value::String(text)) => {
                let mut problem = Problem::new(
                    Code::InvalidDefault,
                    default.span,
                    format!("the default `{text}` of {what} is not one of its values"),
                    "not an enum value",
                );
                let hint = format!("values: {}", values.join(", "));
                problem = match closest(text, values.iter().map(String::as_str)) {
                    Some(near) => problem.with_help(format!("did you mean `{near}`? {hint}")),
                    None => problem.with_help(hint),
                };
                self.report(problem);
                return None;
            }
            (
                FieldType::Integer | FieldType::Bigint | FieldType::Decimal | FieldType::Float,
                Value::Number(number),
            ) => {
                if !is_exact(number) {
                    self.report(
                        Problem::new(
                            Code::InvalidDefault,
                            default.span,
                            format!(
                                "the default of {what} has more digits than can be kept exactly"
                            ),
                            "would be rounded",
                        )
                        .with_help(
                            "use at most 15 significant digits, or an integer within 64 bits",
                        ),
                    );
                    return None;
                }
                let whole_kind = match field_type {
                    FieldType::Integer => number
                        .as_i64()
                        .and_then(|n| i32::try_from(n).ok())
                        .map(|_| ()),
                    FieldType::Bigint => number.as_i64().map(|_| ()),
                    _ => Some(()),
                };
                if whole_kind.is_none() {
                    self.report(mismatch(if field_type == FieldType::Integer {
                        "a whole number that fits in 32 bits"
                    } else {
                        "a whole number that fits in 64 bits"
                    }));
                    return None;
                }
                let value = number_value(number);
                if min.is_some_and(|min| value < number_value(&min.value))
                    || max.is_some_and(|max| value > number_value(&max.value))
                {
                    self.report(Problem::new(
                        Code::InvalidDefault,
                        default.span,
                        format!("the default of {what} is outside its min and max"),
                        "out of bounds",
                    ));
                    return None;
                }
                number.to_string()
            }
            (FieldType::Bool, Value::Bool(flag)) => flag.to_string(),
            (FieldType::Date, Value::String(text)) if is_date(text) => {
                format!("{}::date", sql_string(text))
            }
            (FieldType::Datetime, Value::String(text)) if is_datetime(text) => {
                format!("{}::timestamptz", sql_string(text))
            }
            (FieldType::Uuid, Value::String(text)) if is_uuid(text) => {
                format!("{}::uuid", sql_string(text))
            }
            (field_type, _) => {
                let expected = match field_type {
                    FieldType::String | FieldType::Text => "a string",
                    FieldType::Email => "an email address",
                    FieldType::Url => "a web address",
                    FieldType::Enum => "one of the enum's values",
                    FieldType::Integer | FieldType::Bigint => "a whole number",
                    FieldType::Decimal | FieldType::Float => "a number",
                    FieldType::Bool => "true or false",
                    FieldType::Date => "a date like `2024-01-31`, or `today`",
                    FieldType::Datetime => "a time like `2024-01-31T09:00:00Z`, or `now`",
                    FieldType::Uuid => "a UUID like `123e4567-e89b-12d3-a456-426614174000`",
                    FieldType::Json | FieldType::Ref => "nothing",
                };
                self.report(mismatch(expected));
                return None;
            }
        };
        let ts = match &json {
            Value::Number(number) => ts_number(number),
            other => Some(other.to_string()),
        };
        Some(DefaultValue { json, sql, ts })
    }

    /// Cross-entity checks (refs, permissions, name lengths), then the entities.
    fn finish_entities(
        &mut self,
        drafts: Vec<EntityDraft<'_>>,
        roles: &[Role],
        isolation: Isolation,
        database: &Database,
    ) -> Vec<Entity> {
        let index_of: BTreeMap<&str, usize> = drafts
            .iter()
            .enumerate()
            .map(|(idx, draft)| (draft.names.singular.as_str(), idx))
            .collect();
        let targets: Vec<TargetInfo<'_>> = drafts
            .iter()
            .map(|draft| TargetInfo {
                table: &draft.names.plural,
                scope: draft.scope,
            })
            .collect();
        let entity_names: Vec<&str> = drafts
            .iter()
            .map(|draft| draft.key.value.as_str())
            .collect();

        let mut entities = Vec::new();
        let mut relation_names: Vec<((bool, String), Span, String)> = Vec::new();
        let mut required_refs: Vec<RequiredRef> = Vec::new();
        let mut entities_seen = 0;
        for draft in &drafts {
            let mut fields = Vec::new();
            for field_draft in &draft.fields {
                let mut field = field_draft.field.clone();
                if let Some((to, on_delete)) = &field_draft.reference {
                    let on_delete = *on_delete;
                    let target_name = names::snake(&to.value);
                    let Some(&entity_index) = index_of.get(target_name.as_str()) else {
                        let mut problem = Problem::new(
                            Code::UnknownEntity,
                            to.span,
                            format!(
                                "field `{}.{}` refers to unknown entity `{}`",
                                draft.key.value, field_draft.key.value, to.value
                            ),
                            "no entity of this name",
                        );
                        let known = format!(
                            "entities: {}",
                            sorted(entity_names.iter().copied()).join(", ")
                        );
                        problem = match closest(&to.value, entity_names.iter().copied()) {
                            Some(near) => {
                                problem.with_help(format!("did you mean `{near}`? {known}"))
                            }
                            None => problem.with_help(known),
                        };
                        self.report(problem);
                        continue;
                    };
                    if draft.scope == Scope::Global && drafts[entity_index].scope == Scope::Tenant {
                        self.report(
                            Problem::new(
                                Code::GlobalRefersToTenant,
                                to.span,
                                format!(
                                    "global entity `{}` refers to tenant entity `{}`",
                                    draft.key.value, to.value
                                ),
                                "a global row can't point into one tenant's data",
                            )
                            .with_help("make the target global, or this entity tenant-scoped"),
                        );
                        continue;
                    }
                    field.reference = Some(Reference {
                        entity_index,
                        on_delete,
                    });
                }
                fields.push(field);
            }
            let permissions = self.permissions(draft, roles);
            let (table, declared) = build_table(
                isolation,
                &database.control_schema,
                &draft.names.plural,
                draft.scope,
                &fields,
                &targets,
            );
            // In bridge and silo, global tables live apart from tenant tables.
            let namespace = isolation != Isolation::Pool && draft.scope == Scope::Global;
            for name in declared {
                let (span, owner) = match name.field {
                    Some(idx) => (
                        draft
                            .fields
                            .iter()
                            .find(|f| f.field.name == fields[idx].name)
                            .map_or(draft.key.span, |f| f.key.span),
                        format!("field `{}.{}`", draft.key.value, fields[idx].name),
                    ),
                    None => (draft.key.span, format!("entity `{}`", draft.key.value)),
                };
                if name.name.len() > SQL_IDENTIFIER_MAX_BYTES {
                    self.report(
                        Problem::new(Code::NameTooLong,
                            span,
                            format!("{owner} makes the PostgreSQL name `{}` {} bytes long", name.name, name.name.len()),
                            format!("PostgreSQL cuts names at {SQL_IDENTIFIER_MAX_BYTES} bytes"),
                        )
                        .with_help("shorten the name (or set a shorter `plural:`), so that generated table, constraint and index names stay distinct"),
                    );
                } else if name.schema_wide {
                    relation_names.push(((namespace, name.name), span, owner));
                }
            }
            for field_draft in &draft.fields {
                if let (true, Some((_, _))) = (field_draft.field.required, &field_draft.reference)
                    && let Some(field) = fields.iter().find(|f| f.name == field_draft.field.name)
                    && let Some(reference) = &field.reference
                {
                    required_refs.push(RequiredRef {
                        from: entities_seen,
                        to: reference.entity_index,
                        field: format!("{}.{}", draft.key.value, field_draft.key.value),
                        span: field_draft.key.span,
                    });
                }
            }
            entities_seen += 1;
            let Some(permissions) = permissions else {
                continue;
            };
            mark_listed(&mut fields);
            let label = label_field(&fields);
            entities.push(Entity {
                route: format!("/api/{}", draft.names.plural),
                page_path: format!("/{}", names::path_segment(&draft.names.plural)),
                label_field: label.map(|field| field.name.clone()),
                search_column: label.map(|field| field.column_sql.clone()),
                tenant_scoped: draft.scope == Scope::Tenant,
                names: draft.names.clone(),
                scope: draft.scope,
                fields,
                permissions,
                api_creatable: false,
                table,
                renamed_from: draft.renamed_from.clone(),
            });
        }
        if entities.len() == drafts.len() {
            self.required_ref_cycles(&required_refs);
        }
        // Only once names are otherwise sound: a snake_case collision
        // already reported would show up again here under every derived form.
        if self.problems.is_empty() {
            self.relation_name_collisions(relation_names);
            self.derived_name_collisions(&drafts, &entities);
        }
        entities
    }

    /// A cycle of required references (a self-reference included) means no
    /// record could ever be created: each would need another to exist first.
    fn required_ref_cycles(&mut self, refs: &[RequiredRef]) {
        let mut reported: BTreeSet<usize> = BTreeSet::new();
        for start in 0..refs.len() {
            let Some(cycle) = cycle_through(refs, start) else {
                continue;
            };
            if cycle.iter().any(|idx| reported.contains(idx)) {
                continue;
            }
            reported.extend(cycle.iter().copied());
            let chain: Vec<&str> = cycle.iter().map(|&idx| refs[idx].field.as_str()).collect();
            self.report(
                Problem::new(
                    Code::ReferenceCycle,
                    refs[start].span,
                    format!("required references form a cycle: {}", chain.join(" → ")),
                    "no record could ever be created first",
                )
                .with_help("make one of these references optional (drop `required: true`)"),
            );
        }
    }

    /// Tables and indexes share one namespace per schema, so two entities
    /// may not declare the same one (entity `x` with field `y_z` and entity
    /// `x_y` with field `z` would both make `x_y_z_key`).
    fn relation_name_collisions(&mut self, names: Vec<((bool, String), Span, String)>) {
        let mut seen: BTreeMap<(bool, String), String> = BTreeMap::new();
        for (key, span, owner) in names {
            match seen.get(&key) {
                Some(first) => self.report(
                    Problem::new(Code::NameCollision,
                        span,
                        format!("{owner} and {first} would both create the PostgreSQL table or index `{}`", key.1),
                        "name already taken",
                    )
                    .with_help("tables and indexes share one namespace; rename a field or entity, or set another `plural:`"),
                ),
                None => {
                    seen.insert(key, owner);
                }
            }
        }
    }

    /// Names derived for Rust and TypeScript must stay distinct even where
    /// the snake_case names differ (`item_2` and `item2` are both `Item2`).
    fn derived_name_collisions(&mut self, drafts: &[EntityDraft<'_>], entities: &[Entity]) {
        let check = |checker: &mut Checker, kind: &str, names: Vec<(&str, &Located<String>)>| {
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

    fn permissions(&mut self, draft: &EntityDraft<'_>, roles: &[Role]) -> Option<Permissions> {
        let all: Vec<String> = roles.iter().map(|role| role.name.clone()).collect();
        let Some(raw) = &draft.raw.value.permissions else {
            let writable = if draft.scope == Scope::Global {
                Vec::new()
            } else {
                all.clone()
            };
            return Some(Permissions {
                read: roles_named(roles, &all),
                create: roles_named(roles, &writable),
                update: roles_named(roles, &writable),
                delete: roles_named(roles, &writable),
            });
        };
        let what = format!("permissions of entity `{}`", draft.key.value);
        self.unknown_keys_named(
            &raw.value.unknown_keys,
            RawPermissions::KEYS,
            &what,
            "action",
        );
        let before = self.problems.len();
        let resolve = |checker: &mut Checker,
                       action: Action,
                       list: &Option<Located<Vec<Located<String>>>>|
         -> Vec<String> {
            let Some(list) = list else {
                return if draft.scope == Scope::Global && action != Action::Read {
                    Vec::new()
                } else {
                    all.clone()
                };
            };
            if draft.scope == Scope::Global && action != Action::Read {
                checker.report(
                    Problem::new(Code::GlobalWrite, list.span, format!("entity `{}` is global, so tenants can't {action} its records", draft.key.value), "global entities are read-only to tenants")
                        .with_help("remove this action; global data is written by migrations or by the database owner"),
                );
                return Vec::new();
            }
            let mut out: Vec<String> = Vec::new();
            for (index, role) in list.value.iter().enumerate() {
                if !all.contains(&role.value) {
                    let mut problem = Problem::new(
                        Code::UnknownRole,
                        role.span,
                        format!("{what} name unknown role `{}`", role.value),
                        "not in `roles`",
                    );
                    let known = format!(
                        "roles: {}",
                        sorted(all.iter().map(String::as_str)).join(", ")
                    );
                    problem = match closest(&role.value, all.iter().map(String::as_str)) {
                        Some(near) => problem.with_help(format!("did you mean `{near}`? {known}")),
                        None => problem.with_help(known),
                    };
                    checker.report(problem);
                } else if let Some(first) = list.value[..index]
                    .iter()
                    .find(|earlier| earlier.value == role.value)
                {
                    checker.report(
                        Problem::new(
                            Code::ListedTwice,
                            role.span,
                            format!("role `{}` is listed twice for `{action}`", role.value),
                            "listed again",
                        )
                        .with_secondary(first.span, "first listed here"),
                    );
                } else {
                    out.push(role.value.clone());
                }
            }
            out
        };
        let permissions = Permissions {
            read: roles_named(roles, &resolve(self, Action::Read, &raw.value.read)),
            create: roles_named(roles, &resolve(self, Action::Create, &raw.value.create)),
            update: roles_named(roles, &resolve(self, Action::Update, &raw.value.update)),
            delete: roles_named(roles, &resolve(self, Action::Delete, &raw.value.delete)),
        };
        (self.problems.len() == before).then_some(permissions)
    }

    // ---- building blocks ----

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
            self.report(match closest(&key.value, known.iter().copied()) {
                Some(near) => problem.with_help(format!("did you mean `{near}`? {list}")),
                None => problem.with_help(list),
            });
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
        self.report(match closest(&value.value, names.iter().copied()) {
            Some(near) => problem.with_help(format!("did you mean `{near}`? {list}")),
            None => problem.with_help(list),
        });
        None
    }

    /// A name that must already be snake_case: app, tenant, roles, enum values.
    fn snake_name<'a>(&mut self, value: &'a Located<String>, what: &str) -> Option<&'a str> {
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
    fn spec_name(&mut self, value: &Located<String>, what: &str) -> Option<String> {
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
    fn renamed_from(
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
    fn display_text(&mut self, value: &Located<String>, what: &str) -> Option<String> {
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
}

/// The SQL of a default the database works out at insert time: `today` for
/// a date, `now` for a datetime.
fn insert_time_default(field_type: FieldType, json: &serde_json::Value) -> Option<&'static str> {
    match (field_type, json.as_str()?) {
        (FieldType::Date, "today") => Some("CURRENT_DATE"),
        (FieldType::Datetime, "now") => Some("now()"),
        _ => None,
    }
}

/// `number` as a TypeScript literal, when a JavaScript number holds it
/// exactly: floats as written, integers up to 2^53 - 1.
fn ts_number(number: &serde_json::Number) -> Option<String> {
    const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
    let safe = match (number.as_i64(), number.as_u64()) {
        (Some(n), _) => n.unsigned_abs() <= MAX_SAFE_INTEGER,
        (None, Some(n)) => n <= MAX_SAFE_INTEGER,
        (None, None) => true,
    };
    safe.then(|| number.to_string())
}

/// How many fields a list shows besides the record's name.
const LISTED_FIELDS: usize = 4;

/// Marks the fields a list shows: the first few whose values fit in a cell
/// (long text and JSON don't).
fn mark_listed(fields: &mut [Field]) {
    for field in fields
        .iter_mut()
        .filter(|field| !matches!(field.field_type, FieldType::Text | FieldType::Json))
        .take(LISTED_FIELDS + 1)
    {
        field.listed = true;
    }
}

/// The field that names a record: the first required short text, else the
/// first short text.
fn label_field(fields: &[Field]) -> Option<&Field> {
    let short_text =
        |field: &&Field| matches!(field.field_type, FieldType::String | FieldType::Email);
    fields
        .iter()
        .filter(short_text)
        .find(|field| field.required)
        .or_else(|| fields.iter().find(short_text))
}

/// Entity positions with the targets of required references first; cycles
/// were rejected, so every entity finds its place.
fn creation_order(entities: &[Entity]) -> Vec<usize> {
    let mut order: Vec<usize> = Vec::with_capacity(entities.len());
    while order.len() < entities.len() {
        let before = order.len();
        for (idx, entity) in entities.iter().enumerate() {
            let ready = !order.contains(&idx)
                && entity
                    .required_references()
                    .all(|reference| order.contains(&reference.entity_index));
            if ready {
                order.push(idx);
            }
        }
        if order.len() == before {
            // Only reachable with a cycle, which validation reports.
            break;
        }
    }
    order
}

/// Sets [`Entity::api_creatable`]. Creation order puts every entity after
/// the targets of its required references, so theirs is known first.
fn mark_api_creatable(entities: &mut [Entity], creation_order: &[usize]) {
    for &idx in creation_order {
        let entity = &entities[idx];
        let targets_creatable = entity
            .required_references()
            .map(|reference| &entities[reference.entity_index])
            .all(|target| !target.tenant_scoped || target.api_creatable);
        entities[idx].api_creatable =
            entity.tenant_scoped && !entity.permissions.create.is_empty() && targets_creatable;
    }
}

/// The references of a cycle that starts with `refs[start]`, if it closes.
fn cycle_through(refs: &[RequiredRef], start: usize) -> Option<Vec<usize>> {
    let mut visited = BTreeSet::new();
    let mut stack = vec![(refs[start].to, vec![start])];
    while let Some((entity, trail)) = stack.pop() {
        if entity == refs[start].from {
            return Some(trail);
        }
        if !visited.insert(entity) {
            continue;
        }
        for (idx, next) in refs.iter().enumerate().filter(|(_, r)| r.from == entity) {
            let mut trail = trail.clone();
            trail.push(idx);
            stack.push((next.to, trail));
        }
    }
    None
}

/// The roles with these names, in the order given; the names are known.
fn roles_named(roles: &[Role], names: &[String]) -> Vec<Role> {
    names
        .iter()
        .filter_map(|name| roles.iter().find(|role| role.name == *name).cloned())
        .collect()
}

fn is_spec_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn sorted<'a>(words: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut words: Vec<&str> = words.into_iter().collect();
    words.sort_unstable();
    words
}

/// Whether a YAML number survived parsing unrounded: integers within 64
/// bits always do; a float does when it needs no exponent to print, which
/// rules out values like 1e30 that PostgreSQL would store differently.
fn is_exact(number: &serde_json::Number) -> bool {
    number.is_i64() || number.is_u64() || !number.to_string().contains(['e', 'E'])
}

fn number_value(number: &serde_json::Number) -> f64 {
    number.as_f64().unwrap_or(f64::NAN)
}

/// The same language as the url CHECK (`^https?://[^[:space:]]+$`), so a
/// default the spec accepts is one the database accepts.
fn looks_like_url(text: &str) -> bool {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    rest.is_some_and(|rest| !rest.is_empty() && !rest.chars().any(char::is_whitespace))
}

/// The same language as the email CHECK (`^[^@[:space:]]+@[^@[:space:]]+$`).
fn looks_like_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !text.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

fn digits(text: &str, count: usize) -> bool {
    text.len() == count && text.bytes().all(|b| b.is_ascii_digit())
}

fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [year, month, day] = parts.as_slice() else {
        return false;
    };
    if !(digits(year, 4) && digits(month, 2) && digits(day, 2)) {
        return false;
    }
    let (year, month, day): (u32, u32, u32) = match (year.parse(), month.parse(), day.parse()) {
        (Ok(y), Ok(m), Ok(d)) => (y, m, d),
        _ => return false,
    };
    // PostgreSQL has no year 0 (1 BC comes before 1 AD).
    if year == 0 {
        return false;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// RFC 3339: `2024-01-31T09:00:00Z`, optional fraction, `Z` or an offset.
fn is_datetime(text: &str) -> bool {
    let Some((date, time)) = text.split_once(['T', 't', ' ']) else {
        return false;
    };
    if !is_date(date) {
        return false;
    }
    let (clock, zone) = if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        (clock, None)
    } else if let Some(idx) = time.rfind(['+', '-']) {
        (&time[..idx], Some(&time[idx + 1..]))
    } else {
        return false;
    };
    let clock = clock.split_once('.').map_or(clock, |(whole, fraction)| {
        if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            "invalid"
        } else {
            whole
        }
    });
    let in_range =
        |part: &str, max: u32| digits(part, 2) && part.parse::<u32>().is_ok_and(|n| n <= max);
    let clock_ok = match clock.split(':').collect::<Vec<_>>().as_slice() {
        [h, m, s] => in_range(h, 23) && in_range(m, 59) && in_range(s, 60),
        _ => false,
    };
    let zone_ok = match zone {
        None => true,
        Some(zone) => match zone.split(':').collect::<Vec<_>>().as_slice() {
            [h, m] => in_range(h, 23) && in_range(m, 59),
            _ => false,
        },
    };
    clock_ok && zone_ok
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times() {
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("2024-13-01"));
        assert!(is_datetime("2024-01-31T09:00:00Z"));
        assert!(is_datetime("2024-01-31T09:00:00.123+02:00"));
        assert!(!is_datetime("2024-01-31T25:00:00Z"));
        assert!(!is_datetime("2024-01-31"));
        assert!(is_uuid("123e4567-e89b-12d3-a456-426614174000"));
        assert!(!is_uuid("123e4567-e89b-12d3-a456-42661417400"));
    }
}
