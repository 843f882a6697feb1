//! What the generated API tests need to know of each tenant entity, worked
//! out here so that the template only lays it out: the tests themselves
//! loop over the roles and the spec's permissions.

use serde::Serialize;

use crate::model::Model;

/// What the generated tests know of one tenant entity beyond the model:
/// the name of its table of facts, and which references to attack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityTests {
    /// The entity's index in the model.
    pub entity: usize,
    /// The name of its constant in `tests/api.rs` (`LINE_ITEMS`).
    pub constant: String,
    /// Whether some role may read it, so that reads across tenants can be
    /// tried.
    pub readable: bool,
    /// Its references to other tenant entities, each pointed at another
    /// tenant's record by the isolation test.
    pub references: Vec<ReferenceAttack>,
}

/// A reference whose target the isolation test makes in another tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferenceAttack {
    /// The field, as clients write it.
    pub field: String,
    /// The support function that makes a target record (`create_company`,
    /// or `insert_…` where no client can).
    pub make: String,
}

/// Every tenant entity's tests, in the spec's order.
pub fn entity_tests(model: &Model) -> Vec<EntityTests> {
    model
        .entities
        .iter()
        .enumerate()
        .filter(|(_, entity)| entity.tenant_scoped)
        .map(|(index, entity)| EntityTests {
            entity: index,
            constant: entity.names.plural.to_uppercase(),
            readable: !entity.permissions.read.is_empty(),
            references: entity
                .fields
                .iter()
                .filter_map(|field| {
                    let target = &model.entities[field.reference.as_ref()?.entity_index];
                    let verb = if target.api_creatable {
                        "create"
                    } else {
                        "insert"
                    };
                    target.tenant_scoped.then(|| ReferenceAttack {
                        field: field.name.clone(),
                        make: format!("{verb}_{}", target.names.singular),
                    })
                })
                .collect(),
        })
        .collect()
}
