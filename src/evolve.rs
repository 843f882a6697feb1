//! How the database changes from the tables of one spec to those of the
//! next: the steps of the migration `gen update` appends, and what each
//! step risks on a database that already holds rows. Pure: it compares two
//! validated models and returns values.
//!
//! Entities are matched by name, or by `renamed_from:`; fields likewise
//! within a matched entity. A match whose table, column or constraint names
//! changed is renamed first, so that its rows stay. What is left is compared
//! by name: every column, key, check and index of a table is named in the
//! model, so the differences are exactly what the migration must do.

use serde::Serialize;

use crate::model::{
    self, Check, Column, Entity, Field, ForeignKey, Index, Isolation, MigrationSet, Model, Scope,
    Table, UniqueKey,
};
use crate::spec::{Located, RawField, RawSpec};

/// One statement of an appended migration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Step {
    /// `ALTER TABLE from RENAME TO to`.
    RenameTable {
        /// The old name, as written in SQL.
        from: String,
        /// The new name.
        to: String,
    },
    /// `ALTER TABLE table RENAME COLUMN from TO to`.
    RenameColumn {
        /// The table (already renamed).
        table: String,
        /// The old column name.
        from: String,
        /// The new column name.
        to: String,
    },
    /// `ALTER TABLE table RENAME CONSTRAINT from TO to`; the index of a key
    /// is renamed with it.
    RenameConstraint {
        /// The table (already renamed).
        table: String,
        /// The old constraint name.
        from: String,
        /// The new constraint name.
        to: String,
    },
    /// `ALTER INDEX from RENAME TO to`.
    RenameIndex {
        /// The old index name.
        from: String,
        /// The new index name.
        to: String,
    },
    /// `ALTER TABLE table DROP CONSTRAINT name`.
    DropConstraint {
        /// The table.
        table: String,
        /// The constraint.
        name: String,
    },
    /// `DROP INDEX name`.
    DropIndex {
        /// The index.
        name: String,
    },
    /// `ALTER TABLE table DROP COLUMN column`.
    DropColumn {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// `DROP TABLE tables`, in one statement so references among them don't
    /// matter.
    DropTables {
        /// The tables.
        tables: Vec<String>,
    },
    /// The table of a new entity, with its keys, indexes, fence and grants.
    CreateTable {
        /// The entity's position in the new model.
        entity: usize,
        /// Foreign keys whose target exists by the time the table is created.
        inline_foreign_keys: Vec<ForeignKey>,
    },
    /// `ALTER TABLE table ADD COLUMN …`.
    AddColumn {
        /// The table.
        table: String,
        /// The column.
        column: Column,
    },
    /// `ALTER TABLE table ALTER COLUMN column TYPE sql_type`.
    AlterType {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The new type.
        sql_type: &'static str,
    },
    /// `SET NOT NULL` or `DROP NOT NULL`.
    AlterNotNull {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// Whether the column becomes NOT NULL.
        not_null: bool,
    },
    /// `SET DEFAULT` or `DROP DEFAULT`.
    AlterDefault {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The new default, or none.
        default: Option<String>,
    },
    /// `ALTER TABLE table ADD CONSTRAINT … UNIQUE`.
    AddUnique {
        /// The table.
        table: String,
        /// The key.
        key: UniqueKey,
    },
    /// `ALTER TABLE table ADD CONSTRAINT … CHECK`.
    AddCheck {
        /// The table.
        table: String,
        /// The check.
        check: Check,
    },
    /// `ALTER TABLE table ADD CONSTRAINT … FOREIGN KEY`.
    AddForeignKey {
        /// The table.
        table: String,
        /// The key.
        foreign_key: ForeignKey,
    },
    /// `CREATE INDEX`.
    CreateIndex {
        /// The table.
        table: String,
        /// The index.
        index: Index,
    },
    /// `DROP FUNCTION IF EXISTS` of a table's read function, before the
    /// table is renamed or dropped: its body names the table, and it
    /// depends on the table's row type. A project generated before read
    /// functions existed has none yet.
    DropReadById {
        /// The function.
        function: String,
    },
    /// The read function of a renamed table, under its new name.
    CreateReadById {
        /// The table (already renamed).
        table: String,
        /// The function.
        function: String,
    },
}

/// Where a step goes in its migration: renames first, so everything after
/// uses the new names; drops before adds, so a replaced constraint's name is
/// free; foreign keys once every table they point at exists. A read
/// function, whose body names its table, goes before everything else and
/// comes back after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    DropFunction,
    Rename,
    DropConstraint,
    DropIndex,
    DropColumn,
    DropTables,
    CreateTable,
    AddColumn,
    AlterColumn,
    AddConstraint,
    AddForeignKey,
    CreateIndex,
    CreateFunction,
}

/// What happens to one table, for the migration's name and header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TableChange {
    /// A new table.
    Created {
        /// The table, as written in SQL.
        table: String,
    },
    /// A table dropped.
    Dropped {
        /// The table.
        table: String,
    },
    /// A table changed in place, renamed or not.
    Altered {
        /// The table's name now.
        table: String,
        /// Its name before, when it was renamed.
        renamed_from: Option<String>,
        /// Whether anything but names changes.
        changed: bool,
    },
}

