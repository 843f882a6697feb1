//! Which files a project has, rendered from which template with which
//! context, and who owns them afterwards. Decided here, in typed Rust, so
//! that templates only lay out text.

mod api_tests;
mod browser_test;

use serde::Serialize;

pub use api_tests::{EntityTests, ReferenceAttack, entity_tests};
pub use browser_test::{
    BrowserTest, FormInput, InputAction, ReadOnlyCase, RecordCase, browser_test,
};

use crate::citus::{self, Distribution};
use crate::evolve::{Evolution, Step, TableChange};
use crate::model::{Entity, ForeignKey, Isolation, MigrationSet, Model, Scope, is_migration};

/// Who owns a file once it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WritePolicy {
    /// The generator owns it and may rewrite it; it says so in its header.
    Generated,
    /// A copy of the user's input (the spec).
    Copied,
    /// The user's from the start: written once, when missing, and never
    /// touched again (hooks, custom routes and pages).
    UserOwned,
}

/// Where a file's contents come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileSource {
    /// Rendered from a template.
    Template {
        /// The template's name under `templates/`.
        name: String,
        /// What the template gets as `file`, next to `model`.
        context: FileContext,
    },
    /// The spec file, byte for byte.
    Spec,
    /// The JSON Schema of the spec format, which `spec.yaml` points editors at.
    SpecSchema,
    /// The backend's `Cargo.lock`: the template holds every package of the
    /// pinned dependency tree; the project's own package is then moved to
    /// where its name sorts, as Cargo writes it, so `cargo build --locked`
    /// accepts the file as it is.
    CargoLock {
        /// The template's name under `templates/`.
        name: String,
    },
}

/// One file of the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    /// Path relative to the project root, `/`-separated, built only from
    /// validated names.
    pub path: String,
    /// Where its contents come from.
    pub source: FileSource,
    /// Who owns it.
    pub policy: WritePolicy,
}

/// The per-file part of a template's context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum FileContext {
    /// Files about the whole project.
    Project {},
    /// The API module of one entity.
    Entity {
        /// The entity's position in the model.
        entity: usize,
    },
    /// The user's own tests, seeded with one example.
    CustomTests {
        /// The entity the example creates and reads back, when a client can
        /// make a record of one that some role may read.
        example: Option<CustomTestExample>,
    },
    /// The API tests.
    ApiTests {
        /// Each tenant entity's role matrix and attacks.
        entities: Vec<EntityTests>,
        /// The first entity, in creation order, that a client can make a
        /// record of: the one the mode's isolation tests write.
        first_creatable: Option<usize>,
        /// The first tenant entity in creation order: the one the tests of
        /// a tenant behind the application request.
        first_tenant_entity: Option<usize>,
    },
    /// The web frontend's browser test, and the README that describes it.
    BrowserTest {
        /// What it does with this spec.
        test: BrowserTest,
    },
    /// The migration that creates an entity's table.
    EntityMigration {
        /// Whether that set is applied once per tenant schema or database.
        per_tenant: bool,
        /// Whether the file switches to the owner role itself (see
        /// [`MigrationSet::sets_role`]).
        sets_role: bool,
        /// The entity's position in the model.
        entity: usize,
        /// Foreign keys to be declared inside the CREATE TABLE: those whose
        /// target exists by the time this migration runs.
        inline_foreign_keys: Vec<ForeignKey>,
        /// Foreign keys of earlier tables that point at this one, added
        /// once this table exists.
        added_foreign_keys: Vec<AddedForeignKey>,
    },
    /// The tables `tenants export` and `tenants import` carry
    /// (`src/archive.rs`, `tests/archive.rs`).
    Archive {
        /// Every tenant entity's table, in the order import writes them.
        tables: Vec<ArchivedTable>,
    },
    /// How Citus would hold the pool database (`docs/citus.md`).
    Citus {
        /// Where each table goes, and what Citus would refuse.
        distribution: Distribution,
    },
    /// A migration appended by `gen update` for a spec change.
    ChangeMigration {
        /// Whether that set is applied once per tenant schema or database.
        per_tenant: bool,
        /// Whether the file switches to the owner role itself (as for
        /// [`FileContext::EntityMigration`]).
        sets_role: bool,
        /// The tables it touches.
        tables: Vec<TableChange>,
        /// Its statements, in order.
        steps: Vec<Step>,
    },
}

/// What the example in the user's own tests works on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomTestExample {
    /// The entity's position in the model.
    pub entity: usize,
    /// A role that may read it.
    pub reader: String,
}

