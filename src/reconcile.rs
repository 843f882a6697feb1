//! Reconciling a regenerated project with the one on disk: what regenerating
//! would do to each file, worked out from what the edited spec generates,
//! what the last generation wrote (its manifest) and what is on disk now.
//! Pure: the caller reads the disk.
//!
//! A generator-owned file the user never touched is the generator's to
//! rewrite or delete. A user-owned file (hooks, custom routes and pages) is
//! created when missing and otherwise never looked at. One the user changed
//! keeps the user's work: if the generator's output for it is unchanged it
//! is left alone, otherwise the two changes must be merged. Migrations are
//! append-only: one that exists is never rewritten or removed.

use crate::model::is_migration;
use crate::plan::WritePolicy;
use crate::render::{Layout, RenderedFile};
use crate::state::{Manifest, hash};

/// What regenerating does to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A new file, written.
    Create,
    /// A file the user never changed, rewritten with new contents.
    Update,
    /// A file the user never changed and the spec no longer produces.
    Delete,
    /// A file the user changed whose generated contents changed too: the
    /// two must be merged.
    Merge,
    /// A file the user changed whose generated contents did not: it stays
    /// as the user left it.
    KeepEdited,
    /// A file the spec no longer produces but that the user changed: it
    /// stays, and is the user's from now on.
    KeepOrphaned,
    /// Regenerating can't proceed for this file, for the reason given.
    Conflict(String),
}

/// One file that regenerating touches or deliberately leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Path relative to the project root, `/`-separated.
    pub path: String,
    /// What happens to it.
    pub action: Action,
}

/// Every file regenerating would touch, in path order, and how many stay
/// exactly as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciliation {
    /// The files that change or need attention.
    pub changes: Vec<Change>,
    /// Generator-owned files whose contents stay the same.
    pub unchanged: usize,
}

impl Reconciliation {
    /// Whether anything would be written or deleted.
    pub fn writes_anything(&self) -> bool {
        self.changes.iter().any(|change| {
            matches!(
                change.action,
                Action::Create | Action::Update | Action::Delete | Action::Merge
            )
        })
    }

    /// The files regenerating can't handle.
    pub fn conflicts(&self) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(|change| matches!(change.action, Action::Conflict(_)))
    }

    /// What stops an update from applying this: the files it can't handle
    /// and the hooks files of renamed entities still to be moved
    /// (`unmoved`) first, then the destructive database changes not allowed
    /// (`refused`).
    pub fn blocker(&self, unmoved: usize, refused: usize) -> Option<Blocker> {
        match self.conflicts().count() + unmoved {
            0 if refused > 0 => Some(Blocker::Destructive(refused)),
            0 => None,
            count => Some(Blocker::Conflicts(count)),
        }
    }
}

/// Why an update can't be applied as things stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Blocker {
    /// Files regenerating can't handle, or hooks files still to be moved.
    #[error("{} can't be regenerated as things stand", count(*.0, "file"))]
    Conflicts(usize),
    /// Destructive database changes the user has not allowed.
    #[error("{} refused; review {}, then rerun with --allow-destructive", count(*.0, "destructive database change"), if *.0 == 1 { "it" } else { "them" })]
    Destructive(usize),
}

/// `count` and `noun`, plural unless one (`1 file`, `3 files`).
pub fn count(count: usize, noun: &str) -> String {
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {noun}{plural}")
}

/// What happened to one file when a plan was resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Written for the first time.
    Created,
    /// Rewritten with the generator's new contents.
    Updated,
    /// Removed.
    Deleted,
    /// The user's edits and the generator's, merged cleanly.
    Merged,
    /// Merged with conflict markers where both changed the same lines.
    Clashed,
    /// Not merged: this generator can't rebuild what the last generation
    /// wrote (its templates or rustfmt changed since), so every difference
    /// between the user's file and the new one is marked.
    BaseUnknown,
}

/// The files an update writes and deletes, and what happened to each.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Resolution {
    /// Files to write, with their final contents (merges included).
    pub writes: Vec<RenderedFile>,
    /// Files to delete.
    pub deletes: Vec<String>,
    /// Each file touched, in path order, and how.
    pub outcomes: Vec<(String, Outcome)>,
}

impl Resolution {
    /// How many merged files still hold conflict markers.
    pub fn clashes(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|(_, outcome)| matches!(outcome, Outcome::Clashed | Outcome::BaseUnknown))
            .count()
    }
}