impl TableChange {
    /// The table's name after the migration (or before, for a drop).
    pub fn table(&self) -> &str {
        match self {
            TableChange::Created { table }
            | TableChange::Dropped { table }
            | TableChange::Altered { table, .. } => table,
        }
    }
}

/// The steps of one migration set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetChange {
    /// Which set the migration joins.
    pub set: MigrationSet,
    /// The tables it touches, in order.
    pub tables: Vec<TableChange>,
    /// Its statements, in the order they run.
    pub steps: Vec<Step>,
}

/// Something a step risks on a database that already holds rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hazard {
    /// Whether it throws data away: refused unless the user allows it.
    /// Otherwise the step may fail on existing rows, and the migration is
    /// rolled back whole.
    pub destructive: bool,
    /// What happens, and what to do about it.
    pub message: String,
}

/// How the database changes from one spec to the next.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Evolution {
    /// One entry per set that changes, control before tenant.
    pub sets: Vec<SetChange>,
    /// What the steps risk, in step order.
    pub hazards: Vec<Hazard>,
    /// Entities that changed name: positions in the previous model and the
    /// new one.
    pub renamed: Vec<(usize, usize)>,
}

impl Evolution {
    /// Whether the database needs no change.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }
}

/// A spec change no migration can carry out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unsupported(pub String);

/// The migration steps from `old` (validated from `old_raw`) to `new`.
/// `replayed` is the text of the tenant migrations written so far, which
/// every new tenant replays from the first.
pub fn evolve(
    old_raw: &Located<RawSpec>,
    old: &Model,
    new: &Model,
    replayed: &[&str],
) -> Result<Evolution, Vec<Unsupported>> {
    let mut unsupported = Vec::new();
    if old.isolation != new.isolation {
        unsupported.push(Unsupported(format!(
            "isolation changes from {} to {}: every row would move to another schema or database, which no migration does; generate a new project and move the data",
            old.isolation, new.isolation
        )));
    }
    if old.database.owner_role != new.database.owner_role {
        unsupported.push(Unsupported(format!(
            "`app` changes from `{}` to `{}`: the database, its roles and every setting are named after it; keep the old `app`, and change `title` instead",
            old.app, new.app
        )));
    }
    if !unsupported.is_empty() {
        return Err(unsupported);
    }

    let Matching {
        pairs: matches,
        notes,
    } = match_entities(old, new)?;
    let mut field_matches = Vec::new();
    let mut notes = notes;
    for &(old_idx, new_idx) in &matches {
        match match_fields(&old.entities[old_idx], &new.entities[new_idx]) {
            Ok(matching) => {
                notes.extend(matching.notes);
                field_matches.push(matching.pairs);
            }
            Err(problems) => unsupported.extend(problems),
        }
    }
    for &(old_idx, new_idx) in &matches {
        let (before, after) = (&old.entities[old_idx], &new.entities[new_idx]);
        if before.scope != after.scope {
            unsupported.push(Unsupported(format!(
                "entity `{}` changes scope from {} to {}: its rows would change owner, which no migration decides; add a new entity and move the rows",
                after.names.singular, before.scope, after.scope
            )));
        }
    }
    if !unsupported.is_empty() {
        return Err(unsupported);
    }

    if new.isolation == Isolation::Bridge {
        // New tenants replay every tenant migration, after the whole control
        // set: a global table one of them refers to by name must keep it.
        let pinned = |table: &str| {
            let reference = format!("REFERENCES {table} (");
            replayed.iter().any(|sql| sql.contains(&reference))
        };
        for entity in old.global_entities() {
            let kept = matches
                .iter()
                .find(|&&(old_idx, _)| {
                    old.entities[old_idx].names.singular == entity.names.singular
                })
                .map(|&(_, new_idx)| &new.entities[new_idx]);
            let change = match kept {
                None => "removed",
                Some(now) if now.table.name != entity.table.name => "renamed",
                Some(_) => continue,
            };
            if pinned(&entity.table.name) {
                unsupported.push(Unsupported(format!(
                    "global entity `{}` is {change}, but tenant migrations refer to its table `{}` by name: every new tenant replays them after the control migrations, so the table must keep its name for good in bridge mode; keep the entity as it is",
                    entity.names.singular, entity.table.name
                )));
            }
        }
        if !unsupported.is_empty() {
            return Err(unsupported);
        }
    }

    let renamed = renamed_old(old_raw, old, new, &matches, &field_matches)?;
    let mut diff = Diff::new(&renamed, new);
    for note in notes {
        diff.hazard(false, note);
    }

    for &(old_idx, new_idx) in &matches {
        let entity = &new.entities[new_idx];
        let set = diff.set_of(entity.scope);
        let (before, after) = (
            &old.entities[old_idx].table,
            &renamed.entities[old_idx].table,
        );
        let touched_before = diff.steps.len();
        diff.renames(set, before, after);
        let renamed_from = (before.name != after.name).then(|| before.name.clone());
        let renames_end = diff.steps.len();
        diff.table(set, &renamed.entities[old_idx], entity);
        let changed = diff.steps.len() > renames_end;
        if renamed_from.is_some() || diff.steps.len() > touched_before {
            diff.touch(
                set,
                TableChange::Altered {
                    table: entity.table.name.clone(),
                    renamed_from,
                    changed,
                },
            );
        }
    }

    let chains = diff.rename_chains();
    if !chains.is_empty() {
        return Err(chains);
    }

    // Dropped entities: their references from other tables went with the
    // fields that held them, which those tables drop above.
    for (old_idx, entity) in renamed.entities.iter().enumerate() {
        if matches.iter().any(|&(matched, _)| matched == old_idx) {
            continue;
        }
        let set = diff.set_of(entity.scope);
        diff.hazard(
            true,
            format!(
                "drops table `{}` and every row in it (entity `{}` is gone from the spec; if it was renamed, say so with `renamed_from: {}`)",
                entity.table.name, entity.names.singular, entity.names.singular
            ),
        );
        diff.drop_table(set, &entity.table);
        diff.touch(
            set,
            TableChange::Dropped {
                table: entity.table.name.clone(),
            },
        );
    }
    let created: Vec<usize> = (0..new.entities.len())
        .filter(|idx| !matches.iter().any(|&(_, matched)| matched == *idx))
        .collect();
    diff.create_tables(&created);

    if old.database.role_check != new.database.role_check {
        diff.roles(old, new);
    }
    let mut evolution = diff.finish();
    evolution.renamed = matches
        .iter()
        .copied()
        .filter(|&(old_idx, new_idx)| {
            old.entities[old_idx].names.singular != new.entities[new_idx].names.singular
        })
        .collect();
    Ok(evolution)
}

