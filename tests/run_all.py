"""`make test`: the whole suite on SQLite, then again on a throwaway PostgreSQL cluster."""
from __future__ import annotations

import os
import subprocess
import sys
import time

from tests.pg import cluster


def pytest(env_extra: dict, label: str) -> int:
    env = {**os.environ, **env_extra}
    print(f"\n=== test suite on {label} ===", flush=True)
    start = time.monotonic()
    rc = subprocess.call([sys.executable, "-m", "pytest", *sys.argv[1:]], env=env)
    print(f"=== {label}: exit {rc} in {time.monotonic() - start:.0f} s ===", flush=True)
    return rc


def main() -> int:
    rc_sqlite = pytest({}, "SQLite")
    with cluster() as url:
        rc_pg = pytest({"QMS_TEST_DATABASE_URL": url}, "PostgreSQL")
    return rc_sqlite or rc_pg


if __name__ == "__main__":
    sys.exit(main())