/// Works out the contents of every file `plan` writes: the new render
/// (`files`) for created and updated files, and for merges the user's
/// version (through `read`) merged with the new render over `base`, what
/// the last generation wrote, rebuilt from its spec. A rebuilt file that
/// doesn't hash to what `last` recorded is no base: the merge would take
/// the difference for the user's and drop the generator's change, so every
/// difference is marked instead. Conflicts and kept files write nothing.
pub fn resolve(
    plan: &Reconciliation,
    files: &[RenderedFile],
    base: &[RenderedFile],
    last: &Manifest,
    mut read: impl FnMut(&str) -> Option<Vec<u8>>,
) -> Resolution {
    let mut resolution = Resolution {
        writes: Vec::new(),
        deletes: Vec::new(),
        outcomes: Vec::new(),
    };
    for change in &plan.changes {
        let new = contents_of(files, &change.path).map(str::to_owned);
        let (outcome, contents) = match (&change.action, new) {
            (Action::Create, Some(new)) => (Outcome::Created, new),
            (Action::Update, Some(new)) => (Outcome::Updated, new),
            (Action::Delete, _) => {
                resolution.deletes.push(change.path.clone());
                resolution
                    .outcomes
                    .push((change.path.clone(), Outcome::Deleted));
                continue;
            }
            (Action::Merge, Some(new)) => {
                let ours = read(&change.path)
                    .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                    .unwrap_or_default();
                let recorded = last.files.get(&change.path);
                let base = contents_of(base, &change.path)
                    .filter(|base| recorded == Some(&hash(base.as_bytes())));
                match base.map(|base| merge(base, &ours, &new)) {
                    Some(Ok(merged)) => (Outcome::Merged, merged),
                    Some(Err(marked)) => (Outcome::Clashed, marked),
                    None => (Outcome::BaseUnknown, mark_differences(&ours, &new)),
                }
            }
            _ => continue,
        };
        resolution.outcomes.push((change.path.clone(), outcome));
        resolution.writes.push(RenderedFile {
            path: change.path.clone(),
            contents,
            policy: WritePolicy::Generated,
            layout: Layout::Rustfmt,
        });
    }
    resolution
}

/// The contents of the file at `path` among `files`.
pub fn contents_of<'a>(files: &'a [RenderedFile], path: &str) -> Option<&'a str> {
    files
        .iter()
        .find(|file| file.path == path)
        .map(|file| file.contents.as_str())
}

/// Merges the user's edits (`ours`, changed from `base`, what the last
/// generation wrote) with the generator's (`theirs`, what the spec generates
/// now). `Err` holds the merge with conflict markers where both changed the
/// same lines.
pub fn merge(base: &str, ours: &str, theirs: &str) -> Result<String, String> {
    let mut options = diffy::MergeOptions::new();
    options.set_conflict_style(diffy::ConflictStyle::Diff3);
    options.merge(base, ours, theirs)
}

/// `ours` with every difference from `theirs` marked as a conflict, in the
/// markers a merge leaves: a two-way merge, for when there is no base.
pub fn mark_differences(ours: &str, theirs: &str) -> String {
    let diff = similar::TextDiff::from_lines(ours, theirs);
    let mut marked = String::new();
    let (mut mine, mut generated) = (String::new(), String::new());
    // Marker lines start lines: each side of a conflict ends with a line
    // break, added where the file's last line had none. Sides that are
    // then the same (only that line break differed) are no conflict.
    let flush = |marked: &mut String, mine: &mut String, generated: &mut String| {
        for side in [&mut *mine, &mut *generated] {
            if !side.is_empty() && !side.ends_with('\n') {
                side.push('\n');
            }
        }
        if mine == generated {
            marked.push_str(&std::mem::take(generated));
            mine.clear();
        } else if !mine.is_empty() || !generated.is_empty() {
            marked.push_str("<<<<<<< ours\n");
            marked.push_str(&std::mem::take(mine));
            marked.push_str("=======\n");
            marked.push_str(&std::mem::take(generated));
            marked.push_str(">>>>>>> theirs\n");
        }
    };
    for change in diff.iter_all_changes() {
        let line = change.value();
        match change.tag() {
            similar::ChangeTag::Equal => {
                flush(&mut marked, &mut mine, &mut generated);
                marked.push_str(line);
            }
            similar::ChangeTag::Delete => mine.push_str(line),
            similar::ChangeTag::Insert => generated.push_str(line),
        }
    }
    flush(&mut marked, &mut mine, &mut generated);
    marked
}