/// What matching names found: pairs of (old position, new position), and
/// what to tell the user about `renamed_from:` values that name nothing.
struct Matching {
    pairs: Vec<(usize, usize)>,
    notes: Vec<String>,
}

/// Pairs the items of the previous spec (`old`, by name) with those of the
/// new one (`new`, by name and `renamed_from:`), `what` being "entity" or
/// "field `x`". Same name is the same item; a `renamed_from:` counts when it
/// names an old item that is gone from the new spec. Left in the spec after
/// the rename, it names nothing any more and is ignored. A `renamed_from:`
/// that would make one old item two new ones, or that contradicts a name
/// still in use, is refused: no single migration says which rows go where.
fn match_names(
    old: &[&str],
    new: &[(&str, Option<&str>)],
    what: &str,
    owner: &str,
) -> Result<Matching, Vec<Unsupported>> {
    let position = |names: &[&str], name: &str| names.iter().position(|n| *n == name);
    let new_names: Vec<&str> = new.iter().map(|(name, _)| *name).collect();
    let mut matching = Matching {
        pairs: Vec::new(),
        notes: Vec::new(),
    };
    let mut unsupported: Vec<Unsupported> = Vec::new();
    let mut refuse = |message: String| {
        if !unsupported.iter().any(|known| known.0 == message) {
            unsupported.push(Unsupported(message));
        }
    };
    for (new_idx, &(name, renamed_from)) in new.iter().enumerate() {
        let previous = renamed_from.filter(|previous| *previous != name);
        let in_old = |name: &str| position(old, name);
        let in_new = |name: &str| position(&new_names, name);
        match (in_old(name), previous) {
            (Some(old_idx), None) => matching.pairs.push((old_idx, new_idx)),
            (Some(old_idx), Some(previous)) => {
                let swapped = in_new(previous).is_some_and(|other| new[other].1 == Some(name));
                if in_old(previous).is_some() && (in_new(previous).is_none() || swapped) {
                    refuse(format!(
                        "{what} `{owner}{name}` says `renamed_from: {previous}`, but `{owner}{name}` and `{owner}{previous}` both exist already: which rows become `{owner}{name}` is ambiguous; do it in two updates (rename one of them to a new name first)"
                    ));
                } else {
                    matching.pairs.push((old_idx, new_idx));
                }
            }
            (None, Some(previous)) => match (in_old(previous), in_new(previous)) {
                (Some(old_idx), None) => {
                    let claims = new.iter().filter(|(_, other)| *other == Some(previous)).count();
                    if claims > 1 {
                        refuse(format!(
                            "more than one {what} says `renamed_from: {owner}{previous}`: one old {what} can become only one new one; rename it, then add the others"
                        ));
                    } else {
                        matching.pairs.push((old_idx, new_idx));
                    }
                }
                (Some(_), Some(_)) => refuse(format!(
                    "{what} `{owner}{name}` says `renamed_from: {previous}`, but `{owner}{previous}` is still in the spec: a split needs two steps (add `{owner}{name}` and move the rows, or rename and then add `{owner}{previous}` again)"
                )),
                (None, _) => matching.notes.push(format!(
                    "{what} `{owner}{name}` says `renamed_from: {previous}`, which the previous spec doesn't have: `{owner}{name}` is created new"
                )),
            },
            (None, None) => {}
        }
    }
    if unsupported.is_empty() {
        Ok(matching)
    } else {
        Err(unsupported)
    }
}

