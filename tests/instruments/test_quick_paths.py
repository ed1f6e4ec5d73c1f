"""A loan from the label page, one screen each: the one-request short loan (request and, for the
keeping department, hand-out signed with one password), refusals on the same screen with what was
typed, the borrower's hand back telling the keeper, the keeper's return check closing the loan; a
send-out manifest made from the due lists.
covers: INS-02, INS-03, INS-04"""
import re

from sqlalchemy import select

from qms.core.audit import AuditEvent
from qms.extensions import db
from qms.instruments.models import Instrument
from qms.records.models import Record, Status
from qms.reminders.models import Notification, ReminderWatch
from tests import factories as F
from tests.instruments.helpers import register
from tests.support.clock import clock
from tests.support.records import sign


def _post(client, path, **data):
    html = client.get(path).get_data(as_text=True)
    token = F.csrf_from(html)
    nonce = re.search(r'name="_nonce" value="([^"]+)"', html)
    return client.post(path, data={"csrf_token": token, **({"_nonce": nonce.group(1)} if nonce else {}), **data})


def _inst(inst):
    db.session.expire_all()
    return db.session.get(Instrument, inst.id)


def _loans(inst):
    db.session.expire_all()
    return db.session.execute(select(Record).where(Record.form_code == "INS-USAGE")).scalars().all()


def test_ins02_one_request_short_loan_waits_for_the_keeper(app, client, staff):
    s = staff
    clock(11, 2)
    inst = register(s.tech)
    F.login(client, s.clerk)
    page = client.get(f"/instruments/{inst.id}/check-out").get_data(as_text=True)
    assert s.clerk.full_name in page and "TDD-0001" in page and "11-09" in page  # the 7-day chip
    resp = _post(client, f"/instruments/{inst.id}/check-out", days="7", manual_ack="y", password=F.PASSWORD)
    assert resp.status_code == 302
    (loan,) = _loans(inst)
    v = loan.values
    assert loan.number and loan.status == Status.IN_PROGRESS and loan.current_step == "hand_out"
    assert (v["borrower"], v["borrowing_department"], v["loan_type"]) == (s.clerk.id, "CSD", "short")
    assert (v["checked_out_on"], v["return_due_on"], v.get("purpose") or "") == ("2026-11-02", "2026-11-09", "")
    assert [sig.step for sig in loan.signatures] == ["request"]
    assert _inst(inst).loan_id is None  # 技术发展部 hands it out (the clerk's department does not keep it)
    page = client.get(f"/r/INS-INTAKE/{inst.id}").get_data(as_text=True)
    assert f"{loan.number}" in page and "等待发放" in page  # the request is in sight, no dead end
    sign(loan, s.tech)
    assert _inst(inst).holder_id == s.clerk.id


def test_ins02_keeper_borrowing_signs_request_and_hand_out_with_one_password(app, client, staff):
    s = staff
    clock(11, 2)
    inst = register(s.tech)
    F.login(client, s.tech)
    resp = _post(client, f"/instruments/{inst.id}/check-out", days="3", manual_ack="y", purpose="机房巡检",
                 password=F.PASSWORD)
    assert resp.status_code == 302
    (loan,) = _loans(inst)
    assert [(sig.step, sig.user_id) for sig in loan.signatures] == [("request", s.tech.id), ("hand_out", s.tech.id)]
    assert loan.current_step == "return" and _inst(inst).holder_id == s.tech.id
    # The same person may not check their own return (not_same_as: request): they hand it back.
    page = client.get(f"/r/INS-INTAKE/{inst.id}").get_data(as_text=True)
    assert 'id="hand-back"' in page and 'id="return-it"' not in page
    refused = client.get(f"/instruments/{inst.id}/return").get_data(as_text=True)
    assert 'id="quick-refusal"' in refused and 'id="return-form"' not in refused


