#!/usr/bin/env python3
"""Seeding demo data (`seed`) into a generated project.

It starts a throwaway PostgreSQL 15, generates SPEC (pool mode) into
target/bench-seed, builds it in release mode, and times, each on a fresh
database, median of RUNS:
  - `seed` with its defaults: 2 tenants, one user per role, 25 records of
    every tenant entity;
  - `seed --tenants 1` with about TOTAL records over all the entities.

Usage: python3 scripts/bench-seed.py [spec, default benches/specs/entities_50.yaml]
                                     [total records, default 10000] [runs, default 3]
Needs: PostgreSQL server binaries, cargo, rustfmt.
"""
import math
import os
import pathlib
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from benchlib import ROOT, TARGET, Cluster, new_secret, run  # noqa: E402

SPEC = ROOT / (sys.argv[1] if len(sys.argv) > 1 else "benches/specs/entities_50.yaml")
TOTAL = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
RUNS = int(sys.argv[3]) if len(sys.argv) > 3 else 3


def main() -> None:
    cluster = Cluster()
    try:
        print("building gen and the generated backend (release) ...", flush=True)
        run(["cargo", "build", "--release", "--quiet", "--bin", "gen"], cwd=ROOT)
        project = ROOT / "target" / "bench-seed"
        subprocess.run(["rm", "-rf", str(project)], check=True)
        run([str(ROOT / "target" / "release" / "gen"), "new", str(SPEC), "-o", str(project)], stdout=subprocess.DEVNULL)
        app = re.search(r"^app:\s*(\S+)", SPEC.read_text(), re.M).group(1)
        run(["cargo", "build", "--release", "--quiet"], cwd=project, env={**os.environ, "CARGO_TARGET_DIR": str(TARGET)})
        binary = TARGET / "release" / app
        # An entity is a key under `entities:` whose next line opens its
        # `scope:` or `fields:`.
        text = SPEC.read_text()
        entities = len(re.findall(r"^  [a-z_0-9]+:\n    (?:scope|fields):", text, re.M))
        tenant_entities = entities - len(re.findall(r"^    scope: global$", text, re.M))
        per_entity = max(1, math.ceil(TOTAL / max(1, tenant_entities)))
        secret = new_secret()
        rows = []
        for label, args in [
            ("defaults: 2 tenants x 25 records", ["seed"]),
            (f"1 tenant x {per_entity} records", ["seed", "--tenants", "1", "--records", str(per_entity)]),
        ]:
            times, made = [], 0
            for n in range(RUNS):
                database = f"seed_{len(rows)}_{n}"
                env = {
                    **os.environ,
                    "DATABASE_URL": cluster.url(f"{app}_app", database, "bench"),
                    "ADMIN_DATABASE_URL": cluster.url("postgres", "postgres"),
                    "JWT_SECRET": secret,
                    "RUST_LOG": "error",
                }
                run([str(binary), "db", "setup"], env=env, stdout=subprocess.DEVNULL)
                run([str(binary), "migrate"], env=env, stdout=subprocess.DEVNULL)
                start = time.perf_counter()
                printed = subprocess.run([str(binary), *args], env=env, check=True, capture_output=True, text=True).stdout
                times.append(time.perf_counter() - start)
                made = int(re.search(r"seeded (\d+) records", printed).group(1))
            seconds = statistics.median(times)
            rows.append((label, made, seconds))
        print(f"\n{SPEC.relative_to(ROOT)}: {tenant_entities} tenant entities, median of {RUNS} runs\n")
        print("| run | records | seconds | records/s |")
        print("| --- | ---: | ---: | ---: |")
        for label, made, seconds in rows:
            print(f"| {label} | {made} | {seconds:.2f} | {made / seconds:,.0f} |")
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
