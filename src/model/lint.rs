//! Warnings: a spec that is valid, but does something its author may not
//! expect. They are reported, and the spec still generates.

use crate::diagnostic::{Code, Problem};
use crate::model::{Model, OnDelete};
use crate::spec::{Located, RawField, RawSpec};

use super::names;

/// Every warning about `model`, located in the spec it was built from.
pub fn warnings(raw: &Located<RawSpec>, model: &Model) -> Vec<Problem> {
    let mut problems = Vec::new();
    let Some(entities) = &raw.value.entities else {
        return problems;
    };
    for (entity_key, raw_entity) in &entities.value.0 {
        let Some(child) = model
            .entities
            .iter()
            .find(|entity| entity.names.singular == names::snake(&entity_key.value))
        else {
            continue;
        };
        let Some(fields) = &raw_entity.value.fields else {
            continue;
        };
        for (field_key, raw_field) in &fields.value.0 {
            let RawField::Definition(definition) = &raw_field.value else {
                continue;
            };
            let Some(on_delete) = &definition.on_delete else {
                continue;
            };
            let reference = child
                .fields
                .iter()
                .find(|field| field.name == names::snake(&field_key.value))
                .and_then(|field| field.reference.as_ref())
                .filter(|reference| reference.on_delete == OnDelete::Cascade);
            let Some(reference) = reference else {
                continue;
            };
            let parent = &model.entities[reference.entity_index];
            let unwitting: Vec<&str> = parent
                .permissions
                .delete
                .iter()
                .filter(|role| {
                    !child
                        .permissions
                        .delete
                        .iter()
                        .any(|own| own.name == role.name)
                })
                .map(|role| role.name.as_str())
                .collect();
            if unwitting.is_empty() {
                continue;
            }
            let roles = unwitting
                .iter()
                .map(|role| format!("`{role}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let who = if unwitting.len() == 1 {
                "role"
            } else {
                "roles"
            };
            problems.push(
                Problem::warning(Code::CascadePastPermission,
                    on_delete.span,
                    format!(
                        "deleting `{}` records also deletes their `{}` records, which {who} {roles} may not delete",
                        parent.names.singular, child.names.singular
                    ),
                    format!("a deleted `{}` takes its `{}` records with it", parent.names.singular, child.names.singular),
                )
                .with_help(format!(
                    "if that is meant, give {roles} `delete` on `{child}` too; otherwise `on_delete: restrict` keeps `{parent}` records that still have `{child}` records from being deleted, and `set_null` keeps the `{child}` records",
                    child = child.names.singular,
                    parent = parent.names.singular,
                )),
            );
        }
    }
    problems
}
