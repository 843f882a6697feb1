//! One field: its type, its options, its bounds and enum values.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Problem};
use crate::model::names;
use crate::model::{Field, FieldType, OnDelete, SettledField, number_value};
use crate::spec::{Located, RawField, RawFieldDef, RawMap};

use super::defaults::is_exact;
use super::{Checker, FieldDraft, IMPLICIT_COLUMNS, SYSTEM_COLUMNS};

impl Checker {
    pub(super) fn fields<'a>(
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

    pub(super) fn field<'a>(
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
        let field = Field::new(SettledField {
            entity_type: names::rust_type(&names::pascal(&names::snake(&entity.value))),
            name: snake.to_owned(),
            field_type,
            required,
            unique,
            index,
            default,
            min: min.map(|bound| bound.value),
            max: max.map(|bound| bound.value),
            values,
            label,
            renamed_from: self.renamed_from(def.renamed_from.as_ref(), snake, "field"),
        });
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
        let mut variants = BTreeMap::new();
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
            let variant = names::rust_variant(name);
            if let Some((first, first_span)) = variants.get(&variant) {
                self.report(
                    Problem::new(
                        Code::NameCollision,
                        value.span,
                        format!(
                            "values `{first}` and `{name}` of {what} both become the Rust variant `{variant}`"
                        ),
                        "variant already taken",
                    )
                    .with_secondary(*first_span, "the first")
                    .with_help("rename one of them"),
                );
                continue;
            }
            variants.insert(variant, (name.to_owned(), value.span));
            seen.insert(name.to_owned(), value.span);
            out.push(name.to_owned());
        }
        (self.problems.len() == before).then_some(out)
    }
}

/// How many fields a list shows besides the record's name.
const LISTED_FIELDS: usize = 4;

/// Marks the fields a list shows: the first few whose values fit in a cell
/// (long text and JSON don't).
pub(super) fn mark_listed(fields: &mut [Field]) {
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
pub(super) fn label_field(fields: &[Field]) -> Option<&Field> {
    let short_text =
        |field: &&Field| matches!(field.field_type, FieldType::String | FieldType::Email);
    fields
        .iter()
        .filter(short_text)
        .find(|field| field.required)
        .or_else(|| fields.iter().find(short_text))
}
