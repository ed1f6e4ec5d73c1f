"""``qms backup`` / ``qms restore`` (online database backup plus attachments) and ``qms verify-audit``."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import click
from flask import current_app
from sqlalchemy.engine import make_url

from ..core.audit import verify_chain
from ..extensions import db


def register(app) -> None:
    """``verify-audit``, ``backup`` and ``restore``."""
    @app.cli.command("verify-audit")
    def verify_audit():
        """Walk the audit hash chain; name the first broken link."""
        checked, bad, why = verify_chain()
        if bad is None:
            click.echo(f"audit trail intact: {checked} rows")
            return
        click.echo(f"audit trail BROKEN at row id {bad.id} ({bad.action} {bad.object_type} {bad.object_id}): {why}")
        sys.exit(1)

    @app.cli.command("backup")
    @click.argument("target", type=click.Path(dir_okay=False))
    def backup(target):
        """Write a .tar.gz with an online database backup and the attachments."""
        with tempfile.TemporaryDirectory() as tmp:
            _dump_db(Path(tmp))
            with tarfile.open(target, "w:gz") as tar:
                for p in Path(tmp).iterdir():
                    tar.add(p, arcname=p.name)
                att = Path(current_app.config["QMS_ATTACHMENTS_DIR"])
                if att.exists():
                    tar.add(att, arcname="attachments")
        click.echo(f"backup written: {target}")

    @app.cli.command("restore")
    @click.argument("source", type=click.Path(exists=True, dir_okay=False))
    @click.option("--yes", is_flag=True, help="confirm replacing the current database")
    def restore(source, yes):
        """Replace the database and attachments with a backup (stop the server first)."""
        if not yes:
            raise click.ClickException("restore replaces all data: add --yes (and stop the web server first)")
        with tempfile.TemporaryDirectory() as tmp:
            with tarfile.open(source, "r:gz") as tar:
                tar.extractall(tmp, filter="data")
            _load_db(Path(tmp))
            src_att = Path(tmp) / "attachments"
            if src_att.exists():
                dst = Path(current_app.config["QMS_ATTACHMENTS_DIR"])
                shutil.copytree(src_att, dst, dirs_exist_ok=True)
        click.echo("restored")


def _pg_args(url) -> tuple[list[str], dict]:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    args = ["-h", url.host or "localhost", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    return args, env


def _dump_db(folder: Path) -> None:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        src = sqlite3.connect(url.database)
        dst = sqlite3.connect(folder / "qms.sqlite3")
        with dst:
            src.backup(dst)  # online: consistent even while the app writes
        src.close()
        dst.close()
    else:
        args, env = _pg_args(url)
        subprocess.run(["pg_dump", "-Fc", *args, "-f", str(folder / "qms.pgdump"), url.database],
                       check=True, env=env)


def _load_db(folder: Path) -> None:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    db.session.remove()
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        src = sqlite3.connect(folder / "qms.sqlite3")
        dst = sqlite3.connect(url.database)
        with dst:
            src.backup(dst)
        src.close()
        dst.close()
    else:
        args, env = _pg_args(url)
        subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", *args, "-d", url.database,
                        str(folder / "qms.pgdump")], check=True, env=env)
