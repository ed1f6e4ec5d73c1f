"""Key customers (CS-04): the list decides who is a key customer; the service record goes in writing to
each department, one record (and one printed notice) per department, each completed and reminded
separately; the time limit follows the request type; an overrun opens one nonconformity by itself.
covers: CS-04, CA-01"""
import re
import subprocess

import pytest
from sqlalchemy import select

from qms.core import timeutil
from qms.extensions import db
from qms.records import policy, service
from qms.records import spec as specs
from qms.records.links import linked
from qms.reminders import engine, rules, scheduler
from qms.reminders.models import Notification, ReminderWatch
from tests import factories as F
from tests.complaints.keycust_helpers import People, complete, key_service, listed, nonconformities
from tests.support.clock import at


def _watch(rec):
    return db.session.execute(select(ReminderWatch).where(
        ReminderWatch.rule_id == "cs04-key-customer", ReminderWatch.subject_id == rec.id)).scalar_one()


def _notices(rec, user=None):
    stmt = select(Notification).join(ReminderWatch, ReminderWatch.id == Notification.watch_id).where(
        ReminderWatch.subject_id == rec.id, Notification.rule_id == "cs04-key-customer")
    if user is not None:
        stmt = stmt.where(Notification.recipient_id == user.id)
    return db.session.execute(stmt.order_by(Notification.id)).scalars().all()


def _tick(now):
    """What the scheduler does every minute: the reminder sweep, then the procedures' own jobs."""
    timeutil.set_clock(now)
    engine.sweep(rules.by_id(), now=now)
    opened = scheduler.run_procedure_sweeps(now)
    db.session.commit()
    return opened


def _pdf_text(client, rec, tmp_path):
    resp = client.get(f"/r/CS-KEY/{rec.id}.pdf")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF")
    path = tmp_path / f"{rec.id}.pdf"
    path.write_bytes(resp.data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "WenQuanYi" in fonts and " yes " in fonts  # the CJK font is embedded
    return re.sub(r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout)


def test_cs04_notice_to_two_departments_each_finishing_separately(app, client, tmp_path):
    p = People()
    listed(p.clerk)
    first = key_service(p.clerk, also_notify=["TDD"])
    [second] = linked("CS-KEY", "notice_of", first.id)
    assert (first.values["target_department"], second.values["target_department"]) == ("TSD", "TDD")
    assert second.number and second.status == "in_progress" and second.current_step == "complete"
    assert not second.signatures  # opened by the procedure: nobody's signature is faked
    # Each department signs only its own notice.
    spec = specs.get("CS-KEY")
    assert policy.signable_step(p.tdd, spec, first) is None and policy.signable_step(p.tsd, spec, second) is None
    complete(first, p.tsd)
    assert first.status == "closed" and second.status == "in_progress"
    assert _watch(first).active is False and _watch(second).active is True
    complete(second, p.tdd, when="2026-11-23T11:00")
    assert second.status == "closed" and _watch(second).active is False
    # The written notices: one printout per department, each naming its department and time limit.
    F.login(client, p.clerk)
    one, two = _pdf_text(client, first, tmp_path), _pdf_text(client, second, tmp_path)
    assert "书面通知" in one and "终端服务部" in one and "2026-11-2523:59" in one and second.display_number in one
    assert "技术发展部" in two and first.display_number in two
    page = client.get(f"/r/CS-KEY/{first.id}").get_data(as_text=True)
    assert 'id="key-service"' in page and second.display_number in page and "技术发展部" in page


def test_cs04_time_limit_follows_the_request_type(app):
    p = People()
    listed(p.clerk)
    fault = key_service(p.clerk, request_type="fault", request="专线中断")
    install = key_service(p.clerk, request_type="install")
    assert (fault.values["limit_days"], install.values["limit_days"]) == (0, 5)
    # Due at the end of the day the limit ends (local time), as the reminder reads it.
    assert _watch(fault).due_at == at(11, 20, 23).replace(minute=59, second=59)
    assert _watch(install).due_at == at(11, 25, 23).replace(minute=59, second=59)
    _tick(at(11, 21))
    assert [n.stage for n in _notices(fault, p.quality)] == ["escalate:1"]  # 企业管理部 is told of the overrun
    assert _notices(install) == []
    _tick(at(11, 24))
    assert [n.stage for n in _notices(install, p.clerk)] == ["lead:1"]  # a day before, to who sent it


def test_cs04_reminder_stops_when_the_department_finishes(app):
    p = People()
    listed(p.clerk)
    done = key_service(p.clerk)
    late = key_service(p.clerk, customer_name="港湾实业有限公司", request="另一项要求")
    complete(done, p.tsd, when="2026-11-24T16:00")
    assert _tick(at(11, 28)) == 1  # the one left open
    assert _notices(done) == []  # no reminder, no escalation once the department finished
    assert {n.stage for n in _notices(late)} >= {"escalate:1", "overdue"}
    assert [nc.values["source_record"] for nc in nonconformities("overdue_service")] == [late.id]


def test_cs04_overdue_case_opens_one_nonconformity_not_two(app):
    p = People()
    listed(p.clerk)
    rec = key_service(p.clerk, request_type="change", target_department="TDD")  # 2 days: due 22 Nov
    assert _tick(at(11, 22, 20)) == 0
    assert _tick(at(11, 23, 9)) == 1
    [nc] = nonconformities("overdue_service")
    assert nc.values["source_record"] == rec.id and nc.department.code == "TDD" and nc.status == "in_progress"
    assert "ZD-2026-" in nc.values["description"] and "技术发展部" in nc.values["description"]
    assert _tick(at(11, 23, 9, )) == 0 and _tick(at(11, 24)) == 0  # the next runs: still one
    complete(rec, p.tdd, when="2026-11-24T10:00")  # finished late: the nonconformity already exists
    assert len(nonconformities("overdue_service")) == 1


def test_cs04_late_completion_opens_the_nonconformity_when_no_run_did(app):
    p = People()
    listed(p.clerk)
    rec = key_service(p.clerk, request_type="billing", target_department="TSD")  # 1 day: due 21 Nov
    timeutil.set_clock(at(11, 23))
    complete(rec, p.tsd, when="2026-11-22T09:00")
    [nc] = nonconformities("overdue_service")
    assert nc.values["source_record"] == rec.id and "2026-11-22 09:00" in nc.values["description"]
    assert _tick(at(11, 24)) == 0 and len(nonconformities("overdue_service")) == 1


def test_cs04_only_a_customer_on_the_list_gets_a_service_record(app):
    p = People()
    rec = key_service(p.clerk, submit=False)
    with pytest.raises(service.SignatureRefused) as exc:
        service.sign(rec, p.clerk, F.PASSWORD)
    assert "重点客户名录" in exc.value.message or "key customer list" in exc.value.message
    db.session.rollback()
    entry = listed(p.clerk, phone_number="+86 756 331 8888")  # typed another way: the same number
    timeutil.set_clock(at(11, 20, 11))
    assert service.sign(rec, p.clerk, F.PASSWORD) is not None
    db.session.commit()
    service.void(entry, p.head, "客户不再列为重点客户", F.PASSWORD)  # taken off the list
    db.session.commit()
    later = key_service(p.clerk, submit=False)
    with pytest.raises(service.SignatureRefused):
        service.sign(later, p.clerk, F.PASSWORD)
    assert specs.get("CS-KEYCUST") and not policy.can(p.tsd, "create", specs.get("CS-KEYCUST"))
