//! Whether Citus could spread a pool project's shared database over several
//! servers as generated: which table it would distribute by `tenant_id` and
//! which it would copy to every node, in what order, and what Citus would
//! refuse. Citus can't be installed where tenantgen is tested, so this reads
//! the model against Citus's documented rules and its source; the test
//! suite holds the model to the catalog of the migrated database.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::model::{Database, ForeignKey, Isolation, Model, OnDelete, UniqueKey};
use crate::plan::AddedForeignKey;

/// The column every tenant table is distributed by.
pub const DISTRIBUTION_COLUMN: &str = "tenant_id";

/// The Citus commit whose source the rules cite.
const CITUS_SOURCE: &str =
    "https://github.com/citusdata/citus/blob/a3d5708a6ae8bc8ed7129f8256b4585c01b917f3";

/// How Citus would hold the pool database, and what stands in the way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Distribution {
    /// Whether Citus would take every table, key and policy as generated
    /// (with citus.enable_unsafe_triggers on, where
    /// `needs_unsafe_triggers`).
    pub distributable: bool,
    /// Whether some table has triggers, which Citus takes only with
    /// citus.enable_unsafe_triggers on.
    pub needs_unsafe_triggers: bool,
    /// Every table the migrations create, in an order Citus accepts: a
    /// table comes after the tables its foreign keys point at.
    pub tables: Vec<PlacedTable>,
    /// Foreign keys that close a cycle of references: no order puts both
    /// ends first, so they are dropped before the tables are distributed and
    /// added again after.
    pub deferred_foreign_keys: Vec<AddedForeignKey>,
    /// Every rule, in [`Rule::ALL`] order, with what breaks it.
    pub rules: Vec<RuleReport>,
}

/// One rule, and where the project breaks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RuleReport {
    /// The rule.
    pub rule: Rule,
    /// What breaking it means.
    pub severity: Severity,
    /// Whether nothing breaks it.
    pub holds: bool,
    /// The rule, in a sentence.
    pub statement: &'static str,
    /// What to do when it is broken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<&'static str>,
    /// Where Citus says so.
    pub source: String,
    /// What breaks it.
    pub findings: Vec<Finding>,
}

/// A table and how Citus would hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PlacedTable {
    /// The table as written in SQL, schema-qualified when not in `public`.
    pub name: String,
    /// How Citus would hold it.
    pub placement: Placement,
    /// For a distributed table after the first, the table whose shards its
    /// own sit with, so that a tenant's rows of every table share a node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub colocate_with: Option<String>,
    /// The constraints and policies of it that Citus would refuse.
    pub refused: Vec<String>,
}

/// How Citus holds a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// Split into shards by [`DISTRIBUTION_COLUMN`]: a tenant's rows live
    /// on one node.
    Distributed,
    /// Copied whole to every node: global entities and the tenants catalog,
    /// which any tenant's rows may point at.
    Reference,
}

/// One thing Citus would refuse or the app would have to change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Finding {
    /// The table, when the finding is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// The constraint or policy, when the finding is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// The spec's `entity.field` it comes from, when it comes from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Whether a finding stops the schema from being distributed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Citus refuses the table, key or policy as generated.
    Refused,
    /// Citus takes the schema, but the app would not work as generated.
    NeedsChange,
}

/// A rule of Citus's that the generated schema or app is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Primary and unique keys of a distributed table include the
    /// distribution column.
    KeysIncludeTenant,
    /// A foreign key between distributed tables holds the distribution
    /// column at the same position on both sides.
    ForeignKeysOnTenant,
    /// A reference table never points at a distributed table.
    NoReferenceToDistributed,
    /// No foreign key that includes the distribution column sets it null or
    /// to its default on delete.
    NoSetNullOnTenant,
    /// Policies hold no subquery.
    PoliciesWithoutSubqueries,
    /// Triggers on distributed and reference tables.
    NoTriggers,
    /// The tenant setting reaches the nodes that run the query.
    TenantContextReachesWorkers,
}

