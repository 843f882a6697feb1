//! The validated model: typed, complete, with every derived name computed.
//!
//! A [`Model`] can only be built by [`validate`]: its types are
//! `#[non_exhaustive]`, so code outside this crate can read them but not
//! make them up.

mod lint;
mod migrations;
pub mod names;
mod sql;
mod validate;

use std::fmt;

use serde::Serialize;

pub use lint::warnings;
pub use migrations::{MigrationSet, is_migration};
pub use sql::{
    Check, Column, FieldConstraint, ForeignKey, Index, Table, UncheckedReference, UniqueKey,
};
pub use validate::validate;

/// Declares a closed set of spec words as an enum, with its spec spelling.
macro_rules! spec_words {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $word:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            /// Every spelling the spec accepts, sorted.
            pub const NAMES: &'static [&'static str] = &[$($word),*];

            /// The variant spelled `word` in a spec.
            pub fn from_word(word: &str) -> Option<Self> {
                match word {
                    $($word => Some($name::$variant),)*
                    _ => None,
                }
            }

            /// How the spec spells this variant.
            pub fn word(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)*
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.word())
            }
        }
    };
}

spec_words! {
    /// How tenants' data is kept apart.
    pub enum Isolation {
        /// A schema per tenant.
        Bridge = "bridge",
        /// Shared tables, a tenant_id on every row, row-level security.
        Pool = "pool",
        /// A database per tenant, with a control database.
        Silo = "silo",
    }
}

spec_words! {
    /// Whom an entity's rows belong to.
    pub enum Scope {
        /// Shared by all tenants and read-only to them.
        Global = "global",
        /// Each row belongs to one tenant.
        Tenant = "tenant",
    }
}

spec_words! {
    /// What happens to a record when the record it refers to is deleted.
    pub enum OnDelete {
        /// Delete it too.
        Cascade = "cascade",
        /// Refuse the delete while it exists.
        Restrict = "restrict",
        /// Clear the reference.
        SetNull = "set_null",
    }
}

spec_words! {
    /// The type of a field.
    pub enum FieldType {
        /// A 64-bit integer.
        Bigint = "bigint",
        /// True or false.
        Bool = "bool",
        /// A calendar date.
        Date = "date",
        /// A point in time, with time zone.
        Datetime = "datetime",
        /// An exact decimal number.
        Decimal = "decimal",
        /// An email address.
        Email = "email",
        /// One of a fixed set of values.
        Enum = "enum",
        /// A double-precision floating-point number.
        Float = "float",
        /// A 32-bit integer.
        Integer = "integer",
        /// Any JSON value.
        Json = "json",
        /// A reference to a record of another (or the same) entity.
        Ref = "ref",
        /// A short line of text.
        String = "string",
        /// Long text.
        Text = "text",
        /// A web address.
        Url = "url",
        /// A UUID.
        Uuid = "uuid",
    }
}

spec_words! {
    /// Something a role may be allowed to do with an entity's records.
    pub enum Action {
        /// Create records.
        Create = "create",
        /// Delete records.
        Delete = "delete",
        /// List and read records.
        Read = "read",
        /// Change records.
        Update = "update",
    }
}

/// How the web frontend edits a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Widget {
    /// A one-line text input.
    Text,
    /// A multi-line text input.
    Textarea,
    /// An email input.
    Email,
    /// A web address input.
    Url,
    /// A UUID, typed as text.
    Uuid,
    /// A whole-number input.
    Integer,
    /// A decimal typed as text, so no digit is lost to floating point.
    Decimal,
    /// A number input that takes fractions.
    Float,
    /// A checkbox: the value is always true or false.
    Checkbox,
    /// Yes, no or not set.
    YesNo,
    /// A choice among an enum's values.
    Select,
    /// A date picker.
    Date,
    /// A date and time picker, in the browser's time zone.
    Datetime,
    /// A choice among the referenced entity's records, by name.
    Reference,
    /// JSON in a text area.
    Json,
}

