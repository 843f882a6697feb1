//! Scripted spec edits: each folder of `tests/updates/` is a sequence of
//! specs (`00-start.yaml`, `01-….yaml`, …) that a project goes through,
//! one `gen update` per step. A step's leading comments may say
//! `# gen plan only` (plan it, then go back to the previous spec and files),
//! `# gen update --allow-destructive` (the flag is passed to plan and update)
//! or `# edit PATH: OLD => NEW` (a hand edit made before the step: the first
//! `OLD` in the project's file `PATH` becomes `NEW`; `\n` is a line break).

use std::path::{Path, PathBuf};
use std::process::Output;

/// One spec of a sequence.
pub struct Step {
    /// The file name.
    pub name: String,
    /// The spec text.
    pub source: String,
    /// Only planned: the project stays at the previous step.
    pub plan_only: bool,
    /// Extra arguments of `gen plan` and `gen update`.
    pub args: Vec<String>,
    /// Hand edits made before the step: (path, old, new).
    pub edits: Vec<(String, String, String)>,
}

impl Step {
    /// Makes the step's hand edits in `project`; returns each edited file's
    /// contents before, to put back.
    pub fn edit(&self, project: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        self.edits
            .iter()
            .map(|(path, old, new)| {
                let file = project.join(path);
                let before = std::fs::read(&file).expect("read a file to edit");
                let text = String::from_utf8(before.clone()).expect("utf-8");
                assert!(
                    text.contains(old.as_str()),
                    "{}: `{old}` is not in {path}",
                    self.name
                );
                std::fs::write(&file, text.replacen(old.as_str(), new, 1)).expect("edit");
                (file, before)
            })
            .collect()
    }
}

/// Every sequence, by folder name, sorted.
pub fn cases() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/updates");
    let mut cases: Vec<(String, PathBuf)> = std::fs::read_dir(&root)
        .expect("read tests/updates")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.is_dir())
        .map(|path| {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("a folder name")
                .to_owned();
            (name, path)
        })
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no update sequences found");
    cases
}

/// The steps of the sequence in `folder`, in order; the first is where the
/// project starts.
pub fn steps(folder: &Path) -> Vec<Step> {
    let paths = super::specs::yaml_files(folder);
    assert!(paths.len() > 1, "{}: a start and a step", folder.display());
    paths
        .into_iter()
        .map(|path| {
            let source = std::fs::read_to_string(&path).expect("read a step");
            let header: Vec<&str> = source
                .lines()
                .take_while(|line| line.starts_with('#'))
                .collect();
            let args = header
                .iter()
                .filter_map(|line| line.strip_prefix("# gen update "))
                .flat_map(|rest| rest.split_whitespace().map(str::to_owned))
                .collect();
            let edits = header
                .iter()
                .filter_map(|line| line.strip_prefix("# edit "))
                .map(|rest| {
                    let (file, change) = rest.split_once(": ").expect("# edit PATH: OLD => NEW");
                    let (old, new) = change.split_once(" => ").expect("# edit PATH: OLD => NEW");
                    let unescape = |text: &str| text.replace("\\n", "\n");
                    (file.to_owned(), unescape(old), unescape(new))
                })
                .collect();
            Step {
                edits,
                name: path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .expect("a file name")
                    .to_owned(),
                plan_only: header.contains(&"# gen plan only"),
                source,
                args,
            }
        })
        .collect()
}

/// Runs `gen` in `dir`.
pub fn run_gen(dir: &Path, args: &[&str]) -> Output {
    super::gen_command(dir)
        .args(args)
        .output()
        .expect("run gen")
}

/// `gen new` of the first step into `project`.
pub fn start(steps: &[Step], scratch: &Path, project: &Path) {
    let spec = scratch.join(&steps[0].name);
    std::fs::write(&spec, &steps[0].source).expect("write the first spec");
    let output = run_gen(
        scratch,
        &[
            "new",
            spec.to_str().expect("utf-8"),
            "-o",
            project.to_str().expect("utf-8"),
        ],
    );
    assert!(
        output.status.success(),
        "gen new {}: {}",
        steps[0].name,
        String::from_utf8_lossy(&output.stderr)
    );
}
