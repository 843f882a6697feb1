#!/usr/bin/env python3
"""End-to-end benchmark of `gen new`: median wall time and peak memory of
the release binary generating the synthetic specs in benches/specs/, each
into a fresh folder: without the rustfmt pass, with it and an empty cache
of laid-out files (what a first `gen new` costs), and with the cache
holding the spec's files (a second run). The variants take turns, run by
run, so that a slow spell on the machine falls on all of them. Peak memory
is the largest resident size of gen and of any one rustfmt it runs (it
runs one per core at once). Reports the growth from 10 to 100 entities as
ratios, since absolute times on shared machines are noisy.

Usage: python3 scripts/bench.py [runs] [--before GEN] [--jhipster N]
                                                 (default 21 runs per spec)
  --before GEN   also measures another gen binary (say, one built at an
                 earlier commit) with its default flags and no cache, in the
                 same run, and prints the ratio.
  --jhipster N   also generates the same model of N entities (10, 25, 50 or
                 100; benches/specs/entities_N.jdl) with JHipster, with its
                 default flags and no install or git (`jhipster jdl FILE
                 --skip-install --skip-git --no-insight --force`), three
                 runs (or `runs`, if fewer), each followed by `runs` of `gen new`
                 with an empty cache, and prints the ratio of the medians.
                 Installs generator-jhipster 8.11.0 into target/jhipster
                 with npm the first time.
"""
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
ARGS = sys.argv[1:]
BEFORE = None
if "--before" in ARGS:
    at = ARGS.index("--before")
    BEFORE = pathlib.Path(ARGS[at + 1]).resolve()
    del ARGS[at : at + 2]
JHIPSTER = None
if "--jhipster" in ARGS:
    at = ARGS.index("--jhipster")
    JHIPSTER = int(ARGS[at + 1])
    del ARGS[at : at + 2]
    if JHIPSTER not in (10, 25, 50, 100):
        sys.exit("--jhipster takes 10, 25, 50 or 100: the bench specs' sizes")
RUNS = int(ARGS[0]) if ARGS else 21
JHIPSTER_VERSION = "8.11.0"
JHIPSTER_RUNS = min(3, RUNS)