impl FieldType {
    /// How a form edits a value of this type; a bool that may be unset needs
    /// a third state a checkbox can't show.
    pub fn widget(self, required_or_defaulted: bool) -> Widget {
        match self {
            FieldType::String => Widget::Text,
            FieldType::Text => Widget::Textarea,
            FieldType::Email => Widget::Email,
            FieldType::Url => Widget::Url,
            FieldType::Uuid => Widget::Uuid,
            FieldType::Integer | FieldType::Bigint => Widget::Integer,
            FieldType::Decimal => Widget::Decimal,
            FieldType::Float => Widget::Float,
            FieldType::Bool if required_or_defaulted => Widget::Checkbox,
            FieldType::Bool => Widget::YesNo,
            FieldType::Enum => Widget::Select,
            FieldType::Date => Widget::Date,
            FieldType::Datetime => Widget::Datetime,
            FieldType::Ref => Widget::Reference,
            FieldType::Json => Widget::Json,
        }
    }

    /// The TypeScript type of one value as the API sends it; an enum is the
    /// union of its values. Decimals travel as strings, so no digit is lost.
    pub fn ts_type(self, values: &[String]) -> String {
        match self {
            FieldType::Integer | FieldType::Bigint | FieldType::Float => "number".to_owned(),
            FieldType::Bool => "boolean".to_owned(),
            FieldType::Json => "Json".to_owned(),
            FieldType::Enum if !values.is_empty() => values
                .iter()
                .map(|value| serde_json::Value::from(value.as_str()).to_string())
                .collect::<Vec<_>>()
                .join(" | "),
            _ => "string".to_owned(),
        }
    }

    /// Whether the min and max bound the length of the text rather than the value.
    pub fn bounds_length(self) -> bool {
        matches!(
            self,
            FieldType::String | FieldType::Text | FieldType::Email | FieldType::Url
        )
    }

    /// Whether min and max bound the value.
    pub fn bounds_value(self) -> bool {
        matches!(
            self,
            FieldType::Integer | FieldType::Bigint | FieldType::Decimal | FieldType::Float
        )
    }

    /// The Rust type of a value, as generated code names it.
    pub fn rust_type(self) -> &'static str {
        match self {
            FieldType::String | FieldType::Text | FieldType::Email | FieldType::Url => "String",
            FieldType::Enum => "String",
            FieldType::Integer => "i32",
            FieldType::Bigint => "i64",
            FieldType::Decimal => "rust_decimal::Decimal",
            FieldType::Float => "f64",
            FieldType::Bool => "bool",
            FieldType::Date => "chrono::NaiveDate",
            FieldType::Datetime => "DateTime<Utc>",
            FieldType::Uuid | FieldType::Ref => "Uuid",
            FieldType::Json => "serde_json::Value",
        }
    }

    /// The variant of the generated `api::fields::Kind` for this type.
    pub fn kind(self) -> &'static str {
        match self {
            FieldType::String => "String",
            FieldType::Text => "Text",
            FieldType::Email => "Email",
            FieldType::Url => "Url",
            FieldType::Enum => "OneOf",
            FieldType::Integer => "Integer",
            FieldType::Bigint => "BigInt",
            FieldType::Decimal => "Decimal",
            FieldType::Float => "Float",
            FieldType::Bool => "Bool",
            FieldType::Date => "Date",
            FieldType::Datetime => "DateTime",
            FieldType::Uuid => "Uuid",
            FieldType::Ref => "Reference",
            FieldType::Json => "Json",
        }
    }

    /// The OpenAPI/JSON kind of a value, for documentation.
    pub fn json_kind(self) -> &'static str {
        match self {
            FieldType::Integer | FieldType::Bigint => "integer",
            FieldType::Float => "number",
            FieldType::Bool => "boolean",
            FieldType::Json => "any",
            _ => "string",
        }
    }

    /// The PostgreSQL column type.
    pub fn sql_type(self) -> &'static str {
        match self {
            FieldType::String | FieldType::Text | FieldType::Email | FieldType::Url => "text",
            FieldType::Enum => "text",
            FieldType::Integer => "integer",
            FieldType::Bigint => "bigint",
            FieldType::Decimal => "numeric",
            FieldType::Float => "double precision",
            FieldType::Bool => "boolean",
            FieldType::Date => "date",
            FieldType::Datetime => "timestamptz",
            FieldType::Uuid | FieldType::Ref => "uuid",
            FieldType::Json => "jsonb",
        }
    }
}

