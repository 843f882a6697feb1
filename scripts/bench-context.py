#!/usr/bin/env python3
"""The database's side of a tenant-scoped read by id, sent each of the ways
issue 16 names, measured against each other with pgbench in one run.

A read confined by row-level security needs the tenant context set in the
same transaction as the query. This measures, without HTTP and without the
app, what each way of sending that costs the server and its client:
  - baseline: `WHERE tenant_id = $1 AND id = $2` as a role that bypasses
    row-level security, no context (what benches/baseline sends);
  - BEGIN, context, query, COMMIT: four prepared statements pipelined
    before one Sync (the generated app sends the same four, in three
    messages, each with its own Sync: tokio-postgres can't send fewer);
  - context and query, one Sync: `set_config` and the query pipelined,
    one implicit transaction ended by the Sync (what a client that can
    skip the Sync between statements would send);
  - PL/pgSQL function: `PERFORM set_config(...); RETURN QUERY ...`,
    SECURITY INVOKER, called as one prepared statement;
  - SQL function: the same two statements in a `LANGUAGE sql` function;
  - one simple query: `SELECT set_config(...); SELECT ...` with the values
    as literals, parsed and planned every time.
Each function is first checked for a stale or missing context: on one
connection, a call for one tenant then another must each see exactly their
own row, and nothing may stay set after the call.

The schema is the generated one's shape: FORCE'd row-level security with
the same predicate (`tenant_id = nullif(current_setting(...), '')::uuid`),
the primary key on (tenant_id, id), tenants x rows companies. Each way runs
alternately with the others, twice, and keeps its better run.

Usage: python3 scripts/bench-context.py [seconds 8] [tenants 1000] [rows 1000] [clients 8]
Needs: PostgreSQL server binaries (with pgbench).
"""
import os
import pathlib
import re
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from benchlib import Cluster, run  # noqa: E402

SETTING = "app.tenant_id"
CURRENT_TENANT = f"nullif(current_setting('{SETTING}', true), '')::uuid"
TENANT = "md5(:t::text)::uuid"
ROW = "md5(:t || '-' || :i)::uuid"

SCHEMA = f"""
CREATE ROLE app LOGIN;
CREATE ROLE bypass LOGIN BYPASSRLS;
CREATE TABLE companies (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    name text NOT NULL,
    domain text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
ALTER TABLE companies ENABLE ROW LEVEL SECURITY;
ALTER TABLE companies FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON companies USING (tenant_id = {CURRENT_TENANT});
GRANT SELECT ON companies TO app, bypass;
CREATE FUNCTION company_plpgsql(tenant uuid, company uuid) RETURNS SETOF companies
LANGUAGE plpgsql SECURITY INVOKER AS $$
BEGIN
    PERFORM set_config('{SETTING}', tenant::text, true);
    RETURN QUERY SELECT * FROM companies WHERE id = company;
END $$;
CREATE FUNCTION company_sql(tenant uuid, company uuid) RETURNS SETOF companies
LANGUAGE sql SECURITY INVOKER AS $$
    SELECT set_config('{SETTING}', tenant::text, true);
    SELECT * FROM companies WHERE id = company;
$$;
"""

PICK = "\\set t random(1, {tenants})\n\\set i random(1, {rows})\n"

# (name, role, pgbench protocol, script after PICK)
WAYS = [
    ("baseline: `WHERE tenant_id`, no context", "bypass", "prepared",
     f"SELECT * FROM companies WHERE tenant_id = {TENANT} AND id = {ROW};\n"),
    ("BEGIN, context, query, COMMIT, one Sync", "app", "prepared",
     "\\startpipeline\nBEGIN;\n"
     f"SELECT set_config('{SETTING}', {TENANT}::text, true);\n"
     f"SELECT * FROM companies WHERE id = {ROW};\nCOMMIT;\n\\endpipeline\n"),
    ("context and query, one Sync", "app", "prepared",
     f"\\startpipeline\nSELECT set_config('{SETTING}', {TENANT}::text, true);\n"
     f"SELECT * FROM companies WHERE id = {ROW};\n\\endpipeline\n"),
    ("PL/pgSQL function", "app", "prepared",
     f"SELECT * FROM company_plpgsql({TENANT}, {ROW});\n"),
    ("SQL function", "app", "prepared",
     f"SELECT * FROM company_sql({TENANT}, {ROW});\n"),
    ("one simple query, literals", "app", "simple",
     f"SELECT set_config('{SETTING}', {TENANT}::text, true) \\; SELECT * FROM companies WHERE id = {ROW};\n"),
]

