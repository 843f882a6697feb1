#!/usr/bin/env python3
"""`tenants export` and `tenants import` of one tenant, in each isolation mode.

It starts a throwaway PostgreSQL 15, and for each mode generates its
example (pool: examples/crm.yaml, bridge: helpdesk, silo: tracker) into
target/bench-archive-MODE, builds it in release mode, and for each size
seeds one tenant with about that many records (over its entities) beside a
second tenant of the same size, then times, median of RUNS: the export of
the first tenant, and its import after a delete.

Usage: python3 scripts/bench-archive.py [sizes, default 10000,100000] [runs, default 3] [modes, default pool,bridge,silo]
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

SIZES = [int(size) for size in (sys.argv[1] if len(sys.argv) > 1 else "10000,100000").split(",")]
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
MODES = (sys.argv[3] if len(sys.argv) > 3 else "pool,bridge,silo").split(",")
# Each mode's example: its spec, app, and how many tenant entities it has.
EXAMPLES = {
    "pool": ("crm.yaml", "acme_crm", 3),
    "bridge": ("helpdesk.yaml", "acme_helpdesk", 6),
    "silo": ("tracker.yaml", "tracker", 6),
}


def timed(binary: pathlib.Path, args: list, env: dict) -> tuple:
    start = time.perf_counter()
    printed = subprocess.run([str(binary), *args], env=env, check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - start, printed


def main() -> None:
    cluster = Cluster()
    try:
        archive = cluster.scratch / "tenant.archive"
        results = []
        for mode in MODES:
            example, app, entities = EXAMPLES[mode]
            project = Project(cluster, example, f"bench-archive-{mode}", app, new_secret())
            for size in SIZES:
                # A database of its own for each size, set up as the project's.
                env = project.seeded_database(cluster, app, f"archive_{mode}_{size}", 2, max(1, size // entities))
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
                results.append((mode, example, rows, statistics.median(exports), statistics.median(imports), archive.stat().st_size))
        print(f"\none tenant beside another of the same size, median of {RUNS} runs, release build\n")
        print("| mode | example | rows | export s | export rows/s | archive MB | import s | import rows/s |")
        print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for mode, example, rows, export, imported, size in results:
            print(f"| {mode} | {example} | {rows:,} | {export:.2f} | {rows / export:,.0f} | {size / 1e6:.1f} | {imported:.2f} | {rows / imported:,.0f} |")
    finally:
        cluster.stop()

if __name__ == "__main__":
    main()
