//! What the generated browser test does with this spec: which record it
//! creates through the forms, with what a person would type into each
//! field, and which role it checks is offered no create button.

use serde::Serialize;

use crate::model::{Entity, Field, FieldType, Model, Widget};

/// The browser test's part of the context of `web/e2e/tenants.spec.ts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrowserTest {
    /// The record the first tenant creates, when its first role may create
    /// any.
    pub record: Option<RecordCase>,
    /// A role that may read an entity's records but not create them.
    pub read_only: Option<ReadOnlyCase>,
}

/// A record made through the create form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordCase {
    /// The entity's position in the model.
    pub entity: usize,
    /// What goes into each field, in form order.
    pub inputs: Vec<FormInput>,
    /// A field the API reports as required when the form is sent empty.
    pub required_field: Option<String>,
    /// What the record is called on its page (its label field's value).
    pub name: Option<String>,
    /// A new name typed into the edit form, when the first role may update.
    pub rename: Option<FormInput>,
    /// Whether the first role may delete it.
    pub deletable: bool,
}

/// One field of the form, and how a person fills it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormInput {
    /// The field's label, which the test finds it by.
    pub label: String,
    /// How it is filled in.
    pub action: InputAction,
    /// What is typed or chosen (empty for `check` and `choose_first`).
    pub value: String,
}

/// How the test fills in one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputAction {
    /// Types `value`.
    Fill,
    /// Ticks the checkbox.
    Check,
    /// Chooses the option whose value is `value`.
    Select,
    /// Chooses the first record a reference offers.
    ChooseFirst,
}

/// A role that sees an entity's records but is not offered to create one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadOnlyCase {
    /// The role's name.
    pub role: String,
    /// The entity's position in the model.
    pub entity: usize,
}

/// Plans the browser test for `model`.
pub fn browser_test(model: &Model) -> BrowserTest {
    let first_role = &model.roles[0].name;
    let may = |roles: &[crate::model::Role]| roles.iter().any(|role| &role.name == first_role);
    // The test starts from an empty tenant, so the record must need no
    // other tenant record to exist.
    let record = model
        .creation_order
        .iter()
        .map(|&idx| (idx, &model.entities[idx]))
        .find(|(_, entity)| {
            entity.api_creatable
                && may(&entity.permissions.create)
                && !requires_a_tenant_record(model, entity)
        })
        .map(|(idx, entity)| {
            let mut case = record_case(model, idx, entity);
            if !may(&entity.permissions.update) {
                case.rename = None;
            }
            case.deletable = may(&entity.permissions.delete);
            case
        });
    let read_only = model.roles.iter().skip(1).find_map(|role| {
        model
            .entities
            .iter()
            .position(|entity| {
                let has = |roles: &[crate::model::Role]| roles.iter().any(|r| r.name == role.name);
                entity.tenant_scoped
                    && has(&entity.permissions.read)
                    && !has(&entity.permissions.create)
            })
            .map(|entity| ReadOnlyCase {
                role: role.name.clone(),
                entity,
            })
    });
    BrowserTest { record, read_only }
}

fn requires_a_tenant_record(model: &Model, entity: &Entity) -> bool {
    entity
        .required_references()
        .any(|reference| model.entities[reference.entity_index].tenant_scoped)
}

fn record_case(model: &Model, idx: usize, entity: &Entity) -> RecordCase {
    let inputs = entity
        .fields
        .iter()
        .filter_map(|field| form_input(model, field))
        .collect();
    let required_field = entity
        .fields
        .iter()
        .find(|field| field.required && field.default.is_none() && field.widget != Widget::Checkbox)
        .map(|field| field.name.clone());
    let label_field = entity
        .label_field
        .as_ref()
        .and_then(|label| entity.fields.iter().find(|field| &field.name == label));
    RecordCase {
        entity: idx,
        inputs,
        required_field,
        name: label_field.map(|field| sample_text(field, "Browser test")),
        rename: label_field.map(|field| FormInput {
            label: field.label.clone(),
            action: InputAction::Fill,
            value: sample_text(field, "Renamed"),
        }),
        deletable: false,
    }
}

