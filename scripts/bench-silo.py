#!/usr/bin/env python3
"""Silo mode (a database per tenant) at 100 tenants.

It starts a throwaway PostgreSQL 15, generates examples/tracker.yaml into
target/bench-silo, builds it in release mode, and measures:
  - provisioning 100 tenant databases with `tenants create` (one process
    each: catalog row, CREATE DATABASE, the tenant migrations);
  - an added-column tenant migration over all of them with `migrate --jobs 1`
    and another with `--jobs 4`, each time with one tenant whose database
    already has that column, so it fails and the other 99 go on;
  - GET /api/projects under wrk with the connection budget at 20
    (TENANT_CONNECTIONS, so 10 pools of 2), the load spread over 10 tenants
    (every pool stays open) and over all 100 (pools are closed and opened
    as tenants come and go), with the most connections the server saw;
  - the same through PgBouncer in transaction pooling mode
    (DATABASE_POOLER=pgbouncer), which holds the server to 20 connections
    (max_user_connections, 2 per database), the app's budget first at 20,
    then at 200, since its connections now go to PgBouncer.

Usage: python3 scripts/bench-silo.py [tenants, default 100] [seconds per run, default 15]
Needs: PostgreSQL server binaries, wrk (apt-get install wrk), PgBouncer (apt-get install pgbouncer), cargo, rustfmt.
"""
import os
import pathlib
import subprocess
import sys
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from benchlib import Cluster, PgBouncer, Project, free_port, jwt, lua_script, new_secret, require_wrk, run, seed_members_sql, wait_for, wrk  # noqa: E402

TENANTS = int(sys.argv[1]) if len(sys.argv) > 1 else 100
SECONDS = int(sys.argv[2]) if len(sys.argv) > 2 else 15
ROWS_PER_TENANT = 20
BUDGET = 20
APP = "tracker"