impl Rule {
    /// Every rule, in the order reports list them.
    pub const ALL: [Rule; 7] = [
        Rule::KeysIncludeTenant,
        Rule::ForeignKeysOnTenant,
        Rule::NoReferenceToDistributed,
        Rule::NoSetNullOnTenant,
        Rule::PoliciesWithoutSubqueries,
        Rule::NoTriggers,
        Rule::TenantContextReachesWorkers,
    ];

    /// Whether breaking it stops the schema from being distributed.
    pub fn severity(self) -> Severity {
        match self {
            Rule::NoTriggers | Rule::TenantContextReachesWorkers => Severity::NeedsChange,
            _ => Severity::Refused,
        }
    }

    /// The rule, in a sentence.
    pub fn statement(self) -> &'static str {
        match self {
            Rule::KeysIncludeTenant => {
                "primary and unique keys of a distributed table include tenant_id"
            }
            Rule::ForeignKeysOnTenant => {
                "a foreign key between distributed tables holds tenant_id at the same position on both sides"
            }
            Rule::NoReferenceToDistributed => {
                "a reference table's foreign keys never point at a distributed table"
            }
            Rule::NoSetNullOnTenant => {
                "no foreign key that includes tenant_id is ON DELETE SET NULL or SET DEFAULT, even with a column list"
            }
            Rule::PoliciesWithoutSubqueries => "no row-level security policy holds a subquery",
            Rule::NoTriggers => {
                "Citus refuses to distribute a table with triggers, or to make it a reference table, unless citus.enable_unsafe_triggers is on (the statements turn it on); its triggers then run on the shards, on the nodes that hold them"
            }
            Rule::TenantContextReachesWorkers => {
                "the tenant setting the policies read reaches the nodes that run the query: Citus passes on SET LOCAL (with citus.propagate_set_commands = 'local'), never set_config()"
            }
        }
    }

    /// What to do about a broken rule.
    pub fn help(self) -> Option<&'static str> {
        match self {
            Rule::NoSetNullOnTenant => Some(
                "give the reference `on_delete: cascade` or `restrict`: SET NULL here clears only the reference's own column, but Citus refuses any SET NULL on a key that holds tenant_id",
            ),
            Rule::NoTriggers => Some(
                "the app learns of membership, session and tenant changes from these triggers' NOTIFY; one raised on a worker does not reach the app's listening connection on the coordinator, so a revoked session or membership could be honoured for up to a minute (memberships::LISTENING_TTL); and the trigger function tells the tenants table from the others by TG_TABLE_NAME, which on a shard is the shard's name (tenants_<shard id>), so a change of a tenant would fail in it; and the write gate of `tenants move` on each tenant table (`hold_moving_writes`) takes its lock on the node that holds the row's shard, where the move, which takes it on the coordinator, does not hold it, so a move's hold of the tenant's writes is not enforced there",
            ),
            Rule::TenantContextReachesWorkers => Some(
                "the generated app enters a tenant with set_config() (src/db.rs), which Citus does not pass on to the nodes that hold the shards, where the shards' copies of the policies would read no tenant; Citus documents SET LOCAL with citus.propagate_set_commands = 'local' instead (not tried: Citus can't be installed where tenantgen is tested)",
            ),
            _ => None,
        }
    }

    /// Where Citus says so.
    pub fn source(self) -> String {
        match self {
            Rule::KeysIncludeTenant => {
                "https://docs.citusdata.com/en/stable/develop/reference_ddl.html#adding-removing-constraints"
                    .to_owned()
            }
            Rule::ForeignKeysOnTenant | Rule::NoReferenceToDistributed => format!(
                "https://docs.citusdata.com/en/stable/develop/reference_ddl.html#adding-removing-constraints; {CITUS_SOURCE}/src/backend/distributed/commands/foreign_constraint.c (ErrorIfUnsupportedForeignConstraintExists)"
            ),
            Rule::NoSetNullOnTenant => format!(
                "{CITUS_SOURCE}/src/backend/distributed/commands/foreign_constraint.c (EnsureSupportedFKeyOnDistKey reads confdeltype, not confdelsetcols)"
            ),
            Rule::PoliciesWithoutSubqueries => format!(
                "{CITUS_SOURCE}/src/backend/distributed/commands/policy.c (ErrorIfUnsupportedPolicyExpr)"
            ),
            Rule::NoTriggers => format!(
                "{CITUS_SOURCE}/src/backend/distributed/commands/create_distributed_table.c (EnsureRelationCanBeDistributed) and trigger.c (ErrorOutForTriggerIfNotSupported)"
            ),
            Rule::TenantContextReachesWorkers => format!(
                "https://docs.citusdata.com/en/stable/develop/api_guc.html#citus-propagate-set-commands-enum; {CITUS_SOURCE}/src/backend/distributed/commands/variableset.c (ShouldPropagateSetCommand)"
            ),
        }
    }
}