/// How a person fills in `field` with a value the spec accepts; `None` for
/// a reference that may stay empty (its target may have no records).
fn form_input(model: &Model, field: &Field) -> Option<FormInput> {
    let input = |action, value: &str| FormInput {
        label: field.label.clone(),
        action,
        value: value.to_owned(),
    };
    Some(match field.widget {
        Widget::Text | Widget::Textarea | Widget::Email | Widget::Url => {
            input(InputAction::Fill, &sample_text(field, "Browser test"))
        }
        Widget::Uuid => input(InputAction::Fill, "6f1c2a5e-3b7d-4c1e-9a2f-0d8e4b6c1a57"),
        Widget::Integer | Widget::Float | Widget::Decimal => {
            input(InputAction::Fill, &sample_number(field))
        }
        Widget::Checkbox => input(InputAction::Check, ""),
        Widget::YesNo => input(InputAction::Select, "true"),
        // The last value, so a default (often the first) is really changed.
        Widget::Select => input(InputAction::Select, field.values.last()?),
        Widget::Date => input(InputAction::Fill, "2024-01-31"),
        Widget::Datetime => input(InputAction::Fill, "2024-01-31T09:30"),
        Widget::Json => input(InputAction::Fill, r#"{"source": "browser test"}"#),
        Widget::Reference => {
            let target = &model.entities[field.reference.as_ref()?.entity_index];
            // A shared record the test seeds, or a required reference, which
            // creation order guarantees has a target; else leave it empty.
            if field.required || !target.tenant_scoped {
                input(InputAction::ChooseFirst, "")
            } else {
                return None;
            }
        }
    })
}

/// Text of a length between the field's bounds, in the shape its type
/// needs, made from `words`.
fn sample_text(field: &Field, words: &str) -> String {
    let bound = |number: &Option<serde_json::Number>| {
        number
            .as_ref()
            .and_then(serde_json::Number::as_f64)
            .map(|n| n as usize)
    };
    let (min, max) = (bound(&field.min).unwrap_or(1), bound(&field.max));
    let slug = words.to_lowercase().replace(' ', "-");
    let (prefix, base, suffix) = match field.field_type {
        FieldType::Email => ("", slug.as_str(), "@example.com"),
        FieldType::Url => ("https://example.com/", slug.as_str(), ""),
        _ => ("", words, ""),
    };
    let fixed = prefix.len() + suffix.len();
    let mut middle = base.to_owned();
    while fixed + middle.len() < min {
        middle.push('x');
    }
    if let Some(max) = max {
        middle.truncate(max.saturating_sub(fixed).max(1));
    }
    format!("{prefix}{middle}{suffix}")
}

/// A number within the field's bounds: 7 when that fits, else the nearest
/// bound.
fn sample_number(field: &Field) -> String {
    let min = field.min.as_ref().and_then(serde_json::Number::as_f64);
    let max = field.max.as_ref().and_then(serde_json::Number::as_f64);
    let mut value = 7.0_f64;
    if let Some(min) = min {
        value = value.max(min);
    }
    if let Some(max) = max {
        value = value.min(max);
    }
    if field.field_type == FieldType::Integer || field.field_type == FieldType::Bigint {
        value = value.ceil();
        if max.is_some_and(|max| value > max) {
            value -= 1.0;
        }
    }
    format!("{value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(yaml: &str) -> Model {
        crate::load("spec.yaml", yaml).expect("a valid spec")
    }

    #[test]
    fn text_fits_its_length_bounds() {
        let model = model(
            "app: a\nisolation: pool\nroles: [owner]\nentities:\n  thing:\n    fields:\n      \
             short: { type: string, max: 3 }\n      long: { type: string, min: 20 }\n      \
             mail: { type: email, min: 30 }\n",
        );
        let texts: Vec<String> = model.entities[0]
            .fields
            .iter()
            .map(|field| sample_text(field, "Browser test"))
            .collect();
        assert_eq!(texts[0], "Bro");
        assert!(texts[1].len() >= 20, "{}", texts[1]);
        assert!(
            texts[2].len() >= 30 && texts[2].ends_with("@example.com"),
            "{}",
            texts[2]
        );
    }

    #[test]
    fn numbers_fit_their_bounds() {
        let model = model(
            "app: a\nisolation: pool\nroles: [owner]\nentities:\n  thing:\n    fields:\n      \
             a: { type: integer, min: 10 }\n      b: { type: integer, max: 3 }\n      \
             c: { type: float, min: 0.5, max: 0.75 }\n      d: integer\n",
        );
        let numbers: Vec<String> = model.entities[0].fields.iter().map(sample_number).collect();
        assert_eq!(numbers, ["10", "3", "0.75", "7"]);
    }

    #[test]
    fn the_read_only_role_reads_but_may_not_create() {
        let model = model(
            "app: a\nisolation: pool\nroles: [owner, viewer]\nentities:\n  thing:\n    fields:\n      \
             name: string\n    permissions:\n      read: [owner, viewer]\n      create: [owner]\n",
        );
        let plan = browser_test(&model);
        assert_eq!(
            plan.read_only,
            Some(ReadOnlyCase {
                role: "viewer".to_owned(),
                entity: 0
            })
        );
        assert_eq!(plan.record.map(|record| record.entity), Some(0));
    }
}