/// Words for one noun, in every form the output needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Noun {
    /// snake_case singular (`line_item`).
    pub singular: String,
    /// snake_case plural (`line_items`).
    pub plural: String,
    /// Rust type name (`LineItem`; renamed where it would shadow a std type).
    pub rust_type: String,
    /// The Rust type documenting a request body (`LineItemInput`).
    pub rust_input_type: String,
    /// Rust variable name (`line_item`, `r#type`).
    pub rust_ident: String,
    /// Rust module name, also its file stem (`line_item`, `type_`): raw
    /// identifiers would make files like `mod.rs` that mean something else.
    pub rust_module: String,
    /// Rust variable name for the plural.
    pub rust_plural_ident: String,
    /// TypeScript type name.
    pub ts_type: String,
    /// The TypeScript type of what creating a record takes (`LineItemInput`).
    pub ts_input_type: String,
    /// TypeScript variable name (`lineItem`).
    pub ts_ident: String,
    /// TypeScript variable name for the plural (`lineItems`).
    pub ts_plural_ident: String,
    /// Display name, singular (`Line item`).
    pub label: String,
    /// Display name, plural (`Line items`).
    pub plural_label: String,
    /// The label as it reads inside a sentence (`line item`, `SLA breach`).
    pub phrase: String,
    /// The plural label inside a sentence (`line items`).
    pub plural_phrase: String,
    /// The phrase with its indefinite article, for prose (`an order`, `an
    /// SLA breach`).
    pub indefinite: String,
}

impl Noun {
    fn new(singular: &str, plural: &str, label: Option<&str>) -> Self {
        let label = label.map_or_else(|| names::words(singular), str::to_owned);
        let plural_label = if label == names::words(singular) {
            names::words(plural)
        } else {
            names::pluralize_label(&label)
        };
        let phrase = names::phrase(&label);
        Noun {
            singular: singular.to_owned(),
            plural: plural.to_owned(),
            rust_type: names::rust_type(&names::pascal(singular)),
            rust_input_type: format!("{}Input", names::pascal(singular)),
            rust_ident: names::rust_ident(singular),
            rust_module: names::rust_module(singular),
            rust_plural_ident: names::rust_ident(plural),
            ts_type: names::ts_type(&names::pascal(singular)),
            ts_input_type: format!("{}Input", names::pascal(singular)),
            ts_ident: names::ts_ident(&names::camel(singular)),
            ts_plural_ident: names::ts_ident(&names::camel(plural)),
            indefinite: format!("{} {phrase}", names::indefinite_article(&phrase)),
            phrase,
            plural_phrase: names::phrase(&plural_label),
            label,
            plural_label,
        }
    }
}

/// A validated spec.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Model {
    /// The application name (`acme_crm`).
    pub app: String,
    /// Whether any field is a spec enum, which the API declares as a Rust
    /// enum.
    pub has_enums: bool,
    /// Whether any entity belongs to tenants, so that clients write
    /// records; with only global entities, the API only reads.
    pub has_tenant_entities: bool,
    /// Whether any entity is shared by every tenant, its records written
    /// by the operator.
    pub has_global_entities: bool,
    /// Whether a client can make a record of any entity through the API
    /// (see [`Entity::api_creatable`]).
    pub has_creatable_entities: bool,
    /// Whether any table has read functions (pool and silo tenant tables).
    pub has_read_functions: bool,
    /// The display name.
    pub title: String,
    /// The web frontend's npm package name (`acme-crm-web`).
    pub npm_package: String,
    /// How tenants are isolated.
    pub isolation: Isolation,
    /// The same, as flags for templates to branch on.
    pub mode: Modes,
    /// What a tenant is called.
    pub tenant: Noun,
    /// Roles in spec order; the first goes to whoever signs a tenant up.
    pub roles: Vec<Role>,
    /// Entities in spec order.
    pub entities: Vec<Entity>,
    /// Positions in `entities`, ordered so that the target of every required
    /// reference comes before the entity that needs it: an order in which
    /// records can be created.
    pub creation_order: Vec<usize>,
    /// Database-level names.
    pub database: Database,
}

