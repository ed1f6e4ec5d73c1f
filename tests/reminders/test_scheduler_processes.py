"""Two `qms scheduler` processes for real against one database: one works, the other waits and
takes over when the first dies; every reminder and mail arrives once.
covers: CS-04"""
import os
import signal
import subprocess
import sys
import time
from collections import Counter

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from qms.core import timeutil
from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from qms.reminders.models import MailOutbox, Notification
from tests import factories as F
from tests.reminders.helpers import KEY
from tests.reminders.smtp import SMTPServer
from tests.support.clock import at

FAKE_NOW = "2026-11-26T10:00:00+08:00"


def _start(app, tmp_path, name, smtp_port):
    env = {**os.environ, "QMS_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "QMS_INSTANCE_PATH": app.config["INSTANCE_PATH"], "QMS_SECRET_KEY": "x",
           "QMS_FAKE_NOW": FAKE_NOW, "QMS_SMTP_PORT": str(smtp_port), "QMS_SWEEP_SECONDS": "1",
           "QMS_MAIL_SECONDS": "1"}
    log = open(tmp_path / f"{name}.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "qms", "scheduler"],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    return proc, tmp_path / f"{name}.log"


def _wait(predicate, timeout=40):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def _count(model):
    n = db.session.execute(select(func.count()).select_from(model)).scalar()
    db.session.remove()  # never hold SQLite's write lock while the schedulers work
    return n


def _new_overdue_record(clerk_id, request_type):
    """A CS-KEY notice of 20 November: "install" is due on the 25th, "change" on the 22nd."""
    from qms.auth.models import User
    timeutil.set_clock(at(11, 20))
    clerk = db.session.get(User, clerk_id)
    rec = service.create(specs.get("CS-KEY"), clerk, MultiDict({**KEY, "request_type": request_type}), "zh_CN")
    db.session.commit()
    timeutil.set_clock(None)
    db.session.remove()
    return rec


def test_two_schedulers_one_sends_the_other_takes_over(app, tmp_path):
    server = SMTPServer().start()
    clerk = F.user("clerk", "CSD")
    F.user("quality_manager", "EMD")
    F.user("general_manager", "LDR")
    clerk_id = clerk.id
    _new_overdue_record(clerk_id, "install")
    procs = []
    try:
        a, log_a = _start(app, tmp_path, "a", server.port)
        procs.append(a)
        assert _wait(lambda: "scheduler running" in log_a.read_text()), log_a.read_text()
        b, log_b = _start(app, tmp_path, "b", server.port)
        procs.append(b)
        assert _wait(lambda: "waiting to take over" in log_b.read_text()), log_b.read_text()
        # Owner's overdue notice + escalation to 企业管理部 (+0 h) and to the GM (+48 h: not yet).
        assert _wait(lambda: len(server.messages) >= 2), (server.messages, log_a.read_text())
        time.sleep(3)  # several more sweeps and mail runs: nothing may be sent again
        first_mails = len(server.messages)
        first_notices = _count(Notification)
        assert first_notices == 2  # overdue (owner) + escalate:1 (quality)
        # The leader dies; the waiting copy takes over and handles what comes next, once.
        a.send_signal(signal.SIGKILL)
        a.wait(10)
        assert _wait(lambda: "scheduler running" in log_b.read_text()), log_b.read_text()
        _new_overdue_record(clerk_id, "change")  # overdue long enough to reach the GM too
        assert _wait(lambda: _count(Notification) >= first_notices + 3), log_b.read_text()
        assert _wait(lambda: len(server.messages) >= first_mails + 2), log_b.read_text()
        time.sleep(3)
        ids = Counter(m["id"] for m in server.messages)
        assert all(n == 1 for n in ids.values()), ids  # every mail exactly once
        assert _count(Notification) == first_notices + 3
        assert _count(MailOutbox) == len(server.messages)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(10)
        server.stop()
