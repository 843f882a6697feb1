#!/usr/bin/env python3
"""End-to-end benchmark of `gen new`: median wall time and peak memory of
the release binary generating the synthetic specs in benches/specs/, each
into a fresh folder, with and without the rustfmt pass. Peak memory is the
largest resident size of gen and of the rustfmt it runs. Reports the growth from 10 to 100 entities as ratios,
since absolute times on shared machines are noisy.

Usage: python3 scripts/bench.py [runs]   (default 21 runs per spec)
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
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 21


def measure(binary: pathlib.Path, spec: pathlib.Path, extra: list) -> tuple[float, float]:
    """Median milliseconds and peak resident MiB over RUNS runs."""
    times, peaks = [], []
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(RUNS):
            out = pathlib.Path(scratch) / f"out{run}"
            # Each run in its own child, so ru_maxrss is that run's peak.
            start = time.perf_counter()
            pid = os.fork()
            if pid == 0:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.execv(str(binary), [str(binary), "new", str(spec), "-o", str(out)] + extra)
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
    # what users wait for by default, with rustfmt laying out the Rust.
    variants = {
        "gen new --no-format": ["--no-format"],
        "gen new (rustfmt included)": [],
    }
    print(f"gen new, {RUNS} runs per spec, {os.cpu_count()} cores")
    for label, extra in variants.items():
        rows = []
        for count in (10, 25, 50, 100):
            median_ms, peak_mib = measure(binary, ROOT / "benches" / "specs" / f"entities_{count}.yaml", extra)
            rows.append((count, median_ms, peak_mib))
        base_ms = rows[0][1]
        print(f"\n{label}")
        print("| entities | median ms | peak MiB | time / time(10 entities) |")
        print("| --- | --- | --- | --- |")
        for count, median_ms, peak_mib in rows:
            print(f"| {count} | {median_ms:.1f} | {peak_mib:.1f} | {median_ms / base_ms:.2f} |")


if __name__ == "__main__":
    main()