/// A foreign key added to an existing table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddedForeignKey {
    /// The table that gets the key, as written in SQL.
    pub table: String,
    /// The key.
    pub foreign_key: ForeignKey,
}

/// A tenant entity's table as an archive carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArchivedTable {
    /// As written in SQL.
    pub table: String,
    /// Its primary key's columns, as PostgreSQL names them.
    pub key: Vec<String>,
    /// References that may point at a row written later (at a table later
    /// in the order, or at its own): written empty, and filled in once
    /// every table is in.
    pub deferred: Vec<DeferredReference>,
}

/// A reference an import writes last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeferredReference {
    /// The column, as PostgreSQL names it.
    pub column: String,
    /// The column as written in SQL.
    pub column_sql: String,
    /// The table it points at, as written in SQL.
    pub target_table: String,
}

/// Tenant entities' tables in creation order, which puts the target of
/// every required reference first; an optional reference to a table not
/// yet written (or to its own) is deferred.
fn archived_tables(model: &Model) -> Vec<ArchivedTable> {
    let order: Vec<usize> = model.creation_order_of(Scope::Tenant).collect();
    order
        .iter()
        .enumerate()
        .map(|(at, &idx)| {
            let entity = &model.entities[idx];
            let written_before = |target: usize| order[..at].contains(&target);
            ArchivedTable {
                table: entity.table.name.clone(),
                key: entity
                    .table
                    .primary_key
                    .columns
                    .iter()
                    .map(|column| column.trim_matches('"').to_owned())
                    .collect(),
                deferred: entity
                    .fields
                    .iter()
                    .filter_map(|field| Some((field, field.reference.as_ref()?)))
                    .filter(|(_, reference)| {
                        model.entities[reference.entity_index].tenant_scoped
                            && !written_before(reference.entity_index)
                    })
                    .map(|(field, reference)| DeferredReference {
                        column: field.column.clone(),
                        column_sql: field.column_sql.clone(),
                        target_table: reference.table.clone(),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The migrations every project starts with, whatever its spec, in order:
/// (set, name, template). A newer tenantgen may add one (sessions came
/// after roles and the control tables); `gen update` appends it, under its
/// name, to a project generated before it existed.
fn foundation(model: &Model) -> Vec<(MigrationSet, &'static str, &'static str)> {
    let first = MigrationSet::of(model.isolation, Scope::Global);
    // Bridge and silo record where each tenant's data lives.
    let control = match model.isolation {
        Isolation::Pool => "migrations/control.sql.j2",
        Isolation::Bridge => "migrations/control/bridge.sql.j2",
        Isolation::Silo => "migrations/control/silo.sql.j2",
    };
    let mut migrations = vec![
        (first, "roles", "migrations/roles.sql.j2"),
        (first, "control", control),
        (first, "sessions", "migrations/sessions.sql.j2"),
    ];
    // Tenant databases may live on other servers, where the roles don't exist
    // yet; those servers got names after the catalog first recorded addresses.
    // A pool tenant may have a database of its own, which came later still,
    // and so may a bridge tenant's schema, on another server.
    match model.isolation {
        Isolation::Pool => {
            migrations.push((first, "placement", "migrations/control/dedicated.sql.j2"));
            migrations.push((first, "moves", "migrations/control/pool_moves.sql.j2"));
        }
        Isolation::Bridge => {
            migrations.push((first, "placement", "migrations/control/dedicated.sql.j2"));
            migrations.push((first, "moves", "migrations/control/bridge_moves.sql.j2"));
        }
        Isolation::Silo => {
            migrations.push((MigrationSet::Tenant, "roles", "migrations/roles.sql.j2"));
            migrations.push((first, "placement", "migrations/control/placement.sql.j2"));
        }
    }
    migrations
}

/// The migration that ends a project's first migrations, once every table
/// exists, when it has read functions (tenant tables in pool and silo). It
/// came after the others, so `gen update` appends it to a project generated
/// before it, like a migration of [`foundation`].
fn read_functions(model: &Model) -> Option<(MigrationSet, &'static str, &'static str)> {
    model.has_read_functions.then(|| {
        (
            MigrationSet::of(model.isolation, Scope::Tenant),
            "read_functions",
            "migrations/read_functions.sql.j2",
        )
    })
}

/// A backend or test file whose template depends on the isolation mode. A mode's
/// template stands alone or extends the shared one, filling in its blocks;
/// the comment at its top says why that mode differs.
struct ModeTemplates {
    path: &'static str,
    pool: &'static str,
    bridge: &'static str,
    silo: &'static str,
}

impl ModeTemplates {
    fn template(&self, isolation: Isolation) -> &'static str {
        match isolation {
            Isolation::Pool => self.pool,
            Isolation::Bridge => self.bridge,
            Isolation::Silo => self.silo,
        }
    }
}

// Bridge and silo attack their own fences, and refuse a tenant left behind
// by `migrate`; the tests get a context of their own, so they are not in
// `BY_MODE`.
const API_TESTS: ModeTemplates = ModeTemplates {
    path: "tests/api.rs",
    pool: "tests/api.rs.j2",
    bridge: "tests/api/bridge.rs.j2",
    silo: "tests/api/silo.rs.j2",
};

/// `tenants export` and `tenants import`, which reach a tenant's entities
/// where its mode keeps them.
const ARCHIVE: ModeTemplates = ModeTemplates {
    path: "src/archive.rs",
    pool: "src/archive/pool.rs.j2",
    bridge: "src/archive/bridge.rs.j2",
    silo: "src/archive/silo.rs.j2",
};

/// The files whose template depends on the mode, rendered with the
/// project's context.
const BY_MODE: &[ModeTemplates] = &[
    ModeTemplates {
        path: "src/admin.rs",
        pool: "src/admin/pool.rs.j2",
        bridge: "src/admin/bridge.rs.j2",
        silo: "src/admin/silo.rs.j2",
    },
    // Silo's shared records live in another database than the tenant's,
    // out of reach of a foreign key, so its handlers check references.
    ModeTemplates {
        path: "src/api/records.rs",
        pool: "src/api/records.rs.j2",
        bridge: "src/api/records.rs.j2",
        silo: "src/api/records/silo.rs.j2",
    },
    ModeTemplates {
        path: "src/db.rs",
        pool: "src/db.rs.j2",
        bridge: "src/db/bridge.rs.j2",
        silo: "src/db.rs.j2",
    },
    ModeTemplates {
        path: "src/error.rs",
        pool: "src/error/moved.rs.j2",
        bridge: "src/error/bridge.rs.j2",
        silo: "src/error/moved.rs.j2",
    },
    ModeTemplates {
        path: "src/main.rs",
        pool: "src/main/pool.rs.j2",
        bridge: "src/main/bridge.rs.j2",
        silo: "src/main/silo.rs.j2",
    },
    ModeTemplates {
        path: "src/migrate.rs",
        pool: "src/migrate/pool.rs.j2",
        bridge: "src/migrate/bridge.rs.j2",
        silo: "src/migrate/silo.rs.j2",
    },
    ModeTemplates {
        path: "tests/support/mod.rs",
        pool: "tests/support/mod.rs.j2",
        bridge: "tests/support/mod/bridge.rs.j2",
        silo: "tests/support/mod/silo.rs.j2",
    },
    ModeTemplates {
        path: "src/tenant_data.rs",
        pool: "src/tenant_data/pool.rs.j2",
        bridge: "src/tenant_data/bridge.rs.j2",
        silo: "src/tenant_data/silo.rs.j2",
    },
];

/// Plans every file of the project for `model`.
pub fn plan(model: &Model) -> Vec<PlannedFile> {
    let mut files = vec![
        // The README says what the browser test covers; each mode's
        // template fills in the shared one's blocks.
        template(
            "README.md",
            &format!("readme/{}.md.j2", model.isolation),
            FileContext::BrowserTest {
                test: browser_test(model),
            },
        ),
        PlannedFile {
            path: "spec.yaml".to_owned(),
            source: FileSource::Spec,
            policy: WritePolicy::Copied,
        },
        PlannedFile {
            path: "spec.schema.json".to_owned(),
            source: FileSource::SpecSchema,
            policy: WritePolicy::Generated,
        },
    ];

    let mut numbering = Numbering::default();
    for (set, stem, name) in foundation(model) {
        files.push(numbering.migration(set, stem, name, FileContext::Project {}));
    }

    // The order tables are created in: spec order, except that in bridge and
    // silo the control set (global entities) runs before any tenant set.
    let set_of = |entity: &Entity| MigrationSet::of(model.isolation, entity.scope);
    let rank = |idx: usize| {
        let entity = &model.entities[idx];
        (set_of(entity) == MigrationSet::Tenant, idx)
    };
    let mut order: Vec<usize> = (0..model.entities.len()).collect();
    order.sort_by_key(|&idx| rank(idx));

    for idx in order {
        let entity = &model.entities[idx];
        let inline_foreign_keys = entity
            .table
            .foreign_keys
            .iter()
            .filter(|fk| {
                fk.target_entity
                    .is_none_or(|target| rank(target) <= rank(idx))
            })
            .cloned()
            .collect();
        let added_foreign_keys = model
            .entities
            .iter()
            .enumerate()
            .filter(|&(other_idx, _)| rank(other_idx) < rank(idx))
            .flat_map(|(_, other)| {
                other
                    .table
                    .foreign_keys
                    .iter()
                    .filter(|fk| fk.target_entity == Some(idx))
                    .map(|fk| AddedForeignKey {
                        table: other.table.name.clone(),
                        foreign_key: fk.clone(),
                    })
            })
            .collect();
        let set = set_of(entity);
        files.push(numbering.migration(
            set,
            &format!("create_{}", entity.names.plural),
            "migrations/entity.sql.j2",
            FileContext::EntityMigration {
                per_tenant: set == MigrationSet::Tenant,
                sets_role: set.sets_role(model.isolation),
                entity: idx,
                inline_foreign_keys,
                added_foreign_keys,
            },
        ));
    }

    if let Some((set, stem, name)) = read_functions(model) {
        files.push(numbering.migration(set, stem, name, FileContext::Project {}));
    }

    files.extend(backend(model));
    files.extend(web(model));
    // Only pool's shared tables are Citus's to distribute.
    if let Ok(distribution) = citus::distribution(model) {
        files.push(template(
            "docs/citus.md",
            "docs/citus.md.j2",
            FileContext::Citus { distribution },
        ));
    }

    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// Plans the files of a project regenerated for `model`: every file but the
/// migrations, which stay as they are (`existing`, paths of the migrations
/// already in the project), plus one migration per set that `evolution`
/// changes, numbered after the last one in its folder.
pub fn regenerated(model: &Model, evolution: &Evolution, existing: &[String]) -> Vec<PlannedFile> {
    let mut files: Vec<PlannedFile> = plan(model)
        .into_iter()
        .filter(|file| !is_migration(&file.path))
        .collect();
    let mut last: Vec<(MigrationSet, u64)> = Vec::new();
    let mut next_in = |set: MigrationSet| -> u64 {
        let number = match last.iter_mut().find(|(candidate, _)| *candidate == set) {
            Some((_, number)) => number,
            None => {
                let highest = existing
                    .iter()
                    .filter(|path| set.contains(path))
                    .filter_map(|path| {
                        path.rsplit('/')
                            .next()?
                            .split_once('_')?
                            .0
                            .parse::<u64>()
                            .ok()
                    })
                    .max()
                    .unwrap_or(0);
                last.push((set, highest));
                &mut last.last_mut().expect("just pushed").1
            }
        };
        *number += 1;
        *number
    };
    for change in &evolution.sets {
        files.push(template(
            &format!(
                "{}/{:04}_{}.sql",
                change.set.directory(),
                next_in(change.set),
                change_stem(&change.tables)
            ),
            "migrations/change.sql.j2",
            FileContext::ChangeMigration {
                per_tenant: change.set == MigrationSet::Tenant,
                sets_role: change.set.sets_role(model.isolation),
                tables: change.tables.clone(),
                steps: change.steps.clone(),
            },
        ));
    }
    // What a newer tenantgen starts projects with, and this one lacks.
    for (set, stem, name) in foundation(model).into_iter().chain(read_functions(model)) {
        let suffix = format!("_{stem}.sql");
        let present = existing
            .iter()
            .any(|path| set.contains(path) && path.ends_with(&suffix));
        if !present {
            files.push(template(
                &format!("{}/{:04}{suffix}", set.directory(), next_in(set)),
                name,
                FileContext::Project {},
            ));
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// A migration's name after what it does: `create_notes`, `alter_companies`,
/// `update_companies_contacts` for several tables.
fn change_stem(tables: &[TableChange]) -> String {
    const LONGEST: usize = 48;
    let bare = |table: &str| -> String {
        table
            .rsplit('.')
            .next()
            .unwrap_or(table)
            .trim_matches('"')
            .to_owned()
    };
    match tables {
        [TableChange::Created { table }] => format!("create_{}", bare(table)),
        [TableChange::Dropped { table }] => format!("drop_{}", bare(table)),
        [TableChange::Altered { table, .. }] => format!("alter_{}", bare(table)),
        _ => {
            let mut names: Vec<String> = Vec::new();
            for change in tables {
                let name = bare(change.table());
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            let joined = format!("update_{}", names.join("_"));
            if joined.len() <= LONGEST {
                joined
            } else {
                format!(
                    "update_{}_and_{}_more",
                    names.first().map_or("tables", String::as_str),
                    names.len() - 1
                )
            }
        }
    }
}

/// The Rust backend: one crate at the project root, named after the app.
fn backend(model: &Model) -> Vec<PlannedFile> {
    const PROJECT_FILES: &[&str] = &[
        ".dockerignore",
        ".env.example",
        ".github/workflows/ci.yml",
        ".gitignore",
        "Dockerfile",
        "docker-compose.yml",
        "Cargo.toml",
        "rustfmt.toml",
        "build.rs",
        "src/api.rs",
        "src/api/auth.rs",
        "src/api/entities.rs",
        "src/api/fields.rs",
        "src/api/members.rs",
        "src/app.rs",
        "src/auth.rs",
        "src/client_address.rs",
        "src/config.rs",
        "src/fair_share.rs",
        "src/frontend.rs",
        "src/lib.rs",
        "src/memberships.rs",
        "src/metrics.rs",
        "src/hooks.rs",
        "src/jwks.rs",
        "src/openapi.rs",
        "src/passwords.rs",
        "src/sessions.rs",
        "src/dev.rs",
        "src/seed.rs",
        "src/throttle.rs",
        "src/tls.rs",
        "tests/security.rs",
        "tests/support/entity_suite.rs",
    ];
    let mut files = project_templates(PROJECT_FILES);
    files.push(PlannedFile {
        path: "Cargo.lock".to_owned(),
        source: FileSource::CargoLock {
            name: "Cargo.lock.j2".to_owned(),
        },
        policy: WritePolicy::Generated,
    });
    let first = |wanted: fn(&Entity) -> bool| {
        model
            .creation_order
            .iter()
            .copied()
            .find(|&idx| wanted(&model.entities[idx]))
    };
    files.push(template(
        API_TESTS.path,
        API_TESTS.template(model.isolation),
        FileContext::ApiTests {
            entities: entity_tests(model),
            first_creatable: first(|entity| entity.api_creatable),
            first_tenant_entity: first(|entity| entity.tenant_scoped),
        },
    ));
    for file in BY_MODE {
        files.push(template(
            file.path,
            file.template(model.isolation),
            FileContext::Project {},
        ));
    }
    let tables = archived_tables(model);
    files.push(template(
        ARCHIVE.path,
        ARCHIVE.template(model.isolation),
        FileContext::Archive {
            tables: tables.clone(),
        },
    ));
    // The archive's own test reads every table of one database as the
    // admin, which is pool's layout; the other modes' archives are tested
    // from pool's and back by tenantgen's suite.
    if model.isolation == Isolation::Pool {
        files.push(template(
            "tests/archive.rs",
            "tests/archive.rs.j2",
            FileContext::Archive { tables },
        ));
    }
    // Silo tenants, pool tenants with a database of their own, and bridge
    // tenants on another server live on named servers.
    files.push(template(
        "src/servers.rs",
        "src/servers.rs.j2",
        FileContext::Project {},
    ));
    files.push(template(
        "src/tenant_databases.rs",
        "src/tenant_databases.rs.j2",
        FileContext::Project {},
    ));
    let moves = match model.isolation {
        Isolation::Pool => "src/tenant_moves/pool.rs.j2",
        Isolation::Bridge => "src/tenant_moves/bridge.rs.j2",
        Isolation::Silo => "src/tenant_moves/silo.rs.j2",
    };
    files.push(template(
        "src/tenant_moves.rs",
        moves,
        FileContext::Project {},
    ));
    for (idx, entity) in model.entities.iter().enumerate() {
        files.push(template(
            &format!("src/api/entities/{}.rs", entity.names.rust_module),
            "src/api/entities/entity.rs.j2",
            FileContext::Entity { entity: idx },
        ));
        if let Some(path) = hooks_path(entity) {
            files.push(user_owned(
                &path,
                "src/hooks/entity.rs.j2",
                FileContext::Entity { entity: idx },
            ));
        }
    }
    files.push(user_owned(
        "src/routes.rs",
        "src/routes.rs.j2",
        FileContext::Project {},
    ));
    files.push(user_owned(
        "tests/custom.rs",
        "tests/custom.rs.j2",
        FileContext::CustomTests {
            example: custom_test_example(model),
        },
    ));
    files
}

/// The first entity the generated tests' helpers can make a record of
/// (see [`Entity::api_creatable`]) and some role may read.
fn custom_test_example(model: &Model) -> Option<CustomTestExample> {
    model
        .entities
        .iter()
        .enumerate()
        .find_map(|(index, entity)| {
            let reader = entity.permissions.read.first()?;
            entity.api_creatable.then(|| CustomTestExample {
                entity: index,
                reader: reader.name.clone(),
            })
        })
}

/// The user's hooks file of `entity`; only tenant entities are written to.
pub fn hooks_path(entity: &Entity) -> Option<String> {
    entity
        .tenant_scoped
        .then(|| format!("src/hooks/{}.rs", entity.names.rust_module))
}

/// The React frontend under `web/`. Its files are the same for every spec
/// but for what the spec names: the pages work from `src/entities.ts`'s
/// description of each entity.
fn web(model: &Model) -> Vec<PlannedFile> {
    const WEB_FILES: &[&str] = &[
        "web/.gitignore",
        "web/README.md",
        "web/eslint.config.js",
        "web/index.html",
        "web/package-lock.json",
        "web/package.json",
        "web/playwright.config.ts",
        "web/tsconfig.json",
        "web/tsconfig.node.json",
        "web/vite.config.ts",
        "web/src/App.tsx",
        "web/src/api/auth.ts",
        "web/src/api/client.ts",
        "web/src/api/entities.ts",
        "web/src/components/ConfirmDialog.tsx",
        "web/src/components/FieldInput.tsx",
        "web/src/components/Layout.tsx",
        "web/src/components/ProblemAlert.tsx",
        "web/src/components/References.tsx",
        "web/src/components/TextField.tsx",
        "web/src/entities.ts",
        "web/src/entity.ts",
        "web/src/main.tsx",
        "web/src/pages/EntityDetailPage.tsx",
        "web/src/pages/EntityFormPage.tsx",
        "web/src/pages/EntityListPage.tsx",
        "web/src/pages/HomePage.tsx",
        "web/src/pages/LoginPage.tsx",
        "web/src/pages/MembersPage.tsx",
        "web/src/pages/NotFoundPage.tsx",
        "web/src/pages/SignupPage.tsx",
        "web/src/queries.ts",
        "web/src/session.tsx",
        "web/src/styles.css",
        "web/src/usePageTitle.ts",
        "web/src/validation.ts",
    ];
    let mut files = project_templates(WEB_FILES);
    files.push(user_owned(
        "web/src/custom/pages.tsx",
        "web/src/custom/pages.tsx.j2",
        FileContext::Project {},
    ));
    files.push(template(
        "web/e2e/tenants.spec.ts",
        "web/e2e/tenants.spec.ts.j2",
        FileContext::BrowserTest {
            test: browser_test(model),
        },
    ));
    files
}

/// Files about the whole project, each from the template at its own path
/// plus `.j2`, without the dot of a hidden file (`web/.gitignore` from
/// `web/gitignore.j2`): hidden templates are not embedded.
fn project_templates(paths: &[&str]) -> Vec<PlannedFile> {
    paths
        .iter()
        .map(|path| {
            let name = format!("{}.j2", path.trim_start_matches('.').replace("/.", "/"));
            template(path, &name, FileContext::Project {})
        })
        .collect()
}

fn template(path: &str, name: &str, context: FileContext) -> PlannedFile {
    PlannedFile {
        path: path.to_owned(),
        source: FileSource::Template {
            name: name.to_owned(),
            context,
        },
        policy: WritePolicy::Generated,
    }
}

fn user_owned(path: &str, name: &str, context: FileContext) -> PlannedFile {
    PlannedFile {
        policy: WritePolicy::UserOwned,
        ..template(path, name, context)
    }
}

/// Migration numbers come from sequence, per set, never from the clock.
#[derive(Default)]
struct Numbering {
    next: Vec<(MigrationSet, u32)>,
}

impl Numbering {
    fn migration(
        &mut self,
        set: MigrationSet,
        stem: &str,
        name: &str,
        context: FileContext,
    ) -> PlannedFile {
        let number = match self
            .next
            .iter_mut()
            .find(|(candidate, _)| *candidate == set)
        {
            Some((_, number)) => {
                *number += 1;
                *number
            }
            None => {
                self.next.push((set, 1));
                1
            }
        };
        template(
            &format!("{}/{number:04}_{stem}.sql", set.directory()),
            name,
            context,
        )
    }
}
