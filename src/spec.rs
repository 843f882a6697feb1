//! The raw spec: serde types that mirror the YAML file and nothing more.
//!
//! Every value keeps the byte range it came from, so that validation can
//! point at it. Unknown keys are not a hard deserialization error: they are
//! collected here and reported by validation together with every other
//! problem, because serde stops at the first error and a spec author wants
//! to see all of them at once.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::diagnostic::{Code, Problem, Span};

/// A value together with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// The deserialized value.
    pub value: T,
    /// Where the value was written (where it was referenced, for aliases).
    pub span: Span,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
        let span = spanned.referenced.span();
        let to_usize = |n: Option<u64>| n.and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
        Ok(Located {
            value: spanned.value,
            span: Span {
                offset: to_usize(span.byte_offset()),
                len: to_usize(span.byte_len()),
            },
        })
    }
}

impl<T: JsonSchema> JsonSchema for Located<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

/// A YAML mapping whose order is kept (entities and fields are output in
/// the order they were written).
#[derive(Debug, Clone, PartialEq)]
pub struct RawMap<V>(pub Vec<(Located<String>, V)>);

impl<V> Default for RawMap<V> {
    fn default() -> Self {
        RawMap(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for RawMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = RawMap<V>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of names")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Located<String>>()? {
                    entries.push((key, map.next_value()?));
                }
                Ok(RawMap(entries))
            }
        }

        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

impl<V: JsonSchema> JsonSchema for RawMap<V> {
    fn schema_name() -> Cow<'static, str> {
        format!("Map_of_{}", V::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "additionalProperties": generator.subschema_for::<V>(),
        })
    }
}

/// Declares a raw mapping type: every key is optional at this level (missing
/// keys are validation problems, reported with the others), and keys that
/// are not declared are collected into `unknown_keys`.
macro_rules! raw_mapping {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$field_meta:meta])*
                $key:literal => $field:ident: $ty:ty,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, JsonSchema)]
        #[schemars(deny_unknown_fields)]
        pub struct $name {
            $(
                $(#[$field_meta])*
                #[schemars(rename = $key)]
                pub $field: Option<$ty>,
            )*
            /// Keys that this mapping does not know, in the order written.
            #[schemars(skip)]
            pub unknown_keys: Vec<Located<String>>,
        }

        impl $name {
            /// The keys this mapping accepts, in declaration order.
            pub const KEYS: &'static [&'static str] = &[$($key),*];
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct MappingVisitor;

                impl<'de> Visitor<'de> for MappingVisitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("a mapping")
                    }

                    fn visit_map<A: MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<Self::Value, A::Error> {
                        let mut out = $name::default();
                        while let Some(key) = map.next_key::<Located<String>>()? {
                            match key.value.as_str() {
                                $($key => out.$field = Some(map.next_value()?),)*
                                _ => {
                                    map.next_value::<IgnoredAny>()?;
                                    out.unknown_keys.push(key);
                                }
                            }
                        }
                        Ok(out)
                    }
                }

                deserializer.deserialize_map(MappingVisitor)
            }
        }
    };
}

raw_mapping! {
    /// A tenantgen spec: one multi-tenant application.
    pub struct RawSpec {
        /// Application name: lowercase letters, digits and underscores, starting with a
        /// letter, at most 40 characters. Crate, database and package names derive from it.
        #[schemars(required, regex(pattern = r"^[a-z][a-z0-9_]*$"), length(max = 40))]
        "app" => app: Located<String>,
        /// Display name shown in the UI and README.
        "title" => title: Located<String>,
        /// How tenants are isolated: pool (shared tables and row-level security),
        /// bridge (a schema per tenant) or silo (a database per tenant).
        #[schemars(required, schema_with = "isolation_schema")]
        "isolation" => isolation: Located<String>,
        /// What a tenant is called in the API and UI (default "tenant").
        #[schemars(regex(pattern = r"^[a-z][a-z0-9_]*$"))]
        "tenant" => tenant: Located<String>,
        /// Roles, at least one; the first goes to the user who signs a tenant up.
        #[schemars(required, length(min = 1))]
        "roles" => roles: Located<Vec<Located<String>>>,
        /// Entities, at least one, in the order they appear everywhere in the output.
        #[schemars(required)]
        "entities" => entities: Located<RawMap<Located<RawEntity>>>,
    }
}

