//! Arbitrary input never panics the loader: it gives a model or
//! diagnostics. And any spec the loader accepts renders.

use proptest::prelude::*;

fn examples() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut sources: Vec<String> = std::fs::read_dir(dir)
        .expect("read examples")
        .map(|entry| std::fs::read_to_string(entry.expect("entry").path()).expect("read example"))
        .collect();
    sources.sort();
    sources
}

fn check(source: &str) {
    let templates = tenantgen::Templates::builtin();
    match tenantgen::generate("fuzz.yaml", source, &templates) {
        Ok(project) => assert!(!project.files.is_empty()),
        Err(tenantgen::GenerateError::Invalid(diagnostics)) => {
            assert!(
                !diagnostics.problems.is_empty(),
                "rejected without a problem"
            );
            // Rendering the diagnostics must not panic either.
            let _ = diagnostics.to_string();
        }
        Err(err) => panic!("a spec the loader accepted failed to render: {err}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text(source in "\\PC{0,300}") {
        check(&source);
    }

    #[test]
    fn yaml_like_text(source in "([a-z_]{1,8}: ?(\\{|\\[|[a-z0-9_]{0,6}|\\}|\\]|, )*\n {0,6}){0,30}") {
        check(&source);
    }

    /// Real specs with lines dropped, duplicated or cut short, and bytes changed.
    #[test]
    fn mutated_examples(
        pick in 0usize..16,
        edits in proptest::collection::vec((0usize..4, 0usize..400, 0usize..200, any::<char>()), 1..6),
    ) {
        let sources = examples();
        let mut lines: Vec<String> = sources[pick % sources.len()].lines().map(str::to_owned).collect();
        for (kind, line, column, character) in edits {
            if lines.is_empty() {
                break;
            }
            let line = line % lines.len();
            match kind {
                0 => { lines.remove(line); }
                1 => { let copy = lines[line].clone(); lines.insert(line, copy); }
                2 => {
                    let cut: String = lines[line].chars().take(column % (lines[line].chars().count() + 1)).collect();
                    lines[line] = cut;
                }
                _ => {
                    let mut chars: Vec<char> = lines[line].chars().collect();
                    let at = column % (chars.len() + 1);
                    chars.insert(at, character);
                    lines[line] = chars.into_iter().collect();
                }
            }
        }
        check(&lines.join("\n"));
    }
}