# On one connection: each call must see its own tenant's row and no other,
# whatever the call before it set, and leave no context behind.
CONTEXT_CHECK = """
SELECT count(*) FROM {function}(md5('1')::uuid, md5('1-1')::uuid);
SELECT count(*) FROM {function}(md5('2')::uuid, md5('1-1')::uuid);
SELECT count(*) FROM {function}(md5('1')::uuid, md5('1-1')::uuid);
SELECT count(*) FROM {function}(md5('2')::uuid, md5('2-1')::uuid);
SELECT count(*) FROM {function}(md5('1')::uuid, md5('2-1')::uuid);
SELECT coalesce(nullif(current_setting('{setting}', true), ''), 'none');
"""
CONTEXT_EXPECTED = ["1", "0", "1", "1", "0", "none"]


def main() -> None:
    given = [int(argument) for argument in sys.argv[1:5]]
    seconds, tenants, rows, clients = given + [8, 1000, 1000, 8][len(given):]
    if tenants < 2:
        sys.exit("the context check needs at least 2 tenants")
    cluster = Cluster("shared_buffers=256MB")
    try:
        run(cluster.psql("postgres") + ["-c", "CREATE DATABASE bench"])
        run(cluster.psql("bench") + ["-c", SCHEMA])
        print(f"seeding {tenants} tenants x {rows} companies ...", flush=True)
        run(cluster.psql("bench") + ["-c", f"""
            INSERT INTO companies (tenant_id, id, name, domain)
            SELECT md5(t::text)::uuid, md5(t || '-' || i)::uuid, 'company ' || i, 'c' || i || '.example'
            FROM generate_series(1, {tenants}) t, generate_series(1, {rows}) i;
        """])
        run(cluster.psql("bench") + ["-c", "VACUUM ANALYZE companies"])
        for function in ("company_plpgsql", "company_sql"):
            seen = subprocess.run(
                # From standard input, so that each statement is a transaction
                # of its own, as each request's is.
                cluster.psql("bench", "app") + ["-At"],
                input=CONTEXT_CHECK.format(function=function, setting=SETTING),
                check=True, capture_output=True, text=True,
            ).stdout.split()
            if seen != CONTEXT_EXPECTED:
                sys.exit(f"{function} confines calls wrongly: saw {seen}, expected {CONTEXT_EXPECTED}")
        print("both functions see exactly their own tenant's row on a shared connection, and leave no context")

        scripts = []
        for index, (_, _, _, body) in enumerate(WAYS):
            path = cluster.scratch / f"way-{index}.sql"
            path.write_text(PICK.format(tenants=tenants, rows=rows) + body)
            scripts.append(path)
        pgbench = str(cluster.bindir / "pgbench")
        best = {}
        for _ in range(2):
            for index, (name, role, protocol, _) in enumerate(WAYS):
                out = subprocess.run(
                    [pgbench, "-n", "-h", str(cluster.dir), "-p", str(cluster.port), "-U", role,
                     "-M", protocol, "-c", str(clients), "-j", "2", "-T", str(seconds), "-f", str(scripts[index]), "bench"],
                    check=True, capture_output=True, text=True,
                ).stdout
                failed = re.search(r"number of failed transactions: (\d+)", out)
                if failed and int(failed.group(1)):
                    sys.exit(f"{name}: pgbench reports failures\n{out}")
                tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
                best[name] = max(best.get(name, 0.0), tps)

        baseline = best[WAYS[0][0]]
        print(f"\npgbench -c{clients} -j2 -T{seconds}, {os.cpu_count()} cores, {tenants} tenants x {rows} rows, a random tenant's row per transaction, the better of two alternating runs")
        print("| way | transactions/s | / baseline |")
        print("| --- | ---: | ---: |")
        for name, _, _, _ in WAYS:
            print(f"| {name} | {best[name]:.0f} | {best[name] / baseline:.2f} |")
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
