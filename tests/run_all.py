"""`make test`: the whole suite on SQLite and on a throwaway PostgreSQL cluster, side by side.

The two runs share nothing (each test makes its own database, servers take free ports, each run has
its own pytest temporary folder), so they run at once on the machine's two cores: the suite takes
about as long as its slower half instead of the sum of both. The PostgreSQL run prints as it goes;
the SQLite run's output is kept in a file and printed when it ends. ``QMS_TEST_SERIAL=1`` runs them
one after the other, as before.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from tests.pg import cluster


def _command(label: str) -> list:
    base = os.path.join(tempfile.gettempdir(), f"qms-pytest-{label.lower()}-{os.getpid()}")
    return [sys.executable, "-m", "pytest", f"--basetemp={base}", *sys.argv[1:]]


def pytest(env_extra: dict, label: str) -> int:
    """Run the suite in the foreground, its output streamed."""
    env = {**os.environ, **env_extra}
    print(f"\n=== test suite on {label} ===", flush=True)
    start = time.monotonic()
    rc = subprocess.call(_command(label), env=env)
    print(f"=== {label}: exit {rc} in {time.monotonic() - start:.0f} s ===", flush=True)
    return rc


def main() -> int:
    if os.environ.get("QMS_TEST_SERIAL"):
        rc_sqlite = pytest({}, "SQLite")
        with cluster() as url:
            rc_pg = pytest({"QMS_TEST_DATABASE_URL": url}, "PostgreSQL")
        return rc_sqlite or rc_pg
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as log:
        start = time.monotonic()
        background = subprocess.Popen(_command("SQLite"), stdout=log, stderr=subprocess.STDOUT)
        try:
            with cluster() as url:
                rc_pg = pytest({"QMS_TEST_DATABASE_URL": url}, "PostgreSQL")
        finally:
            rc_sqlite = background.wait()
        log.seek(0)
        print("\n=== test suite on SQLite (run at the same time) ===", flush=True)
        sys.stdout.write(log.read())
        print(f"=== SQLite: exit {rc_sqlite} in {time.monotonic() - start:.0f} s ===", flush=True)
    return rc_sqlite or rc_pg


if __name__ == "__main__":
    sys.exit(main())
