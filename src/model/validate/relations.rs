//! What spans entities: references resolved to their targets, cycles of
//! required references, and the order records can be created in.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Code, Problem};
use crate::model::names::{self, SQL_IDENTIFIER_MAX_BYTES};
use crate::model::sql::{TargetInfo, build_table};
use crate::model::{Database, Entity, Isolation, Reference, Role, Scope};

use super::fields::{label_field, mark_listed};
use super::identifiers::{RelationName, sorted, suggesting};
use super::{Checker, EntityDraft, RequiredRef};

impl Checker {
    /// Cross-entity checks (refs, permissions, name lengths), then the entities.
    pub(super) fn finish_entities(
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
        let mut relation_names: Vec<RelationName> = Vec::new();
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
                        let problem = Problem::new(
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
                        let problem =
                            suggesting(problem, &to.value, entity_names.iter().copied(), known);
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
                        table: targets[entity_index].table.to_owned(),
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
            let in_control_schema = isolation != Isolation::Pool && draft.scope == Scope::Global;
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
                    relation_names.push(RelationName {
                        in_control_schema,
                        name: name.name,
                        span,
                        owner,
                    });
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
}

/// Entity positions with the targets of required references first; cycles
/// were rejected, so every entity finds its place.
pub(super) fn creation_order(entities: &[Entity]) -> Vec<usize> {
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
pub(super) fn mark_api_creatable(entities: &mut [Entity], creation_order: &[usize]) {
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
