//! What a project remembers of the generation that wrote it, under `.gen/`:
//! the spec it came from, the generator's version, and a hash of every
//! generator-owned file as written. Regenerating compares against it to
//! tell the files the user changed from the ones only the generator did.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::is_migration;
use crate::plan::WritePolicy;
use crate::render::{Layout, RenderedFile};

/// The manifest's path in a project.
pub const MANIFEST_PATH: &str = ".gen/manifest.json";
/// The spec of the last generation, the base of the next spec diff.
pub const SPEC_PATH: &str = ".gen/spec.yaml";
/// Every file of the state.
pub const PATHS: [&str; 2] = [MANIFEST_PATH, SPEC_PATH];

/// The generator and the files of one generation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// `tenantgen <version>`.
    pub generator: String,
    /// Every generator-owned file, by path, with the SHA-256 of its bytes as
    /// written.
    pub files: BTreeMap<String, String>,
    /// The folder of template overrides the project is generated with,
    /// relative to the project; none when the built-in templates are all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub templates: Option<String>,
}

impl Manifest {
    /// The manifest of `files` as written (Rust laid out by rustfmt).
    pub fn of(files: &[RenderedFile]) -> Self {
        Manifest {
            generator: format!("tenantgen {}", crate::VERSION),
            files: files
                .iter()
                .filter(|file| file.policy == WritePolicy::Generated)
                .map(|file| (file.path.clone(), hash(file.contents.as_bytes())))
                .collect(),
            templates: None,
        }
    }

    /// Pretty JSON with a final newline; keys sorted, so it is deterministic.
    pub fn to_json(&self) -> String {
        let mut json = serde_json::to_string_pretty(self).expect("a manifest always serializes");
        json.push('\n');
        json
    }

    /// Reads a manifest written by [`Manifest::to_json`].
    pub fn parse(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }
}

/// The SHA-256 of `bytes`, in lowercase hex.
pub fn hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The files of `.gen/` for a project written as `files`, with the
/// template overrides in `templates` (relative to the project): the
/// manifest, and a copy of the spec they were generated from. After an
/// update, `last` is the manifest before it: the migrations it lists stay
/// the generator's, though the new render no longer produces them.
pub fn state_files(
    files: &[RenderedFile],
    last: Option<&Manifest>,
    templates: Option<&str>,
) -> Vec<RenderedFile> {
    let mut manifest = Manifest::of(files);
    manifest.templates = templates.map(str::to_owned);
    if let Some(last) = last {
        manifest.files.extend(
            last.files
                .iter()
                .filter(|(path, _)| is_migration(path))
                .map(|(path, hash)| (path.clone(), hash.clone())),
        );
    }
    let mut state = vec![RenderedFile {
        path: MANIFEST_PATH.to_owned(),
        contents: manifest.to_json(),
        policy: WritePolicy::Copied,
        layout: Layout::Rustfmt,
    }];
    if let Some(spec) = files.iter().find(|file| file.path == "spec.yaml") {
        state.push(RenderedFile {
            path: SPEC_PATH.to_owned(),
            contents: spec.contents.clone(),
            policy: WritePolicy::Copied,
            layout: Layout::Rustfmt,
        });
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_lists_generator_owned_files_by_hash() {
        let files = [
            RenderedFile {
                path: "b.rs".to_owned(),
                contents: "fn main() {}\n".to_owned(),
                policy: WritePolicy::Generated,
                layout: Layout::Rustfmt,
            },
            RenderedFile {
                path: "spec.yaml".to_owned(),
                contents: "app: a\n".to_owned(),
                policy: WritePolicy::Copied,
                layout: Layout::Rustfmt,
            },
        ];
        let manifest = Manifest::of(&files);
        assert_eq!(manifest.files.keys().collect::<Vec<_>>(), ["b.rs"]);
        assert_eq!(
            hash(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            Manifest::parse(&manifest.to_json()).expect("parses"),
            manifest
        );
        let state = state_files(&files, None, None);
        assert_eq!(state[1].path, SPEC_PATH);
        assert_eq!(state[1].contents, "app: a\n");
    }
}