/// The entities that are the same table before and after.
fn match_entities(old: &Model, new: &Model) -> Result<Matching, Vec<Unsupported>> {
    let old_names: Vec<&str> = old
        .entities
        .iter()
        .map(|e| e.names.singular.as_str())
        .collect();
    let new_names: Vec<(&str, Option<&str>)> = new
        .entities
        .iter()
        .map(|e| (e.names.singular.as_str(), e.renamed_from.as_deref()))
        .collect();
    match_names(&old_names, &new_names, "entity", "")
}

/// The fields of two matched entities that are the same column.
fn match_fields(old: &Entity, new: &Entity) -> Result<Matching, Vec<Unsupported>> {
    let old_names: Vec<&str> = old.fields.iter().map(|f| f.name.as_str()).collect();
    let new_names: Vec<(&str, Option<&str>)> = new
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.renamed_from.as_deref()))
        .collect();
    match_names(
        &old_names,
        &new_names,
        "field",
        &format!("{}.", new.names.singular),
    )
}

/// The old spec with every matched entity and field under its new name
/// (and plural), validated: its tables are the old tables as they stand
/// once renamed, so comparing them with the new ones finds only real
/// changes.
fn renamed_old(
    old_raw: &Located<RawSpec>,
    old: &Model,
    new: &Model,
    matches: &[(usize, usize)],
    field_matches: &[Vec<(usize, usize)>],
) -> Result<Model, Vec<Unsupported>> {
    let unchanged_names = matches
        .iter()
        .zip(field_matches)
        .all(|(&(old_idx, new_idx), fields)| {
            let (before, after) = (&old.entities[old_idx], &new.entities[new_idx]);
            before.names.singular == after.names.singular
                && before.names.plural == after.names.plural
                && fields
                    .iter()
                    .all(|&(was, now)| before.fields[was].name == after.fields[now].name)
        });
    if unchanged_names {
        // Nothing to rename: the previous model is its own renamed copy,
        // and validating it again would only cost time.
        return Ok(old.clone());
    }
    let mut raw = old_raw.clone();
    let new_name_of = |old_name: &str| {
        matches.iter().find_map(|&(old_idx, new_idx)| {
            (old.entities[old_idx].names.singular == old_name)
                .then(|| new.entities[new_idx].names.singular.clone())
        })
    };
    let Some(entities) = raw.value.entities.as_mut() else {
        return Ok(old.clone());
    };
    // A valid spec's entities and fields are the model's, in order.
    for (old_idx, (key, raw_entity)) in entities.value.0.iter_mut().enumerate() {
        // Renames already made say nothing about this one, and under the new
        // names they could even name the entity or field itself.
        raw_entity.value.renamed_from = None;
        let matched = matches.iter().position(|&(matched, _)| matched == old_idx);
        if let Some(position) = matched {
            let after = &new.entities[matches[position].1];
            key.value.clone_from(&after.names.singular);
            raw_entity.value.plural = Some(Located {
                value: after.names.plural.clone(),
                span: key.span,
            });
        }
        let Some(fields) = raw_entity.value.fields.as_mut() else {
            continue;
        };
        for (field_idx, (field_key, raw_field)) in fields.value.0.iter_mut().enumerate() {
            if let RawField::Definition(def) = &mut raw_field.value {
                def.renamed_from = None;
                // Every reference, dropped entities' included, points at the new names.
                if let Some(to) = def.to.as_mut()
                    && let Some(target) = new_name_of(&model::names::snake(&to.value))
                {
                    to.value = target;
                }
            }
            let Some(position) = matched else { continue };
            let after = &new.entities[matches[position].1];
            if let Some(&(_, new_field)) = field_matches[position]
                .iter()
                .find(|&&(matched, _)| matched == field_idx)
            {
                field_key.value.clone_from(&after.fields[new_field].name);
            }
        }
    }
    model::validate(&raw).map_err(|problems| {
        problems
            .into_iter()
            .map(|problem| {
                Unsupported(format!(
                    "the renames can't be applied to the previous spec: {}",
                    problem.message
                ))
            })
            .collect()
    })
}

/// The steps found so far, with the set and phase each belongs to.
struct Diff<'a> {
    /// The previous spec's model under the new names.
    renamed: &'a Model,
    new: &'a Model,
    steps: Vec<(MigrationSet, Phase, Step)>,
    tables: Vec<(MigrationSet, TableChange)>,
    hazards: Vec<Hazard>,
}

impl<'a> Diff<'a> {
    fn new(renamed: &'a Model, new: &'a Model) -> Self {
        Diff {
            renamed,
            new,
            steps: Vec::new(),
            tables: Vec::new(),
            hazards: Vec::new(),
        }
    }

    fn set_of(&self, scope: Scope) -> MigrationSet {
        MigrationSet::of(self.new.isolation, scope)
    }

    fn push(&mut self, set: MigrationSet, phase: Phase, step: Step) {
        self.steps.push((set, phase, step));
    }

    fn touch(&mut self, set: MigrationSet, change: TableChange) {
        self.tables.push((set, change));
    }