raw_mapping! {
    /// One entity: a table, its API routes and its pages.
    pub struct RawEntity {
        /// Fields, at least one. id, created_at, updated_at and (for tenant entities)
        /// tenant_id are implicit.
        #[schemars(required)]
        "fields" => fields: Located<RawMap<Located<RawField>>>,
        /// Which roles may do what; an action left out may be done by every role.
        "permissions" => permissions: Located<RawPermissions>,
        /// tenant (default): rows belong to one tenant. global: shared by all tenants,
        /// read-only to them.
        #[schemars(schema_with = "scope_schema")]
        "scope" => scope: Located<String>,
        /// Display name (default: the entity name in words).
        "label" => label: Located<String>,
        /// Overrides the English plural used in table names, routes and the UI.
        #[schemars(regex(pattern = r"^[A-Za-z][A-Za-z0-9_]*$"))]
        "plural" => plural: Located<String>,
        /// The entity's previous name: `gen update` renames its table, keeping the rows,
        /// instead of dropping it and creating another. Harmless to leave in afterwards.
        #[schemars(regex(pattern = r"^[A-Za-z][A-Za-z0-9_]*$"))]
        "renamed_from" => renamed_from: Located<String>,
    }
}

raw_mapping! {
    /// The roles allowed to perform each action on an entity.
    pub struct RawPermissions {
        /// Roles that may list and read records.
        "read" => read: Located<Vec<Located<String>>>,
        /// Roles that may create records.
        "create" => create: Located<Vec<Located<String>>>,
        /// Roles that may change records.
        "update" => update: Located<Vec<Located<String>>>,
        /// Roles that may delete records.
        "delete" => delete: Located<Vec<Located<String>>>,
    }
}

raw_mapping! {
    /// A field written out in full.
    pub struct RawFieldDef {
        /// The field type.
        #[schemars(required, schema_with = "field_type_schema")]
        "type" => field_type: Located<String>,
        /// The field must have a value (NOT NULL).
        #[schemars(with = "Option<bool>")]
        "required" => required: Located<serde_json::Value>,
        /// No two records of a tenant share a value.
        #[schemars(with = "Option<bool>")]
        "unique" => unique: Located<serde_json::Value>,
        /// The value used when none is given; must fit the type.
        "default" => default: Located<serde_json::Value>,
        /// Lower bound: the smallest number, or for string and text the shortest length.
        #[schemars(with = "Option<f64>")]
        "min" => min: Located<serde_json::Value>,
        /// Upper bound: the largest number, or for string and text the longest length.
        #[schemars(with = "Option<f64>")]
        "max" => max: Located<serde_json::Value>,
        /// The allowed values of an enum field.
        "values" => values: Located<Vec<Located<String>>>,
        /// The entity a ref field points to.
        "to" => to: Located<String>,
        /// What happens to this record when the one it refers to is deleted.
        #[schemars(schema_with = "on_delete_schema")]
        "on_delete" => on_delete: Located<String>,
        /// Add an index (leading with tenant_id) for filtering and sorting by this field.
        #[schemars(with = "Option<bool>")]
        "index" => index: Located<serde_json::Value>,
        /// Display name (default: the field name in words).
        "label" => label: Located<String>,
        /// The field's previous name: `gen update` renames its column, keeping the values,
        /// instead of dropping it and adding another. Harmless to leave in afterwards.
        #[schemars(regex(pattern = r"^[A-Za-z][A-Za-z0-9_]*$"))]
        "renamed_from" => renamed_from: Located<String>,
    }
}