/// One flag per isolation mode, exactly one of them set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Modes {
    /// Shared tables.
    pub pool: bool,
    /// A schema per tenant.
    pub bridge: bool,
    /// A database per tenant.
    pub silo: bool,
}

impl From<Isolation> for Modes {
    fn from(isolation: Isolation) -> Self {
        Modes {
            pool: isolation == Isolation::Pool,
            bridge: isolation == Isolation::Bridge,
            silo: isolation == Isolation::Silo,
        }
    }
}

/// Names at the database level, shared by every migration.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Database {
    /// The database name (the control database in silo mode).
    pub name: String,
    /// The role that owns every object and runs migrations (NOLOGIN).
    pub owner_role: String,
    /// The role the application's login user is granted: DML only, no
    /// BYPASSRLS, not the owner.
    pub runtime_role: String,
    /// The schema holding tenants, users and memberships.
    pub control_schema: String,
    /// The tenants catalog, schema-qualified.
    pub tenants_table: String,
    /// Users, schema-qualified.
    pub users_table: String,
    /// Memberships, schema-qualified.
    pub memberships_table: String,
    /// Sessions (one per login, the family of its refresh tokens),
    /// schema-qualified.
    pub sessions_table: String,
    /// Refresh tokens, stored hashed, schema-qualified.
    pub refresh_tokens_table: String,
    /// The function the per-request membership check calls.
    pub standing: String,
    /// The trigger function that announces a change of standing.
    pub notify_standing: String,
    /// The channel it announces on, which every process of the app listens to.
    pub standing_channel: String,
    /// The pattern every bridge tenant schema name matches (`t_<slug>`).
    pub tenant_schema_pattern: String,
    /// Bridge: a tenant's schema name as an SQL expression of its slug.
    /// Slugs have no underscores, so no two slugs share a schema.
    pub tenant_schema_name: String,
    /// The setting that carries the current tenant id within a transaction.
    pub tenant_setting: String,
    /// The current tenant id as an SQL expression: NULL, never an error,
    /// when no tenant is set (after a transaction the setting reads '').
    pub current_tenant: String,
    /// The function that looks a tenant up by slug before any context exists.
    pub tenant_by_slug: String,
    /// Silo: the function that picks the server a new tenant's database
    /// goes to, the one of the candidates holding the fewest tenants.
    pub least_loaded_server: String,
    /// Silo and pool: the moves of tenants' records between databases
    /// under way.
    pub tenant_moves_table: String,
    /// Pool: the trigger function that holds, then refuses, a moving
    /// tenant's writes to the shared tables.
    pub hold_moving_writes: String,
    /// Pool: the seed of the 64-bit hash of a tenant's id that keys the
    /// advisory lock its writes take shared, and a move of it exclusively
    /// ("hold").
    pub move_hold_seed: i64,
    /// Silo: the pattern every server name matches, in the catalog and in
    /// TENANT_SERVERS.
    pub server_name_pattern: String,
    /// The expression every tenant row must satisfy; no OR, no subquery, no
    /// volatile function, so the planner turns it into an index condition.
    pub tenant_predicate: String,
    /// Bridge and silo: the tenant migrations as the control catalog keeps
    /// them, so that provisioning can apply them without the build.
    pub tenant_migrations_table: String,
    /// Bridge: the function that applies pending tenant migrations to the
    /// current tenant's schema.
    pub migrate_tenant: String,
    /// Bridge: the function that creates the current tenant's schema and
    /// migrates it.
    pub provision_tenant: String,
    /// Bridge: the function a request's transaction calls first; it checks
    /// the tenant (active, schema up to date) and names its search_path.
    pub enter_tenant: String,
    /// The check that a membership's role is one of the spec's roles.
    pub role_check: String,
    /// The ledger of applied migrations in each database or tenant schema.
    pub ledger_table: String,
}