    fn hazard(&mut self, destructive: bool, message: String) {
        self.hazards.push(Hazard {
            destructive,
            message,
        });
    }

    /// Renames that take `before` to `after`: the same table under new
    /// names, built the same way, so their parts pair up in order.
    fn renames(&mut self, set: MigrationSet, before: &Table, after: &Table) {
        let table = after.name.clone();
        if before.read_by_id != after.read_by_id {
            self.drop_read_by_id(set, before);
            if let Some(function) = &after.read_by_id {
                self.push(
                    set,
                    Phase::CreateFunction,
                    Step::CreateReadById {
                        table: table.clone(),
                        function: function.clone(),
                    },
                );
            }
        }
        if before.name != after.name {
            self.push(
                set,
                Phase::Rename,
                Step::RenameTable {
                    from: before.name.clone(),
                    to: table.clone(),
                },
            );
        }
        for (from, to) in before.columns.iter().zip(&after.columns) {
            if from.name != to.name {
                self.push(
                    set,
                    Phase::Rename,
                    Step::RenameColumn {
                        table: table.clone(),
                        from: from.name.clone(),
                        to: to.name.clone(),
                    },
                );
            }
        }
        let constraints = |table: &Table| -> Vec<String> {
            std::iter::once(table.primary_key.name.clone())
                .chain(table.unique_keys.iter().map(|key| key.name.clone()))
                .chain(table.foreign_keys.iter().map(|key| key.name.clone()))
                .chain(table.checks.iter().map(|check| check.name.clone()))
                .collect()
        };
        for (from, to) in constraints(before).into_iter().zip(constraints(after)) {
            if from != to {
                self.push(
                    set,
                    Phase::Rename,
                    Step::RenameConstraint {
                        table: table.clone(),
                        from,
                        to,
                    },
                );
            }
        }
        for (from, to) in before.indexes.iter().zip(&after.indexes) {
            if from.name != to.name {
                self.push(
                    set,
                    Phase::Rename,
                    Step::RenameIndex {
                        from: from.name.clone(),
                        to: to.name.clone(),
                    },
                );
            }
        }
    }

    /// The steps from `before` (already renamed) to `after`, one table.
    fn table<'b>(&mut self, set: MigrationSet, before: &'b Entity, after: &'b Entity) {
        // A field kept under its name whose column name changes with its
        // type (a ref is stored in `<name>_id`) keeps its column, renamed.
        let mut renamed_columns = before.table.clone();
        for field in &after.fields {
            let Some(was) = before.fields.iter().find(|was| was.name == field.name) else {
                continue;
            };
            if was.column_sql != field.column_sql {
                self.push(
                    set,
                    Phase::Rename,
                    Step::RenameColumn {
                        table: after.table.name.clone(),
                        from: was.column_sql.clone(),
                        to: field.column_sql.clone(),
                    },
                );
                for column in &mut renamed_columns.columns {
                    if column.name == was.column_sql {
                        column.name.clone_from(&field.column_sql);
                    }
                }
            }
        }
        let (old, new) = (&renamed_columns, &after.table);
        let table = &new.name;
        let added_columns: Vec<&str> = missing_from(&new.columns, &old.columns, same_name)
            .map(|column| column.name.as_str())
            .collect();
        // A constraint over columns added now has nothing to trip over.
        let on_new_columns = |columns: &[String]| {
            columns
                .iter()
                .filter(|column| *column != "tenant_id")
                .all(|column| added_columns.contains(&column.as_str()))
        };
        let rows_of = if after.tenant_scoped {
            " in one tenant"
        } else {
            ""
        };

