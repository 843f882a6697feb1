//! Every example and every valid fixture spec, applied to a real PostgreSQL
//! and attacked as the runtime role: tenant A must never see, change or
//! create tenant B's rows, and the database, not the application, must be
//! what stops it.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use common::pg::Server;
use postgres::error::SqlState;

use tenantgen::citus;
use tenantgen::model::{Entity, Field, FieldType, Isolation, Model, Scope};

const TENANT_A: &str = "00000000-0000-4000-8000-00000000000a";
const TENANT_B: &str = "00000000-0000-4000-8000-00000000000b";
const TESTER_PASSWORD: &str = "tester-password";
const BENCH_TENANTS: u32 = 100;
const BENCH_ROWS: u32 = 100_000;

#[test]
fn sql_keyword_list_matches_the_server() {
    let server = Server::start();
    let mut client = server.connect("postgres");
    let rows = client
        .query(
            "SELECT word FROM pg_get_keywords() WHERE catcode <> 'U' ORDER BY word",
            &[],
        )
        .expect("list keywords");
    let server_words: Vec<String> = rows.iter().map(|row| row.get(0)).collect();
    let ours: Vec<String> = tenantgen::model::names::SQL_KEYWORDS
        .iter()
        .map(|w| w.to_string())
        .collect();
    assert_eq!(
        ours, server_words,
        "names::SQL_KEYWORDS differs from this server's keywords"
    );
}

#[test]
fn an_existing_runtime_role_that_skips_rls_is_refused() {
    let server = Server::start();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/crm.yaml");
    let source = std::fs::read_to_string(&path).expect("read spec");
    let project = tenantgen::generate("crm.yaml", &source, &tenantgen::Templates::builtin())
        .expect("generate");
    let roles = project
        .files
        .iter()
        .find(|file| file.path.ends_with("0001_roles.sql"))
        .expect("a roles migration");
    let runtime = &project.model.database.runtime_role;
    for attributes in ["BYPASSRLS", "SUPERUSER"] {
        server.create_database("tg_preexisting");
        let mut admin = server.connect("tg_preexisting");
        admin
            .batch_execute(&format!(
                "DROP ROLE IF EXISTS {runtime}; CREATE ROLE {runtime} {attributes}"
            ))
            .expect("create a role that skips row-level security");
        let err = admin
            .batch_execute(&roles.contents)
            .expect_err("the roles migration must refuse it");
        assert!(
            describe(&err).contains("row-level security would not apply"),
            "{attributes}: {}",
            describe(&err)
        );
    }
}

