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
import os
import pathlib
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from benchlib import ROOT, TARGET, Cluster, new_secret, run  # noqa: E402

SPEC = ROOT / "examples" / "crm.yaml"
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
        print("building gen and the generated backend (release) ...", flush=True)
        run(["cargo", "build", "--release", "--quiet", "--bin", "gen"], cwd=ROOT)
        project = ROOT / "target" / "bench-archive"
        subprocess.run(["rm", "-rf", str(project)], check=True)
        run([str(ROOT / "target" / "release" / "gen"), "new", str(SPEC), "-o", str(project)], stdout=subprocess.DEVNULL)
        app = re.search(r"^app:\s*(\S+)", SPEC.read_text(), re.M).group(1)
        run(["cargo", "build", "--release", "--quiet"], cwd=project, env={**os.environ, "CARGO_TARGET_DIR": str(TARGET)})
        binary = TARGET / "release" / app
        archive = cluster.scratch / "tenant.archive"
        results = []
        for size in SIZES:
            database = f"archive_{size}"
            env = {
                **os.environ,
                "DATABASE_URL": cluster.url(f"{app}_app", database, "bench"),
                "ADMIN_DATABASE_URL": cluster.url("postgres", "postgres"),
                "JWT_SECRET": new_secret(),
                "RUST_LOG": "error",
            }
            run([str(binary), "db", "setup"], env=env, stdout=subprocess.DEVNULL)
            run([str(binary), "migrate"], env=env, stdout=subprocess.DEVNULL)
            per_entity = max(1, size // TENANT_ENTITIES)
            run([str(binary), "seed", "--tenants", "2", "--records", str(per_entity)], env=env, stdout=subprocess.DEVNULL)
            slug = subprocess.run([str(binary), "tenants", "list"], env=env, check=True, capture_output=True, text=True).stdout.split()[0]
            exports, imports, rows = [], [], 0
            for _ in range(RUNS):
                # Export never overwrites a file.
                archive.unlink(missing_ok=True)
                seconds, printed = timed(binary, ["tenants", "export", slug, "-o", str(archive)], env)
                exports.append(seconds)
                rows = int(re.search(r": (\d+) rows", printed).group(1))
                run([str(binary), "tenants", "delete", slug], env=env, stdout=subprocess.DEVNULL)
                seconds, printed = timed(binary, ["tenants", "import", str(archive)], env)
                imports.append(seconds)
                assert f": {rows} rows" in printed, printed
            results.append((rows, statistics.median(exports), statistics.median(imports), archive.stat().st_size))
        print(f"\n{SPEC.relative_to(ROOT)}: one tenant beside another of the same size, median of {RUNS} runs, release build\n")
        print("| rows | export s | export rows/s | archive MB | import s | import rows/s |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: |")
        for rows, export, imported, size in results:
            print(f"| {rows:,} | {export:.2f} | {rows / export:,.0f} | {size / 1e6:.1f} | {imported:.2f} | {rows / imported:,.0f} |")
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
