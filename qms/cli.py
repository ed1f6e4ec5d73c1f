"""The ``qms`` command: init, demo, serve, user, token, backup, restore, verify-audit."""
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
from sqlalchemy import select
from sqlalchemy.engine import make_url

from .extensions import db


def initialise() -> list[str]:
    """Migrate the database, seed departments, load procedures and forms. Idempotent."""
    from flask_migrate import upgrade

    from . import seed
    from .documents import loader
    from .records import spec as specs

    upgrade(directory=str(Path(__file__).parent / "migrations"))
    out = [f"departments added: {seed.departments()}"]
    out += loader.sync(current_app.config["QMS_PROCEDURES_DIR"])
    out += specs.sync(current_app.config["QMS_FORMS_DIR"])
    for folder in current_app.config.get("QMS_EXTRA_FORMS_DIRS", ()):
        out += specs.sync(folder)
    db.session.commit()
    return out


def register(app) -> None:
    @app.cli.command("init")
    def init_cmd():
        """Create/upgrade the database and load departments, procedures and forms."""
        for line in initialise():
            click.echo(line)
        click.echo("database ready: " + _safe_url())

    @app.cli.command("demo")
    def demo_cmd():
        """Create the demo users (DEMO ONLY passwords) and a few example records."""
        from . import demo, seed
        users = seed.demo_users()
        made = demo.records()
        db.session.commit()
        click.echo("Demo users (DEMO ONLY - change or deactivate on a real installation):")
        for username, name, role, password in users:
            click.echo(f"  {username:<8} {password:<20} {role:<16} {name}")
        click.echo(f"demo records added: {made}")

    @app.cli.command("serve")
    @click.option("--host", default="127.0.0.1")
    @click.option("--port", default=5000, type=int)
    @click.option("--workers", default=2, type=int)
    @click.option("--with-scheduler", is_flag=True, help="also start `qms scheduler` (one process)")
    @click.option("--mail-sink", is_flag=True, help="also start a local SMTP sink on QMS_SMTP_PORT (demo)")
    def serve_cmd(host, port, workers, with_scheduler, mail_sink):
        """Serve the app with gunicorn (the same server as production)."""
        me = [sys.executable, "-m", "qms"]
        # Links in mails and QR codes point at this server unless QMS_BASE_URL says otherwise.
        os.environ.setdefault("QMS_BASE_URL", f"http://{host}:{port}")
        if mail_sink:
            subprocess.Popen(me + ["mailsink"])
        if with_scheduler:
            subprocess.Popen(me + ["scheduler"])
        click.echo(f"qms on http://{host}:{port}/")
        # 120 s: an instrument import (up to 2,000 rows, signed in one transaction) needs more than
        # gunicorn's default 30 s; ordinary pages take milliseconds.
        args = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"{host}:{port}", "--timeout", "120",
                "--no-control-socket", "--access-logfile", "-", "qms:create_app()"]
        try:
            os.execv(sys.executable, args)
        except OSError:
            current_app.run(host=host, port=port, threaded=True)

    @app.cli.group("user")
    def user_grp():
        """Manage users (never deleted: deactivate instead)."""

    @user_grp.command("create")
    @click.argument("username")
    @click.option("--name", "full_name", required=True)
    @click.option("--department", required=True, help="department code, e.g. TDD")
    @click.option("--role", required=True)
    @click.password_option()
    def user_create(username, full_name, department, role, password):
        from .admin import service
        from .auth.models import Department
        from .core.errors import ValidationFailed
        dept = Department.by_code(department.upper())
        if dept is None:
            raise click.ClickException(f"no department {department}")
        try:
            service.create_user(None, username=username, full_name=full_name, department_id=dept.id,
                                role=role, password=password)
        except ValidationFailed as exc:
            raise click.ClickException("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())) from None
        db.session.commit()
        click.echo(f"created {username}")

    @user_grp.command("deactivate")
    @click.argument("username")
    @click.option("--reason", required=True)
    def user_deactivate(username, reason):
        from .admin import service
        from .auth.models import User
        u = db.session.execute(select(User).where(User.username == username.lower())).scalar()
        if u is None:
            raise click.ClickException(f"no user {username}")
        service.update_user(None, u, full_name=u.full_name, department_id=u.department_id, role=u.role,
                            email=u.email, active=False, reason=reason)
        db.session.commit()
        click.echo(f"deactivated {username}")

    @user_grp.command("list")
    def user_list():
        from .auth.models import User
        for u in db.session.execute(select(User).order_by(User.id)).scalars():
            state = "active" if u.active else "inactive"
            click.echo(f"{u.id:>4} {u.username:<16} {u.role:<16} {state:<8} {u.full_name}")

    @app.cli.group("token")
    def token_grp():
        """API bearer tokens."""

    @token_grp.command("create")
    @click.argument("username")
    @click.option("--name", default="cli")
    def token_create(username, name):
        """Issue a token for USERNAME; it is printed once and stored only as a hash."""
        from .auth.models import ApiToken, User
        from .core import audit
        u = db.session.execute(select(User).where(User.username == username.lower())).scalar()
        if u is None or not u.active:
            raise click.ClickException(f"no active user {username}")
        row, clear = ApiToken.issue(u, name)
        db.session.flush()
        audit.log("token_created", actor=u, obj_type="api_token", obj_id=row.id, summary=name)
        db.session.commit()
        click.echo(clear)

    @app.cli.command("scheduler")
    @click.option("--once", is_flag=True, help="run each job once and exit")
    def scheduler_cmd(once):
        """Run the reminder jobs (exactly one process; a second copy waits for the lock)."""
        from .reminders import scheduler
        if once:
            click.echo(scheduler.run_once(current_app._get_current_object()))
            return
        scheduler.run_forever(current_app._get_current_object(), echo=lambda m: click.echo(m, err=True))

    @app.cli.command("mailsink")
    def mailsink_cmd():
        """A local SMTP server that keeps every mail under instance/mail/ (demo and development)."""
        from .reminders.sink import serve
        serve(current_app.config, echo=click.echo)

    @app.cli.command("verify-audit")
    def verify_audit():
        """Walk the audit hash chain; name the first broken link."""
        from .core.audit import verify_chain
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


def _safe_url() -> str:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)


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