#[test]
fn migrations_apply_and_tenants_are_isolated() {
    let server = Server::start();
    let mut failures = Vec::new();
    for path in common::specs::valid_specs() {
        let outcome = catch_unwind(AssertUnwindSafe(|| check_spec(&server, &path)));
        if let Err(panic) = outcome {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(format!("{}: {message}", path.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} spec(s) failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Where one tenant's rows live: a database, and for bridge a schema.
struct Place {
    tenant: &'static str,
    database: String,
    schema: Option<String>,
}

fn check_spec(server: &Server, path: &Path) {
    let source = std::fs::read_to_string(path).expect("read spec");
    let project = tenantgen::generate(
        &path.display().to_string(),
        &source,
        &tenantgen::Templates::builtin(),
    )
    .unwrap_or_else(|err| panic!("generate: {err}"));
    let model = &project.model;
    let files: BTreeMap<&str, &str> = project
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.contents.as_str()))
        .collect();
    let set = |dir: &str| -> Vec<(&str, &str)> {
        files
            .iter()
            .filter(|(path, _)| {
                path.strip_prefix(dir)
                    .is_some_and(|rest| !rest.contains('/'))
            })
            .map(|(path, text)| (*path, *text))
            .collect()
    };
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("spec file name");
    let control_db = format!("tg_{stem}");
    let runtime = &model.database.runtime_role;
    let tester = format!("tester_{stem}");

    server.create_database(&control_db);
    let places: Vec<Place> = match model.isolation {
        Isolation::Pool => {
            apply(&mut server.connect(&control_db), &set("migrations/"), None);
            [TENANT_A, TENANT_B]
                .into_iter()
                .map(|tenant| Place {
                    tenant,
                    database: control_db.clone(),
                    schema: None,
                })
                .collect()
        }
        Isolation::Bridge => {
            // The way the generated app does it: `migrate` stores the tenant
            // migrations in the catalog, and provisioning applies them to a
            // schema named after the slug, as the owner.
            let mut admin = server.connect(&control_db);
            apply(&mut admin, &set("migrations/control/"), None);
            for (path, sql) in set("migrations/tenant/") {
                let name = path.rsplit('/').next().expect("a file name");
                let version: i64 = name[..4].parse().expect("a numbered migration");
                admin
                    .execute(
                        &format!(
                            "INSERT INTO {} (version, name, checksum, sql) VALUES ($1, $2, 'test', $3)",
                            model.database.tenant_migrations_table
                        ),
                        &[&version, &name, &sql],
                    )
                    .expect("store a tenant migration");
            }
            let places: Vec<Place> = [(TENANT_A, "t_tenant_0"), (TENANT_B, "t_tenant_1")]
                .into_iter()
                .map(|(tenant, schema)| Place {
                    tenant,
                    database: control_db.clone(),
                    schema: Some(schema.to_owned()),
                })
                .collect();
            insert_control_tenants(&mut admin, model, &places);
            for place in &places {
                let mut tx = admin.transaction().expect("begin");
                tx.execute(
                    "SELECT set_config('app.tenant_id', $1, true)",
                    &[&place.tenant],
                )
                .expect("set tenant");
                tx.query_one(
                    &format!("SELECT * FROM {}()", model.database.provision_tenant),
                    &[],
                )
                .unwrap_or_else(|err| panic!("provision {}: {}", place.tenant, describe(&err)));
                tx.commit().expect("commit");
            }
            places
        }
        Isolation::Silo => {
            apply(
                &mut server.connect(&control_db),
                &set("migrations/control/"),
                None,
            );
            [(TENANT_A, "a"), (TENANT_B, "b")]
                .into_iter()
                .map(|(tenant, suffix)| {
                    let database = format!("{control_db}_{suffix}");
                    server.create_database(&database);
                    apply(
                        &mut server.connect(&database),
                        &set("migrations/tenant/"),
                        None,
                    );
                    Place {
                        tenant,
                        database,
                        schema: None,
                    }
                })
                .collect()
        }
    };

    // The application's login user: a member of the runtime role, nothing more.
    let mut admin = server.connect(&control_db);
    admin
        .batch_execute(&format!(
            "DROP ROLE IF EXISTS {tester}; CREATE ROLE {tester} LOGIN PASSWORD '{TESTER_PASSWORD}' IN ROLE {runtime};"
        ))
        .expect("create the login role");
    if model.isolation != Isolation::Bridge {
        insert_control_tenants(&mut admin, model, &places);
    }
    seed_global_rows(&mut admin, model);

    // Each tenant writes its own rows through the runtime role.
    let mut own_rows: BTreeMap<(&str, usize), String> = BTreeMap::new();
    for place in &places {
        let mut client = server.connect_as(&place.database, &tester, TESTER_PASSWORD);
        for idx in model.creation_order_of(Scope::Tenant) {
            let entity = &model.entities[idx];
            let mut tx = begin(&mut client, place, Some(place.tenant));
            let (columns, values) = row_sql(model, entity, "1", Some(place.tenant));
            let row = tx
                .query_one(
                    &format!(
                        "INSERT INTO {} ({columns}) VALUES ({values}) RETURNING id::text",
                        entity.table.name
                    ),
                    &[],
                )
                .unwrap_or_else(|err| {
                    panic!(
                        "tenant {} inserts into {}: {}",
                        place.tenant,
                        entity.table.name,
                        describe(&err)
                    )
                });
            tx.commit().expect("commit");
            own_rows.insert((place.tenant, idx), row.get(0));
        }
    }

    for (a, b) in [(&places[0], &places[1]), (&places[1], &places[0])] {
        check_isolation(server, model, &tester, a, b, &own_rows);
    }
    check_global_tables(server, model, &tester, &control_db);
    check_control_tables(server, model, &tester, &control_db, &places);
    for place in &places {
        check_catalog(server, model, &tester, place);
    }
    if model.isolation == Isolation::Pool {
        check_list_plan(server, model, &tester, &places[0]);
    }
}

/// A silo project generated before servers had names recorded each
/// tenant's host and port. The `placement` migration names each tenant's
/// server from the addresses `migrate` passes, refuses (changing nothing)
/// while an address matches no server, and then places new tenants on the
/// server with the fewest.
#[test]
fn placement_names_the_servers_of_tenants_placed_by_address() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/tracker.yaml");
    let source = std::fs::read_to_string(&spec).expect("read spec");
    let project = tenantgen::generate("tracker.yaml", &source, &tenantgen::Templates::builtin())
        .unwrap_or_else(|err| panic!("generate: {err}"));
    let control: Vec<(&str, &str)> = project
        .files
        .iter()
        .filter(|file| file.path.starts_with("migrations/control/"))
        .map(|file| (file.path.as_str(), file.contents.as_str()))
        .collect();
    let placement = control
        .iter()
        .position(|(path, _)| path.ends_with("_placement.sql"))
        .expect("a placement migration");
    let server = Server::start();
    server.create_database("placed");
    let mut admin = server.connect("placed");
    apply(&mut admin, &control[..placement], None);
    admin
        .batch_execute(
            "INSERT INTO control.tenants (id, slug, name, db_host, db_port, db_name) VALUES
                 (gen_random_uuid(), 'a', 'a', '/run/postgresql', 5432, 'placed_a'),
                 (gen_random_uuid(), 'b', 'b', 'eu.db.internal', 5433, 'placed_b'),
                 (gen_random_uuid(), 'c', 'c', 'eu.db.internal', 5433, 'placed_c')",
        )
        .expect("tenants placed by address");
    let (_, placement_sql) = control[placement];
    let run_placement = |admin: &mut postgres::Client, servers: &str| {
        let mut tx = admin.transaction().expect("begin");
        tx.execute(
            "SELECT set_config('tenantgen.servers', $1, true)",
            &[&servers],
        )
        .expect("pass the servers");
        tx.batch_execute(placement_sql)?;
        tx.commit()
    };

    let refused = run_placement(
        &mut admin,
        "main=/run/postgresql:5432 us=us.db.internal:5432",
    )
    .expect_err("an address no server is at");
    let refused = refused.as_db_error().expect("a database error");
    assert!(
        refused.message().contains("eu.db.internal:5433")
            && !refused.message().contains("/run/postgresql")
            && refused
                .hint()
                .is_some_and(|hint| hint.contains("TENANT_SERVERS")),
        "{refused:?}"
    );
    let columns = |admin: &mut postgres::Client| -> Vec<String> {
        admin
            .query(
                "SELECT attname::text FROM pg_attribute WHERE attrelid = 'control.tenants'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attname",
                &[],
            )
            .expect("columns")
            .iter()
            .map(|row| row.get(0))
            .collect()
    };
    assert!(
        columns(&mut admin).contains(&"db_host".to_owned()),
        "rolled back"
    );

    run_placement(
        &mut admin,
        "main=/run/postgresql:5432 eu=eu.db.internal:5433 us=us.db.internal:5432",
    )
    .unwrap_or_else(|err| panic!("placement: {}", describe(&err)));
    let placed: Vec<(String, String)> = admin
        .query(
            "SELECT slug, server FROM control.tenants ORDER BY slug",
            &[],
        )
        .expect("placed tenants")
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    assert_eq!(
        placed,
        [("a", "main"), ("b", "eu"), ("c", "eu")]
            .map(|(slug, server)| (slug.to_owned(), server.to_owned()))
    );
    let columns = columns(&mut admin);
    assert!(
        !columns.contains(&"db_host".to_owned()) && !columns.contains(&"db_port".to_owned()),
        "{columns:?}"
    );
    let least_loaded = |admin: &mut postgres::Client, candidates: &[&str]| -> String {
        admin
            .query_one("SELECT control.least_loaded_server($1)", &[&candidates])
            .expect("a server")
            .get(0)
    };
    assert_eq!(least_loaded(&mut admin, &["eu", "main", "us"]), "us");
    assert_eq!(least_loaded(&mut admin, &["eu", "main"]), "main");
    admin
        .batch_execute("INSERT INTO control.tenants (id, slug, name, server, db_name) VALUES (gen_random_uuid(), 'd', 'd', 'main', 'placed_d')")
        .expect("another tenant on main");
    assert_eq!(
        least_loaded(&mut admin, &["eu", "main"]),
        "eu",
        "a tie goes to the first"
    );
    let duplicate = admin.batch_execute("INSERT INTO control.tenants (id, slug, name, server, db_name) VALUES (gen_random_uuid(), 'e', 'e', 'main', 'placed_d')");
    expect_sqlstate(
        duplicate,
        &SqlState::UNIQUE_VIOLATION,
        "one database name per server",
    );
    let badly_named = admin.batch_execute("INSERT INTO control.tenants (id, slug, name, server, db_name) VALUES (gen_random_uuid(), 'f', 'f', 'EU', 'placed_f')");
    expect_sqlstate(
        badly_named,
        &SqlState::CHECK_VIOLATION,
        "server names are checked",
    );
}

/// Applies migration files in order, each in its own transaction, the way
/// a migration runner does.
fn apply(client: &mut postgres::Client, files: &[(&str, &str)], schema: Option<&str>) {
    assert!(!files.is_empty(), "no migrations to apply");
    for (path, sql) in files {
        let mut tx = client.transaction().expect("begin");
        if let Some(schema) = schema {
            tx.batch_execute(&format!("SET LOCAL search_path = {schema}, public"))
                .expect("set search_path");
        }
        tx.batch_execute(sql)
            .unwrap_or_else(|err| panic!("{path}: {}", describe(&err)));
        tx.commit()
            .unwrap_or_else(|err| panic!("{path}: commit: {err}"));
    }
}

fn describe(err: &postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => err.to_string(),
    }
}