        // Keys, checks and indexes: by name; one that changed is replaced.
        for key in missing_from(&old.unique_keys, &new.unique_keys, PartialEq::eq) {
            self.drop_constraint(set, table, &key.name);
        }
        // A new column with a default gives every existing row the same value.
        let defaulted = |columns: &[String]| {
            columns.iter().any(|name| {
                new.columns
                    .iter()
                    .any(|column| &column.name == name && column.default.is_some())
            })
        };
        for key in missing_from(&new.unique_keys, &old.unique_keys, PartialEq::eq) {
            if !on_new_columns(&key.columns) || defaulted(&key.columns) {
                self.hazard(
                    false,
                    format!(
                        "adds unique key `{}`: fails if two rows of `{table}`{rows_of} already share a value",
                        key.name
                    ),
                );
            }
            self.push(
                set,
                Phase::AddConstraint,
                Step::AddUnique {
                    table: table.clone(),
                    key: key.clone(),
                },
            );
        }
        let (renamed, now) = (self.renamed, self.new);
        let same = |a: &ForeignKey, b: &ForeignKey| {
            let target = |fk: &ForeignKey, model: &Model| {
                fk.target_entity
                    .map(|idx| model.entities[idx].names.singular.clone())
            };
            same_foreign_key(a, b) && target(a, renamed) == target(b, now)
        };
        for fk in missing_from(&old.foreign_keys, &new.foreign_keys, same) {
            self.drop_constraint(set, table, &fk.name);
        }
        for fk in missing_from(&new.foreign_keys, &old.foreign_keys, |fk, was| {
            same(was, fk)
        }) {
            if !on_new_columns(&fk.columns) {
                self.hazard(
                    false,
                    format!(
                        "adds reference `{}`: fails if a row of `{table}` refers to a record that doesn't exist",
                        fk.name
                    ),
                );
            }
            self.push(
                set,
                Phase::AddForeignKey,
                Step::AddForeignKey {
                    table: table.clone(),
                    foreign_key: fk.clone(),
                },
            );
        }
        for check in missing_from(&old.checks, &new.checks, PartialEq::eq) {
            self.drop_constraint(set, table, &check.name);
        }
        for check in missing_from(&new.checks, &old.checks, PartialEq::eq) {
            let field = |entity: &'b Entity, table: &Table| {
                table
                    .field_constraints
                    .iter()
                    .find(|guard| guard.constraint == check.name)
                    .and_then(|guard| entity.fields.iter().find(|field| field.name == guard.field))
            };
            let (was, now) = (field(before, old), field(after, new));
            let harmless = now
                .is_some_and(|now| on_new_columns(std::slice::from_ref(&now.column_sql)))
                || was.zip(now).is_some_and(|(was, now)| loosens(was, now));
            if !harmless {
                self.hazard(
                    false,
                    format!(
                        "adds check `{}` ({}): fails if a row of `{table}` breaks it",
                        check.name, check.expression
                    ),
                );
            }
            self.push(
                set,
                Phase::AddConstraint,
                Step::AddCheck {
                    table: table.clone(),
                    check: check.clone(),
                },
            );
        }
        for index in missing_from(&old.indexes, &new.indexes, PartialEq::eq) {
            self.push(
                set,
                Phase::DropIndex,
                Step::DropIndex {
                    name: index.name.clone(),
                },
            );
        }
        for index in missing_from(&new.indexes, &old.indexes, PartialEq::eq) {
            self.push(
                set,
                Phase::CreateIndex,
                Step::CreateIndex {
                    table: table.clone(),
                    index: index.clone(),
                },
            );
        }

        // Columns: by name.
        for column in missing_from(&old.columns, &new.columns, same_name) {
            self.hazard(
                true,
                format!(
                    "drops column `{table}.{}` and its values (if its field was renamed, say so with `renamed_from:` on the field)",
                    column.name
                ),
            );
            self.push(
                set,
                Phase::DropColumn,
                Step::DropColumn {
                    table: table.clone(),
                    column: column.name.clone(),
                },
            );
        }
        for column in &new.columns {
            let Some(previous) = old.columns.iter().find(|c| same_name(c, column)) else {
                if column.not_null && column.default.is_none() {
                    self.hazard(
                        false,
                        format!(
                            "adds required column `{table}.{}` with no default: fails if `{table}` has rows, which would have no value; give the field a `default:`, or add it optional, fill it in, then make it required",
                            column.name
                        ),
                    );
                }
                self.push(
                    set,
                    Phase::AddColumn,
                    Step::AddColumn {
                        table: table.clone(),
                        column: column.clone(),
                    },
                );
                continue;
            };
            let retyped = previous.sql_type != column.sql_type;
            if retyped && previous.default.is_some() {
                // The old default may not cast to the new type: it goes
                // first, and the new one is set after.
                self.push(
                    set,
                    Phase::AlterColumn,
                    Step::AlterDefault {
                        table: table.clone(),
                        column: column.name.clone(),
                        default: None,
                    },
                );
            }
            if retyped {
                if !widens(previous.sql_type, column.sql_type) {
                    self.hazard(
                        true,
                        format!(
                            "changes column `{table}.{}` from {} to {}: a value that doesn't convert fails the migration, and one that does may lose precision",
                            column.name, previous.sql_type, column.sql_type
                        ),
                    );
                }
                self.push(
                    set,
                    Phase::AlterColumn,
                    Step::AlterType {
                        table: table.clone(),
                        column: column.name.clone(),
                        sql_type: column.sql_type,
                    },
                );
            }
            if previous.not_null != column.not_null {
                if column.not_null {
                    self.hazard(
                        false,
                        format!(
                            "makes `{table}.{}` required: fails if a row has no value",
                            column.name
                        ),
                    );
                }
                self.push(
                    set,
                    Phase::AlterColumn,
                    Step::AlterNotNull {
                        table: table.clone(),
                        column: column.name.clone(),
                        not_null: column.not_null,
                    },
                );
            }
            let default_dropped = retyped && previous.default.is_some();
            if previous.default != column.default || (default_dropped && column.default.is_some()) {
                self.push(
                    set,
                    Phase::AlterColumn,
                    Step::AlterDefault {
                        table: table.clone(),
                        column: column.name.clone(),
                        default: column.default.clone(),
                    },
                );
            }
        }
    }

    /// Renames that take a name another rename gives up (a swap, or a
    /// chain): they would need an order and temporary names, so they are
    /// refused rather than guessed at.
    fn rename_chains(&self) -> Vec<Unsupported> {
        let mut given_up = Vec::new();
        let mut taken = Vec::new();
        for (set, _, step) in &self.steps {
            let (from, to) = match step {
                Step::RenameTable { from, to } | Step::RenameIndex { from, to } => {
                    (from.clone(), to.clone())
                }
                Step::RenameColumn { table, from, to }
                | Step::RenameConstraint { table, from, to } => {
                    (format!("{table}.{from}"), format!("{table}.{to}"))
                }
                _ => continue,
            };
            given_up.push((*set, from));
            taken.push((*set, to));
        }
        // One is enough to explain it: the names derived from a table's
        // (its keys and indexes) clash along with it.
        taken
            .into_iter()
            .find(|name| given_up.contains(name))
            .map(|(_, name)| {
                Unsupported(format!(
                    "a rename takes the name `{name}` while another rename gives it up: swaps and chains of renames need two updates (rename one to a name nobody uses first)"
                ))
            })
            .into_iter()
            .collect()
    }

    fn drop_constraint(&mut self, set: MigrationSet, table: &str, name: &str) {
        self.push(
            set,
            Phase::DropConstraint,
            Step::DropConstraint {
                table: table.to_owned(),
                name: name.to_owned(),
            },
        );
    }

    fn drop_table(&mut self, set: MigrationSet, table: &Table) {
        self.drop_read_by_id(set, table);
        let table = &table.name;
        let existing = self.steps.iter_mut().find_map(|(s, _, step)| match step {
            Step::DropTables { tables } if *s == set => Some(tables),
            _ => None,
        });
        match existing {
            Some(tables) => tables.push(table.to_owned()),
            None => self.push(
                set,
                Phase::DropTables,
                Step::DropTables {
                    tables: vec![table.to_owned()],
                },
            ),
        }
    }

    fn drop_read_by_id(&mut self, set: MigrationSet, table: &Table) {
        if let Some(function) = &table.read_by_id {
            self.push(
                set,
                Phase::DropFunction,
                Step::DropReadById {
                    function: function.clone(),
                },
            );
        }
    }

    /// New tables, in spec order. A foreign key is declared inline when its
    /// target exists by then: an old table, one created earlier in the same
    /// migration, itself, or (from a tenant table) a table of the control
    /// set, which migrates first. The others are added at the end.
    fn create_tables(&mut self, created: &[usize]) {
        let new = self.new;
        for (position, &idx) in created.iter().enumerate() {
            let entity = &new.entities[idx];
            let set = self.set_of(entity.scope);
            let (inline, deferred): (Vec<ForeignKey>, Vec<ForeignKey>) =
                entity.table.foreign_keys.iter().cloned().partition(|fk| {
                    let Some(target) = fk.target_entity else {
                        return true;
                    };
                    let target_set = self.set_of(new.entities[target].scope);
                    match created.iter().position(|&other| other == target) {
                        None => true,
                        Some(target_position) => {
                            target_position <= position
                                || (target_set == MigrationSet::Control
                                    && set == MigrationSet::Tenant)
                        }
                    }
                });
            self.push(
                set,
                Phase::CreateTable,
                Step::CreateTable {
                    entity: idx,
                    inline_foreign_keys: inline,
                },
            );
            for fk in deferred {
                self.push(
                    set,
                    Phase::AddForeignKey,
                    Step::AddForeignKey {
                        table: entity.table.name.clone(),
                        foreign_key: fk,
                    },
                );
            }
            self.touch(
                set,
                TableChange::Created {
                    table: entity.table.name.clone(),
                },
            );
        }
    }

    /// The memberships table checks roles against the spec's list.
    fn roles(&mut self, old: &Model, new: &Model) {
        let set = self.set_of(Scope::Global);
        let table = new.database.memberships_table.clone();
        let removed: Vec<String> = old
            .roles
            .iter()
            .filter(|role| !new.roles.iter().any(|other| other.name == role.name))
            .map(|role| format!("`{}`", role.name))
            .collect();
        if !removed.is_empty() {
            self.hazard(
                false,
                format!(
                    "removes role {}: fails while a member still has it; give those members another role first",
                    removed.join(", ")
                ),
            );
        }
        let name = "memberships_role_check".to_owned();
        self.drop_constraint(set, &table, &name);
        self.push(
            set,
            Phase::AddConstraint,
            Step::AddCheck {
                table: table.clone(),
                check: Check {
                    name,
                    expression: new.database.role_check.clone(),
                },
            },
        );
        self.touch(
            set,
            TableChange::Altered {
                table,
                renamed_from: None,
                changed: true,
            },
        );
    }

    fn finish(self) -> Evolution {
        let mut sets: Vec<SetChange> = Vec::new();
        let mut steps = self.steps;
        steps.sort_by_key(|(set, phase, _)| (set_rank(*set), *phase));
        for (set, _, step) in steps {
            match sets.iter_mut().find(|change| change.set == set) {
                Some(change) => change.steps.push(step),
                None => sets.push(SetChange {
                    set,
                    tables: Vec::new(),
                    steps: vec![step],
                }),
            }
        }
        for (set, table) in self.tables {
            if let Some(change) = sets.iter_mut().find(|change| change.set == set) {
                change.tables.push(table);
            }
        }
        Evolution {
            sets,
            hazards: self.hazards,
            renamed: Vec::new(),
        }
    }
}