def main() -> None:
    require_wrk()
    cluster = Cluster("shared_buffers=256MB", "max_connections=200")
    bouncer = None
    try:
        secret = new_secret()
        built = Project(cluster, "tracker.yaml", "bench-silo", APP, secret, TENANT_CONNECTIONS=str(BUDGET))
        project, binary, app_env = built.dir, built.binary, built.env

        print(f"provisioning {TENANTS} databases ...", flush=True)
        start = time.perf_counter()
        for n in range(1, TENANTS + 1):
            run([str(binary), "tenants", "create", f"t{n}"], env=app_env, stdout=subprocess.DEVNULL)
        provisioned = time.perf_counter() - start
        rows = subprocess.run(
            cluster.psql(APP) + ["-At", "-c", "SELECT id, db_name FROM control.tenants ORDER BY slug"],
            check=True, capture_output=True, text=True,
        ).stdout.split()
        tenants = [row.split("|") for row in rows]
        # One member per tenant, whom its tokens name.
        run(cluster.psql(APP) + ["-c", seed_members_sql("control.tenants t", "t.id", "md5(t.id::text)::uuid")])
        members = dict(row.split("|") for row in subprocess.run(
            cluster.psql(APP) + ["-At", "-c", "SELECT tenant_id, user_id FROM control.memberships"],
            check=True, capture_output=True, text=True,
        ).stdout.split())
        for tenant, database in tenants:
            run(cluster.psql(database) + ["-c",
                f"INSERT INTO projects (tenant_id, key, name) SELECT '{tenant}', 'P' || i, 'project ' || i "
                f"FROM generate_series(10, {9 + ROWS_PER_TENANT}) i"])

        migrations = {}
        failing = tenants[len(tenants) // 2][1]
        tenant_migrations = project / "migrations" / "tenant"
        latest = max(int(path.name[:4]) for path in tenant_migrations.glob("[0-9][0-9][0-9][0-9]_*.sql"))
        tables = len(list(tenant_migrations.glob("[0-9][0-9][0-9][0-9]_create_*.sql")))
        for version, jobs in ((latest + 1, 1), (latest + 2, 4)):
            column = f"bench_{version}"
            (tenant_migrations / f"{version:04}_bench_column_{version}.sql").write_text(
                f"ALTER TABLE projects ADD COLUMN {column} integer;\n"
            )
            built.build()
            run(cluster.psql(failing) + ["-c", f"ALTER TABLE projects ADD COLUMN {column} integer"])
            print(f"migrating {TENANTS} databases, --jobs {jobs}, one failing ...", flush=True)
            start = time.perf_counter()
            done = subprocess.run([str(binary), "migrate", "--jobs", str(jobs)], env=app_env, capture_output=True, text=True)
            migrations[jobs] = time.perf_counter() - start
            summary = done.stdout.strip().splitlines()[-1]
            if done.returncode == 0 or "1 failed" not in summary:
                sys.exit(f"expected exactly one failure:\n{done.stdout}{done.stderr}")
            migrations[f"summary{jobs}"] = summary
            # Repaired, so the tenant serves again.
            run(cluster.psql(failing) + ["-c", f"ALTER TABLE projects DROP COLUMN {column}"])
            run([str(binary), "migrate"], env=app_env, stdout=subprocess.DEVNULL)

        def measure(env: dict) -> dict:
            """GET /api/projects spread over 10 tenants and over all, with
            the most server connections to tenant databases seen."""
            port = free_port()
            server = subprocess.Popen([str(binary), "serve"], env=dict(env, PORT=str(port)), stdout=subprocess.DEVNULL)
            try:
                base = f"http://127.0.0.1:{port}"
                wait_for(base + "/healthz")
                results = {}
                for spread in (10, TENANTS):
                    tokens = [jwt(secret, APP, tenant, members[tenant]) for tenant, _ in tenants[:spread]]
                    lua = lua_script(cluster.scratch / f"spread{spread}.lua", tokens, ["/api/projects"] * len(tokens))
                    most = [0]
                    stop = threading.Event()

                    def watch():
                        query = cluster.psql("postgres") + ["-At", "-c", f"SELECT count(*) FROM pg_stat_activity WHERE datname LIKE '{APP}\\_t%'"]
                        while not stop.is_set():
                            count = int(subprocess.run(query, check=True, capture_output=True, text=True).stdout)
                            most[0] = max(most[0], count)
                            time.sleep(0.05)

                    watcher = threading.Thread(target=watch)
                    watcher.start()
                    subprocess.run(["wrk", "-t2", "-c32", "-d3s", "-s", str(lua), base], check=True, capture_output=True)
                    results[spread] = wrk(base, lua, SECONDS)
                    stop.set()
                    watcher.join()
                    results[spread]["most"] = most[0]
                return results
            finally:
                server.terminate()
                server.wait()

        runs = {f"direct, budget {BUDGET}": measure(app_env)}
        bouncer = PgBouncer(cluster, {f"{APP}_app": "bench"}, per_user=BUDGET, per_database=2)
        bounced = dict(
            app_env,
            DATABASE_URL=bouncer.url(f"{APP}_app", APP, "bench"),
            DATABASE_POOLER="pgbouncer",
            LISTEN_DATABASE_URL=app_env["DATABASE_URL"],
        )
        runs[f"PgBouncer, budget {BUDGET}"] = measure(bounced)
        runs["PgBouncer, budget 200"] = measure(dict(bounced, TENANT_CONNECTIONS="200"))

        print(f"\n{TENANTS} tenant databases ({tables} tables each), {os.cpu_count()} cores")
        print(f"provisioning: {provisioned:.1f} s, {provisioned / TENANTS * 1000:.0f} ms per tenant (tenants create, one process each)")
        print(f"added-column migration, one tenant failing: --jobs 1 {migrations[1]:.1f} s, --jobs 4 {migrations[4]:.1f} s "
              f"({migrations[1] / migrations[4]:.2f}x faster with 4); summaries: {migrations['summary1']!r}, {migrations['summary4']!r}")
        print(f"| connections | load spread over | req/s | p50 ms | p99 ms | most server connections to tenant databases seen (budget {BUDGET}) |")
        print("| --- | --- | --- | --- | --- | --- |")
        for how, results in runs.items():
            for spread, r in results.items():
                print(f"| {how} | {spread} tenants | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {r['most']} |")
    finally:
        if bouncer is not None:
            bouncer.stop()
        cluster.stop()


if __name__ == "__main__":
    main()