fn begin<'a>(
    client: &'a mut postgres::Client,
    place: &Place,
    tenant: Option<&str>,
) -> postgres::Transaction<'a> {
    let mut tx = client.transaction().expect("begin");
    if let Some(schema) = &place.schema {
        tx.execute(
            "SELECT set_config('search_path', $1, true)",
            &[&format!("{schema}, public")],
        )
        .expect("set search_path");
    }
    if let Some(tenant) = tenant {
        tx.execute("SELECT set_config('app.tenant_id', $1, true)", &[&tenant])
            .expect("set tenant");
    }
    tx
}

fn insert_control_tenants(admin: &mut postgres::Client, model: &Model, places: &[Place]) {
    let control = &model.database.control_schema;
    for (idx, place) in places.iter().enumerate() {
        let slug = format!("tenant-{idx}");
        let sql = match model.isolation {
            Isolation::Pool => format!(
                "INSERT INTO {control}.tenants (id, slug, name) VALUES ($1::text::uuid, '{slug}', '{slug}')"
            ),
            // The schema name is derived from the slug: t_tenant_0.
            Isolation::Bridge => format!(
                "INSERT INTO {control}.tenants (id, slug, name) VALUES ($1::text::uuid, '{slug}', '{slug}')"
            ),
            Isolation::Silo => format!(
                "INSERT INTO {control}.tenants (id, slug, name, server, db_name) VALUES ($1::text::uuid, '{slug}', '{slug}', 'main', '{}')",
                place.database
            ),
        };
        admin
            .execute(&sql, &[&place.tenant])
            .unwrap_or_else(|err| panic!("insert tenant: {}", describe(&err)));
    }
}

/// Global rows are written by the owner side (here the superuser), never by tenants.
fn seed_global_rows(admin: &mut postgres::Client, model: &Model) {
    for idx in model.creation_order_of(Scope::Global) {
        let entity = &model.entities[idx];
        let (columns, values) = row_sql(model, entity, "1", None);
        admin
            .execute(
                &format!(
                    "INSERT INTO {} ({columns}) VALUES ({values})",
                    entity.table.name
                ),
                &[],
            )
            .unwrap_or_else(|err| panic!("seed {}: {}", entity.table.name, describe(&err)));
    }
}

/// Column list and values for a row holding what the table requires.
/// `g` is an SQL integer expression that makes values differ between rows.
fn row_sql(model: &Model, entity: &Entity, g: &str, tenant: Option<&str>) -> (String, String) {
    let mut columns = Vec::new();
    let mut values = Vec::new();
    if let (true, Some(tenant)) = (entity.tenant_scoped, tenant) {
        columns.push("tenant_id".to_owned());
        values.push(format!("'{tenant}'::uuid"));
    }
    // Unique fields get a value too, so that a default can't repeat.
    for field in entity
        .fields
        .iter()
        .filter(|field| field.required || (field.unique && field.reference.is_none()))
    {
        columns.push(field.column_sql.clone());
        values.push(value_sql(model, entity, field, g, tenant));
    }
    if columns.is_empty() {
        columns.push("id".to_owned());
        values.push("gen_random_uuid()".to_owned());
    }
    (columns.join(", "), values.join(", "))
}

fn bound(number: &Option<serde_json::Number>) -> Option<f64> {
    number.as_ref().and_then(serde_json::Number::as_f64)
}

