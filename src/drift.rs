//! Drift: how a generated project on disk differs from what its spec
//! generates now. `gen check --drift` runs this in CI, so that a hand edit
//! to a generator-owned file, or an edited migration, never goes unnoticed.

use crate::model::is_migration;
use crate::plan::WritePolicy;
use crate::render::RenderedFile;
use crate::state::{Manifest, hash};

/// How one generator-owned file differs from what the spec generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftKind {
    /// On disk, with other contents.
    Changed,
    /// Not on disk.
    Missing,
    /// A migration the spec needs that was never appended: the spec was
    /// changed and `gen update` not run.
    Pending,
}

/// One generator-owned file that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    /// Path relative to the project root, `/`-separated.
    pub path: String,
    /// How it differs.
    pub kind: DriftKind,
}

/// Compares the generator-owned files of `expected` (laid out as `gen new`
/// writes them) with what `read` finds on disk, in path order. Files the
/// generator does not produce, and the spec itself, are the user's and are
/// never reported; the files it made for the user are reported only when
/// missing.
///
/// With `last`, the manifest of the last generation, its migrations are held
/// to what it wrote, and a migration in `expected` that it did not write is
/// one the spec change still needs.
pub fn compare(
    expected: &[RenderedFile],
    last: Option<&Manifest>,
    mut read: impl FnMut(&str) -> Option<Vec<u8>>,
) -> Vec<Drift> {
    let mut drift: Vec<Drift> = expected
        .iter()
        .filter(|file| file.policy != WritePolicy::Copied)
        .filter_map(|file| {
            // A file of the user's own is theirs to change, but the project
            // doesn't build without it.
            if file.policy == WritePolicy::UserOwned {
                return read(&file.path).is_none().then(|| Drift {
                    path: file.path.clone(),
                    kind: DriftKind::Missing,
                });
            }
            let pending = is_migration(&file.path)
                && last.is_some_and(|last| !last.files.contains_key(&file.path));
            let kind = match read(&file.path) {
                None if pending => DriftKind::Pending,
                None => DriftKind::Missing,
                Some(bytes) if bytes == file.contents.as_bytes() => return None,
                Some(_) => DriftKind::Changed,
            };
            Some(Drift {
                path: file.path.clone(),
                kind,
            })
        })
        .collect();
    if let Some(last) = last {
        for (path, written) in &last.files {
            if !is_migration(path) || expected.iter().any(|file| &file.path == path) {
                continue;
            }
            let kind = match read(path) {
                None => DriftKind::Missing,
                Some(bytes) if hash(&bytes) == *written => continue,
                Some(_) => DriftKind::Changed,
            };
            drift.push(Drift {
                path: path.clone(),
                kind,
            });
        }
    }
    drift.sort_by(|a, b| a.path.cmp(&b.path));
    drift
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Layout;

    fn file(path: &str, contents: &str, policy: WritePolicy) -> RenderedFile {
        RenderedFile {
            path: path.to_owned(),
            contents: contents.to_owned(),
            policy,
            layout: Layout::Rustfmt,
        }
    }

    #[test]
    fn only_generator_owned_files_that_differ_are_reported() {
        let expected = [
            file("a.rs", "same", WritePolicy::Generated),
            file("b.rs", "new", WritePolicy::Generated),
            file("c.rs", "gone", WritePolicy::Generated),
            file("spec.yaml", "edited by the user", WritePolicy::Copied),
        ];
        let drift = compare(&expected, None, |path| match path {
            "a.rs" => Some(b"same".to_vec()),
            "b.rs" => Some(b"old".to_vec()),
            "spec.yaml" => Some(b"anything".to_vec()),
            _ => None,
        });
        assert_eq!(
            drift,
            [
                Drift {
                    path: "b.rs".to_owned(),
                    kind: DriftKind::Changed
                },
                Drift {
                    path: "c.rs".to_owned(),
                    kind: DriftKind::Missing
                },
            ]
        );
    }
}
