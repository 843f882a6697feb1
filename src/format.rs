//! The formatting stage: rustfmt lays out the rendered Rust. Templates
//! follow rustfmt's style where they can, but its line breaking depends on
//! how long names are, which only it can judge, and a generated project
//! must pass `cargo fmt --check`.
//!
//! rustfmt lays out each file on its own: what a file looks like never
//! depends on the modules it declares. So the files are shared between one
//! rustfmt per core, and a file whose text this rustfmt has laid out before
//! is taken from the cache (see [`Cache`]), which makes regenerating, `gen
//! plan` and `gen check --drift` fast after the first run.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::render::RenderedFile;

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
/// everything else as rendered. Returns them and whether rustfmt ran.
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
    if !picked.iter().any(is_rust) {
        return Ok((picked, false));
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
    for file in picked.iter_mut().filter(|file| is_rust(file)) {
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
    /// per core, each on its share of the files, in a scratch folder of its
    /// own that holds every path of `declared` so that the modules a file
    /// declares are found: rustfmt formats those too, so the ones not its
    /// own are left empty there, and no two processes share a file.
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
        let mut folders = Vec::with_capacity(shares.len());
        for (number, share) in shares.iter().enumerate() {
            let folder = scratch.path().join(number.to_string());
            for path in declared {
                let text = share
                    .iter()
                    .find(|&&index| sources[index].0 == *path)
                    .map_or("", |&index| sources[index].1);
                stage(&folder.join(path), text)?;
            }
            folders.push(folder);
        }
        std::thread::scope(|scope| {
            let runs: Vec<_> = shares
                .iter()
                .zip(&folders)
                .map(|(share, folder)| {
                    let paths: Vec<PathBuf> = share
                        .iter()
                        .map(|&index| folder.join(sources[index].0))
                        .collect();
                    let config_path = &config_path;
                    scope.spawn(move || self.run(config_path, &paths))
                })
                .collect();
            runs.into_iter()
                .try_for_each(|run| run.join().expect("a rustfmt run never panics"))
        })?;
        let mut laid_out = vec![String::new(); sources.len()];
        for (share, folder) in shares.iter().zip(&folders) {
            for &index in share {
                let path = folder.join(sources[index].0);
                laid_out[index] = fs::read_to_string(&path).map_err(io_error(&path))?;
            }
        }
        Ok(laid_out)
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
