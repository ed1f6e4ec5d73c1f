"""Mail over real SMTP (aiosmtpd): immediate escalations, daily digest, outage then recovery.
covers: CS-04, CA-04"""
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from qms.extensions import db
from qms.reminders import engine, mail, rules
from qms.reminders.models import MailOutbox
from tests import factories as F
from tests.reminders.helpers import key_record, people
from tests.reminders.smtp import SMTPServer
from tests.support.clock import at

SH = ZoneInfo("Asia/Shanghai")


def test_escalation_is_mailed_at_once_and_digest_once_a_day(app):
    server = SMTPServer().start()
    app.config["QMS_SMTP_PORT"] = server.port
    try:
        clerk, head, quality, gm = people()
        key_record(clerk)
        engine.sweep(rules.by_id(), now=at(11, 26))
        stats = mail.send_pending(now=at(11, 26))
        assert stats == {"sent": 1, "failed": 0}
        m = server.messages[0]
        assert m["to"] == [quality.email] and "逾期升级" in m["subject"]
        assert "/r/CS-KEY/" in m["body"]  # links straight to the record
        assert mail.queue_digests(now=at(11, 26, 8)) >= 1
        assert mail.queue_digests(now=at(11, 26, 9)) == 0  # once per day
        mail.send_pending(now=at(11, 26, 8))
        digest = [x for x in server.messages if x["to"] == [clerk.email]]
        assert len(digest) == 1 and "每日提醒" in digest[0]["subject"] and "已逾期" in digest[0]["body"]
    finally:
        server.stop()


def test_smtp_outage_is_retried_shown_and_nothing_is_lost(app, client):
    server = SMTPServer()
    app.config["QMS_SMTP_PORT"] = server.port  # nothing listens yet: the server is down
    clerk, head, quality, gm = people()
    key_record(clerk)
    engine.sweep(rules.by_id(), now=at(11, 26))
    assert mail.send_pending(now=at(11, 26)) == {"sent": 0, "failed": 1}
    row = db.session.execute(select(MailOutbox)).scalar_one()
    assert row.attempts == 1 and "connect" in row.last_error and row.sent_at is None
    admin = F.user("admin")
    F.login(client, admin)
    assert "connect" in client.get("/admin/reminders").get_data(as_text=True)  # shown to the admin
    server.start()
    try:
        assert mail.send_pending(now=at(11, 26) + timedelta(seconds=30)) == {"sent": 0, "failed": 0}  # backoff
        assert mail.send_pending(now=at(11, 26) + timedelta(minutes=2)) == {"sent": 1, "failed": 0}
        assert len(server.messages) == 1
        assert mail.send_pending(now=at(11, 27)) == {"sent": 0, "failed": 0}  # never twice
    finally:
        server.stop()
