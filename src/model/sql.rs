//! The PostgreSQL shape of each entity: columns, keys, checks and indexes,
//! with every constraint named explicitly so that a name PostgreSQL would
//! silently truncate is caught at validation instead.

use serde::Serialize;

use super::names::{sql_ident, sql_string};
use super::{Field, FieldType, Isolation, OnDelete, Scope};

/// A table and everything declared on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Table {
    /// The table name as written in SQL.
    pub name: String,
    /// Columns in order: tenant_id, id, the spec's fields, created_at, updated_at.
    pub columns: Vec<Column>,
    /// The primary key.
    pub primary_key: UniqueKey,
    /// Unique constraints (tenant_id first, for tenant tables).
    pub unique_keys: Vec<UniqueKey>,
    /// Foreign keys.
    pub foreign_keys: Vec<ForeignKey>,
    /// Check constraints, one per constrained column.
    pub checks: Vec<Check>,
    /// Indexes beyond those of the keys.
    pub indexes: Vec<Index>,
    /// References no foreign key can enforce (silo: tenant database to
    /// control database); the application checks them.
    pub unchecked_references: Vec<UncheckedReference>,
    /// Which field each constraint guards, so a violation can be reported
    /// as a problem with that field.
    pub field_constraints: Vec<FieldConstraint>,
    /// The function that reads one row by id as a tenant (pool and silo
    /// tenant tables): it sets the tenant and queries in one statement, so
    /// a read is one round trip with no transaction around it. Bridge
    /// resolves its tables through a search_path that is set per request.
    pub read_by_id: Option<String>,
}

/// A constraint that guards one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FieldConstraint {
    /// The constraint name, as PostgreSQL reports it (unquoted).
    pub constraint: String,
    /// The field's JSON name.
    pub field: String,
    /// What kind of constraint it is, which says what to tell the client.
    pub kind: ConstraintKind,
}

/// The kinds of constraint that guard one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstraintKind {
    Unique,
    ForeignKey,
    Check,
}

/// A reference that crosses databases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct UncheckedReference {
    /// The referencing field's name, as clients write it.
    pub field: String,
    /// The referencing field in the generated Rust code.
    pub rust_ident: String,
    /// The referencing column, as written in SQL.
    pub column: String,
    /// The referenced table, as written in SQL.
    pub target_table: String,
}

/// A column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Column {
    /// The column name as written in SQL.
    pub name: String,
    /// The PostgreSQL type.
    pub sql_type: &'static str,
    /// NOT NULL.
    pub not_null: bool,
    /// The DEFAULT expression.
    pub default: Option<String>,
}

/// A primary key or unique constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct UniqueKey {
    /// The constraint name as written in SQL.
    pub name: String,
    /// Its columns, as written in SQL.
    pub columns: Vec<String>,
}

/// A foreign key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ForeignKey {
    /// The constraint name as written in SQL.
    pub name: String,
    /// The referencing columns.
    pub columns: Vec<String>,
    /// The referenced table, schema-qualified when it lives elsewhere.
    pub target_table: String,
    /// The referenced columns.
    pub target_columns: Vec<String>,
    /// The referenced entity, or `None` for the control tenants table.
    pub target_entity: Option<usize>,
    /// The ON DELETE action, as SQL.
    pub on_delete: String,
    /// What that action does to a referencing row.
    pub action: OnDelete,
}

/// A check constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Check {
    /// The constraint name as written in SQL.
    pub name: String,
    /// The boolean expression.
    pub expression: String,
}

/// A b-tree index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Index {
    /// The index name as written in SQL.
    pub name: String,
    /// Its columns, as written in SQL.
    pub columns: Vec<String>,
}

/// A name the table declares, with the field it comes from (none for the
/// entity itself), so that an over-long name can be blamed on the right
/// line of the spec.
pub(super) struct DeclaredName {
    pub name: String,
    pub field: Option<usize>,
    /// Tables and indexes (primary and unique keys are indexes) share one
    /// namespace per schema; columns, checks and foreign keys are per table.
    pub schema_wide: bool,
}