/// An SQL expression for a valid value of `field`.
fn value_sql(
    model: &Model,
    entity: &Entity,
    field: &Field,
    g: &str,
    tenant: Option<&str>,
) -> String {
    let (min, max) = (bound(&field.min), bound(&field.max));
    match field.field_type {
        FieldType::String | FieldType::Text => {
            let min_len = min.unwrap_or(1.0).max(1.0) as u64;
            let max_len = max.map_or(u64::MAX, |max| max as u64);
            let base = format!("('v' || ({g})::text)");
            let text = format!("rpad({base}, greatest(char_length({base}), {min_len}), 'x')");
            if max_len == u64::MAX {
                text
            } else {
                format!("right({text}, {max_len})")
            }
        }
        FieldType::Email => format!("'user' || ({g})::text || '@example.com'"),
        FieldType::Url => format!("'https://example.com/' || ({g})::text"),
        FieldType::Integer | FieldType::Bigint | FieldType::Decimal | FieldType::Float => {
            match (min, max) {
                (Some(min), Some(max)) if max - min >= 1.0 => {
                    format!(
                        "{} + (({g}) % {})",
                        min.ceil(),
                        (max.floor() - min.ceil()).max(0.0) + 1.0
                    )
                }
                (Some(min), Some(_)) => min.to_string(),
                (Some(min), None) => format!("{} + ({g})", min.ceil()),
                (None, Some(max)) => format!("{} - ({g})", max.floor()),
                (None, None) => format!("({g})"),
            }
        }
        FieldType::Bool => format!("(({g}) % 2 = 0)"),
        FieldType::Date => format!("DATE '2000-01-01' + ({g})::int"),
        FieldType::Datetime => {
            format!("TIMESTAMPTZ '2024-01-01T00:00:00Z' + ({g}) * interval '1 minute'")
        }
        FieldType::Uuid => "gen_random_uuid()".to_owned(),
        FieldType::Enum => format!("'{}'", field.values[0]),
        FieldType::Json => format!("jsonb_build_object('n', {g})"),
        FieldType::Ref => {
            let reference = field.reference.as_ref().expect("ref fields have a target");
            let target = &model.entities[reference.entity_index];
            let crosses_databases =
                model.isolation == Isolation::Silo && entity.tenant_scoped && !target.tenant_scoped;
            if crosses_databases {
                "gen_random_uuid()".to_owned()
            } else if let (true, Some(tenant)) = (target.tenant_scoped, tenant) {
                format!(
                    "(SELECT id FROM {} WHERE tenant_id = '{tenant}'::uuid LIMIT 1)",
                    target.table.name
                )
            } else {
                format!("(SELECT id FROM {} LIMIT 1)", target.table.name)
            }
        }
    }
}

fn expect_sqlstate<T>(result: Result<T, postgres::Error>, code: &SqlState, what: &str) {
    match result {
        Ok(_) => panic!("{what}: succeeded, expected SQLSTATE {}", code.code()),
        Err(err) => assert_eq!(err.code(), Some(code), "{what}: {}", describe(&err)),
    }
}