def test_ins04_refusals_on_the_same_screen_keep_what_was_typed(app, client, staff):
    s = staff
    clock(11, 2)
    old = register(s.tech, asset_no="TDD-0002", name="光功率计", calibrated_on="2024-10-01")
    good = register(s.tech)
    F.login(client, s.clerk)
    page = client.get(f"/instruments/{old.id}/check-out").get_data(as_text=True)
    assert "2026-10-01" in page and 'id="check-out-form"' not in page  # why, before anything is typed
    # The gate refuses a POST too (the instrument stopped while the screen was open): no 500, input kept.
    resp = _post(client, f"/instruments/{old.id}/check-out", days="7", manual_ack="y", purpose="线路测试",
                 password=F.PASSWORD)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "2026-10-01" in html and 'value="线路测试"' in html
    # A wrong password: said in Chinese, nothing created, the attempt audited, the input kept.
    resp = _post(client, f"/instruments/{good.id}/check-out", days="14", manual_ack="y", purpose="用户线路测试",
                 password="wrong")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "密码不正确" in html and 'value="用户线路测试"' in html
    assert re.search(r'value="14"[^>]*checked', html) and "checked" in html.split('id="q-ack"')[1][:40]
    assert _loans(good) == []
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "signature_failed",
                                                       AuditEvent.object_type == "instrument")).scalar()
    # Without the manual acknowledged: refused, the chosen date kept.
    resp = _post(client, f"/instruments/{good.id}/check-out", days="3", password=F.PASSWORD)
    assert resp.status_code == 422 and "说明书" in resp.get_data(as_text=True) and _loans(good) == []
    # No due date chosen.
    resp = _post(client, f"/instruments/{good.id}/check-out", manual_ack="y", password=F.PASSWORD)
    assert resp.status_code == 422 and _loans(good) == []


def _handed_out(client, s, inst):
    F.login(client, s.clerk)
    _post(client, f"/instruments/{inst.id}/check-out", days="7", manual_ack="y", password=F.PASSWORD)
    (loan,) = _loans(inst)
    sign(loan, s.tech)
    return loan


def test_ins02_hand_back_tells_the_keeper(app, client, staff):
    s = staff
    clock(11, 2)
    inst = register(s.tech)
    loan = _handed_out(client, s, inst)
    clock(11, 6)
    page = client.get(f"/r/INS-INTAKE/{inst.id}").get_data(as_text=True)
    assert 'id="hand-back"' in page and 'id="return-it"' not in page
    assert 'id="hand-back"' in client.get(f"/r/INS-USAGE/{loan.id}").get_data(as_text=True)  # no dead end there
    resp = _post(client, f"/instruments/{inst.id}/hand-back", note="表笔有磨损")
    assert resp.status_code == 302
    db.session.expire_all()
    (n,) = db.session.execute(select(Notification).where(Notification.rule_id == "ins02-loan-handed-back")
                              ).scalars().all()
    assert n.recipient_id == s.tech.id and loan.number in n.title and "#" not in n.title  # who handed it out
    assert n.link == f"/instruments/{inst.id}/return"
    row = db.session.execute(select(AuditEvent).where(AuditEvent.action == "loan_handed_back")).scalar()
    assert row.actor_id == s.clerk.id and row.object_id == str(loan.id) and "表笔有磨损" in row.changes
    page = client.get(f"/r/INS-INTAKE/{inst.id}").get_data(as_text=True)
    assert 'id="handed-back"' in page and 'id="hand-back"' not in page
    assert "交回" in client.get(f"/r/INS-USAGE/{loan.id}").get_data(as_text=True)  # in the loan's history
    # Once only.
    again = _post(client, f"/instruments/{inst.id}/hand-back")
    assert again.status_code == 422 and "已交回" in again.get_data(as_text=True)
    F.login(client, s.tech)
    inbox = client.get("/inbox").get_data(as_text=True)
    assert loan.number in inbox and "待归还验收" in inbox


def test_ins02_keeper_acceptance_closes_the_loan(app, client, staff):
    s = staff
    clock(11, 2)
    inst = register(s.tech)
    loan = _handed_out(client, s, inst)
    clock(11, 6)
    _post(client, f"/instruments/{inst.id}/hand-back")
    clock(11, 7)
    F.login(client, s.tech)
    assert 'id="return-it"' in client.get(f"/r/INS-INTAKE/{inst.id}").get_data(as_text=True)
    page = client.get(f"/instruments/{inst.id}/return").get_data(as_text=True)
    assert 'value="2026-11-06"' in page and re.search(r'value="good"[^>]*checked', page)  # the day it came back
    resp = _post(client, f"/instruments/{inst.id}/return", returned_on="2026-11-06", condition_in="good",
                 return_note="外观完好", password="wrong")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "密码不正确" in html and 'value="外观完好"' in html
    db.session.expire_all()
    assert db.session.get(Record, loan.id).status == Status.IN_PROGRESS
    resp = _post(client, f"/instruments/{inst.id}/return", returned_on="2026-11-06", condition_in="good",
                 return_note="外观完好", password=F.PASSWORD)
    assert resp.status_code == 302
    db.session.expire_all()
    loan = db.session.get(Record, loan.id)
    assert loan.status == Status.CLOSED and loan.values["returned_on"] == "2026-11-06"
    assert [sig.step for sig in loan.signatures] == ["request", "hand_out", "return"]
    assert _inst(inst).loan_id is None and _inst(inst).holder_id is None
    watch = db.session.execute(select(ReminderWatch).where(ReminderWatch.rule_id == "ins02-loan-handed-back")
                               ).scalar()
    assert watch is not None and not watch.active
    assert 'id="check-out"' in client.get(f"/r/INS-INTAKE/{inst.id}").get_data(as_text=True)


