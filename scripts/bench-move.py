#!/usr/bin/env python3
"""`tenants move` of one tenant under load, in silo, pool or bridge mode.

It starts two throwaway PostgreSQL 15 clusters, generates the example of
the mode (silo: examples/tracker.yaml, pool: examples/crm.yaml, bridge:
examples/helpdesk.yaml) into
target/bench-move-MODE, builds it in release mode, names the second
cluster in TENANT_SERVERS, and for each size seeds two tenants of about
that many records (over the example's tenant entities). Then, RUNS times,
alternating the direction, it moves the first tenant while wrk reads the
other tenant's first entity, and records the move's total time and write
pause as `tenants move` prints them, and the other tenant's p99 in each
second of the move (through its end: pool deletes the moved rows from the
shared tables last) beside seconds of the same load just before it.

Silo: the first tenant's database goes between `main` and `second`; the
other tenant's database is on the other server. Pool: both tenants start in
the shared tables, and the first goes to a database of its own on `second`
and back (`--to dedicated --server second`, `--to shared`); the other
tenant's rows stay in the shared tables the move copies from and deletes
from. Bridge: both tenants' schemas start in the control database, and the
first goes to a database of its own on `second` and back; the other
tenant's schema stays in the control database.

Usage: python3 scripts/bench-move.py [sizes, default 10000,100000] [runs, default 3] [silo|pool|bridge, default silo]
Needs: PostgreSQL server binaries, wrk (apt-get install wrk), cargo, rustfmt.
"""
import pathlib
import re
import statistics
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from benchlib import Cluster, Project, free_port, lua_script, new_secret, require_wrk, wait_for, wrk  # noqa: E402

SIZES = [int(size) for size in (sys.argv[1] if len(sys.argv) > 1 else "10000,100000").split(",")]
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
MODE = sys.argv[3] if len(sys.argv) > 3 else "silo"
# Each mode's example, app, tenant entities, the route wrk reads, and the
# arguments of `tenants move` to each place, from the second move on
# alternating.
EXAMPLES = {
    "silo": ("tracker.yaml", "tracker", 6, "/api/projects", [["--server", "second"], ["--server", "main"]]),
    "pool": ("crm.yaml", "acme_crm", 3, "/api/companies", [["--to", "dedicated", "--server", "second"], ["--to", "shared"]]),
    "bridge": ("helpdesk.yaml", "acme_helpdesk", 6, "/api/customers", [["--server", "second"], ["--server", "main"]]),
}
EXAMPLE, APP, TENANT_ENTITIES, ROUTE, DIRECTIONS = EXAMPLES[MODE]
BEFORE_SECONDS = 3
LOAD_CONNECTIONS = 8


def output(binary: pathlib.Path, args: list, env: dict) -> str:
    return subprocess.run([str(binary), *args], env=env, check=True, capture_output=True, text=True).stdout


def main() -> None:
    require_wrk()
    main_cluster, second = Cluster(), Cluster()
    try:
        project = Project(
            main_cluster, EXAMPLE, f"bench-move-{MODE}", APP, new_secret(),
            TENANT_SERVERS=f"second={second.url(f'{APP}_app', 'postgres', 'bench')}",
            TENANT_SERVER_ADMIN_URLS=f"second={second.url('postgres', 'postgres')}",
        )
        results = []
        for size in SIZES:
            # A control database of its own for each size; tenant databases
            # are named after it.
            database = f"move_{size}"
            env = project.seeded_database(main_cluster, APP, database, 2, max(1, size // TENANT_ENTITIES))
            listed = [line.split("\t") for line in output(project.binary, ["tenants", "list"], env).splitlines()]
            place = {fields[0]: fields[3].split("/")[0] for fields in listed}
            mover = next(slug for slug, server in place.items() if server in ("main", "shared", "control"))
            other = next(slug for slug in place if slug != mover)
            email = subprocess.run(
                main_cluster.psql(database) + ["-At", "-c", f"SELECT u.email FROM control.users u JOIN control.tenants t ON t.id = u.tenant_id WHERE t.slug = '{other}' ORDER BY u.email LIMIT 1"],
                check=True, capture_output=True, text=True,
            ).stdout.strip()
            token = output(project.binary, ["token", "--tenant", other, "--email", email], env).strip()
            port = free_port()
            served = subprocess.Popen([str(project.binary), "serve"], env={**env, "PORT": str(port)}, stdout=subprocess.DEVNULL)
            try:
                base = f"http://127.0.0.1:{port}"
                wait_for(f"{base}/healthz")
                script = lua_script(main_cluster.scratch / "other.lua", [token], [ROUTE])
                wrk(base, script, 1, LOAD_CONNECTIONS)
                switches, totals, pauses, before, during, worst, rows = [], [], [], [], [], [], 0
                for run in range(RUNS):
                    before.append(statistics.median(wrk(base, script, 1, LOAD_CONNECTIONS)["p99"] for _ in range(BEFORE_SECONDS)))
                    moving = subprocess.Popen(
                        [str(project.binary), "tenants", "move", mover, *DIRECTIONS[run % 2]],
                        env=env, stdout=subprocess.PIPE, text=True,
                    )
                    seconds = []
                    while moving.poll() is None:
                        seconds.append(wrk(base, script, 1, LOAD_CONNECTIONS)["p99"])
                    printed = moving.stdout.read()
                    assert moving.returncode == 0, printed
                    during.append(statistics.median(seconds))
                    worst.append(max(seconds))
                    moved = re.search(r": (\d+) rows copied, \d+ caught up; writes paused (\d+) ms; switched after (\d+) ms, done after (\d+) ms", printed)
                    assert moved, printed
                    rows = int(moved.group(1))
                    pauses.append(int(moved.group(2)))
                    switches.append(int(moved.group(3)) / 1000)
                    totals.append(int(moved.group(4)) / 1000)
            finally:
                served.terminate()
                served.wait()
            results.append((rows, statistics.median(switches), statistics.median(totals), statistics.median(pauses), statistics.median(before), statistics.median(during), statistics.median(worst)))
        print(f"\nexamples/{EXAMPLE} ({MODE}): one tenant moved beside another of the same size under wrk ({LOAD_CONNECTIONS} connections), median of {RUNS} moves, release build; the other tenant's p99 by second\n")
        print("| rows | switched after s | done after s | writes paused ms | other tenant p99 ms before | during, median second | during, worst second | ratio, worst |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for rows, switched, total, pause, p99_before, p99_during, p99_worst in results:
            print(f"| {rows:,} | {switched:.2f} | {total:.2f} | {pause:.0f} | {p99_before:.1f} | {p99_during:.1f} | {p99_worst:.1f} | {p99_worst / p99_before:.2f} |")
    finally:
        main_cluster.stop()
        second.stop()


if __name__ == "__main__":
    main()
