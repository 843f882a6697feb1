#!/usr/bin/env python3
"""`tenants export` and `tenants import` of one pool tenant.

It starts a throwaway PostgreSQL 15, generates examples/crm.yaml into
target/bench-archive, builds it in release mode, and for each size seeds
one tenant with about that many records (over its three entities) beside a
second tenant of the same size, then times, median of RUNS: the export of
the first tenant, and its import after a delete.

Usage: python3 scripts/bench-archive.py [sizes, default 10000,100000] [runs, default 3]
Needs: PostgreSQL server binaries, cargo, rustfmt.
"""
import pathlib
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from benchlib import Cluster, Project, new_secret, run  # noqa: E402

APP = "acme_crm"
SIZES = [int(size) for size in (sys.argv[1] if len(sys.argv) > 1 else "10000,100000").split(",")]
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
TENANT_ENTITIES = 3


def timed(binary: pathlib.Path, args: list, env: dict) -> tuple:
    start = time.perf_counter()
    printed = subprocess.run([str(binary), *args], env=env, check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - start, printed


def main() -> None:
    cluster = Cluster()
    try:
        project = Project(cluster, "crm.yaml", "bench-archive", APP, new_secret())
        archive = cluster.scratch / "tenant.archive"
        results = []
        for size in SIZES:
            # A database of its own for each size, set up as the project's.
            env = project.seeded_database(cluster, APP, f"archive_{size}", 2, max(1, size // TENANT_ENTITIES))
            slug = subprocess.run([str(project.binary), "tenants", "list"], env=env, check=True, capture_output=True, text=True).stdout.split()[0]
            exports, imports, rows = [], [], 0
            for _ in range(RUNS):
                # Export never overwrites a file.
                archive.unlink(missing_ok=True)
                seconds, printed = timed(project.binary, ["tenants", "export", slug, "-o", str(archive)], env)
                exports.append(seconds)
                rows = int(re.search(r": (\d+) rows", printed).group(1))
                run([str(project.binary), "tenants", "delete", slug], env=env, stdout=subprocess.DEVNULL)
                seconds, printed = timed(project.binary, ["tenants", "import", str(archive)], env)
                imports.append(seconds)
                assert f": {rows} rows" in printed, printed
            results.append((rows, statistics.median(exports), statistics.median(imports), archive.stat().st_size))
        print(f"\nexamples/crm.yaml: one tenant beside another of the same size, median of {RUNS} runs, release build\n")
        print("| rows | export s | export rows/s | archive MB | import s | import rows/s |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: |")
        for rows, export, imported, size in results:
            print(f"| {rows:,} | {export:.2f} | {rows / export:,.0f} | {size / 1e6:.1f} | {imported:.2f} | {rows / imported:,.0f} |")
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