/// Why there is no distribution to work out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("citus distributes the shared tables of pool isolation; this spec uses {0} isolation")]
pub struct NotPool(pub Isolation);

/// A table as Citus sees it: its keys, foreign keys, policies and triggers.
struct TableFacts {
    name: String,
    placement: Placement,
    primary_key: UniqueKey,
    unique_keys: Vec<UniqueKey>,
    foreign_keys: Vec<ForeignKey>,
    /// Each policy's name and the expressions it checks rows with.
    policies: Vec<(&'static str, String)>,
    triggers: bool,
    /// The entity the table stores, as the spec names it.
    entity: Option<String>,
    /// The spec's field behind each constraint: (constraint, field).
    fields: Vec<(String, String)>,
}

/// Works out how Citus would hold the shared database of `model`.
pub fn distribution(model: &Model) -> Result<Distribution, NotPool> {
    if model.isolation != Isolation::Pool {
        return Err(NotPool(model.isolation));
    }
    let facts = table_facts(model);
    let mut findings: Vec<(Rule, Finding)> = facts
        .iter()
        .flat_map(|table| table_findings(table, &facts))
        .collect();
    // Every generated pool app enters a tenant with set_config().
    findings.push((
        Rule::TenantContextReachesWorkers,
        Finding {
            table: None,
            object: None,
            field: None,
        },
    ));
    let (mut tables, deferred_foreign_keys) = order(&facts);
    for table in &mut tables {
        table.refused = findings
            .iter()
            .filter(|(rule, finding)| {
                rule.severity() == Severity::Refused
                    && finding.table.as_deref() == Some(&table.name)
            })
            .filter_map(|(_, finding)| finding.object.clone())
            .collect();
    }
    let rules: Vec<RuleReport> = Rule::ALL
        .into_iter()
        .map(|rule| {
            let broken: Vec<Finding> = findings
                .iter()
                .filter(|(of, _)| *of == rule)
                .map(|(_, finding)| finding.clone())
                .collect();
            RuleReport {
                rule,
                severity: rule.severity(),
                holds: broken.is_empty(),
                statement: rule.statement(),
                help: rule.help(),
                source: rule.source(),
                findings: broken,
            }
        })
        .collect();
    Ok(Distribution {
        needs_unsafe_triggers: rules
            .iter()
            .any(|report| report.rule == Rule::NoTriggers && !report.holds),
        distributable: rules
            .iter()
            .all(|report| report.holds || report.severity != Severity::Refused),
        tables,
        deferred_foreign_keys,
        rules,
    })
}

/// The report `gen check --citus` prints: where each table goes, then what
/// Citus would refuse, what the app would need changed, and what holds,
/// each rule with its source.
impl std::fmt::Display for Distribution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "tables, in the order to hand them to Citus:")?;
        for table in &self.tables {
            match (table.placement, &table.colocate_with) {
                (Placement::Reference, _) => writeln!(f, "  reference    {}", table.name)?,
                (Placement::Distributed, None) => {
                    writeln!(f, "  distributed  {} by {DISTRIBUTION_COLUMN}", table.name)?
                }
                (Placement::Distributed, Some(with)) => writeln!(
                    f,
                    "  distributed  {} by {DISTRIBUTION_COLUMN}, with {with}",
                    table.name
                )?,
            }
        }
        for fk in &self.deferred_foreign_keys {
            writeln!(
                f,
                "  then add {}.{} again (dropped first: its tables refer to each other)",
                fk.table, fk.foreign_key.name
            )?;
        }
        let sections = [
            (Some(Severity::Refused), "refused by Citus"),
            (
                Some(Severity::NeedsChange),
                "to change before the app runs on Citus",
            ),
            (None, "holds"),
        ];
        for (severity, heading) in sections {
            let rules: Vec<&RuleReport> = self
                .rules
                .iter()
                .filter(|report| match severity {
                    Some(severity) => !report.holds && report.severity == severity,
                    None => report.holds,
                })
                .collect();
            if rules.is_empty() {
                continue;
            }
            writeln!(f, "\n{heading}:")?;
            for report in rules {
                writeln!(f, "  {}", report.statement)?;
                for finding in &report.findings {
                    let place = match (&finding.object, &finding.table) {
                        (Some(object), Some(table)) => format!("{object} on {table}"),
                        (None, Some(table)) => table.clone(),
                        (_, None) => continue,
                    };
                    match &finding.field {
                        Some(field) => writeln!(f, "    {place} (from {field})")?,
                        None => writeln!(f, "    {place}")?,
                    }
                }
                if let (Some(help), false) = (report.help, report.holds) {
                    writeln!(f, "    help: {help}")?;
                }
                writeln!(f, "    source: {}", report.source)?;
            }
        }
        Ok(())
    }
}

