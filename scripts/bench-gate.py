#!/usr/bin/env python3
"""What the write gate of `tenants move` costs pool's writes.

Every tenant table of a pool project carries a statement trigger
(`control.hold_moving_writes`) that takes the writing tenant's hold lock
shared and checks that no move has frozen its writes. This starts a
throwaway PostgreSQL 15 cluster, generates examples/crm.yaml into
target/bench-gate, builds it in release mode, seeds two tenants, and runs
pgbench as the app's runtime login: each transaction enters a tenant as
the app does (a transaction-local set_config) and updates one of its
companies by key. Rounds alternate between the table with its gate and the
same table with the gate dropped, and the script prints each arm's
median transactions per second and their ratio.

Usage: python3 scripts/bench-gate.py [seconds per round, default 10] [rounds, default 3]
Needs: PostgreSQL server binaries (pgbench among them), cargo, rustfmt.
"""
import pathlib
import re
import statistics
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from benchlib import Cluster, Project, new_secret  # noqa: E402

APP = "acme_crm"
DATABASE = "gate"
SECONDS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
RECORDS = 1000
CLIENTS = 8
GATE = (
    "CREATE TRIGGER hold_moving_writes BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON companies"
    " FOR EACH STATEMENT EXECUTE FUNCTION control.hold_moving_writes()"
)


def sql(cluster: Cluster, statement: str) -> str:
    return subprocess.run(
        cluster.psql(DATABASE) + ["-At", "-c", statement], check=True, capture_output=True, text=True
    ).stdout.strip()


def main() -> None:
    cluster = Cluster()
    try:
        project = Project(cluster, "crm.yaml", "bench-gate", APP, new_secret())
        project.seeded_database(cluster, APP, DATABASE, 2, RECORDS)
        tenant = sql(cluster, "SELECT id FROM control.tenants ORDER BY slug LIMIT 1")
        # A numbered list of the tenant's companies, so that pgbench can pick
        # one at random by a key lookup, the same in both arms.
        sql(cluster, f"""
            CREATE TABLE bench_companies AS
                SELECT row_number() OVER (ORDER BY id) AS n, id FROM companies WHERE tenant_id = '{tenant}';
            ALTER TABLE bench_companies ADD PRIMARY KEY (n);
            GRANT SELECT ON bench_companies TO {APP}_runtime;
        """)
        count = int(sql(cluster, "SELECT count(*) FROM bench_companies"))
        script = cluster.scratch / "write.sql"
        script.write_text(
            f"\\set n random(1, {count})\n"
            "BEGIN;\n"
            f"SELECT set_config('app.tenant_id', '{tenant}', true);\n"
            "UPDATE companies SET updated_at = now() WHERE id = (SELECT id FROM bench_companies WHERE n = :n);\n"
            "COMMIT;\n"
        )
        pgbench = [
            str(cluster.bindir / "pgbench"), "-n", "-M", "prepared", "-c", str(CLIENTS), "-j", "2",
            "-f", str(script), "-h", str(cluster.dir), "-p", str(cluster.port), "-U", f"{APP}_app", DATABASE,
        ]
        env = {"PGPASSWORD": "bench", "PATH": "/usr/bin:/bin"}
        tps = {"with the gate": [], "without": []}
        # `migrate` put the gate on; each round puts it on for its first arm only.
        sql(cluster, "DROP TRIGGER hold_moving_writes ON companies")
        for _ in range(ROUNDS):
            for arm in tps:
                gated = arm == "with the gate"
                if gated:
                    sql(cluster, GATE)
                out = subprocess.run(pgbench + ["-T", str(SECONDS)], env=env, check=True, capture_output=True, text=True).stdout
                tps[arm].append(float(re.search(r"tps = ([\d.]+)", out).group(1)))
                if gated:
                    sql(cluster, "DROP TRIGGER hold_moving_writes ON companies")
        gated, bare = (statistics.median(tps[arm]) for arm in tps)
        print(f"\nexamples/crm.yaml (pool): pgbench, {CLIENTS} clients, {SECONDS} s rounds, median of {ROUNDS} alternating rounds each\n")
        print("| write transaction | with the gate tps | without tps | ratio |")
        print("| --- | ---: | ---: | ---: |")
        print(f"| set_config + UPDATE of one company by key | {gated:,.0f} | {bare:,.0f} | {gated / bare:.3f} |")
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