fn check_isolation(
    server: &Server,
    model: &Model,
    tester: &str,
    a: &Place,
    b: &Place,
    own_rows: &BTreeMap<(&str, usize), String>,
) {
    let mut admin = server.connect(&a.database);
    let mut client = server.connect_as(&a.database, tester, TESTER_PASSWORD);
    // B's rows as they sit in A's place: in pool the shared tables hold
    // them; in bridge and silo rows of B's misplaced into A's schema or
    // database stand in for them, so the second fence is tested too.
    let mut b_rows: BTreeMap<usize, String> = BTreeMap::new();
    for idx in model.creation_order_of(Scope::Tenant) {
        let row = match model.isolation {
            Isolation::Pool => own_rows[&(b.tenant, idx)].clone(),
            Isolation::Bridge | Isolation::Silo => {
                let table = &model.entities[idx].table.name;
                let (columns, values) = row_sql(model, &model.entities[idx], "2", Some(b.tenant));
                let mut tx = begin(&mut admin, a, None);
                let row = tx
                    .query_one(
                        &format!(
                            "INSERT INTO {table} ({columns}) VALUES ({values}) RETURNING id::text"
                        ),
                        &[],
                    )
                    .unwrap_or_else(|err| {
                        panic!("misplace a row of B into {table}: {}", describe(&err))
                    });
                tx.commit().expect("commit");
                row.get(0)
            }
        };
        b_rows.insert(idx, row);
    }
    for (idx, entity) in model
        .entities
        .iter()
        .enumerate()
        .filter(|(_, e)| e.tenant_scoped)
    {
        let table = &entity.table.name;
        let what = |action: &str| format!("{table}: tenant {} {action}", a.tenant);
        let a_row = &own_rows[&(a.tenant, idx)];
        let b_row = &b_rows[&idx];

        let mut tx = begin(&mut client, a, Some(a.tenant));
        let rows = tx
            .query(&format!("SELECT tenant_id::text FROM {table}"), &[])
            .unwrap_or_else(|err| panic!("{}: {}", what("lists"), describe(&err)));
        let tenants: Vec<String> = rows.iter().map(|row| row.get(0)).collect();
        assert_eq!(
            tenants,
            vec![a.tenant.to_owned()],
            "{}",
            what("sees only its own row")
        );
        let by_id = |id: &str| format!("id = '{id}'::uuid");
        let seen = tx
            .query(
                &format!("SELECT 1 FROM {table} WHERE {}", by_id(b_row)),
                &[],
            )
            .expect("select");
        assert!(seen.is_empty(), "{}", what("reads B's row by id"));
        let updated = tx
            .execute(
                &format!(
                    "UPDATE {table} SET updated_at = now() WHERE {}",
                    by_id(b_row)
                ),
                &[],
            )
            .expect("update");
        assert_eq!(updated, 0, "{}", what("updates B's row"));
        let deleted = tx
            .execute(&format!("DELETE FROM {table} WHERE {}", by_id(b_row)), &[])
            .expect("delete");
        assert_eq!(deleted, 0, "{}", what("deletes B's row"));
        tx.commit().expect("commit");

        let (columns, values) = row_sql(model, entity, "3", Some(b.tenant));
        let mut tx = begin(&mut client, a, Some(a.tenant));
        expect_sqlstate(
            tx.execute(
                &format!("INSERT INTO {table} ({columns}) VALUES ({values})"),
                &[],
            ),
            &SqlState::INSUFFICIENT_PRIVILEGE,
            &what("inserts a row for B"),
        );
        drop(tx);
        let mut tx = begin(&mut client, a, Some(a.tenant));
        expect_sqlstate(
            tx.execute(
                &format!(
                    "UPDATE {table} SET tenant_id = '{}'::uuid WHERE {}",
                    b.tenant,
                    by_id(a_row)
                ),
                &[],
            ),
            &SqlState::INSUFFICIENT_PRIVILEGE,
            &what("moves its row to B"),
        );
        drop(tx);

        // B's row is still there, untouched.
        let mut check = begin(&mut admin, a, None);
        let still = check
            .query(
                &format!("SELECT 1 FROM {table} WHERE {}", by_id(b_row)),
                &[],
            )
            .expect("select as superuser");
        assert_eq!(still.len(), 1, "{table}: B's row survived A's attempts");
        drop(check);

        // No tenant context: nothing, and no error; the same after a
        // transaction that did set one (the setting is then '' not NULL).
        for attempt in ["a fresh session", "after a committed context"] {
            let mut tx = begin(&mut client, a, None);
            let count: i64 = tx
                .query_one(&format!("SELECT count(*) FROM {table}"), &[])
                .unwrap_or_else(|err| {
                    panic!(
                        "{table}: read without tenant ({attempt}): {}",
                        describe(&err)
                    )
                })
                .get(0);
            assert_eq!(
                count, 0,
                "{table}: rows visible without a tenant ({attempt})"
            );
            let (columns, values) = row_sql(model, entity, "4", Some(a.tenant));
            expect_sqlstate(
                tx.execute(
                    &format!("INSERT INTO {table} ({columns}) VALUES ({values})"),
                    &[],
                ),
                &SqlState::INSUFFICIENT_PRIVILEGE,
                &format!("{table}: insert without tenant ({attempt})"),
            );
            drop(tx);
            let mut tx = begin(&mut client, a, Some(a.tenant));
            tx.execute("SELECT 1", &[]).expect("select");
            tx.commit().expect("commit");
        }

        // A reference can't reach another tenant's row: a foreign key with
        // B's id fails exactly as a random id does.
        for field in entity.fields.iter().filter(|f| f.reference.is_some()) {
            let reference = field.reference.as_ref().expect("checked");
            let target = &model.entities[reference.entity_index];
            if !target.tenant_scoped {
                continue;
            }
            let foreign_target = &own_rows[&(b.tenant, reference.entity_index)];
            for (label, id) in [
                ("B's row", foreign_target.as_str()),
                ("a random id", "00000000-0000-4000-8000-0000000000ff"),
            ] {
                let mut tx = begin(&mut client, a, Some(a.tenant));
                expect_sqlstate(
                    tx.execute(
                        &format!(
                            "UPDATE {table} SET {} = '{id}'::uuid WHERE {}",
                            field.column_sql,
                            by_id(a_row)
                        ),
                        &[],
                    ),
                    &SqlState::FOREIGN_KEY_VIOLATION,
                    &format!(
                        "{table}.{}: tenant {} refers to {label}",
                        field.column, a.tenant
                    ),
                );
            }
        }

        let mut tx = begin(&mut client, a, Some(a.tenant));
        expect_sqlstate(
            tx.execute(&format!("TRUNCATE {table}"), &[]),
            &SqlState::INSUFFICIENT_PRIVILEGE,
            &what("truncates"),
        );
    }
}

/// The tenants catalog shows a tenant its own row only; the slug lookup that
/// login needs works without a context and answers for one slug.
fn check_control_tables(
    server: &Server,
    model: &Model,
    tester: &str,
    control_db: &str,
    places: &[Place],
) {
    let tenants = &model.database.tenants_table;
    let lookup = &model.database.tenant_by_slug;
    let mut client = server.connect_as(control_db, tester, TESTER_PASSWORD);
    let control_place = Place {
        tenant: TENANT_A,
        database: control_db.to_owned(),
        schema: None,
    };
    for (idx, place) in places.iter().enumerate() {
        let mut tx = begin(&mut client, &control_place, Some(place.tenant));
        let visible: Vec<String> = tx
            .query(&format!("SELECT id::text FROM {tenants}"), &[])
            .expect("read the tenants catalog")
            .iter()
            .map(|row| row.get(0))
            .collect();
        assert_eq!(
            visible,
            vec![place.tenant.to_owned()],
            "a tenant sees its own catalog row only"
        );
        drop(tx);
        let mut tx = begin(&mut client, &control_place, None);
        let count: i64 = tx
            .query_one(&format!("SELECT count(*) FROM {tenants}"), &[])
            .expect("count")
            .get(0);
        assert_eq!(count, 0, "no tenant context, no catalog rows");
        let found: String = tx
            .query_one(
                &format!("SELECT id::text FROM {lookup}($1)"),
                &[&format!("tenant-{idx}")],
            )
            .expect("look a slug up without a context")
            .get(0);
        assert_eq!(found, place.tenant);
        let missing = tx
            .query(&format!("SELECT id FROM {lookup}('no-such-tenant')"), &[])
            .expect("lookup");
        assert!(missing.is_empty());
    }
}