/// Control migrations run before tenant ones.
fn set_rank(set: MigrationSet) -> u8 {
    match set {
        MigrationSet::Pool | MigrationSet::Control => 0,
        MigrationSet::Tenant => 1,
    }
}

/// The items of `items` that nothing in `others` is the same as.
fn missing_from<'a, T>(
    items: &'a [T],
    others: &'a [T],
    same: impl Fn(&T, &T) -> bool + 'a,
) -> impl Iterator<Item = &'a T> + 'a {
    items
        .iter()
        .filter(move |item| !others.iter().any(|other| same(item, other)))
}

/// Columns are matched by name; what else changed is altered in place.
fn same_name(a: &Column, b: &Column) -> bool {
    a.name == b.name
}

/// Foreign keys are alike when everything but the target's position in the
/// model is (positions shift when entities are added or removed); the
/// caller checks that the target is the same entity, not merely a table of
/// the same name.
fn same_foreign_key(a: &ForeignKey, b: &ForeignKey) -> bool {
    a.name == b.name
        && a.columns == b.columns
        && a.target_table == b.target_table
        && a.target_columns == b.target_columns
        && a.on_delete == b.on_delete
}

/// Whether every value the check of `was` accepts, the check of `now` accepts
/// too: same type, bounds no tighter, no enum value taken away.
fn loosens(was: &Field, now: &Field) -> bool {
    let number =
        |bound: &Option<serde_json::Number>| bound.as_ref().and_then(serde_json::Number::as_f64);
    let min_ok = match (number(&was.min), number(&now.min)) {
        (_, None) => true,
        (Some(was), Some(now)) => now <= was,
        (None, Some(_)) => false,
    };
    let max_ok = match (number(&was.max), number(&now.max)) {
        (_, None) => true,
        (Some(was), Some(now)) => now >= was,
        (None, Some(_)) => false,
    };
    was.field_type == now.field_type
        && min_ok
        && max_ok
        && was.values.iter().all(|value| now.values.contains(value))
}