/// The pool database's tables in the order the migrations create them: the
/// control tables, then the entities'.
fn table_facts(model: &Model) -> Vec<TableFacts> {
    let database = &model.database;
    let mut facts = control_tables(database);
    for entity in &model.entities {
        let table = &entity.table;
        facts.push(TableFacts {
            name: table.name.clone(),
            placement: if entity.tenant_scoped {
                Placement::Distributed
            } else {
                Placement::Reference
            },
            primary_key: table.primary_key.clone(),
            unique_keys: table.unique_keys.clone(),
            foreign_keys: table.foreign_keys.clone(),
            policies: if entity.tenant_scoped {
                fence(database)
            } else {
                Vec::new()
            },
            // Tenant tables carry the write gate of `tenants move`.
            triggers: entity.tenant_scoped,
            entity: Some(entity.names.singular.clone()),
            fields: table
                .field_constraints
                .iter()
                .map(|guard| (guard.constraint.clone(), guard.field.clone()))
                .collect(),
        });
    }
    facts
}

/// The control tables of pool mode, as `migrations/control.sql.j2`,
/// `migrations/sessions.sql.j2` and `migrations/control/pool_moves.sql.j2`
/// create them.
fn control_tables(database: &Database) -> Vec<TableFacts> {
    let key = |name: String, columns: &[&str]| UniqueKey {
        name,
        columns: columns.iter().map(|column| (*column).to_owned()).collect(),
    };
    let reference =
        |name: String, columns: &[&str], target: &str, target_columns: &[&str]| ForeignKey {
            name,
            columns: columns.iter().map(|column| (*column).to_owned()).collect(),
            target_table: target.to_owned(),
            target_columns: target_columns
                .iter()
                .map(|column| (*column).to_owned())
                .collect(),
            target_entity: None,
            on_delete: "ON DELETE CASCADE".to_owned(),
            action: OnDelete::Cascade,
        };
    let to_tenant = |table: &str| {
        reference(
            format!("{table}_tenant_id_fkey"),
            &["tenant_id"],
            &database.tenants_table,
            &["id"],
        )
    };
    let tenant_table = |table: &str,
                        primary_key: &[&str],
                        unique_keys: Vec<UniqueKey>,
                        foreign_keys: Vec<ForeignKey>,
                        triggers: bool| TableFacts {
        name: format!("{}.{table}", database.control_schema),
        placement: Placement::Distributed,
        primary_key: key(format!("{table}_pkey"), primary_key),
        unique_keys,
        foreign_keys,
        policies: fence(database),
        triggers,
        entity: None,
        fields: Vec::new(),
    };
    vec![
        TableFacts {
            name: database.tenants_table.clone(),
            placement: Placement::Reference,
            primary_key: key("tenants_pkey".to_owned(), &["id"]),
            unique_keys: vec![key("tenants_slug_key".to_owned(), &["slug"])],
            foreign_keys: Vec::new(),
            policies: vec![("tenant_self", format!("id = {}", database.current_tenant))],
            triggers: true,
            entity: None,
            fields: Vec::new(),
        },
        tenant_table(
            "users",
            &["tenant_id", "id"],
            vec![key("users_email_key".to_owned(), &["tenant_id", "email"])],
            vec![to_tenant("users")],
            false,
        ),
        tenant_table(
            "memberships",
            &["tenant_id", "user_id"],
            Vec::new(),
            vec![
                to_tenant("memberships"),
                reference(
                    "memberships_user_id_fkey".to_owned(),
                    &["tenant_id", "user_id"],
                    &database.users_table,
                    &["tenant_id", "id"],
                ),
            ],
            true,
        ),
        tenant_table(
            "sessions",
            &["tenant_id", "id"],
            Vec::new(),
            vec![reference(
                "sessions_user_id_fkey".to_owned(),
                &["tenant_id", "user_id"],
                &database.users_table,
                &["tenant_id", "id"],
            )],
            true,
        ),
        tenant_table(
            "refresh_tokens",
            &["tenant_id", "token_hash"],
            Vec::new(),
            vec![reference(
                "refresh_tokens_session_id_fkey".to_owned(),
                &["tenant_id", "session_id"],
                &database.sessions_table,
                &["tenant_id", "id"],
            )],
            false,
        ),
        tenant_table(
            "tenant_moves",
            &["tenant_id"],
            Vec::new(),
            vec![ForeignKey {
                on_delete: String::new(),
                action: OnDelete::Restrict,
                ..to_tenant("tenant_moves")
            }],
            false,
        ),
    ]
}

