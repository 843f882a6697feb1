//! The formatting stage: rustfmt lays out the rendered Rust. Templates
//! already follow rustfmt's style for ordinary names, but its line breaking
//! depends on how long names are, which only it can judge, and a generated
//! project must pass `cargo fmt --check`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

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

/// `files` as `gen new` would write them: the Rust laid out by rustfmt in
/// a scratch folder, everything else as rendered. Returns them and whether
/// rustfmt ran.
pub fn laid_out(files: &[RenderedFile]) -> Result<(Vec<RenderedFile>, bool), FormatError> {
    laid_out_only(files, |_| true)
}

/// The files among `files` that `wanted` picks, laid out as [`laid_out`]
/// does. rustfmt runs on those alone (a merge needs a few files, not the
/// project); the others are staged too, so that modules they declare are
/// found.
pub fn laid_out_only(
    files: &[RenderedFile],
    wanted: impl Fn(&str) -> bool,
) -> Result<(Vec<RenderedFile>, bool), FormatError> {
    let scratch = tempfile::Builder::new()
        .prefix("tenantgen-layout-")
        .tempdir()
        .map_err(io_error(&std::env::temp_dir()))?;
    for file in files.iter().filter(|file| is_rust(file)) {
        let path = scratch.path().join(&file.path);
        if let Some(folder) = path.parent() {
            fs::create_dir_all(folder).map_err(io_error(folder))?;
        }
        fs::write(&path, &file.contents).map_err(io_error(&path))?;
    }
    let picked: Vec<RenderedFile> = files
        .iter()
        .filter(|file| wanted(&file.path))
        .cloned()
        .collect();
    if rustfmt(scratch.path(), &picked)? {
        Ok((read_back(scratch.path(), &picked)?, true))
    } else {
        Ok((picked, false))
    }
}

fn is_rust(file: &RenderedFile) -> bool {
    file.path.ends_with(".rs")
}

/// `files` with the Rust among them as rustfmt left it under `root`.
pub fn read_back(root: &Path, files: &[RenderedFile]) -> Result<Vec<RenderedFile>, FormatError> {
    files
        .iter()
        .map(|file| {
            let mut file = file.clone();
            if is_rust(&file) {
                let path = root.join(&file.path);
                file.contents = fs::read_to_string(&path).map_err(io_error(&path))?;
            }
            Ok(file)
        })
        .collect()
}

/// Lays out the Rust files among `files`, staged under `staging`, with
/// rustfmt, when it is installed (as it is with every rustup toolchain);
/// `RUSTFMT` names another binary. Returns whether it ran. One process for
/// all files: rustfmt also formats the modules a file declares, so two
/// processes would write the same file at once.
pub fn rustfmt(staging: &Path, files: &[RenderedFile]) -> Result<bool, FormatError> {
    let rust_files: Vec<PathBuf> = files
        .iter()
        .filter(|file| is_rust(file))
        .map(|file| staging.join(&file.path))
        .collect();
    if rust_files.is_empty() {
        return Ok(false);
    }
    let rustfmt = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
    let output = std::process::Command::new(&rustfmt)
        .args(["--edition", "2024", "--quiet"])
        .args(&rust_files)
        .output();
    match output {
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(err) => Err(io_error(Path::new(&rustfmt))(err)),
        Ok(output) if output.status.success() => Ok(true),
        Ok(output) => Err(FormatError::Rejected(
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )),
    }
}