/// Whether every value of `from` converts to `to` exactly.
fn widens(from: &str, to: &str) -> bool {
    matches!(
        (from, to),
        ("integer", "bigint" | "numeric" | "double precision")
            | ("bigint", "numeric")
            | (_, "text")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(source: &str) -> (Located<RawSpec>, Model) {
        let raw = crate::spec::parse(source).expect("parses");
        let model = model::validate(&raw).expect("valid");
        (raw, model)
    }

    const BASE: &str = "app: a\nisolation: pool\nroles: [owner]\nentities:\n  item:\n    fields:\n      name: { type: string, required: true, max: 10 }\n      size: integer\n";

    fn steps(old: &str, new: &str) -> Result<Evolution, Vec<Unsupported>> {
        let (raw, old) = model(old);
        let (_, new) = model(new);
        evolve(&raw, &old, &new, &[])
    }

    #[test]
    fn the_same_spec_changes_nothing() {
        assert!(steps(BASE, BASE).expect("supported").is_empty());
    }

    #[test]
    fn a_renamed_field_is_renamed_not_dropped() {
        let renamed = BASE.replace(
            "      size: integer",
            "      weight: { type: integer, renamed_from: size }",
        );
        let evolution = steps(BASE, &renamed).expect("supported");
        assert_eq!(
            evolution.sets[0].steps,
            [Step::RenameColumn {
                table: "items".to_owned(),
                from: "size".to_owned(),
                to: "weight".to_owned(),
            }]
        );
        assert!(evolution.hazards.is_empty());
        // Without renamed_from it is a drop and an add, and the drop is destructive.
        let replaced = BASE.replace("      size: integer", "      weight: integer");
        let evolution = steps(BASE, &replaced).expect("supported");
        assert_eq!(evolution.hazards.len(), 1);
        assert!(evolution.hazards[0].destructive);
    }

    #[test]
    fn a_looser_bound_is_no_hazard_and_a_tighter_one_is() {
        let looser = BASE.replace("max: 10", "max: 20");
        let evolution = steps(BASE, &looser).expect("supported");
        assert_eq!(evolution.sets[0].steps.len(), 2, "the check is replaced");
        assert!(evolution.hazards.is_empty());
        let tighter = BASE.replace("max: 10", "max: 5");
        let evolution = steps(BASE, &tighter).expect("supported");
        assert_eq!(evolution.hazards.len(), 1);
        assert!(
            !evolution.hazards[0].destructive,
            "it may fail, it loses nothing"
        );
    }

    #[test]
    fn isolation_and_scope_changes_are_refused() {
        let bridge = BASE.replace("isolation: pool", "isolation: bridge");
        assert!(steps(BASE, &bridge).is_err());
        let global = BASE.replace("  item:\n", "  item:\n    scope: global\n");
        assert!(steps(BASE, &global).is_err());
    }

    #[test]
    fn only_lossless_type_changes_widen() {
        assert!(widens("integer", "bigint"));
        assert!(widens("date", "text"));
        assert!(!widens("bigint", "integer"));
        assert!(!widens("text", "integer"));
    }
}