/// The schema of tenants, users and memberships: apart from entity tables,
/// so that no entity name can collide with them.
const CONTROL_SCHEMA: &str = "control";

/// The transaction-local setting that names the current tenant.
const TENANT_SETTING: &str = "app.tenant_id";

impl Database {
    /// The database names of the app `app` whose members hold `roles`.
    fn new(app: &str, roles: &[Role]) -> Database {
        let current_tenant = format!("nullif(current_setting('{TENANT_SETTING}', true), '')::uuid");
        let role_literals: Vec<&str> = roles.iter().map(|role| role.sql_literal.as_str()).collect();
        let control = |name: &str| format!("{CONTROL_SCHEMA}.{name}");
        Database {
            role_check: format!("role IN ({})", role_literals.join(", ")),
            name: app.to_owned(),
            owner_role: names::sql_ident(&format!("{app}_owner")),
            runtime_role: names::sql_ident(&format!("{app}_runtime")),
            control_schema: CONTROL_SCHEMA.to_owned(),
            tenants_table: control("tenants"),
            users_table: control("users"),
            memberships_table: control("memberships"),
            sessions_table: control("sessions"),
            refresh_tokens_table: control("refresh_tokens"),
            standing: control("standing"),
            notify_standing: control("notify_standing"),
            standing_channel: format!("{app}_standing"),
            tenant_schema_pattern: "^t_[a-z0-9_]{1,61}$".to_owned(),
            tenant_schema_name: "'t_' || replace(slug, '-', '_')".to_owned(),
            tenant_setting: TENANT_SETTING.to_owned(),
            tenant_predicate: format!("tenant_id = {current_tenant}"),
            current_tenant,
            tenant_by_slug: control("tenant_by_slug"),
            least_loaded_server: control("least_loaded_server"),
            tenant_moves_table: control("tenant_moves"),
            hold_moving_writes: control("hold_moving_writes"),
            move_hold_seed: 0x686f_6c64,
            server_name_pattern: "^[a-z][a-z0-9-]{0,30}$".to_owned(),
            tenant_migrations_table: control("tenant_migrations"),
            migrate_tenant: control("migrate_tenant"),
            provision_tenant: control("provision_tenant"),
            enter_tenant: control("enter_tenant"),
            ledger_table: "schema_migrations".to_owned(),
        }
    }
}

/// A role users of a tenant can hold.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Role {
    /// The role name, as stored and put in tokens.
    pub name: String,
    /// Display name.
    pub label: String,
    /// The role as an SQL string literal.
    pub sql_literal: String,
    /// Its variant in the generated `Role` enum.
    pub rust_variant: String,
}

/// One entity.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Entity {
    /// Every form of the entity's name.
    pub names: Noun,
    /// Whom its rows belong to.
    pub scope: Scope,
    /// Whether rows belong to one tenant.
    pub tenant_scoped: bool,
    /// The URL path of its collection (`/api/line_items`).
    pub route: String,
    /// The path of its pages in the web frontend (`/line-items`).
    pub page_path: String,
    /// The field that names a record for people (in lists, and wherever a
    /// reference points at one): the first required short text, else the
    /// first short text, else none.
    pub label_field: Option<String>,
    /// Fields in spec order, without the implicit ones.
    pub fields: Vec<Field>,
    /// The roles allowed to perform each action.
    pub permissions: Permissions,
    /// Whether a client can make a record of it through the API: it is a
    /// tenant entity some role may create, and so is every tenant entity it
    /// requires a reference to. Generated tests make records only of these.
    pub api_creatable: bool,
    /// The table, with every column, key, check and index.
    pub table: Table,
    /// The snake_case name the entity had before, when the spec says it was
    /// renamed.
    pub renamed_from: Option<String>,
}

