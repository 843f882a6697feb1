//! Benchmark harnesses rot when nothing runs them: this builds each one and
//! runs every bench script on a tiny input, checking that it gets as far as
//! its table. The figures mean nothing at this size; BENCHMARKS.md holds the
//! real runs and how to repeat them.

use std::path::Path;
use std::process::Command;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `program` with `args` in the repository; fails with what it printed
/// unless it succeeds and prints each of `expected`.
fn smoke(program: &str, args: &[&str], expected: &[&str]) {
    let output = Command::new(program)
        .args(args)
        .current_dir(repo())
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap_or_else(|err| panic!("run {program}: {err}"));
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let missing: Vec<&str> = expected
        .iter()
        .copied()
        .filter(|line| !printed.contains(line))
        .collect();
    assert!(
        output.status.success() && missing.is_empty(),
        "`{program} {}` should succeed and print {missing:?}:\n{printed}",
        args.join(" ")
    );
}

/// One test, so the scripts take turns: each builds release binaries into
/// the same target folder.
#[test]
fn every_bench_harness_builds_and_every_script_runs_on_a_tiny_input() {
    assert!(
        Command::new("wrk").arg("--version").output().is_ok(),
        "the HTTP bench scripts need wrk: apt-get install wrk"
    );
    assert!(
        Command::new("perf").arg("--version").output().is_ok(),
        "bench-api.py --profile needs perf: apt-get install linux-perf"
    );
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    // Criterion's test mode runs each benchmark once.
    smoke(
        &cargo,
        &["bench", "--quiet", "--bench", "generate", "--", "--test"],
        &["Success"],
    );
    // The JHipster comparison installs generator-jhipster with npm.
    smoke(
        "python3",
        &["scripts/bench.py", "1", "--jhipster", "10"],
        &["JHipster / gen new"],
    );
    let binary = repo().join("target/release/gen");
    let binary = binary.to_str().expect("a UTF-8 path");
    smoke(
        "scripts/bench-regenerate.sh",
        &[binary, binary, "1"],
        &["plan-noop"],
    );
    smoke(
        "python3",
        &[
            "scripts/bench-api.py",
            "--seconds",
            "1",
            "--connections",
            "4",
            "--tenants",
            "3",
            "--rows",
            "5",
            "--flood",
            "--profile",
        ],
        &["under the flood", "Where the database side's CPU goes"],
    );
    smoke(
        "python3",
        &["scripts/bench-context.py", "1", "3", "5", "2"],
        &[
            "see exactly their own tenant's row",
            "| context and query, one Sync |",
        ],
    );
    smoke(
        "python3",
        &["scripts/bench-bridge.py", "3", "1"],
        &["| load spread over |"],
    );
    smoke(
        "python3",
        &["scripts/bench-silo.py", "3", "1"],
        &["| load spread over |"],
    );
    smoke(
        "python3",
        &[
            "scripts/bench-seed.py",
            "benches/specs/entities_10.yaml",
            "100",
            "1",
        ],
        &["| records/s |"],
    );
    smoke(
        "python3",
        &["scripts/bench-archive.py", "30", "2"],
        &["| import rows/s |"],
    );
    smoke(
        "python3",
        &["scripts/bench-gate.py", "1", "1"],
        &["| with the gate tps |"],
    );
    for mode in ["silo", "pool", "bridge"] {
        smoke(
            "python3",
            &["scripts/bench-move.py", "60", "1", mode],
            &["| writes paused ms |"],
        );
    }
    smoke(
        "python3",
        &["scripts/bench-dev.py", "--warm-only"],
        &["second `cargo run -- dev`"],
    );
}
