"""What the HTTP and database benchmarks share: a throwaway PostgreSQL,
tokens, wrk runs. Imported by scripts/bench-api.py and scripts/bench-bridge.py."""
import base64
import hashlib
import hmac
import json
import os
import pathlib
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Shared with the generator's end-to-end tests, so builds are incremental.
TARGET = ROOT / "target" / "generated"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_bindir() -> pathlib.Path:
    for candidate in [os.environ.get("PG_BINDIR")] + sorted(
        (str(p) for p in pathlib.Path("/usr/lib/postgresql").glob("*/bin")), reverse=True
    ):
        if candidate and (pathlib.Path(candidate) / "initdb").exists():
            return pathlib.Path(candidate)
    sys.exit("PostgreSQL server binaries not found; install postgresql or set PG_BINDIR")


def as_postgres(args: list) -> list:
    return ["runuser", "-u", "postgres", "--"] + args if os.geteuid() == 0 else args


def run(args, **kwargs):
    return subprocess.run(args, check=True, **kwargs)


class Cluster:
    """A throwaway PostgreSQL 15 in a temporary folder, on a Unix socket."""

    def __init__(self, *settings: str):
        self.scratch = pathlib.Path(tempfile.mkdtemp(prefix="tenantgen-bench-"))
        os.chmod(self.scratch, 0o755)
        self.dir = self.scratch / "pg"
        self.dir.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.bindir = pg_bindir()
        self.port = free_port()
        run(as_postgres([str(self.bindir / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres", "-A", "trust", "--no-sync"]), stdout=subprocess.DEVNULL)
        options = f"-p {self.port} -k {self.dir} -c listen_addresses='' -c fsync=off -c synchronous_commit=off " + " ".join(f"-c {s}" for s in settings)
        run(as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-w", "-s", "-o", options, "start"]))
        self.host = f"localhost:{self.port}"

    def url(self, user: str, database: str, password: str = "") -> str:
        secret = f":{password}" if password else ""
        return f"postgres://{user}{secret}@{self.host}/{database}?host={self.dir}"

    def psql(self, database: str, user: str = "postgres") -> list:
        return ["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", "-h", str(self.dir), "-p", str(self.port), "-U", user, "-d", database]

    def stop(self):
        subprocess.run(as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "-s", "stop"]))
        shutil.rmtree(self.scratch, ignore_errors=True)


class PgBouncer:
    """PgBouncer in transaction pooling mode in front of `cluster`, on a
    free localhost port, letting `users` (name: password) in, with at most
    `per_user` server connections per user over all databases."""

    def __init__(self, cluster: "Cluster", users: dict, per_user: int, per_database: int):
        program = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        if not os.path.exists(program):
            sys.exit("PgBouncer is needed: apt-get install pgbouncer")
        self.dir = cluster.scratch / "pgbouncer"
        self.dir.mkdir()
        self.port = free_port()
        (self.dir / "users.txt").write_text("".join(f'"{name}" "{password}"\n' for name, password in users.items()))
        (self.dir / "pgbouncer.ini").write_text(
            f"[databases]\n* = host={cluster.dir} port={cluster.port}\n"
            f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {self.dir}/users.txt\npool_mode = transaction\n"
            f"default_pool_size = {per_database}\nmax_user_connections = {per_user}\nmax_client_conn = 1000\n"
            f"logfile = {self.dir}/pgbouncer.log\npidfile = {self.dir}/pgbouncer.pid\n"
        )
        if os.geteuid() == 0:
            # PgBouncer refuses to run as root.
            run(["chown", "-R", "postgres:postgres", str(self.dir)])
        run(as_postgres([program, "-d", str(self.dir / "pgbouncer.ini")]))
        wait_for_port(self.port)

    def url(self, user: str, database: str, password: str) -> str:
        return f"postgres://{user}:{password}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        pid = (self.dir / "pgbouncer.pid").read_text().strip()
        subprocess.run(["kill", pid], check=False)


def new_secret() -> str:
    """A signing secret for one run: the generated apps refuse any secret
    that was ever printed, this script included."""
    return secrets.token_urlsafe(48)


def jwt(secret: str, app: str, tenant: str, user: str, role: str = "owner", legacy: bool = False) -> str:
    """An access token as the generated app signs its own: HS256, naming
    its key (`kid`), with the app as issuer and audience. `legacy`: as apps
    of tenantgen before those claims signed theirs."""
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = {"alg": "HS256", "typ": "JWT"}
    now = int(time.time())
    claims = {"sub": user, "tenant_id": tenant, "role": role, "iat": now, "exp": now + 36000}
    if not legacy:
        header["kid"] = "hs256-" + hashlib.sha256(secret.encode()).hexdigest()[:16]
        claims.update(iss=app, aud=app)
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def seed_members_sql(tenants: str, tenant_id: str, user_id: str, role: str = "owner") -> str:
    """SQL giving each tenant of the `tenants` set (a FROM item binding `t`)
    one user, `user_id` (an SQL expression of `t`), with `role`: tokens
    name real members, as the per-request membership check wants."""
    return f"""
        INSERT INTO control.users (tenant_id, id, email, password_hash)
        SELECT {tenant_id}, {user_id}, 'owner-' || {user_id} || '@bench.example', NULL FROM {tenants};
        INSERT INTO control.memberships (tenant_id, user_id, role)
        SELECT {tenant_id}, {user_id}, '{role}' FROM {tenants};
    """


def wait_for(url: str) -> None:
    for _ in range(200):
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"{url} did not come up")


def wait_for_port(port: int) -> None:
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"port {port} did not open")


def to_ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def lua_script(path: pathlib.Path, tokens: list, paths: list) -> pathlib.Path:
    """A wrk script sending each request as a random (token, path) pair."""
    path.write_text(
        "local tokens = {" + ",".join(f'"{t}"' for t in tokens) + "}\n"
        "local paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n"
        "request = function()\n"
        "  local i = math.random(#tokens)\n"
        '  return wrk.format("GET", paths[i], {["Authorization"] = "Bearer " .. tokens[i]})\n'
        "end\n"
    )
    return path


def wrk(url: str, script: pathlib.Path, seconds: int, connections: int = 32, allow_failures: bool = False) -> dict:
    """One wrk run: requests per second, p50 and p99 in ms, and how many
    answers were not 2xx (which stops the benchmark unless allowed)."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        check=True, capture_output=True, text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    failed = int(non2xx.group(1)) if non2xx else 0
    if failed and not allow_failures:
        sys.exit(f"{url}: {failed} failed responses\n{out}")
    return {"rps": rps, "p50": p50, "p99": p99, "failed": failed}


def require_wrk() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")


class Project:
    """A generated example, built in release mode, set up and migrated
    against `cluster`: what the bridge and silo benchmarks start from."""

    def __init__(self, cluster: "Cluster", example: str, folder: str, app: str, secret: str, **settings: str):
        self.secret = secret
        print("building gen and the generated backend (release) ...", flush=True)
        run(["cargo", "build", "--release", "--quiet", "--bin", "gen"], cwd=ROOT)
        self.dir = ROOT / "target" / folder
        # A scratch build: its migrations are whatever this tenantgen
        # generates (an earlier run's, or its added ones, would stay).
        for scratch in ("migrations", ".gen"):
            shutil.rmtree(self.dir / scratch, ignore_errors=True)
        run([str(ROOT / "target" / "release" / "gen"), "new", str(ROOT / "examples" / example), "-o", str(self.dir), "--force"], stdout=subprocess.DEVNULL)
        self.build_env = dict(os.environ, CARGO_TARGET_DIR=str(TARGET))
        self.build()
        self.binary = TARGET / "release" / app
        self.env = dict(
            os.environ,
            DATABASE_URL=cluster.url(f"{app}_app", app, "bench"),
            ADMIN_DATABASE_URL=cluster.url("postgres", "postgres"),
            JWT_SECRET=secret,
            RUST_LOG="error",
            **settings,
        )
        self.run("db", "setup")
        self.run("migrate")

    def build(self) -> None:
        run(["cargo", "build", "--release", "--quiet"], cwd=self.dir, env=self.build_env)

    def run(self, *args: str) -> None:
        run([str(self.binary), *args], env=self.env, stdout=subprocess.DEVNULL)

    def seeded_database(self, cluster: "Cluster", app: str, database: str, tenants: int, records: int) -> dict:
        """The environment of the app on a control database of its own,
        `database`, set up, migrated and seeded with `tenants` demo tenants
        of `records` records per entity."""
        env = {**self.env, "DATABASE_URL": cluster.url(f"{app}_app", database, "bench")}
        for args in (["db", "setup"], ["migrate"], ["seed", "--tenants", str(tenants), "--records", str(records)]):
            run([str(self.binary), *args], env=env, stdout=subprocess.DEVNULL)
        return env