def test_ins03_send_out_manifest_from_the_due_list(app, client, staff):
    s = staff
    clock(11, 2)
    a = register(s.tech, asset_no="MT-A", calibrated_on="2024-11-20")  # due 2026-11-20
    b = register(s.tech, asset_no="MT-B", calibrated_on="2024-11-25")
    c = register(s.tech, asset_no="MT-C", calibrated_on="2024-11-28")
    loan = _handed_out(client, s, c)
    assert loan.current_step == "return"
    F.login(client, s.tech)
    page = client.get("/instruments?show=due30").get_data(as_text=True)
    assert 'id="make-manifest"' in page and f'value="{a.id}"' in page
    assert re.search(rf'value="{c.id}"[^>]*disabled', page)  # on loan: marked, cannot be ticked
    resp = client.post("/instruments/send-out", data={"csrf_token": F.csrf_from(page), "show": "due30",
                                                      "ids": [str(a.id), str(b.id), str(c.id)],
                                                      "sent_on": "2026-11-05"})
    assert resp.status_code == 302 and re.search(r"/r/INS-SENDOUT/\d+/edit$", resp.location)
    db.session.expire_all()
    (draft,) = db.session.execute(select(Record).where(Record.form_code == "INS-SENDOUT")).scalars().all()
    assert draft.status == Status.DRAFT and draft.values["asset_nos"].split("\n") == ["MT-A", "MT-B"]
    assert draft.values["sent_on"] == "2026-11-05" and draft.values["agency"] == "市通信计量站"
    # Planned ahead: signed as sent on its day, not before.
    page = client.get(f"/r/INS-SENDOUT/{draft.id}").get_data(as_text=True)
    assert "2026-11-05" in page and 'id="sign-blockers"' in page
    clock(11, 5)
    sign(draft, s.tech)
    assert _inst(a).sendout_id == draft.id
    page = client.get("/instruments?show=due30").get_data(as_text=True)
    assert draft.number in page and re.search(rf'value="{a.id}"[^>]*disabled', page)  # away: marked
    # Nothing left to send: said, no empty manifest.
    resp = client.post("/instruments/send-out", data={"csrf_token": F.csrf_from(page), "ids": [str(a.id)]})
    assert resp.status_code == 302 and "/instruments" in resp.location
    assert len(db.session.execute(select(Record).where(Record.form_code == "INS-SENDOUT")).scalars().all()) == 1


def test_garbage_on_the_quick_screens_is_refused_never_a_500(app, client, staff):
    s = staff
    clock(11, 2)
    inst = register(s.tech)
    loan = _handed_out(client, s, inst)
    junk = ["", "x" * 5000, "\x00\x01", "-1", "99999999999999999999", "9999-99-99", "<script>", "１２３"]
    for j in junk:
        r = _post(client, f"/instruments/{inst.id}/check-out", days=j, department=j, purpose=j, manual_ack=j,
                  password=j)
        assert r.status_code in (302, 422), (j, r.status_code)
        r = _post(client, f"/instruments/{inst.id}/hand-back", note=j)
        assert r.status_code in (302, 422), (j, r.status_code)
    F.login(client, s.tech)
    page = client.get("/instruments?show=overdue").get_data(as_text=True)
    for j in junk:
        r = _post(client, f"/instruments/{inst.id}/return", returned_on=j, condition_in=j, return_note=j,
                  password=F.PASSWORD)
        assert r.status_code in (302, 422), (j, r.status_code)
        r = client.post("/instruments/send-out", data={"csrf_token": F.csrf_from(page), "ids": [j], "sent_on": j})
        assert r.status_code == 302, (j, r.status_code)
    db.session.expire_all()
    assert db.session.get(Record, loan.id).status in (Status.IN_PROGRESS, Status.CLOSED)
