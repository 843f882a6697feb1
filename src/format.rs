//! The formatting stage: rustfmt lays out the rendered Rust. A generated
//! project must pass `cargo fmt --check`, and where rustfmt breaks a line
//! can depend on how long the spec's names are. Templates that lay out
//! their text as rustfmt would for any names are listed in
//! [`crate::render::LAID_OUT`], and their files skip rustfmt.
//!
//! rustfmt lays out each file on its own: what a file looks like never
//! depends on the modules it declares. So the files are shared between one
//! rustfmt per core, and a file whose text this rustfmt has laid out before
//! is taken from the cache (see [`Cache`]), which makes regenerating, `gen
//! plan` and `gen check --drift` fast after the first run.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::render::{Layout, RenderedFile};

/// Why the Rust could not be laid out.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// rustfmt rejected a generated file: a bug in a template.
    #[error("rustfmt could not format the generated Rust code:\n{0}")]
    Rejected(String),
    /// The scratch folder could not be written or read.
    #[error("could not write `{}`", path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> FormatError + '_ {
    move |source| FormatError::Io {
        path: path.to_owned(),
        source,
    }
}

/// `files` as `gen new` would write them: the Rust laid out by rustfmt,
/// unless its template lays it out already ([`Layout::AsRendered`]), and
/// everything else as rendered. Returns them and whether all the Rust is
/// laid out, which it isn't when rustfmt was needed and is not installed.
pub fn laid_out(files: &[RenderedFile]) -> Result<(Vec<RenderedFile>, bool), FormatError> {
    laid_out_only(files, |_| true)
}

/// The files among `files` that `wanted` picks, laid out as [`laid_out`]
/// does; rustfmt runs on those alone (a merge needs a few files, not the
/// project).
pub fn laid_out_only(
    files: &[RenderedFile],
    wanted: impl Fn(&str) -> bool,
) -> Result<(Vec<RenderedFile>, bool), FormatError> {
    let mut picked: Vec<RenderedFile> = files
        .iter()
        .filter(|file| wanted(&file.path))
        .cloned()
        .collect();
    if !picked.iter().any(needs_rustfmt) {
        return Ok((picked, true));
    }
    let Some(rustfmt) = Rustfmt::find()? else {
        return Ok((picked, false));
    };
    // The project's own configuration, never one of the machine's
    // (`~/.config/rustfmt`, a parent folder's): the output depends on the
    // spec alone, and `cargo fmt` in the project agrees with it.
    let config = files
        .iter()
        .find(|file| file.path == "rustfmt.toml")
        .map_or("", |file| file.contents.as_str());
    let cache = Cache::from_env();
    let mut missing: Vec<&mut RenderedFile> = Vec::new();
    for file in picked.iter_mut().filter(|file| needs_rustfmt(file)) {
        match cache.get(&rustfmt, config, &file.contents) {
            Some(contents) => file.contents = contents,
            None => missing.push(file),
        }
    }
    if !missing.is_empty() {
        let declared: Vec<&str> = files
            .iter()
            .filter(|file| is_rust(file))
            .map(|file| file.path.as_str())
            .collect();
        let sources: Vec<(&str, &str)> = missing
            .iter()
            .map(|file| (file.path.as_str(), file.contents.as_str()))
            .collect();
        let laid_out = rustfmt.lay_out(&sources, &declared, config)?;
        for (file, contents) in missing.into_iter().zip(laid_out) {
            // A cache that can't be written only costs time next run.
            let _ = cache.put(&rustfmt, config, &file.contents, &contents);
            file.contents = contents;
        }
    }
    Ok((picked, true))
}

fn is_rust(file: &RenderedFile) -> bool {
    file.path.ends_with(".rs")
}

/// Rust whose template doesn't lay it out as rustfmt would.
fn needs_rustfmt(file: &RenderedFile) -> bool {
    is_rust(file) && file.layout == Layout::Rustfmt
}

/// The rustfmt on this machine: `RUSTFMT` names another binary than the
/// one on the PATH, as with cargo.
struct Rustfmt {
    program: std::ffi::OsString,
    /// What `rustfmt --version` says: the layout may change with it.
    version: String,
}

impl Rustfmt {
    /// The rustfmt to use, or none when it is not installed (as it is with
    /// every rustup toolchain).
    fn find() -> Result<Option<Rustfmt>, FormatError> {
        let program = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
        match Command::new(&program).arg("--version").output() {
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(io_error(Path::new(&program))(err)),
            // A rustup proxy without the rustfmt component says so and fails.
            Ok(output) if !output.status.success() => Ok(None),
            Ok(output) => Ok(Some(Rustfmt {
                version: String::from_utf8_lossy(&output.stdout).trim().to_owned(),
                program,
            })),
        }
    }