/// The two policies every tenant table has (`tenant_fence` in
/// `migrations/_sql.j2`), with the expression each checks rows with.
fn fence(database: &Database) -> Vec<(&'static str, String)> {
    vec![
        ("tenant_fence", database.tenant_predicate.clone()),
        ("tenant_access", database.tenant_predicate.clone()),
    ]
}

/// Reference tables first, then distributed ones; within each, a table
/// after every table its foreign keys point at. When only a cycle is left,
/// its first table goes next and its keys into the cycle wait until every
/// table is placed.
fn order(facts: &[TableFacts]) -> (Vec<PlacedTable>, Vec<AddedForeignKey>) {
    let mut remaining: Vec<&TableFacts> = facts
        .iter()
        .filter(|table| table.placement == Placement::Reference)
        .chain(
            facts
                .iter()
                .filter(|table| table.placement == Placement::Distributed),
        )
        .collect();
    let mut placed: BTreeSet<&str> = BTreeSet::new();
    let mut tables = Vec::new();
    let mut deferred = Vec::new();
    let mut first_distributed: Option<String> = None;
    while !remaining.is_empty() {
        let waits_on = |table: &TableFacts, fk: &ForeignKey| {
            fk.target_table != table.name
                && !placed.contains(fk.target_table.as_str())
                && facts.iter().any(|other| other.name == fk.target_table)
        };
        let next = remaining
            .iter()
            .position(|table| !table.foreign_keys.iter().any(|fk| waits_on(table, fk)))
            .unwrap_or(0);
        let table = remaining.remove(next);
        deferred.extend(
            table
                .foreign_keys
                .iter()
                .filter(|fk| waits_on(table, fk))
                .map(|fk| AddedForeignKey {
                    table: table.name.clone(),
                    foreign_key: fk.clone(),
                }),
        );
        let colocate_with = match table.placement {
            Placement::Reference => None,
            Placement::Distributed => match &first_distributed {
                Some(first) => Some(first.clone()),
                None => {
                    first_distributed = Some(table.name.clone());
                    None
                }
            },
        };
        placed.insert(&table.name);
        tables.push(PlacedTable {
            name: table.name.clone(),
            placement: table.placement,
            colocate_with,
            refused: Vec::new(),
        });
    }
    (tables, deferred)
}