/// Global entities, in the control (or only) database, are read-only to
/// the runtime role.
fn check_global_tables(server: &Server, model: &Model, tester: &str, control_db: &str) {
    let mut client = server.connect_as(control_db, tester, TESTER_PASSWORD);
    for entity in model.entities.iter().filter(|e| !e.tenant_scoped) {
        let table = &entity.table.name;
        let mut tx = client.transaction().expect("begin");
        let count: i64 = tx
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .expect("read a global table")
            .get(0);
        assert!(count >= 1, "{table}: global rows are readable");
        drop(tx);
        let (columns, values) = row_sql(model, entity, "6", None);
        for statement in [
            format!("INSERT INTO {table} ({columns}) VALUES ({values})"),
            format!("UPDATE {table} SET updated_at = now()"),
            format!("DELETE FROM {table}"),
            format!("TRUNCATE {table}"),
        ] {
            let mut tx = client.transaction().expect("begin");
            expect_sqlstate(
                tx.execute(&statement, &[]),
                &SqlState::INSUFFICIENT_PRIVILEGE,
                &format!("the runtime role runs `{statement}` on a global table"),
            );
        }
    }
}

fn check_catalog(server: &Server, model: &Model, tester: &str, place: &Place) {
    let mut admin = server.connect(&place.database);
    let runtime = &model.database.runtime_role;
    for role in [runtime.as_str(), tester] {
        let row = admin
            .query_one(
                "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1",
                &[&role],
            )
            .expect("role exists");
        let (superuser, bypass): (bool, bool) = (row.get(0), row.get(1));
        assert!(
            !superuser && !bypass,
            "{role} must be neither superuser nor BYPASSRLS"
        );
        let owned: i64 = admin
            .query_one("SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = $1)", &[&role])
            .expect("count owned")
            .get(0);
        assert_eq!(owned, 0, "{role} must not own any table");
    }
    // The schemas this place's tenant tables live in.
    let schemas: Vec<String> = match (&place.schema, model.isolation) {
        (Some(schema), _) => vec![schema.clone(), model.database.control_schema.clone()],
        (None, Isolation::Silo) => vec!["public".to_owned()],
        (None, _) => vec!["public".to_owned(), model.database.control_schema.clone()],
    };
    let tables = admin
        .query(
            "SELECT n.nspname || '.' || c.relname, c.relrowsecurity, c.relforcerowsecurity,
                    has_table_privilege($1, c.oid, 'TRUNCATE'), has_table_privilege($1, c.oid, 'REFERENCES'),
                    pg_get_userbyid(c.relowner),
                    EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped),
                    c.oid
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind = 'r' AND n.nspname = ANY($2)",
            &[&tester, &schemas],
        )
        .expect("list tables");
    let tenant_tables = tables.iter().filter(|row| row.get::<_, bool>(6)).count();
    // Users, memberships, sessions and refresh tokens are tenant tables too,
    // wherever the control tables are.
    // Pool's and bridge's catalogs record the moves of their tenants beside
    // them.
    let holds_control = model.isolation != Isolation::Silo;
    let expected = model.tenant_entities().count() + 5 * usize::from(holds_control);
    assert_eq!(tenant_tables, expected, "tenant tables in {schemas:?}");
    for row in &tables {
        let name: String = row.get(0);
        let owner: String = row.get(5);
        assert_eq!(
            owner, model.database.owner_role,
            "{name}: owned by the owner role"
        );
        let (truncate, references): (bool, bool) = (row.get(3), row.get(4));
        assert!(
            !truncate && !references,
            "{name}: the runtime role must not have TRUNCATE or REFERENCES"
        );
        if !row.get::<_, bool>(6) {
            continue;
        }
        let (enabled, forced): (bool, bool) = (row.get(1), row.get(2));
        // The record of moves holds no tenant's data, and the operator's
        // commands, which may run as the owner, must see every move.
        let owner_reads_all = name == model.database.tenant_moves_table;
        assert!(
            enabled && (forced || owner_reads_all),
            "{name}: row-level security must be enabled and forced"
        );
        let oid: postgres::types::Oid = row.get(7);
        let policies = admin
            .query(
                "SELECT polpermissive, pg_get_expr(polqual, polrelid), pg_get_expr(polwithcheck, polrelid)
                 FROM pg_policy WHERE polrelid = $1",
                &[&oid],
            )
            .expect("list policies");
        let mut restrictive = 0;
        for policy in &policies {
            let (permissive, using, check): (bool, Option<String>, Option<String>) =
                (policy.get(0), policy.get(1), policy.get(2));
            for expression in [&using, &check] {
                let expression = expression
                    .as_deref()
                    .unwrap_or_else(|| panic!("{name}: a policy needs USING and WITH CHECK"));
                assert!(
                    expression.contains("tenant_id")
                        && !expression.contains(" OR ")
                        && !expression.to_uppercase().contains("SELECT"),
                    "{name}: a policy must be an indexable tenant predicate, found {expression}"
                );
            }
            restrictive += usize::from(!permissive);
        }
        assert!(
            restrictive >= 1 && policies.len() >= 2,
            "{name}: needs a restrictive tenant fence and a permissive policy"
        );
    }
    // A read function runs as its caller, so row-level security holds inside
    // it, and only the runtime role may call it.
    for function in model
        .tenant_entities()
        .filter_map(|entity| entity.table.read_by_id.as_ref())
    {
        let row = admin
            .query_one(
                "SELECT prosecdef, pg_get_userbyid(proowner),
                        has_function_privilege('public', oid, 'EXECUTE'),
                        has_function_privilege($2, oid, 'EXECUTE')
                 FROM pg_proc WHERE oid = to_regprocedure($1)",
                &[&format!("{function}(uuid, uuid)"), runtime],
            )
            .unwrap_or_else(|err| panic!("{function} exists: {err}"));
        let (definer, owner, public, callable): (bool, String, bool, bool) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        assert!(!definer, "{function}: SECURITY INVOKER");
        assert_eq!(
            owner, model.database.owner_role,
            "{function}: owned by the owner role"
        );
        assert!(
            !public && callable,
            "{function}: callable by the runtime role only"
        );
    }
}