    /// The `sources` (path, text) laid out, in their order. One process
    /// per core, each on its share of the files. rustfmt also formats the
    /// modules a file declares, so no file is staged beside a module it
    /// declares: a share's files go into one scratch folder per module
    /// depth (see [`depth`]), where every module they may declare (see
    /// [`may_declare`]) is an empty stub. No process touches another's
    /// files, and none formats a file twice when the project follows
    /// Cargo's layout.
    fn lay_out(
        &self,
        sources: &[(&str, &str)],
        declared: &[&str],
        config: &str,
    ) -> Result<Vec<String>, FormatError> {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let shares = shares(sources, cores);
        let scratch = tempfile::Builder::new()
            .prefix("tenantgen-layout-")
            .tempdir()
            .map_err(io_error(&std::env::temp_dir()))?;
        let config_path = scratch.path().join("rustfmt.toml");
        fs::write(&config_path, config).map_err(io_error(&config_path))?;
        let mut staged = vec![PathBuf::new(); sources.len()];
        let mut runs: Vec<Vec<PathBuf>> = Vec::with_capacity(shares.len());
        for (number, share) in shares.iter().enumerate() {
            let mut by_depth: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
            for &index in share {
                by_depth
                    .entry(depth(sources[index].0))
                    .or_default()
                    .push(index);
            }
            for (level, own) in by_depth {
                let folder = scratch.path().join(format!("{number}-{level}"));
                for &index in &own {
                    stage(&folder.join(sources[index].0), sources[index].1)?;
                    staged[index] = folder.join(sources[index].0);
                }
                let parents: Vec<&str> = own.iter().map(|&index| sources[index].0).collect();
                for path in declared.iter().filter(|path| {
                    !parents.contains(path)
                        && parents.iter().any(|parent| may_declare(parent, path))
                }) {
                    stage(&folder.join(path), "")?;
                }
            }
            runs.push(share.iter().map(|&index| staged[index].clone()).collect());
        }
        std::thread::scope(|scope| {
            let runs: Vec<_> = runs
                .iter()
                .map(|paths| {
                    let config_path = &config_path;
                    scope.spawn(move || self.run(config_path, paths))
                })
                .collect();
            runs.into_iter()
                .try_for_each(|run| run.join().expect("a rustfmt run never panics"))
        })?;
        staged
            .iter()
            .map(|path| fs::read_to_string(path).map_err(io_error(path)))
            .collect()
    }

    fn run(&self, config: &Path, paths: &[PathBuf]) -> Result<(), FormatError> {
        let output = Command::new(&self.program)
            .args(["--edition", "2024", "--quiet", "--config-path"])
            .arg(config)
            .args(paths)
            .output()
            .map_err(io_error(Path::new(&self.program)))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(FormatError::Rejected(
                String::from_utf8_lossy(&output.stderr).into_owned(),
            ))
        }
    }
}

/// The indices of `sources` split into at most `count` shares of about
/// the same size: the largest file goes to the lightest share.
fn shares(sources: &[(&str, &str)], count: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..sources.len()).collect();
    order.sort_by_key(|&index| std::cmp::Reverse(sources[index].1.len()));
    let mut shares: Vec<(usize, Vec<usize>)> = vec![(0, Vec::new()); count.clamp(1, sources.len())];
    for index in order {
        let lightest = shares
            .iter_mut()
            .min_by_key(|(size, _)| *size)
            .expect("at least one share");
        lightest.0 += sources[index].1.len();
        lightest.1.push(index);
    }
    shares.into_iter().map(|(_, share)| share).collect()
}

/// How deep `path` sits in its crate's module tree, by Cargo's layout: 1
/// for a crate root, one more per folder below it, the `mod.rs` of a
/// folder as deep as the folder. A module declared in a file is deeper
/// than the file, so files of one depth never format each other.
fn depth(path: &str) -> usize {
    let parts = path.split('/').count();
    if parts > 1 && (is_crate_root(path) || path.ends_with("/mod.rs")) {
        parts - 1
    } else {
        parts
    }
}

/// A crate root by Cargo's layout: `src/lib.rs`, `src/main.rs`, `build.rs`,
/// a file in `src/bin/`, or a file directly in `tests/`, `benches/` or
/// `examples/` or its `main.rs` one folder down.
fn is_crate_root(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    matches!(
        parts.as_slice(),
        ["src", "lib.rs" | "main.rs"]
            | ["build.rs"]
            | ["src", "bin", _]
            | ["tests" | "benches" | "examples", _]
            | ["tests" | "benches" | "examples", _, "main.rs"]
    )
}