/// What Citus would refuse of `table`, or need changed, given where every
/// table of `facts` goes.
fn table_findings(table: &TableFacts, facts: &[TableFacts]) -> Vec<(Rule, Finding)> {
    let finding = |rule: Rule, object: &str| {
        (
            rule,
            Finding {
                table: Some(table.name.clone()),
                object: Some(object.to_owned()),
                field: table.entity.as_ref().and_then(|entity| {
                    table
                        .fields
                        .iter()
                        .find(|(constraint, _)| constraint == object)
                        .map(|(_, field)| format!("{entity}.{field}"))
                }),
            },
        )
    };
    let mut findings = Vec::new();
    let distributed = table.placement == Placement::Distributed;
    if distributed {
        for key in std::iter::once(&table.primary_key).chain(&table.unique_keys) {
            if !key
                .columns
                .iter()
                .any(|column| column == DISTRIBUTION_COLUMN)
            {
                findings.push(finding(Rule::KeysIncludeTenant, &key.name));
            }
        }
    }
    for fk in &table.foreign_keys {
        let target = if fk.target_table == table.name {
            Some(table.placement)
        } else {
            facts
                .iter()
                .find(|other| other.name == fk.target_table)
                .map(|other| other.placement)
        };
        let position = |columns: &[String]| columns.iter().position(|c| c == DISTRIBUTION_COLUMN);
        match (table.placement, target) {
            (Placement::Reference, Some(Placement::Reference)) => {}
            // Citus also refuses a key to a table it doesn't hold; every
            // table of the database is placed, so that is only a referenced
            // table outside it.
            (Placement::Reference, _) => {
                findings.push(finding(Rule::NoReferenceToDistributed, &fk.name))
            }
            (Placement::Distributed, Some(Placement::Distributed)) => {
                if position(&fk.columns).is_none()
                    || position(&fk.columns) != position(&fk.target_columns)
                {
                    findings.push(finding(Rule::ForeignKeysOnTenant, &fk.name));
                }
            }
            (Placement::Distributed, Some(Placement::Reference)) => {}
            (Placement::Distributed, None) => {
                findings.push(finding(Rule::ForeignKeysOnTenant, &fk.name))
            }
        }
        if distributed && position(&fk.columns).is_some() && fk.action == OnDelete::SetNull {
            findings.push(finding(Rule::NoSetNullOnTenant, &fk.name));
        }
    }
    for (policy, expression) in &table.policies {
        if holds_subquery(expression) {
            findings.push(finding(Rule::PoliciesWithoutSubqueries, policy));
        }
    }
    if table.triggers {
        findings.push((
            Rule::NoTriggers,
            Finding {
                table: Some(table.name.clone()),
                object: None,
                field: None,
            },
        ));
    }
    findings
}

/// Whether an SQL expression holds a subquery: a `SELECT` anywhere in it,
/// `EXISTS (SELECT …)` and `IN (SELECT …)` included.
fn holds_subquery(expression: &str) -> bool {
    expression
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .any(|word| word.eq_ignore_ascii_case("select"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_select_anywhere_is_a_subquery() {
        assert!(holds_subquery("tenant_id IN (SELECT id FROM t)"));
        assert!(holds_subquery("EXISTS(select 1)"));
        assert!(!holds_subquery(
            "tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid"
        ));
        assert!(!holds_subquery("selected = true"));
    }
}
