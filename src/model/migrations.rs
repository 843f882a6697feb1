//! Migration sets: which migrations are applied together, to which
//! database or schema, and where they live in a project.

use super::{Isolation, Scope};

/// A sequence of migrations applied together, in lexical order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationSet {
    /// Pool mode's only set: everything in one database.
    Pool,
    /// Bridge and silo: tenants, users, memberships and global entities.
    Control,
    /// Bridge and silo: applied to each tenant's schema or database.
    Tenant,
}

/// Whether `path` is a migration: migrations are append-only, so tools that
/// rewrite generated files must never rewrite one.
pub fn is_migration(path: &str) -> bool {
    path.starts_with("migrations/") && path.ends_with(".sql")
}

impl MigrationSet {
    /// The set the table of an entity of `scope` is created in.
    pub fn of(isolation: Isolation, scope: Scope) -> Self {
        match (isolation, scope) {
            (Isolation::Pool, _) => MigrationSet::Pool,
            (_, Scope::Global) => MigrationSet::Control,
            (_, Scope::Tenant) => MigrationSet::Tenant,
        }
    }

    /// Whether a migration of this set switches to the owner role itself.
    /// Bridge tenant migrations don't: the control catalog's
    /// `migrate_tenant` function applies them, already as the owner, and a
    /// security-definer function may not change roles.
    pub fn sets_role(self, isolation: Isolation) -> bool {
        !(isolation == Isolation::Bridge && self == MigrationSet::Tenant)
    }

    /// Whether the migration at `path` belongs to this set.
    pub fn contains(self, path: &str) -> bool {
        is_migration(path)
            && path
                .strip_prefix(self.directory())
                .and_then(|rest| rest.strip_prefix('/'))
                .is_some_and(|name| !name.contains('/'))
    }

    /// The folder of the set's migrations, relative to the project.
    pub fn directory(self) -> &'static str {
        match self {
            MigrationSet::Pool => "migrations",
            MigrationSet::Control => "migrations/control",
            MigrationSet::Tenant => "migrations/tenant",
        }
    }
}
