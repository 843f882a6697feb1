#!/usr/bin/env python3
"""From `gen new` to the first page served by `cargo run -- dev`, as a
newcomer runs it: no DATABASE_URL and no server running, so `dev` makes its
own cluster, seeds demo data, installs and builds the web app and serves.

It times, for examples/crm.yaml:
  - cold: `gen new`, then `cargo run -- dev` with an empty Cargo target
    folder, until GET / answers 200 (the web app's page);
  - warm: the same with the target folder the generator's tests share
    (target/generated), whose dependencies are built;
  - restart: Ctrl-C, then `cargo run -- dev` again in the warm project.

Usage: python3 scripts/bench-dev.py [--warm-only]
Needs: PostgreSQL server binaries, cargo, rustfmt, Node.js 20.19+ with npm.
"""
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from benchlib import ROOT, TARGET, free_port, run  # noqa: E402

WARM_ONLY = "--warm-only" in sys.argv[1:]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class Dev:
    """`cargo run -- dev` in `project`, until stopped."""

    def __init__(self, project: pathlib.Path, target: pathlib.Path, port: int):
        env = dict(os.environ, CARGO_TARGET_DIR=str(target), PORT=str(port))
        # As the generator's tests build, so that warm runs share their build.
        env.update(CARGO_INCREMENTAL="0", CARGO_PROFILE_DEV_DEBUG="line-tables-only")
        for name in ("DATABASE_URL", "ADMIN_DATABASE_URL", "JWT_SECRET", "RUSTFLAGS"):
            env.pop(name, None)
        self.log = open(project.parent / f"dev-{port}-{time.monotonic_ns()}.log", "w")
        self.process = subprocess.Popen(
            ["cargo", "run", "--quiet", "--", "dev"], cwd=project, env=env,
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{port}/"

    def wait_for_page(self, within: float) -> None:
        deadline = time.monotonic() + within
        while not answers(self.url):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.log.flush()
                sys.exit(f"dev did not serve {self.url}; see {self.log.name}")
            time.sleep(0.05)

    def stop(self) -> None:
        # Ctrl-C reaches the whole group: cargo, the app and the cluster.
        os.killpg(self.process.pid, signal.SIGINT)
        self.process.wait(timeout=60)
        self.log.close()


def new_project(scratch: pathlib.Path, name: str) -> tuple:
    """`gen new` into `scratch/name`; returns the project and how long it took."""
    project = scratch / name
    start = time.perf_counter()
    run([str(ROOT / "target" / "release" / "gen"), "new", str(ROOT / "examples" / "crm.yaml"), "-o", str(project)], stdout=subprocess.DEVNULL)
    return project, time.perf_counter() - start


def first_page(project: pathlib.Path, target: pathlib.Path, generated: float) -> tuple:
    """Seconds from `gen new` to the first page, and the running dev."""
    port = free_port()
    start = time.perf_counter()
    dev = Dev(project, target, port)
    dev.wait_for_page(1800)
    return generated + time.perf_counter() - start, dev


def main() -> None:
    print("building gen (release) ...", flush=True)
    run(["cargo", "build", "--release", "--quiet", "--bin", "gen"], cwd=ROOT)
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="tenantgen-bench-dev-"))
    # As root, `dev` runs PostgreSQL as the postgres user, who must reach it.
    os.chmod(scratch, 0o755)
    rows = []
    try:
        if not WARM_ONLY:
            print("cold: gen new, then cargo run -- dev with an empty target folder ...", flush=True)
            project, generated = new_project(scratch, "cold")
            seconds, dev = first_page(project, scratch / "target", generated)
            dev.stop()
            rows.append(("cold Cargo cache: `gen new` to the first page", seconds))
        print("warm: gen new, then cargo run -- dev with target/generated ...", flush=True)
        project, generated = new_project(scratch, "warm")
        seconds, dev = first_page(project, TARGET, generated)
        dev.stop()
        rows.append(("warm Cargo cache: `gen new` to the first page", seconds))
        port = free_port()
        start = time.perf_counter()
        dev = Dev(project, TARGET, port)
        dev.wait_for_page(300)
        rows.append(("second `cargo run -- dev`: start to the first page", time.perf_counter() - start))
        dev.stop()
        print("\n| run | seconds |")
        print("| --- | ---: |")
        for label, seconds in rows:
            print(f"| {label} | {seconds:.1f} |")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