/// With 100k rows over 100 tenants, one tenant's list page must come from
/// an index on tenant_id, not a scan of everyone's rows.
fn check_list_plan(server: &Server, model: &Model, tester: &str, place: &Place) {
    if model.tenant_entities().next().is_none() {
        // Only global entities: no tenant has rows of its own to list.
        return;
    }
    let entity = model
        .tenant_entities()
        .find(|entity| {
            entity.fields.iter().all(|f| {
                let unrepeatable = f.unique && matches!(f.field_type, FieldType::Bool | FieldType::Enum);
                let required_ref = f.required && f.reference.is_some();
                !(required_ref || unrepeatable)
            })
        })
        .expect("a tenant entity that can be filled with many rows: no required reference, no unique bool or enum");
    let table = &entity.table.name;
    let control = &model.database.control_schema;
    let mut admin = server.connect(&place.database);
    let tenant_expr = "('00000000-0000-4000-8000-' || lpad(to_hex(g % 100), 12, '0'))::uuid";
    admin
        .execute(
            &format!(
                "INSERT INTO {control}.tenants (id, slug, name)
                 SELECT {tenant_expr}, 'bench-' || g, 'bench' FROM generate_series(0, {}) g
                 ON CONFLICT DO NOTHING",
                BENCH_TENANTS - 1
            ),
            &[],
        )
        .expect("bench tenants");
    let (columns, values) = row_sql(model, entity, "g", None);
    let (columns, values) = if columns == "id" {
        ("tenant_id".to_owned(), String::new())
    } else {
        (format!("tenant_id, {columns}"), format!(", {values}"))
    };
    admin
        .execute(
            &format!("INSERT INTO {table} ({columns}) SELECT {tenant_expr}{values} FROM generate_series(1, {BENCH_ROWS}) g"),
            &[],
        )
        .unwrap_or_else(|err| panic!("fill {table}: {}", describe(&err)));
    admin
        .batch_execute(&format!("ANALYZE {table}"))
        .expect("analyze");

    let mut client = server.connect_as(&place.database, tester, TESTER_PASSWORD);
    let busy_tenant = "00000000-0000-4000-8000-000000000007";
    for query in [
        format!("SELECT * FROM {table} ORDER BY created_at DESC, id DESC LIMIT 50"),
        format!("SELECT * FROM {table}"),
        format!("SELECT count(*) FROM {table}"),
    ] {
        let mut tx = begin(&mut client, place, Some(busy_tenant));
        let plan: Vec<String> = tx
            .query(&format!("EXPLAIN {query}"), &[])
            .expect("explain")
            .iter()
            .map(|row| row.get(0))
            .collect();
        let plan = plan.join("\n");
        assert!(
            !plan.contains("Seq Scan"),
            "{query}: sequential scan over all tenants:\n{plan}"
        );
        assert!(
            plan.contains("Index Cond: (tenant_id ="),
            "{query}: no index condition on tenant_id:\n{plan}"
        );
        if query.contains("ORDER BY created_at") {
            assert!(
                plan.contains("_created_at_idx") && !plan.contains("Sort"),
                "{query}: a list page should read the (tenant_id, created_at, id) index in order:\n{plan}"
            );
        }
    }
}