def timed(argv: list, env: dict, cwd=None, quiet_stderr=False) -> tuple[float, float]:
    """Milliseconds and peak resident MiB of one run of `argv`, in its own
    child so that ru_maxrss is that run's peak (the largest of the child
    and the children it waited for)."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        if cwd:
            os.chdir(cwd)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        if quiet_stderr:
            os.dup2(devnull, 2)
        try:
            os.execve(argv[0], argv, env)
        finally:
            # Never back into this script's code from the child.
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    elapsed = (time.perf_counter() - start) * 1000
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(argv)} failed")
    return elapsed, usage.ru_maxrss / 1024


def measure(variants: dict, spec: pathlib.Path, scratch: pathlib.Path) -> dict:
    """Median milliseconds and peak resident MiB of each variant (label:
    (binary, flags, cache)) generating `spec`, over RUNS runs taken in
    turns, so that a slow spell on the machine falls on all of them. The
    cache is "" (off) or "warm" (a fresh one, filled by one run first)."""
    times = {label: [] for label in variants}
    peaks = {label: [] for label in variants}
    envs = {}
    for label, (binary, extra, cache) in variants.items():
        envs[label] = dict(os.environ, TENANTGEN_CACHE_DIR=cache)
        if cache == "warm":
            envs[label]["TENANTGEN_CACHE_DIR"] = str(scratch / f"cache-{len(envs)}")
            subprocess.run([str(binary), "new", str(spec), "-o", str(scratch / "fill")] + extra,
                           env=envs[label], check=True, stdout=subprocess.DEVNULL)
            shutil.rmtree(scratch / "fill")
    for _ in range(RUNS):
        for label, (binary, extra, _) in variants.items():
            out = scratch / "out"
            elapsed, peak = timed([str(binary), "new", str(spec), "-o", str(out)] + extra, envs[label])
            times[label].append(elapsed)
            peaks[label].append(peak)
            shutil.rmtree(out)
    return {label: (statistics.median(times[label]), max(peaks[label])) for label in variants}


def measure_jhipster(count: int, gen: pathlib.Path, scratch: pathlib.Path) -> tuple:
    """JHipster generating benches/specs/entities_{count}.jdl into a fresh
    folder, JHIPSTER_RUNS times, each run followed by RUNS runs of `gen new`
    (empty cache) on the same model: the median milliseconds and peak MiB
    of both."""
    home = ROOT / "target" / "jhipster"
    program = home / "node_modules" / ".bin" / "jhipster"
    if not program.exists():
        home.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(home),
                        f"generator-jhipster@{JHIPSTER_VERSION}"], check=True, stdout=subprocess.DEVNULL)
    model = ROOT / "benches" / "specs" / f"entities_{count}.jdl"
    spec = ROOT / "benches" / "specs" / f"entities_{count}.yaml"
    theirs, ours = [], []
    env = dict(os.environ, TENANTGEN_CACHE_DIR="")
    for _ in range(JHIPSTER_RUNS):
        out = scratch / "jhipster"
        out.mkdir()
        # JHipster reports its progress on stderr, file by file.
        theirs.append(timed([str(program), "jdl", str(model), "--skip-install", "--skip-git", "--no-insight",
                             "--force"], env, cwd=out, quiet_stderr=True))
        shutil.rmtree(out)
        for _ in range(RUNS):
            ours.append(timed([str(gen), "new", str(spec), "-o", str(scratch / "out")], env))
            shutil.rmtree(scratch / "out")
    return (
        (statistics.median(t for t, _ in theirs), max(p for _, p in theirs)),
        (statistics.median(t for t, _ in ours), max(p for _, p in ours)),
    )


def main() -> None:
    subprocess.run(["python3", str(ROOT / "scripts" / "make-bench-specs.py")], check=True)
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "gen"], cwd=ROOT, check=True)
    binary = ROOT / "target" / "release" / "gen"
    # The generator's own work (rendering and writing, `--no-format`), and
    # what users wait for by default, with rustfmt laying out the Rust: the
    # first time, and again with the files in the cache.
    variants = {
        "gen new --no-format": (binary, ["--no-format"], ""),
        "gen new, empty cache": (binary, [], ""),
        "gen new, files in the cache": (binary, [], "warm"),
    }
    if BEFORE:
        variants[f"before ({BEFORE.name}): gen new, no cache"] = (BEFORE, [], "")
    print(f"gen new, {RUNS} runs per spec, {os.cpu_count()} cores")
    results = {label: [] for label in variants}
    with tempfile.TemporaryDirectory() as scratch:
        for count in (10, 25, 50, 100):
            spec = ROOT / "benches" / "specs" / f"entities_{count}.yaml"
            for label, (median_ms, peak_mib) in measure(variants, spec, pathlib.Path(scratch)).items():
                results[label].append((count, median_ms, peak_mib))
        if JHIPSTER:
            jhipster = measure_jhipster(JHIPSTER, binary, pathlib.Path(scratch))
    for label, rows in results.items():
        base_ms = rows[0][1]
        print(f"\n{label}")
        print("| entities | median ms | peak MiB | time / time(10 entities) |")
        print("| --- | --- | --- | --- |")
        for count, median_ms, peak_mib in rows:
            print(f"| {count} | {median_ms:.1f} | {peak_mib:.1f} | {median_ms / base_ms:.2f} |")
    if JHIPSTER:
        (theirs_ms, theirs_mib), (ours_ms, ours_mib) = jhipster
        print(f"\nJHipster {JHIPSTER_VERSION} against gen new (empty cache), {JHIPSTER} entities, in turns")
        print("| generator | runs | median ms | peak MiB |")
        print("| --- | --- | --- | --- |")
        print(f"| JHipster (`jhipster jdl`, no install, no git) | {JHIPSTER_RUNS} | {theirs_ms:.0f} | {theirs_mib:.0f} |")
        print(f"| gen new | {JHIPSTER_RUNS * RUNS} | {ours_ms:.1f} | {ours_mib:.1f} |")
        print(f"JHipster / gen new: {theirs_ms / ours_ms:.0f}x the time, {theirs_mib / ours_mib:.0f}x the peak memory")
    if BEFORE:
        before = results[f"before ({BEFORE.name}): gen new, no cache"]
        print("\nnow / before, same run")
        print("| entities | empty cache | files in the cache |")
        print("| --- | --- | --- |")
        for index, (count, before_ms, _) in enumerate(before):
            cold = results["gen new, empty cache"][index][1]
            warm = results["gen new, files in the cache"][index][1]
            print(f"| {count} | {cold / before_ms:.2f} | {warm / before_ms:.2f} |")


if __name__ == "__main__":
    main()