/// A field: either just its type (`notes: text`) or its full definition.
#[derive(Debug, Clone, PartialEq)]
pub enum RawField {
    /// The shorthand form: only the type name.
    Shorthand(String),
    /// The full form.
    Definition(Box<RawFieldDef>),
    /// A key with nothing after it (`notes:`).
    Empty,
}

impl<'de> Deserialize<'de> for RawField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldVisitor;

        impl<'de> Visitor<'de> for FieldVisitor {
            type Value = RawField;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a type name or a mapping of field options")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
                Ok(RawField::Shorthand(value.to_owned()))
            }

            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(RawField::Empty)
            }

            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(RawField::Empty)
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                RawFieldDef::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|def| RawField::Definition(Box::new(def)))
            }
        }

        deserializer.deserialize_any(FieldVisitor)
    }
}

impl JsonSchema for RawField {
    fn schema_name() -> Cow<'static, str> {
        "Field".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A field: its type name, or a mapping with `type` and options.",
            "anyOf": [
                field_type_schema(generator),
                generator.subschema_for::<RawFieldDef>(),
            ],
        })
    }
}

/// The spec's closed sets of names. Their names belong to the validated
/// model, which this raw layer does not know: the derived schema marks where
/// each one goes, and [`crate::schema`] fills it in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClosedSet {
    /// A field's `type`.
    FieldType,
    /// The spec's `isolation`.
    Isolation,
    /// An entity's `scope`.
    Scope,
    /// A reference's `on_delete`.
    OnDelete,
}

impl ClosedSet {
    const ALL: [ClosedSet; 4] = [
        ClosedSet::FieldType,
        ClosedSet::Isolation,
        ClosedSet::Scope,
        ClosedSet::OnDelete,
    ];

    /// The key that marks a closed set in the derived schema.
    pub const MARKER: &str = "x-tenantgen-closed-set";

    fn key(self) -> &'static str {
        match self {
            ClosedSet::FieldType => "field_type",
            ClosedSet::Isolation => "isolation",
            ClosedSet::Scope => "scope",
            ClosedSet::OnDelete => "on_delete",
        }
    }

    /// The set a marker names.
    pub fn from_key(key: &str) -> Option<ClosedSet> {
        ClosedSet::ALL.into_iter().find(|set| set.key() == key)
    }

    fn marker(self) -> Schema {
        json_schema!({ "type": "string", ClosedSet::MARKER: self.key() })
    }
}

fn field_type_schema(_: &mut SchemaGenerator) -> Schema {
    ClosedSet::FieldType.marker()
}

fn isolation_schema(_: &mut SchemaGenerator) -> Schema {
    ClosedSet::Isolation.marker()
}

fn scope_schema(_: &mut SchemaGenerator) -> Schema {
    ClosedSet::Scope.marker()
}

fn on_delete_schema(_: &mut SchemaGenerator) -> Schema {
    ClosedSet::OnDelete.marker()
}

/// Parses spec text into the raw types. YAML errors (syntax, a wrong kind of
/// value) stop parsing, so they come back as a single problem.
pub fn parse(source: &str) -> Result<Located<RawSpec>, Problem> {
    if is_blank(source) {
        return Err(Problem::new(
            Code::EmptySpec,
            Span::default(),
            "the spec is empty",
            "expected a mapping here",
        )
        .with_help("run `gen init` for a commented starter spec"));
    }
    serde_saphyr::from_str::<Located<RawSpec>>(source).map_err(|err| {
        let (code, message, help) = describe_yaml_error(&err);
        let span = err.location().map_or(Span::default(), |location| {
            let span = location.span();
            match span
                .byte_offset()
                .and_then(|offset| usize::try_from(offset).ok())
            {
                Some(offset) => Span {
                    offset: offset.min(source.len()),
                    len: span
                        .byte_len()
                        .and_then(|len| usize::try_from(len).ok())
                        .unwrap_or(0),
                },
                None => Span {
                    offset: offset_of(source, location.line(), location.column()),
                    len: 0,
                },
            }
        });
        let problem = Problem::new(code, span, message, "").with_help(help);
        match &err.without_snippet() {
            serde_saphyr::Error::DuplicateMappingKey { key: Some(key), .. } => {
                match first_copy(source, span, key) {
                    Some(first) => problem.with_secondary(first, "first written here"),
                    None => problem,
                }
            }
            _ => problem,
        }
    })
}

