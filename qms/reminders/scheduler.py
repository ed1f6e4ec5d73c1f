"""`qms scheduler`: one process runs the reminder jobs; a second copy waits for the lock.

The lock is an ``fcntl.flock`` on ``instance/scheduler.lock`` for SQLite and a session-level
PostgreSQL advisory lock otherwise. Both are released by the operating system or the server
when the holder dies, so a waiting copy takes over. The jobs are idempotent anyway: every
notice and every mail has a unique key.
"""
from __future__ import annotations

import fcntl
import json
import os
import socket
from datetime import datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import create_engine, text

from ..core.timeutil import tz, utcnow
from ..extensions import db
from ..records.procedures import registry
from . import engine, mail, rules
from .models import JobState

LOCK_KEY = 7304212
SWEEP_SECONDS = int(os.environ.get("QMS_SWEEP_SECONDS", "60"))
MAIL_SECONDS = int(os.environ.get("QMS_MAIL_SECONDS", "30"))
DIGEST_HOUR = int(os.environ.get("QMS_DIGEST_HOUR", "8"))


class Lock:
    """Blocking leader lock; ``acquire`` returns once this process is the only scheduler."""

    def __init__(self, app):
        self.url = app.config["SQLALCHEMY_DATABASE_URI"]
        self.path = Path(app.config["INSTANCE_PATH"]) / "scheduler.lock"
        self._fh = None
        self._conn = None

    def acquire(self, on_wait=None) -> None:
        if self.url.startswith("sqlite"):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "a+")
            try:
                fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait:
                    on_wait()
                fcntl.flock(self._fh, fcntl.LOCK_EX)
            return
        # A dedicated connection holds the advisory lock for the life of the process.
        self._conn = create_engine(self.url, poolclass=None).connect()
        got = self._conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar()
        if not got:
            if on_wait:
                on_wait()
            self._conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_KEY})
        self._conn.commit()


def holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _record(job_id: str, result: str, next_run=None) -> None:
    row = db.session.get(JobState, job_id) or JobState(job_id=job_id)
    row.last_run_at, row.last_result, row.holder = utcnow(), result[:2000], holder()
    row.next_run_at = next_run
    db.session.add(row)
    db.session.commit()


def _next_digest() -> datetime:
    local = utcnow().astimezone(tz())
    nxt = local.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    return nxt if nxt > local else nxt + timedelta(days=1)


def _job(app, job_id: str, work, describe, every: int | None = None):
    """Run one job in its own app context; record its result (counts as JSON, or the error) for
    the admin page, which words it in the reader's language."""
    with app.app_context():
        try:
            result = work()
            _record(job_id, describe(result), utcnow() + timedelta(seconds=every) if every else _next_digest())
            return result
        except Exception as exc:
            db.session.rollback()
            _record(job_id, f"error: {exc!r}")
            raise
        finally:
            db.session.remove()


def _sweep() -> dict:
    all_rules = rules.all_rules()
    engine.ensure_calendar_watches(all_rules, utcnow())
    db.session.commit()
    stats = engine.sweep({r.id: r for r in all_rules})
    done = run_procedure_sweeps(utcnow())
    if done:
        stats["procedures"] = done
    return stats


def run_procedure_sweeps(now) -> int:
    """The procedures' own time-driven jobs (``Procedure.sweeps``), each committed on its own, so
    one that fails does not undo another's work. Returns what they did (e.g. records opened)."""
    done = 0
    for job in registry().sweeps:
        done += job(now) or 0
        db.session.commit()
    return done


def run_sweep(app) -> dict:
    """Calendar watches for the current periods, then every due watch."""
    return _job(app, "sweep", _sweep, json.dumps, SWEEP_SECONDS)


def run_mail(app) -> dict:
    """Deliver queued mail."""
    return _job(app, "mail", mail.send_pending, json.dumps, MAIL_SECONDS)


def run_digest(app) -> int:
    """Queue today's digests (once per person per day)."""
    return _job(app, "digest", mail.queue_digests, lambda n: json.dumps({"digests": n}))


def run_forever(app, echo=print) -> None:
    """Wait for the lock, then run the jobs until stopped."""
    lock = Lock(app)
    lock.acquire(on_wait=lambda: echo("another scheduler holds the lock; waiting to take over"))
    echo(f"scheduler running as {holder()}")
    # Catch up at once: missed reminders go out once, not once per missed run.
    run_sweep(app)
    run_digest_if_due(app)
    run_mail(app)
    sched = BlockingScheduler(timezone=app.config["QMS_TIMEZONE"])
    sched.add_job(run_sweep, IntervalTrigger(seconds=SWEEP_SECONDS), args=[app], id="sweep",
                  max_instances=1, coalesce=True)
    sched.add_job(run_mail, IntervalTrigger(seconds=MAIL_SECONDS), args=[app], id="mail",
                  max_instances=1, coalesce=True)
    sched.add_job(run_digest, CronTrigger(hour=DIGEST_HOUR, minute=0), args=[app], id="digest",
                  max_instances=1, coalesce=True, misfire_grace_time=6 * 3600)
    sched.start()


def run_digest_if_due(app) -> None:
    """After downtime past the digest hour, today's digest still goes (once: its key is per day)."""
    with app.app_context():
        due = utcnow().astimezone(tz()).hour >= DIGEST_HOUR
    if due:
        run_digest(app)


def run_once(app) -> dict:
    """Each job once (ops and tests): sweep, digest, mail."""
    out = {"sweep": run_sweep(app)}
    out["digest"] = run_digest(app)
    out["mail"] = run_mail(app)
    return out