/// What the table builder needs to know about the entities a table refers to.
pub(super) struct TargetInfo<'a> {
    pub table: &'a str,
    pub scope: Scope,
}

/// Builds the table of one entity.
pub(super) fn build_table(
    isolation: Isolation,
    control_schema: &str,
    table: &str,
    scope: Scope,
    fields: &[Field],
    targets: &[TargetInfo<'_>],
) -> (Table, Vec<DeclaredName>) {
    let tenant_scoped = scope == Scope::Tenant;
    let mut declared = vec![DeclaredName {
        name: table.to_owned(),
        field: None,
        schema_wide: true,
    }];
    let mut declare = |name: String, field: Option<usize>, schema_wide: bool| {
        let sql = sql_ident(&name);
        declared.push(DeclaredName {
            name,
            field,
            schema_wide,
        });
        sql
    };
    let tenant_prefix = |columns: Vec<String>| -> Vec<String> {
        if tenant_scoped {
            std::iter::once("tenant_id".to_owned())
                .chain(columns)
                .collect()
        } else {
            columns
        }
    };

    let mut columns = Vec::new();
    if tenant_scoped {
        columns.push(Column {
            name: "tenant_id".to_owned(),
            sql_type: "uuid",
            not_null: true,
            default: None,
        });
    }
    columns.push(Column {
        name: "id".to_owned(),
        sql_type: "uuid",
        not_null: true,
        default: Some("gen_random_uuid()".to_owned()),
    });
    for (idx, field) in fields.iter().enumerate() {
        columns.push(Column {
            name: declare(field.column.clone(), Some(idx), false),
            sql_type: field.field_type.sql_type(),
            not_null: field.required,
            default: field.default.as_ref().map(|default| default.sql.clone()),
        });
    }
    for timestamp in ["created_at", "updated_at"] {
        columns.push(Column {
            name: timestamp.to_owned(),
            sql_type: "timestamptz",
            not_null: true,
            default: Some("now()".to_owned()),
        });
    }

    let primary_key = UniqueKey {
        name: declare(format!("{table}_pkey"), None, true),
        columns: tenant_prefix(vec!["id".to_owned()]),
    };

    let mut unique_keys = Vec::new();
    let mut foreign_keys = Vec::new();
    let mut checks = Vec::new();
    let mut indexes = Vec::new();
    let mut unchecked_references = Vec::new();
    let mut field_constraints = Vec::new();
    let mut guards = |constraint: String, field: &Field, kind: ConstraintKind| {
        field_constraints.push(FieldConstraint {
            constraint,
            field: field.name.clone(),
            kind,
        });
    };

    if tenant_scoped && isolation == Isolation::Pool {
        // Only pool mode has the tenants table in the same database and
        // schema search; bridge and silo keep tenant migrations free of
        // schema names.
        foreign_keys.push(ForeignKey {
            name: declare(format!("{table}_tenant_id_fkey"), None, false),
            columns: vec!["tenant_id".to_owned()],
            target_table: format!("{control_schema}.tenants"),
            target_columns: vec!["id".to_owned()],
            target_entity: None,
            on_delete: "ON DELETE CASCADE".to_owned(),
            action: OnDelete::Cascade,
        });
    }

    for (idx, field) in fields.iter().enumerate() {
        let column = &field.column;
        let column_sql = &field.column_sql;
        if field.unique {
            guards(
                format!("{table}_{column}_key"),
                field,
                ConstraintKind::Unique,
            );
            unique_keys.push(UniqueKey {
                name: declare(format!("{table}_{column}_key"), Some(idx), true),
                columns: tenant_prefix(vec![column_sql.clone()]),
            });
        }
        if let Some(reference) = &field.reference {
            let target = &targets[reference.entity_index];
            // A tenant row refers to another tenant row through both columns,
            // so a reference can never cross tenants: foreign-key checks
            // bypass row-level security, a single-column key would let one
            // tenant probe or attach to another tenant's ids.
            let same_tenant = tenant_scoped && target.scope == Scope::Tenant;
            // In silo mode global tables live in the control database, out of
            // a foreign key's reach; the application checks those references.
            let enforceable =
                !(isolation == Isolation::Silo && tenant_scoped && target.scope == Scope::Global);
            if enforceable {
                guards(
                    format!("{table}_{column}_fkey"),
                    field,
                    ConstraintKind::ForeignKey,
                );
                let (fk_columns, target_columns) = if same_tenant {
                    (
                        vec!["tenant_id".to_owned(), column_sql.clone()],
                        vec!["tenant_id".to_owned(), "id".to_owned()],
                    )
                } else {
                    (vec![column_sql.clone()], vec!["id".to_owned()])
                };
                let on_delete = match reference.on_delete {
                    OnDelete::Restrict => "ON DELETE RESTRICT".to_owned(),
                    OnDelete::Cascade => "ON DELETE CASCADE".to_owned(),
                    // Naming the column keeps tenant_id, which is NOT NULL and
                    // shared with other keys, out of the SET NULL.
                    OnDelete::SetNull => format!("ON DELETE SET NULL ({column_sql})"),
                };
                foreign_keys.push(ForeignKey {
                    name: declare(format!("{table}_{column}_fkey"), Some(idx), false),
                    columns: fk_columns,
                    target_table: sql_ident(target.table),
                    target_columns,
                    target_entity: Some(reference.entity_index),
                    on_delete,
                    action: reference.on_delete,
                });
            } else {
                unchecked_references.push(UncheckedReference {
                    field: field.name.clone(),
                    rust_ident: field.rust_ident.clone(),
                    column: column_sql.clone(),
                    target_table: sql_ident(target.table),
                });
            }
        }
        if let Some(expression) = check_expression(field) {
            guards(
                format!("{table}_{column}_check"),
                field,
                ConstraintKind::Check,
            );
            checks.push(Check {
                name: declare(format!("{table}_{column}_check"), Some(idx), false),
                expression,
            });
        }
        // A unique key already provides an index leading with the same columns.
        if (field.index || field.reference.is_some()) && !field.unique {
            indexes.push(Index {
                name: declare(format!("{table}_{column}_idx"), Some(idx), true),
                columns: tenant_prefix(vec![column_sql.clone()]),
            });
        }
    }

    if tenant_scoped {
        // The default list order; with tenant_id first it also serves every
        // unfiltered list of one tenant.
        indexes.insert(
            0,
            Index {
                name: declare(format!("{table}_created_at_idx"), None, true),
                columns: tenant_prefix(vec!["created_at".to_owned(), "id".to_owned()]),
            },
        );
    }

    let read_by_id = (tenant_scoped && isolation != Isolation::Bridge)
        .then(|| declare(format!("{table}_by_id"), None, false));

    let table = Table {
        name: sql_ident(table),
        columns,
        primary_key,
        unique_keys,
        foreign_keys,
        checks,
        indexes,
        unchecked_references,
        field_constraints,
        read_by_id,
    };
    (table, declared)
}

fn check_expression(field: &Field) -> Option<String> {
    let column = &field.column_sql;
    let mut terms = Vec::new();
    let measured = if field.field_type.bounds_length() {
        format!("char_length({column})")
    } else {
        column.clone()
    };
    // A length is never negative, so `min: 0` on text says nothing.
    let trivial =
        field.field_type.bounds_length() && field.min.as_ref().and_then(|m| m.as_u64()) == Some(0);
    if let Some(min) = field.min.as_ref().filter(|_| !trivial) {
        terms.push(format!("{measured} >= {min}"));
    }
    if let Some(max) = &field.max {
        terms.push(format!("{measured} <= {max}"));
    }
    match field.field_type {
        FieldType::Enum => {
            let values: Vec<String> = field.values.iter().map(|v| sql_string(v)).collect();
            terms.push(format!("{column} IN ({})", values.join(", ")));
        }
        FieldType::Email => {
            terms.push(format!("{column} ~ '^[^@[:space:]]+@[^@[:space:]]+$'"));
        }
        FieldType::Url => {
            terms.push(format!("{column} ~ '^https?://[^[:space:]]+$'"));
        }
        _ => {}
    }
    (!terms.is_empty()).then(|| terms.join(" AND "))
}
