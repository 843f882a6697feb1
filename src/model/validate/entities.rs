//! Entities: their names and plurals, their fields taken together, and
//! their permissions.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Problem};
use crate::model::names;
use crate::model::{Action, Noun, Permissions, Role, Scope};
use crate::spec::{Located, RawEntity, RawMap, RawPermissions};

use super::identifiers::{sorted, suggesting};
use super::{Checker, EntityDraft, RESERVED_PAGES, RESERVED_ROUTES};

impl Checker {
    pub(super) fn entities<'a>(
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

    pub(super) fn permissions(
        &mut self,
        draft: &EntityDraft<'_>,
        roles: &[Role],
    ) -> Option<Permissions> {
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
                    let problem = Problem::new(
                        Code::UnknownRole,
                        role.span,
                        format!("{what} name unknown role `{}`", role.value),
                        "not in `roles`",
                    );
                    let known = format!(
                        "roles: {}",
                        sorted(all.iter().map(String::as_str)).join(", ")
                    );
                    checker.report(suggesting(
                        problem,
                        &role.value,
                        all.iter().map(String::as_str),
                        known,
                    ));
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
}

/// The roles with these names, in the order given; the names are known.
fn roles_named(roles: &[Role], names: &[String]) -> Vec<Role> {
    names
        .iter()
        .filter_map(|name| roles.iter().find(|role| role.name == *name).cloned())
        .collect()
}
