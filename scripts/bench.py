#!/usr/bin/env python3
"""End-to-end benchmark of `gen new`: median wall time and peak memory of
the release binary generating the synthetic specs in benches/specs/, each
into a fresh folder: without the rustfmt pass, with it and an empty cache
of laid-out files (what a first `gen new` costs), and with the cache
holding the spec's files (a second run). Peak memory is the largest
resident size of gen and of any one rustfmt it runs (it runs one per core
at once). Reports the growth from 10 to 100 entities as ratios, since
absolute times on shared machines are noisy.

Usage: python3 scripts/bench.py [runs] [--before GEN]   (default 21 runs per spec)
  --before GEN  also measures another gen binary (say, one built at an
                earlier commit) with its default flags and no cache, in the
                same run, and prints the ratio.
"""
import os
import pathlib
import resource
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
RUNS = int(ARGS[0]) if ARGS else 21


def measure(binary: pathlib.Path, spec: pathlib.Path, extra: list, cache: str) -> tuple[float, float]:
    """Median milliseconds and peak resident MiB over RUNS runs, with
    TENANTGEN_CACHE_DIR set to `cache` ("" turns the cache off; "warm" is a
    fresh cache filled by one run first)."""
    times, peaks = [], []
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(os.environ, TENANTGEN_CACHE_DIR=cache)
        if cache == "warm":
            env["TENANTGEN_CACHE_DIR"] = str(pathlib.Path(scratch) / "cache")
            subprocess.run([str(binary), "new", str(spec), "-o", str(pathlib.Path(scratch) / "fill")] + extra,
                           env=env, check=True, stdout=subprocess.DEVNULL)
        for run in range(RUNS):
            out = pathlib.Path(scratch) / f"out{run}"
            # Each run in its own child, so ru_maxrss is that run's peak.
            start = time.perf_counter()
            pid = os.fork()
            if pid == 0:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.execve(str(binary), [str(binary), "new", str(spec), "-o", str(out)] + extra, env)
            _, status, usage = os.wait4(pid, 0)
            elapsed = (time.perf_counter() - start) * 1000
            if os.waitstatus_to_exitcode(status) != 0:
                sys.exit(f"gen new {spec} failed")
            times.append(elapsed)
            peaks.append(usage.ru_maxrss / 1024)
            shutil.rmtree(out)
    return statistics.median(times), max(peaks)


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
    results = {}
    for label, (program, extra, cache) in variants.items():
        rows = []
        for count in (10, 25, 50, 100):
            median_ms, peak_mib = measure(program, ROOT / "benches" / "specs" / f"entities_{count}.yaml", extra, cache)
            rows.append((count, median_ms, peak_mib))
        results[label] = rows
        base_ms = rows[0][1]
        print(f"\n{label}")
        print("| entities | median ms | peak MiB | time / time(10 entities) |")
        print("| --- | --- | --- | --- |")
        for count, median_ms, peak_mib in rows:
            print(f"| {count} | {median_ms:.1f} | {peak_mib:.1f} | {median_ms / base_ms:.2f} |")
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