/// The roles allowed to perform each action; an action the spec left out
/// lists every role.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Permissions {
    /// Roles that may list and read.
    pub read: Vec<Role>,
    /// Roles that may create.
    pub create: Vec<Role>,
    /// Roles that may update.
    pub update: Vec<Role>,
    /// Roles that may delete.
    pub delete: Vec<Role>,
}

/// The Rust enum of a spec enum field: a closed set in the spec is one in
/// the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RustEnum {
    /// The type name: the entity's and the field's (`DealStage`).
    pub name: String,
    /// One variant per value, in the spec's order.
    pub variants: Vec<EnumVariant>,
}

/// One value of a spec enum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct EnumVariant {
    /// The variant (`InProgress`).
    pub ident: String,
    /// The value as the spec, the API and the database write it
    /// (`in_progress`).
    pub value: String,
}

/// The query parameters of a list that are not filters.
const LIST_PARAMETERS: &[&str] = &["limit", "page", "q", "sort"];

/// What validation settled about a field; [`Field::new`] derives the rest.
pub(crate) struct SettledField {
    /// The Rust type of the entity it belongs to, which names its enum.
    pub(crate) entity_type: String,
    pub(crate) name: String,
    pub(crate) field_type: FieldType,
    pub(crate) required: bool,
    pub(crate) unique: bool,
    pub(crate) index: bool,
    pub(crate) default: Option<DefaultValue>,
    pub(crate) min: Option<serde_json::Number>,
    pub(crate) max: Option<serde_json::Number>,
    pub(crate) values: Vec<String>,
    pub(crate) label: String,
    pub(crate) renamed_from: Option<String>,
}

impl Field {
    /// The field, with every name and type derived from what was settled;
    /// its reference is resolved later, once every entity is known.
    pub(crate) fn new(settled: SettledField) -> Field {
        let SettledField {
            entity_type,
            name,
            field_type,
            required,
            unique,
            index,
            default,
            min,
            max,
            values,
            label,
            renamed_from,
        } = settled;
        let column = if field_type == FieldType::Ref && !name.ends_with("_id") {
            format!("{name}_id")
        } else {
            name.clone()
        };
        let rust_ident = names::rust_ident(&name);
        let rust_enum = (field_type == FieldType::Enum).then(|| RustEnum {
            name: names::rust_type(&format!("{entity_type}{}", names::pascal(&name))),
            variants: values
                .iter()
                .map(|value| EnumVariant {
                    ident: names::rust_variant(value),
                    value: value.clone(),
                })
                .collect(),
        });
        let rust_value_type = rust_enum.as_ref().map_or_else(
            || field_type.rust_type().to_owned(),
            |rust_enum| rust_enum.name.clone(),
        );
        // Debug prints the nearest f64 exactly (`120.0`, `9.223372036854776e18`),
        // so the literal needs no rounding the compiler would warn about.
        let rust_bound = |bound: &serde_json::Number| format!("{:?}", number_value(bound));
        // A label worth documenting: one the spec gave, not the name in words.
        let own_label = (label != names::words(&name)).then_some(label.as_str());
        Field {
            column_sql: names::sql_ident(&column),
            column,
            serde_rename: (rust_ident.trim_start_matches("r#") != name).then(|| name.clone()),
            rust_ident,
            doc: own_label.map(|label| format!("{label}.")),
            input_doc: input_doc(own_label, field_type, required, min.as_ref(), max.as_ref()),
            kind: field_type.kind(),
            rust_type: if required {
                rust_value_type.clone()
            } else {
                format!("Option<{rust_value_type}>")
            },
            rust_value_type,
            rust_enum,
            ts_ident: names::ts_ident(&names::camel(&name)),
            ts_type: field_type.ts_type(&values),
            widget: field_type.widget(required || default.is_some()),
            ts_min: min.as_ref().and_then(ts_number),
            ts_max: max.as_ref().and_then(ts_number),
            listed: false,
            // A field named like a list parameter can't be a filter too.
            filterable: !LIST_PARAMETERS.contains(&name.as_str())
                && (matches!(
                    field_type,
                    FieldType::Enum | FieldType::Bool | FieldType::Ref
                ) || index),
            phrase: names::phrase(&label),
            label,
            field_type,
            required,
            unique,
            index,
            default,
            rust_min: min.as_ref().map(rust_bound),
            rust_max: max.as_ref().map(rust_bound),
            min,
            max,
            values,
            reference: None,
            renamed_from,
            name,
        }
    }
}

