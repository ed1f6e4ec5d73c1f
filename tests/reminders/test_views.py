"""Inbox with the unread count on every page, acknowledgement, the personal iCalendar feed,
the admin page."""
from sqlalchemy import select

from qms.extensions import db
from qms.reminders import engine, rules
from qms.reminders.models import Notification
from tests import factories as F
from tests.reminders.helpers import key_record, people
from tests.support.clock import at


def test_inbox_unread_count_and_open(app, client):
    clerk, *_ = people()
    rec = key_record(clerk)
    engine.sweep(rules.by_id(), now=at(11, 24))
    F.login(client, clerk)
    html = client.get("/forms").get_data(as_text=True)
    assert 'id="unread-count">1<' in html  # on every page
    html = client.get("/inbox").get_data(as_text=True)
    assert "重点客户服务时限" in html and "1 天后到期" in html
    n = db.session.execute(select(Notification)).scalar_one()
    resp = client.post(f"/inbox/{n.id}/open", data={"csrf_token": F.csrf(client, "/inbox")})
    assert resp.headers["Location"].endswith(f"/r/CS-KEY/{rec.id}")
    assert 'id="unread-count"' not in client.get("/forms").get_data(as_text=True)
    other = app.test_client()
    F.login(other, F.user("clerk"))
    assert other.post(f"/inbox/{n.id}/ack", data={"csrf_token": F.csrf(other, "/inbox")}).status_code == 404


def test_calendar_feed_is_valid_ics_behind_a_secret_address(app, client):
    clerk, *_ = people()
    key_record(clerk)
    F.login(client, clerk)
    client.post("/account/calendar", data={"csrf_token": F.csrf(client, "/account")})
    db.session.expire_all()
    token = db.session.get(type(clerk), clerk.id).calendar_token
    anon = app.test_client()
    resp = anon.get(f"/calendar/{token}.ics")
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/calendar")
    body = resp.get_data(as_text=True)
    lines = body.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and body.endswith("\r\n")
    assert "BEGIN:VEVENT" in body and "DTEND:20261125T155959Z" in body and "DTSTART:20261125T152959Z" in body
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = body.replace("\r\n ", "")
    assert "SUMMARY:重点客户服务时限" in unfolded
    assert anon.get("/calendar/not-the-token.ics").status_code == 404


def test_admin_page_lists_rules_runs_and_calendar(app, client):
    admin = F.user("admin")
    F.login(client, admin)
    html = client.get("/admin/reminders").get_data(as_text=True)
    for text in ("cs06-bills", "CS-06", "ins03-calibration", "工作日历"):
        assert text in html, text
    token = F.csrf(client, "/admin/reminders")
    client.post("/admin/reminders", data={"csrf_token": token, "day": "2026-10-01", "kind": "holiday", "name": "国庆"})
    assert "国庆" in client.get("/admin/reminders").get_data(as_text=True)
    resp = client.post("/admin/reminders", data={"csrf_token": token, "day": "bad", "kind": "holiday"},
                       follow_redirects=True)
    assert "YYYY-MM-DD" in resp.get_data(as_text=True)
    clerk = app.test_client()
    F.login(clerk, F.user("clerk"))
    assert clerk.get("/admin/reminders").status_code == 403
