//! What the generated API tests expect of each role: worked out here, from
//! the spec's permissions, so that the template only lays the answers out.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Entity, Model, Role};

/// The status a request is expected to get, named as `axum`'s `StatusCode`
/// constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// 200.
    Ok,
    /// 201.
    Created,
    /// 204.
    NoContent,
    /// 403: the role may not.
    Forbidden,
    /// 404: the role may, but there is nothing to act on.
    NotFound,
    /// 422: the role may create, but no valid record can be sent.
    UnprocessableEntity,
}

/// What one role gets on one entity's routes, acting on a record of its own
/// tenant (or, where no client can create one, on a missing record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleExpectation {
    /// The role.
    pub role: String,
    /// `GET` of the list.
    pub lists: Status,
    /// `POST`.
    pub creates: Status,
    /// `GET` of one record.
    pub reads: Status,
    /// `PATCH`.
    pub updates: Status,
    /// `DELETE`.
    pub deletes: Status,
}

/// Every tenant entity's role matrix, keyed by the entity's plural name.
pub fn role_matrices(model: &Model) -> BTreeMap<String, Vec<RoleExpectation>> {
    model
        .entities
        .iter()
        .filter(|entity| entity.tenant_scoped)
        .map(|entity| (entity.names.plural.clone(), role_matrix(model, entity)))
        .collect()
}

fn role_matrix(model: &Model, entity: &Entity) -> Vec<RoleExpectation> {
    let may = |roles: &[Role], role: &Role| roles.iter().any(|allowed| allowed.name == role.name);
    // With a record to act on, an allowed action succeeds; without one, it
    // gets as far as finding nothing (or a body that can't be valid).
    let (created, done, deleted) = if entity.api_creatable {
        (Status::Created, Status::Ok, Status::NoContent)
    } else {
        (
            Status::UnprocessableEntity,
            Status::NotFound,
            Status::NotFound,
        )
    };
    let status = |allowed: bool, success: Status| {
        if allowed { success } else { Status::Forbidden }
    };
    let permissions = &entity.permissions;
    model
        .roles
        .iter()
        .map(|role| RoleExpectation {
            role: role.name.clone(),
            lists: status(may(&permissions.read, role), Status::Ok),
            creates: status(may(&permissions.create, role), created),
            reads: status(may(&permissions.read, role), done),
            updates: status(may(&permissions.update, role), done),
            deletes: status(may(&permissions.delete, role), deleted),
        })
        .collect()
}