/// What a request body's documentation says of a field: its label when
/// it has one of its own, then whether it is required and what bounds it
/// (`Estimate (hours): 0 to 1000.`, `Required; at most 200 characters.`).
fn input_doc(
    own_label: Option<&str>,
    field_type: FieldType,
    required: bool,
    min: Option<&serde_json::Number>,
    max: Option<&serde_json::Number>,
) -> Option<String> {
    let unit = if field_type.bounds_length() {
        " characters"
    } else {
        ""
    };
    let bounds = match (min, max) {
        (Some(min), Some(max)) if min == max => Some(format!("exactly {min}{unit}")),
        (Some(min), Some(max)) => Some(format!("{min} to {max}{unit}")),
        (Some(min), None) => Some(format!("at least {min}{unit}")),
        (None, Some(max)) => Some(format!("at most {max}{unit}")),
        (None, None) => None,
    };
    let rules: Vec<String> = required
        .then(|| "required".to_owned())
        .into_iter()
        .chain(bounds)
        .collect();
    let rules = rules.join("; ");
    match (own_label, rules.is_empty()) {
        (Some(label), true) => Some(format!("{label}.")),
        (Some(label), false) => Some(format!("{label}: {rules}.")),
        // The rules start with an ASCII character (`required`, `at most`, `-1`).
        (None, false) => Some(format!("{}{}.", rules[..1].to_uppercase(), &rules[1..])),
        (None, true) => None,
    }
}

/// `number` as a TypeScript literal, when a JavaScript number holds it
/// exactly: floats as written, integers up to 2^53 - 1.
pub(crate) fn ts_number(number: &serde_json::Number) -> Option<String> {
    const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
    let safe = match (number.as_i64(), number.as_u64()) {
        (Some(n), _) => n.unsigned_abs() <= MAX_SAFE_INTEGER,
        (None, Some(n)) => n <= MAX_SAFE_INTEGER,
        (None, None) => true,
    };
    safe.then(|| number.to_string())
}

/// A spec number as a float; every number YAML parses has one.
pub(crate) fn number_value(number: &serde_json::Number) -> f64 {
    number.as_f64().unwrap_or(f64::NAN)
}