/// Whether `text` holds the markers of a merge conflict nobody resolved:
/// an opening, a middle and a closing line. Generated files never do.
pub fn has_conflict_markers(text: &[u8]) -> bool {
    let text = String::from_utf8_lossy(text);
    let mut lines = text.lines();
    lines.any(|line| line.starts_with("<<<<<<< "))
        && lines.any(|line| line == "=======")
        && lines.any(|line| line.starts_with(">>>>>>> "))
}

/// Reconciles: `files` is what the spec generates now, laid out as
/// written; `last` is the manifest of the last generation; `read` reads a
/// file of the project as it is now.
pub fn reconcile(
    files: &[RenderedFile],
    last: &Manifest,
    mut read: impl FnMut(&str) -> Option<Vec<u8>>,
) -> Reconciliation {
    let mut changes = Vec::new();
    let mut unchanged = 0;
    let owned: Vec<&RenderedFile> = files
        .iter()
        .filter(|file| file.policy == WritePolicy::Generated)
        .collect();
    // The user's own files are written once, when missing, and never again.
    for file in files
        .iter()
        .filter(|file| file.policy == WritePolicy::UserOwned)
    {
        if read(&file.path).is_none() {
            changes.push(Change {
                path: file.path.clone(),
                action: Action::Create,
            });
        }
    }
    for file in &owned {
        let new_hash = hash(file.contents.as_bytes());
        let bytes = read(&file.path);
        let on_disk = bytes.as_deref().map(hash);
        let action = match (last.files.get(&file.path), on_disk) {
            (_, Some(disk)) if disk == new_hash => {
                unchanged += 1;
                continue;
            }
            (None, None) => Action::Create,
            (None, Some(_)) => Action::Conflict(
                "a file the last generation did not write is in the way".to_owned(),
            ),
            (Some(_), None) if is_migration(&file.path) => Action::Conflict(
                "this migration was deleted; migrations are append-only, restore it".to_owned(),
            ),
            // The user deleted it; the generator still produces it.
            (Some(_), None) => Action::Create,
            (Some(last), Some(_)) if is_migration(&file.path) => {
                Action::Conflict(if *last == new_hash {
                    "this migration was edited after it was generated; migrations are append-only, restore it"
                    .to_owned()
                } else {
                    "a migration of this name exists with other contents; migrations are append-only, restore it"
                    .to_owned()
                })
            }
            (Some(last), Some(disk)) if *last == disk => Action::Update,
            // Only an edited file can hold markers a merge left.
            (_, Some(_)) if bytes.as_deref().is_some_and(has_conflict_markers) => Action::Conflict(
                "it still holds the conflict markers of a merge; resolve them first".to_owned(),
            ),
            (Some(last), Some(_)) if *last == new_hash => Action::KeepEdited,
            (Some(_), Some(_)) => Action::Merge,
        };
        changes.push(Change {
            path: file.path.clone(),
            action,
        });
    }
    for (path, last_hash) in &last.files {
        if owned.iter().any(|file| &file.path == path) {
            continue;
        }
        let disk = read(path).map(|bytes| hash(&bytes));
        let action = if is_migration(path) {
            // Migrations written before stay as they are: the spec change
            // gets a migration of its own.
            match disk {
                Some(disk) if disk == *last_hash => {
                    unchanged += 1;
                    continue;
                }
                Some(_) => Action::Conflict(
                    "this migration was edited after it was generated; migrations are append-only, restore it"
                        .to_owned(),
                ),
                None => Action::Conflict(
                    "this migration was deleted; migrations are append-only, restore it".to_owned(),
                ),
            }
        } else if let Some(disk) = disk {
            if disk == *last_hash {
                Action::Delete
            } else {
                Action::KeepOrphaned
            }
        } else {
            continue;
        };
        changes.push(Change {
            path: path.clone(),
            action,
        });
    }
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    Reconciliation { changes, unchanged }
}

