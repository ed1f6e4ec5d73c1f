"""``qms serve`` (gunicorn, as in production), ``qms scheduler`` (the one reminder process) and
``qms mailsink`` (a local SMTP server for the demo)."""
from __future__ import annotations

import os
import subprocess
import sys

import click
from flask import current_app

from ..reminders import scheduler
from ..reminders.sink import serve as serve_sink


def register(app) -> None:
    """``serve``, ``scheduler`` and ``mailsink``."""
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

    @app.cli.command("scheduler")
    @click.option("--once", is_flag=True, help="run each job once and exit")
    def scheduler_cmd(once):
        """Run the reminder jobs (exactly one process; a second copy waits for the lock)."""
        if once:
            click.echo(scheduler.run_once(current_app._get_current_object()))
            return
        scheduler.run_forever(current_app._get_current_object(), echo=lambda m: click.echo(m, err=True))

    @app.cli.command("mailsink")
    def mailsink_cmd():
        """A local SMTP server that keeps every mail under instance/mail/ (demo and development)."""
        serve_sink(current_app.config, echo=click.echo)