/// What `gen check --citus` says of each pool spec, held to the catalog of
/// its migrated database: every table is placed once, the order puts each
/// table after the tables its foreign keys point at (or defers the key),
/// and Citus's rules, read from `pg_catalog` as Citus reads them, break
/// exactly where the report says they do.
#[test]
fn citus_report_matches_the_migrated_catalog() {
    let server = Server::start();
    let mut failures = Vec::new();
    for path in common::specs::valid_specs() {
        let source = std::fs::read_to_string(&path).expect("read spec");
        let project = tenantgen::generate(
            &path.display().to_string(),
            &source,
            &tenantgen::Templates::builtin(),
        )
        .unwrap_or_else(|err| panic!("generate: {err}"));
        let Ok(distribution) = citus::distribution(&project.model) else {
            continue;
        };
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("a name");
        let database = format!("tg_citus_{stem}");
        server.create_database(&database);
        let mut client = server.connect(&database);
        let migrations: Vec<(&str, &str)> = project
            .files
            .iter()
            .filter(|file| tenantgen::model::is_migration(&file.path))
            .map(|file| (file.path.as_str(), file.contents.as_str()))
            .collect();
        apply(&mut client, &migrations, None);
        // As the app's `migrate` does after the migrations: the write gate
        // of `tenants move` on every tenant table.
        for entity in project.model.tenant_entities() {
            client
                .batch_execute(&format!(
                    "CREATE TRIGGER hold_moving_writes BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON {}
                     FOR EACH STATEMENT EXECUTE FUNCTION {}()",
                    entity.table.name, project.model.database.hold_moving_writes
                ))
                .expect("the write gate");
        }
        let catalog = CitusCatalog::read(&mut client);
        let problems = catalog.disagreements(&distribution);
        if !problems.is_empty() {
            failures.push(format!("{}:\n  {}", path.display(), problems.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The facts of a migrated database that Citus's rules are about.
struct CitusCatalog {
    tables: BTreeSet<String>,
    /// (table, constraint, columns) of primary and unique keys.
    keys: Vec<(String, String, Vec<String>)>,
    foreign_keys: Vec<CatalogForeignKey>,
    /// (table, policy) of policies whose expressions hold a subquery.
    policies_with_subqueries: Vec<(String, String)>,
    /// Tables with triggers of their own.
    triggered: BTreeSet<String>,
}

struct CatalogForeignKey {
    table: String,
    name: String,
    columns: Vec<String>,
    target: String,
    target_columns: Vec<String>,
    /// `pg_constraint.confdeltype`: `n` is SET NULL, `d` SET DEFAULT.
    on_delete: i8,
}

impl CitusCatalog {
    fn read(client: &mut postgres::Client) -> CitusCatalog {
        // regclass prints a table as the migrations name it: bare in
        // public, schema-qualified elsewhere, quoted when it must be.
        let mut query = |sql: &str| -> Vec<postgres::Row> {
            client
                .query(sql, &[])
                .unwrap_or_else(|err| panic!("{sql}: {}", describe(&err)))
        };
        let columns = "array(SELECT a.attname::text FROM unnest(k.cols) WITH ORDINALITY AS u(num, ord) \
                       JOIN pg_attribute a ON a.attrelid = k.rel AND a.attnum = u.num ORDER BY u.ord)";
        let tables = query(
            "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname IN ('public', 'control') AND c.relkind IN ('r', 'p')",
        )
        .iter()
        .map(|row| row.get(0))
        .collect();
        let keys = query(&format!(
            "SELECT k.rel::regclass::text, k.conname::text, {columns} \
             FROM (SELECT conrelid AS rel, conname, conkey AS cols FROM pg_constraint WHERE contype IN ('p', 'u') AND connamespace IN (SELECT oid FROM pg_namespace WHERE nspname IN ('public', 'control'))) k"
        ))
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2)))
        .collect();
        let foreign_keys = query(&format!(
            "SELECT k.rel::regclass::text, k.conname::text, {columns}, k.target::regclass::text, \
                    {target_columns}, k.confdeltype \
             FROM (SELECT conrelid AS rel, conname, conkey AS cols, confrelid AS target, confkey, confdeltype \
                   FROM pg_constraint WHERE contype = 'f' AND connamespace IN (SELECT oid FROM pg_namespace WHERE nspname IN ('public', 'control'))) k",
            target_columns = columns
                .replace("k.cols", "k.confkey")
                .replace("k.rel", "k.target"),
        ))
        .iter()
        .map(|row| CatalogForeignKey {
            table: row.get(0),
            name: row.get(1),
            columns: row.get(2),
            target: row.get(3),
            target_columns: row.get(4),
            on_delete: row.get(5),
        })
        .collect();
        // Citus refuses a policy whose expression tree holds a SubLink.
        let policies_with_subqueries = query(
            "SELECT polrelid::regclass::text, polname::text FROM pg_policy \
             WHERE coalesce(polqual::text, '') LIKE '%{SUBLINK%' \
                OR coalesce(polwithcheck::text, '') LIKE '%{SUBLINK%'",
        )
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
        let triggered =
            query("SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal")
                .iter()
                .map(|row| row.get(0))
                .collect();
        CitusCatalog {
            tables,
            keys,
            foreign_keys,
            policies_with_subqueries,
            triggered,
        }
    }

    /// Where the report and the catalog differ, one line each.
    fn disagreements(&self, distribution: &citus::Distribution) -> Vec<String> {
        let mut problems = Vec::new();
        let placed: BTreeMap<&str, (usize, citus::Placement)> = distribution
            .tables
            .iter()
            .enumerate()
            .map(|(at, table)| (table.name.as_str(), (at, table.placement)))
            .collect();
        let listed: BTreeSet<String> = placed.keys().map(|name| (*name).to_owned()).collect();
        if listed != self.tables || placed.len() != distribution.tables.len() {
            problems.push(format!(
                "placed {listed:?}, but the database has {:?}",
                self.tables
            ));
            return problems;
        }
        let distributed = |table: &str| placed[table].1 == citus::Placement::Distributed;
        let column = citus::DISTRIBUTION_COLUMN;
        let mut found: BTreeSet<(citus::Rule, String, Option<String>)> = BTreeSet::new();
        for (table, key, columns) in &self.keys {
            if distributed(table) && !columns.iter().any(|c| c == column) {
                found.insert((
                    citus::Rule::KeysIncludeTenant,
                    table.clone(),
                    Some(key.clone()),
                ));
            }
        }
        let deferred: BTreeSet<(&str, &str)> = distribution
            .deferred_foreign_keys
            .iter()
            .map(|added| (added.table.as_str(), added.foreign_key.name.as_str()))
            .collect();
        for fk in &self.foreign_keys {
            let object = Some(fk.name.clone());
            let at = |columns: &[String]| columns.iter().position(|c| c == column);
            match (distributed(&fk.table), distributed(&fk.target)) {
                (false, true) => {
                    found.insert((
                        citus::Rule::NoReferenceToDistributed,
                        fk.table.clone(),
                        object.clone(),
                    ));
                }
                (true, true)
                    if at(&fk.columns).is_none() || at(&fk.columns) != at(&fk.target_columns) =>
                {
                    found.insert((
                        citus::Rule::ForeignKeysOnTenant,
                        fk.table.clone(),
                        object.clone(),
                    ));
                }
                _ => {}
            }
            if distributed(&fk.table)
                && at(&fk.columns).is_some()
                && [b'n', b'd'].contains(&(fk.on_delete as u8))
            {
                found.insert((citus::Rule::NoSetNullOnTenant, fk.table.clone(), object));
            }
            let in_order =
                fk.table == fk.target || placed[fk.target.as_str()].0 < placed[fk.table.as_str()].0;
            let is_deferred = deferred.contains(&(fk.table.as_str(), fk.name.as_str()));
            if in_order == is_deferred {
                problems.push(format!(
                    "{} on {}: its target {} comes {} it, and the key is {}deferred",
                    fk.name,
                    fk.table,
                    fk.target,
                    if in_order { "before" } else { "after" },
                    if is_deferred { "" } else { "not " }
                ));
            }
        }
        for (table, policy) in &self.policies_with_subqueries {
            found.insert((
                citus::Rule::PoliciesWithoutSubqueries,
                table.clone(),
                Some(policy.clone()),
            ));
        }
        for table in &self.triggered {
            found.insert((citus::Rule::NoTriggers, table.clone(), None));
        }
        let reported: BTreeSet<(citus::Rule, String, Option<String>)> = distribution
            .rules
            .iter()
            .flat_map(|report| {
                report.findings.iter().filter_map(move |finding| {
                    Some((report.rule, finding.table.clone()?, finding.object.clone()))
                })
            })
            .collect();
        for missed in found.difference(&reported) {
            problems.push(format!(
                "the catalog breaks {missed:?}, which the report misses"
            ));
        }
        for extra in reported.difference(&found) {
            problems.push(format!(
                "the report says {extra:?}, which the catalog doesn't show"
            ));
        }
        problems
    }
}