/// Where the key at `again`, written twice in a block mapping, was first
/// written: the nearest line above at the same indentation that starts
/// with it, before the mapping ends (a line indented less).
fn first_copy(source: &str, again: Span, key: &str) -> Option<Span> {
    let line_start = source
        .get(..again.offset)?
        .rfind('\n')
        .map_or(0, |idx| idx + 1);
    let indent = again.offset - line_start;
    let mut end = line_start;
    while end > 0 {
        let start = source[..end - 1].rfind('\n').map_or(0, |idx| idx + 1);
        let line = &source[start..end - 1];
        end = start;
        let content = line.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let this_indent = line.len() - content.len();
        if this_indent < indent {
            return None;
        }
        let written = content
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with(':'));
        if this_indent == indent && written {
            return Some(Span {
                offset: start + this_indent,
                len: key.len(),
            });
        }
    }
    None
}

/// A message and a hint for an error that stopped YAML parsing.
fn describe_yaml_error(err: &serde_saphyr::Error) -> (Code, String, &'static str) {
    use serde_saphyr::MessageFormatter as _;
    let err = err.without_snippet();
    let wrong_kind = "each key takes one kind of value; `gen schema` prints the spec format";
    match err {
        serde_saphyr::Error::Unexpected { expected, .. } => {
            let message = match *expected {
                "sequence start" => "expected a list here, like `[a, b]`".to_owned(),
                "mapping start" => "expected a mapping of keys here".to_owned(),
                "string scalar" => {
                    "expected a single value here, not a list or a mapping".to_owned()
                }
                other => format!("expected {other} here"),
            };
            (Code::Yaml, message, wrong_kind)
        }
        serde_saphyr::Error::DuplicateMappingKey { key, .. } => (
            Code::DuplicateKey,
            match key {
                Some(key) => format!("the key `{key}` is written twice in the same mapping"),
                None => "a key is written twice in the same mapping".to_owned(),
            },
            "keep one of them; a later copy would silently replace the first",
        ),
        serde_saphyr::Error::ExternalMessage { .. } => (
            Code::Yaml,
            format!(
                "invalid YAML: {}",
                serde_saphyr::UserMessageFormatter.format_message(err)
            ),
            "check the brackets, quotes and indentation on this line and the lines above",
        ),
        _ => (
            Code::Yaml,
            lowercase_first(&serde_saphyr::UserMessageFormatter.format_message(err)),
            "`gen schema` prints the spec format; `gen init` writes a commented example",
        ),
    }
}

/// Whether the text has no YAML content: only blank lines, comments and
/// document markers.
fn is_blank(source: &str) -> bool {
    source
        .lines()
        .map(str::trim)
        .all(|line| line.is_empty() || line.starts_with('#') || line == "---" || line == "...")
}

/// The byte offset of a 1-based line and character column.
fn offset_of(source: &str, line: u64, column: u64) -> usize {
    let mut offset = 0;
    for (idx, text) in source.split_inclusive('\n').enumerate() {
        if idx as u64 + 1 == line {
            let skip = usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX);
            return offset
                + text
                    .char_indices()
                    .nth(skip)
                    .map_or(text.len(), |(at, _)| at);
        }
        offset += text.len();
    }
    source.len()
}

/// Lowercases a message's first letter, unless it starts an acronym (`YAML`).
fn lowercase_first(message: &str) -> String {
    let mut chars = message.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if !second.is_uppercase() => first
            .to_lowercase()
            .chain(std::iter::once(second))
            .chain(chars)
            .collect(),
        _ => message.to_owned(),
    }
}