/// The migrations of the last generation (`last`) that writing `files` over
/// the project would rewrite or leave behind: `gen new --force` on a project
/// that `gen update` has appended to. Databases may have applied them.
pub fn migrations_rewritten(files: &[RenderedFile], last: &Manifest) -> Vec<String> {
    last.files
        .iter()
        .filter(|(path, _)| is_migration(path))
        .filter(|(path, written)| {
            contents_of(files, path).is_none_or(|contents| hash(contents.as_bytes()) != **written)
        })
        .map(|(path, _)| path.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn generated(path: &str, contents: &str) -> RenderedFile {
        RenderedFile {
            path: path.to_owned(),
            contents: contents.to_owned(),
            policy: WritePolicy::Generated,
            layout: Layout::Rustfmt,
        }
    }

    fn generated_files(files: &[(&str, &str)]) -> Vec<RenderedFile> {
        files
            .iter()
            .map(|(path, contents)| generated(path, contents))
            .collect()
    }

    /// The last generation wrote `last`; the disk holds `disk`; the spec
    /// now generates `now`.
    fn plan(
        last: &[(&str, &str)],
        disk: &[(&str, &str)],
        now: &[(&str, &str)],
    ) -> Vec<(String, Action)> {
        let manifest = Manifest::of(&generated_files(last));
        let disk: BTreeMap<&str, &str> = disk.iter().copied().collect();
        let files = generated_files(now);
        reconcile(&files, &manifest, |path| {
            disk.get(path).map(|text| text.as_bytes().to_vec())
        })
        .changes
        .into_iter()
        .map(|change| (change.path, change.action))
        .collect()
    }

    #[test]
    fn untouched_files_follow_the_generator() {
        assert_eq!(
            plan(
                &[("a", "1"), ("gone", "x")],
                &[("a", "1"), ("gone", "x")],
                &[("a", "2"), ("new", "n")]
            ),
            [
                ("a".to_owned(), Action::Update),
                ("gone".to_owned(), Action::Delete),
                ("new".to_owned(), Action::Create),
            ]
        );
    }

    #[test]
    fn edited_files_keep_the_users_work() {
        assert_eq!(
            plan(
                &[("kept", "1"), ("merged", "1"), ("orphan", "1")],
                &[("kept", "mine"), ("merged", "mine"), ("orphan", "mine")],
                &[("kept", "1"), ("merged", "2")]
            ),
            [
                ("kept".to_owned(), Action::KeepEdited),
                ("merged".to_owned(), Action::Merge),
                ("orphan".to_owned(), Action::KeepOrphaned),
            ]
        );
    }

    #[test]
    fn a_no_op_changes_nothing() {
        let files = [("a", "1"), ("migrations/0001_x.sql", "sql")];
        assert_eq!(plan(&files, &files, &files), []);
    }

    #[test]
    fn migrations_stay_as_written_and_are_held_to_it() {
        let last = [
            ("migrations/0001_a.sql", "a"),
            ("migrations/0002_b.sql", "b"),
            ("migrations/0003_c.sql", "c"),
        ];
        // The new render holds only the migration the change appends; the
        // ones written before are neither rewritten nor removed.
        let appended = [("migrations/0004_d.sql", "d")];
        assert_eq!(
            plan(&last, &last, &appended),
            [("migrations/0004_d.sql".to_owned(), Action::Create)]
        );
        let actions = plan(
            &last,
            &[
                ("migrations/0001_a.sql", "edited"),
                ("migrations/0002_b.sql", "b"),
            ],
            &[("migrations/0002_b.sql", "rewritten")],
        );
        let paths: Vec<&str> = actions.iter().map(|(path, _)| path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "migrations/0001_a.sql",
                "migrations/0002_b.sql",
                "migrations/0003_c.sql"
            ],
            "edited, rewritten and deleted: {actions:?}"
        );
        assert!(
            actions
                .iter()
                .all(|(_, action)| matches!(action, Action::Conflict(_))),
            "{actions:?}"
        );
    }

    #[test]
    fn a_fresh_render_must_not_rewrite_appended_migrations() {
        let last = Manifest::of(&generated_files(&[
            ("migrations/0001_a.sql", "a"),
            ("migrations/0002_b.sql", "b"),
            ("src/app.rs", "x"),
        ]));
        let same = generated_files(&[
            ("migrations/0001_a.sql", "a"),
            ("migrations/0002_b.sql", "b"),
        ]);
        assert!(migrations_rewritten(&same, &last).is_empty());
        let fresh = generated_files(&[("migrations/0001_a.sql", "a"), ("src/app.rs", "y")]);
        assert_eq!(
            migrations_rewritten(&fresh, &last),
            ["migrations/0002_b.sql"]
        );
    }

    #[test]
    fn merges_keep_both_sides_and_mark_clashes() {
        let base = "a\nb\nc\nd\ne\n";
        let ours = "a\nmine\nc\nd\ne\n";
        assert_eq!(
            merge(base, ours, "a\nb\nc\nd\ntheirs\n"),
            Ok("a\nmine\nc\nd\ntheirs\n".to_owned())
        );
        let clash = merge(base, ours, "a\ntheirs\nc\nd\ne\n").expect_err("both changed line 2");
        assert!(
            clash.contains("<<<<<<<") && clash.contains("mine") && clash.contains("theirs"),
            "{clash}"
        );
    }

    #[test]
    fn resolving_writes_renders_and_merges_and_lists_deletions() {
        let manifest = Manifest::of(&generated_files(&[
            ("a", "1\n"),
            ("m", "x\ny\nz\n"),
            ("gone", "g"),
        ]));
        let disk: BTreeMap<&str, &str> =
            [("a", "1\n"), ("m", "mine\ny\nz\n"), ("gone", "g")].into();
        let read = |path: &str| disk.get(path).map(|text| text.as_bytes().to_vec());
        let files = [generated("a", "2\n"), generated("m", "x\ny\ntheirs\n")];
        let base = [generated("m", "x\ny\nz\n")];
        let plan = reconcile(&files, &manifest, read);
        let resolution = resolve(&plan, &files, &base, &manifest, read);
        assert_eq!(
            resolution.outcomes,
            [
                ("a".to_owned(), Outcome::Updated),
                ("gone".to_owned(), Outcome::Deleted),
                ("m".to_owned(), Outcome::Merged),
            ]
        );
        assert_eq!(resolution.deletes, ["gone"]);
        let merged = &resolution
            .writes
            .iter()
            .find(|file| file.path == "m")
            .expect("m")
            .contents;
        assert_eq!(merged, "mine\ny\ntheirs\n");
        assert_eq!(resolution.clashes(), 0);
    }

    #[test]
    fn a_base_this_generator_cant_rebuild_marks_every_difference() {
        // The last generation wrote "x"; this generator's templates render
        // the last spec as "x (reworded)", so that is no base for a merge:
        // it would keep "x" as the user's and lose "theirs".
        let manifest = Manifest::of(&generated_files(&[("m", "x\ny\nz\n")]));
        let disk: BTreeMap<&str, &str> = [("m", "x\ny\nmine\n")].into();
        let read = |path: &str| disk.get(path).map(|text| text.as_bytes().to_vec());
        let files = [generated("m", "theirs\ny\nz\n")];
        let base = [generated("m", "x (reworded)\ny\nz\n")];
        let plan = reconcile(&files, &manifest, read);
        let resolution = resolve(&plan, &files, &base, &manifest, read);
        assert_eq!(
            resolution.outcomes,
            [("m".to_owned(), Outcome::BaseUnknown)]
        );
        assert_eq!(
            resolution.writes[0].contents,
            "<<<<<<< ours\nx\n=======\ntheirs\n>>>>>>> theirs\ny\n<<<<<<< ours\nmine\n=======\nz\n>>>>>>> theirs\n"
        );
        assert_eq!(resolution.clashes(), 1);
        assert!(has_conflict_markers(
            resolution.writes[0].contents.as_bytes()
        ));
    }

    #[test]
    fn marked_differences_keep_line_ends_and_skip_sides_that_only_differ_by_one() {
        assert_eq!(mark_differences("a\nb", "a\nb\n"), "a\nb\n");
        assert_eq!(
            mark_differences("a\nb", "x\nb"),
            "<<<<<<< ours\na\n=======\nx\n>>>>>>> theirs\nb"
        );
        assert_eq!(
            mark_differences("a\nb", "a\nc"),
            "a\n<<<<<<< ours\nb\n=======\nc\n>>>>>>> theirs\n"
        );
        assert_eq!(mark_differences("same\n", "same\n"), "same\n");
    }

    #[test]
    fn a_file_still_holding_conflict_markers_is_a_conflict() {
        let marked = "a\n<<<<<<< ours\nmine\n=======\ntheirs\n>>>>>>> theirs\n";
        let actions = plan(&[("m", "a\n")], &[("m", marked)], &[("m", "a\n")]);
        assert!(
            matches!(&actions[0].1, Action::Conflict(reason) if reason.contains("markers")),
            "{actions:?}"
        );
        assert!(!has_conflict_markers(b"=======\n<<<<<<< not in order\n"));
        // Markers the generator itself wrote (a template override's) are
        // no merge of the user's.
        let actions = plan(&[("m", marked)], &[("m", marked)], &[("m", "a\n")]);
        assert_eq!(actions, [("m".to_owned(), Action::Update)]);
    }

    #[test]
    fn a_file_in_the_way_is_a_conflict() {
        let actions = plan(&[], &[("new", "mine")], &[("new", "generated")]);
        assert!(matches!(actions[0].1, Action::Conflict(_)), "{actions:?}");
    }
}