/// One field of an entity.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Field {
    /// The snake_case field name, also its JSON key.
    pub name: String,
    /// The column name (`company_id` for a ref named `company`).
    pub column: String,
    /// The column name as written in SQL (quoted when a keyword).
    pub column_sql: String,
    /// The Rust field name (`r#type`).
    pub rust_ident: String,
    /// What its doc comment says, when there is more to say than its name:
    /// a label of its own.
    pub doc: Option<String>,
    /// What a request body's documentation says of it: its own label, and
    /// whether it is required and what bounds it.
    pub input_doc: Option<String>,
    /// The Rust type of the field's value (`Option<…>` when not required).
    pub rust_type: String,
    /// The Rust type of one value (without the `Option`).
    pub rust_value_type: String,
    /// An enum field's Rust enum.
    pub rust_enum: Option<RustEnum>,
    /// The JSON key, when the Rust field name differs from it (`self_`).
    pub serde_rename: Option<String>,
    /// The variant of the generated `api::fields::Kind` that reads and
    /// checks it (`Email`, `OneOf`).
    pub kind: &'static str,
    /// The TypeScript variable name.
    pub ts_ident: String,
    /// The TypeScript type of one value (without `| null`).
    pub ts_type: String,
    /// How the web frontend edits it.
    pub widget: Widget,
    /// The lower bound as a TypeScript number literal, when a JavaScript
    /// number holds it exactly (bigint bounds may not).
    pub ts_min: Option<String>,
    /// The upper bound, likewise.
    pub ts_max: Option<String>,
    /// Shown as a column of the web frontend's list (the first few fields
    /// that fit in a cell).
    pub listed: bool,
    /// Offered as a filter of the web frontend's list: fields with a few
    /// values to pick from, references, and indexed fields.
    pub filterable: bool,
    /// Display name.
    pub label: String,
    /// The display name as it reads inside a sentence (`due date`, `IANA
    /// name`).
    pub phrase: String,
    /// The field type.
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// Must have a value.
    pub required: bool,
    /// Unique within a tenant (or globally, for a global entity).
    pub unique: bool,
    /// Indexed for filtering and sorting.
    pub index: bool,
    /// The default, when the spec gives one.
    pub default: Option<DefaultValue>,
    /// The lower bound (value or length).
    pub min: Option<serde_json::Number>,
    /// The lower bound as a Rust `f64` literal, for the generated checks.
    pub rust_min: Option<String>,
    /// The upper bound as a Rust `f64` literal.
    pub rust_max: Option<String>,
    /// The upper bound (value or length).
    pub max: Option<serde_json::Number>,
    /// The allowed values of an enum.
    pub values: Vec<String>,
    /// Where a ref points.
    pub reference: Option<Reference>,
    /// The snake_case name the field had before, when the spec says it was
    /// renamed.
    pub renamed_from: Option<String>,
}

/// A default value, in the forms the output needs.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct DefaultValue {
    /// As written in the spec.
    pub json: serde_json::Value,
    /// As an SQL expression.
    pub sql: String,
    /// As a TypeScript literal, when a JavaScript value holds it exactly (a
    /// bigint beyond 2^53 does not) and is known before insert (`today` and
    /// `now` are not).
    pub ts: Option<String>,
}

/// The target of a ref field.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Reference {
    /// The target entity's position in [`Model::entities`].
    pub entity_index: usize,
    /// The target's table, as its `Record::TABLE` names it.
    pub table: String,
    /// What happens when the target is deleted.
    pub on_delete: OnDelete,
}

impl Entity {
    /// The references its records can't be stored without.
    pub fn required_references(&self) -> impl Iterator<Item = &Reference> {
        self.fields
            .iter()
            .filter(|field| field.required)
            .filter_map(|field| field.reference.as_ref())
    }
}

impl Model {
    /// Positions of the entities of `scope`, in [`Model::creation_order`].
    pub fn creation_order_of(&self, scope: Scope) -> impl Iterator<Item = usize> + '_ {
        self.creation_order
            .iter()
            .copied()
            .filter(move |&idx| self.entities[idx].scope == scope)
    }

    /// Tenant-scoped entities, in spec order.
    pub fn tenant_entities(&self) -> impl Iterator<Item = &Entity> {
        self.entities.iter().filter(|entity| entity.tenant_scoped)
    }

    /// Global entities, in spec order.
    pub fn global_entities(&self) -> impl Iterator<Item = &Entity> {
        self.entities.iter().filter(|entity| !entity.tenant_scoped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_words_are_listed_sorted() {
        for names in [
            Isolation::NAMES,
            Scope::NAMES,
            OnDelete::NAMES,
            FieldType::NAMES,
            Action::NAMES,
        ] {
            assert!(names.windows(2).all(|pair| pair[0] < pair[1]), "{names:?}");
        }
    }
}
