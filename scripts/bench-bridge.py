#!/usr/bin/env python3
"""Bridge mode (a schema per tenant) at 1,000 tenants.

It starts a throwaway PostgreSQL 15, generates examples/helpdesk.yaml into
target/bench-bridge, builds it in release mode, and measures:
  - provisioning 1,000 tenant schemas (control.provision_tenant, one
    transaction per tenant, the way sign-up does it);
  - an added-column tenant migration across all of them, with `migrate
    --jobs 1` and then another with `--jobs 4` (same work, one column each);
  - GET /api/customers under wrk with the load spread over 10 tenants and
    then over all 1,000 (target: p99 within 1.5x);
  - each PostgreSQL backend's private memory after each of the two runs,
    from /proc/<pid>/smaps_rollup: what per-connection catalog caches cost.

Usage: python3 scripts/bench-bridge.py [tenants, default 1000] [seconds per run, default 15]
Needs: PostgreSQL server binaries, wrk (apt-get install wrk), cargo, rustfmt; root or the
postgres user's rights to read /proc of the server's processes.
"""
import os
import pathlib
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from benchlib import Cluster, Project, free_port, jwt, lua_script, new_secret, require_wrk, run, seed_members_sql, wait_for, wrk  # noqa: E402

TENANTS = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
SECONDS = int(sys.argv[2]) if len(sys.argv) > 2 else 15
ROWS_PER_TENANT = 20
APP = "acme_helpdesk"


def backend_memory(cluster: Cluster, user: str) -> list:
    """Anonymous (private) KiB of each server process serving `user`."""
    pids = subprocess.run(
        cluster.psql("postgres") + ["-At", "-c", f"SELECT pid FROM pg_stat_activity WHERE usename = '{user}'"],
        check=True, capture_output=True, text=True,
    ).stdout.split()
    sizes = []
    for pid in pids:
        for line in pathlib.Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Anonymous:"):
                sizes.append(int(line.split()[1]))
    return sizes


def timed(args, env) -> float:
    start = time.perf_counter()
    run(args, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    require_wrk()
    # Enough lock slots for pg_dump-style work is not needed here; the
    # orchestrator migrates one tenant per transaction.
    cluster = Cluster("shared_buffers=256MB", "max_connections=200")
    server = None
    try:
        secret = new_secret()
        built = Project(cluster, "helpdesk.yaml", "bench-bridge", APP, secret)
        project, binary, app_env = built.dir, built.binary, built.env

        psql = cluster.psql(APP)
        ids = [f"00000000-0000-4000-8000-{n:012x}" for n in range(1, TENANTS + 1)]
        catalog = "INSERT INTO control.tenants (id, slug, name) VALUES " + ", ".join(
            f"('{tenant}', 't{n}', 't{n}')" for n, tenant in enumerate(ids, start=1)
        ) + ";\n"
        run(psql + ["-c", catalog])
        # One member per tenant, whom its tokens name.
        user = "md5(t.id::text)::uuid"
        run(psql + ["-c", seed_members_sql("control.tenants t", "t.id", user)])
        provision = "".join(
            f"BEGIN; SELECT set_config('app.tenant_id', '{tenant}', true); SELECT * FROM control.provision_tenant();\n"
            f"INSERT INTO t_t{n}.customers (tenant_id, email, full_name) SELECT '{tenant}', 'c' || i || '@example.com', 'customer ' || i FROM generate_series(1, {ROWS_PER_TENANT}) i;\n"
            "COMMIT;\n"
            for n, tenant in enumerate(ids, start=1)
        )
        script = cluster.scratch / "provision.sql"
        script.write_text(provision)
        print(f"provisioning {TENANTS} schemas ...", flush=True)
        start = time.perf_counter()
        run(psql + ["-o", "/dev/null", "-f", str(script)])
        provisioned = time.perf_counter() - start

        migrations = {}
        tenant_migrations = project / "migrations" / "tenant"
        latest = max(int(path.name[:4]) for path in tenant_migrations.glob("[0-9][0-9][0-9][0-9]_*.sql"))
        tables = len(list(tenant_migrations.glob("[0-9][0-9][0-9][0-9]_create_*.sql")))
        for version, jobs in ((latest + 1, 1), (latest + 2, 4)):
            (tenant_migrations / f"{version:04}_bench_column_{version}.sql").write_text(
                f"ALTER TABLE customers ADD COLUMN bench_{version} integer;\n"
            )
            built.build()
            print(f"migrating {TENANTS} schemas, --jobs {jobs} ...", flush=True)
            migrations[jobs] = timed([str(binary), "migrate", "--jobs", str(jobs)], app_env)

        members = dict(row.split("|") for row in subprocess.run(
            psql + ["-At", "-c", "SELECT tenant_id, user_id FROM control.memberships"],
            check=True, capture_output=True, text=True,
        ).stdout.split())
        port = free_port()
        server = subprocess.Popen([str(binary), "serve"], env=dict(app_env, PORT=str(port)), stdout=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/healthz")
        results = {}
        for spread in (10, TENANTS):
            tokens = [jwt(secret, APP, tenant, members[tenant]) for tenant in ids[:spread]]
            lua = lua_script(cluster.scratch / f"spread{spread}.lua", tokens, ["/api/customers"] * len(tokens))
            subprocess.run(["wrk", "-t2", "-c32", "-d3s", "-s", str(lua), base], check=True, capture_output=True)
            results[spread] = wrk(base, lua, SECONDS)
            results[spread]["memory"] = backend_memory(cluster, f"{APP}_app")

        print(f"\n{TENANTS} tenant schemas ({tables} tables each), {os.cpu_count()} cores")
        print(f"provisioning: {provisioned:.1f} s, {provisioned / TENANTS * 1000:.1f} ms per tenant")
        print(f"added-column migration: --jobs 1 {migrations[1]:.1f} s, --jobs 4 {migrations[4]:.1f} s "
              f"({migrations[1] / migrations[4]:.2f}x faster with 4)")
        print("| load spread over | req/s | p50 ms | p99 ms | backends | private KiB per backend, median (max) |")
        print("| --- | --- | --- | --- | --- | --- |")
        for spread, r in results.items():
            memory = r["memory"]
            print(f"| {spread} tenants | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {len(memory)} | "
                  f"{statistics.median(memory):.0f} ({max(memory)}) |")
        print(f"p99 ratio, {TENANTS} over 10 tenants: {results[TENANTS]['p99'] / results[10]['p99']:.2f}")
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        cluster.stop()


if __name__ == "__main__":
    main()
