"""A throwaway PostgreSQL cluster for the test run (Debian's server, started as the postgres user)."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager


def _bindir() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL server not installed (apt-get install -y postgresql)")
    return os.path.dirname(found[-1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: str) -> None:
    if os.geteuid() == 0:
        subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", cmd], check=True, stdout=subprocess.DEVNULL)
    else:
        subprocess.run(["sh", "-c", cmd], check=True, stdout=subprocess.DEVNULL)


@contextmanager
def cluster():
    """Yield a SQLAlchemy URL of a fresh cluster's database; stop and delete it afterwards."""
    bindir = _bindir()
    data, sock = tempfile.mkdtemp(prefix="qms-pg-"), tempfile.mkdtemp(prefix="qms-pgs-")
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
        shutil.chown(sock, "postgres")
    port = _free_port()
    _as_postgres(f"{bindir}/initdb -D {data} -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync")
    _as_postgres(f"{bindir}/pg_ctl -D {data} -l {data}/log -w -o '-p {port} -k {sock} "
                 f"-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                 f"-c full_page_writes=off -c max_connections=200' start")
    try:
        _as_postgres(f"{bindir}/createdb -h {sock} -p {port} qms_test")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/qms_test"
    finally:
        _as_postgres(f"{bindir}/pg_ctl -D {data} -m immediate -w stop")
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(sock, ignore_errors=True)