/// Whether `parent` may declare the module in `child`: `mod name;` is
/// `name.rs` or `name/mod.rs` in the folder of the parent's modules,
/// which for a crate root or a `mod.rs` is its own folder and for any
/// other `dir/file.rs` is `dir/file/`. A `#[path]` attribute, or a module
/// file declared inside an inline module, is not foreseen: rustfmt would
/// find no file there and fail. Generated code has neither.
fn may_declare(parent: &str, child: &str) -> bool {
    let (folder, file) = parent.rsplit_once('/').unwrap_or(("", parent));
    let modules = if is_crate_root(parent) || file == "mod.rs" {
        folder.to_owned()
    } else {
        format!("{folder}/{}", file.trim_end_matches(".rs"))
    };
    let name = if modules.is_empty() {
        Some(child)
    } else {
        child
            .strip_prefix(modules.as_str())
            .and_then(|rest| rest.strip_prefix('/'))
    };
    match name {
        Some(name) => {
            !name.contains('/')
                || name
                    .split_once('/')
                    .is_some_and(|(_, rest)| rest == "mod.rs")
        }
        None => false,
    }
}

fn stage(path: &Path, text: &str) -> Result<(), FormatError> {
    if let Some(folder) = path.parent() {
        fs::create_dir_all(folder).map_err(io_error(folder))?;
    }
    fs::write(path, text).map_err(io_error(path))
}

/// Laid-out files by what they were laid out from: the file's text, the
/// rustfmt version and its configuration. Under `TENANTGEN_CACHE_DIR`, or
/// the user's cache folder (`~/.cache/tenantgen` on Linux); an empty
/// `TENANTGEN_CACHE_DIR` turns it off. Safe to delete at any time.
///
/// Only ever a shortcut: an entry that can't be read is laid out again,
/// and one that can't be written is not kept.
struct Cache {
    folder: Option<PathBuf>,
}

impl Cache {
    fn from_env() -> Cache {
        let folder = match std::env::var_os("TENANTGEN_CACHE_DIR") {
            Some(folder) if folder.is_empty() => None,
            Some(folder) => Some(PathBuf::from(folder)),
            None => dirs::cache_dir().map(|folder| folder.join("tenantgen")),
        };
        Cache {
            folder: folder.map(|folder| folder.join("rustfmt")),
        }
    }

    fn entry(&self, rustfmt: &Rustfmt, config: &str, source: &str) -> Option<PathBuf> {
        let mut hash = Sha256::new();
        for part in [rustfmt.version.as_str(), config, source] {
            hash.update(part.len().to_le_bytes());
            hash.update(part);
        }
        let key: String = hash
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        Some(self.folder.as_ref()?.join(&key[..2]).join(&key[2..]))
    }

    fn get(&self, rustfmt: &Rustfmt, config: &str, source: &str) -> Option<String> {
        fs::read_to_string(self.entry(rustfmt, config, source)?).ok()
    }

    /// Keeps `laid_out` for `source`; none when it could not.
    fn put(&self, rustfmt: &Rustfmt, config: &str, source: &str, laid_out: &str) -> Option<()> {
        let entry = self.entry(rustfmt, config, source)?;
        let folder = entry.parent()?;
        fs::create_dir_all(folder).ok()?;
        // Written beside the entry and renamed onto it, so that a reader
        // never sees half of one, even with two `gen` running at once.
        let mut file = tempfile::NamedTempFile::new_in(folder).ok()?;
        io::Write::write_all(&mut file, laid_out.as_bytes()).ok()?;
        file.persist(&entry).ok()?;
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::{depth, may_declare};

    #[test]
    fn modules_are_deeper_than_the_files_that_declare_them() {
        let declarations = [
            ("src/lib.rs", "src/api.rs"),
            ("src/main.rs", "src/dev.rs"),
            ("src/api.rs", "src/api/entities.rs"),
            ("src/api/entities.rs", "src/api/entities/contact.rs"),
            ("src/db.rs", "src/db/bridge/mod.rs"),
            ("tests/api.rs", "tests/support/mod.rs"),
            ("tests/support/mod.rs", "tests/support/entity_suite.rs"),
            ("tests/ui/main.rs", "tests/ui/cases.rs"),
        ];
        for (parent, child) in declarations {
            assert!(may_declare(parent, child), "{parent} declares {child}");
            assert!(depth(child) > depth(parent), "{parent} above {child}");
        }
        // Every file of `src/bin/` may be a binary's root, or a module of
        // another: they share a depth, and a module of one is stubbed.
        assert!(may_declare("src/bin/gen.rs", "src/bin/commands.rs"));
        let strangers = [
            ("src/api.rs", "src/db.rs"),
            ("src/api.rs", "src/api/entities/contact.rs"),
            ("src/lib.rs", "src/api/entities.rs"),
            ("src/lib.rs", "tests/api.rs"),
            ("tests/api.rs", "tests/support/entity_suite.rs"),
            ("src/api/entities/contact.rs", "src/api/entities/deal.rs"),
        ];
        for (parent, child) in strangers {
            assert!(
                !may_declare(parent, child),
                "{parent} can't declare {child}"
            );
        }
    }
}
