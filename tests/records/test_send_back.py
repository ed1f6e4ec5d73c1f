"""Send back with a comment (issue #11, item 3): whoever may sign the waiting step returns the
previous step's signature with a reason and their password; that step is filled and signed
again; the returned signature stays in the history and never counts again. Void moves under
"More actions" with a confirmation, a reason and the password; an author discards their own draft.
covers: REC-02"""
import pytest
from sqlalchemy import select, text

from qms.core.audit import AuditEvent
from qms.extensions import db
from qms.records import policy, service
from qms.records import spec as specs
from qms.records.models import Record, Status
from qms.reminders.models import MailOutbox, Notification
from tests import factories as F
from tests.support.api import token_for
from tests.support.records import fill, sign


def _actions(rec):
    return [e.action for e in db.session.execute(
        select(AuditEvent).where(AuditEvent.object_type == "record", AuditEvent.object_id == str(rec.id))
        .order_by(AuditEvent.id)).scalars()]


def _at_review(clerk):
    """A TEST-REC record submitted and handled by ``clerk``, waiting for the head's review."""
    rec = sign(F.record(clerk, "TEST-REC"), clerk)
    return F.handled(rec, clerk)


def _page(client, rec):
    return client.get(f"/r/TEST-REC/{rec.id}").get_data(as_text=True)


def _post(client, rec, action, **data):
    return client.post(f"/r/TEST-REC/{rec.id}/{action}",
                       data={**data, "csrf_token": F.csrf(client, f"/r/TEST-REC/{rec.id}")})


def test_send_back_from_review_to_handle_and_sign_again(app):
    clerk, head = F.user("clerk"), F.user("department_head")
    rec = _at_review(clerk)
    spec = specs.by_revision(rec.form_revision_id)
    assert policy.send_back_step(head, spec, rec).name == "handle"
    service.send_back(rec, head, "处理结果未写明退费金额", F.PASSWORD)
    db.session.commit()
    assert rec.status == Status.IN_PROGRESS and rec.current_step == "handle"
    # The handling signature stays in the history, returned; it is no live signature any more.
    [returned] = rec.returned_signatures
    assert returned.step == "handle" and returned.user_id == clerk.id and not returned.live
    assert returned.returned.reason == "处理结果未写明退费金额" and returned.returned.returned_by_id == head.id
    assert [s.step for s in rec.signatures] == ["submit"] and len(rec.all_signatures) == 2
    assert _actions(rec)[-1] == "send_back"
    # The step is editable again, filled and signed again; the review follows.
    assert service.editable_step(rec, spec) == "handle"
    fill(rec, clerk, handling="已核实并退费 20 元，答复客户。")
    sign(rec, clerk)
    assert rec.current_step == "review" and [s.step for s in rec.signatures] == ["submit", "handle"]
    sign(rec, head)
    assert rec.status == Status.CLOSED
    assert all(s.is_valid(rec, spec) for s in rec.signatures) and len(rec.returned_signatures) == 1
    # The database keeps both signatures and the return as they were written.
    with pytest.raises(Exception) as exc:
        db.session.execute(text("UPDATE signature_returns SET reason = 'x'"))
    assert "append-only" in str(exc.value)
    db.session.rollback()


def test_returned_signature_does_not_count_for_segregation(app):
    """The review is kept apart from the handling (not_same_as): once the head's own handling
    signature is returned and a clerk handles it again, the head may review."""
    clerk, head, tech = F.user("clerk"), F.user("department_head"), F.user("technician")
    rec = sign(F.record(clerk, "TEST-REC"), clerk)
    F.handled(rec, head)
    spec = specs.by_revision(rec.form_revision_id)
    assert policy.segregated(head, spec, rec)
    other_head = F.user("department_head")
    service.send_back(rec, other_head, "处理需由经办人完成", F.PASSWORD)
    db.session.commit()
    F.handled(rec, tech)
    assert not policy.segregated(head, spec, rec) and policy.signable_step(head, spec, rec).name == "review"


def test_returned_signer_is_notified_by_number_in_the_inbox_and_by_mail(app, client):
    clerk, head = F.user("clerk"), F.user("department_head")
    rec = _at_review(clerk)
    service.send_back(rec, head, "请补充客户签认", F.PASSWORD)
    db.session.commit()
    [n] = db.session.execute(select(Notification).where(Notification.recipient_id == clerk.id)).scalars().all()
    assert n.watch_id is None and n.title == rec.number and "#" not in n.title and "请补充客户签认" in n.body
    assert db.session.execute(select(MailOutbox).where(MailOutbox.recipient_id == clerk.id)).scalar() is not None
    F.login(client, clerk)
    html = client.get("/inbox").get_data(as_text=True)
    assert "退回给您" in html and rec.number in html and f"#{rec.id}" not in html and "请补充客户签认" in html
    resp = client.post(f"/inbox/{n.id}/ack", data={"csrf_token": F.csrf(client, "/inbox")})
    assert resp.status_code == 302  # a notice with no reminder watch is acknowledged like any other


def test_wrong_password_is_audited_and_refused_keeping_the_reason(app, client):
    clerk, head = F.user("clerk"), F.user("department_head")
    rec = _at_review(clerk)
    F.login(client, head)
    resp = _post(client, rec, "send-back", reason="金额不对", password="wrong")
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "密码不正确" in html and "金额不对" in html and 'id="send-back-form"' in html
    db.session.expire_all()
    rec = db.session.get(Record, rec.id)
    assert rec.current_step == "review" and not rec.returned_signatures
    assert _actions(rec)[-1] == "signature_failed"


def test_reason_is_required_as_a_field_message(app, client):
    clerk, head = F.user("clerk"), F.user("department_head")
    rec = _at_review(clerk)
    with pytest.raises(service.ValidationFailed) as exc:
        service.send_back(rec, head, " ", F.PASSWORD)
    assert "reason" in exc.value.errors
    db.session.rollback()
    F.login(client, head)
    resp = _post(client, rec, "send-back", reason="", password=F.PASSWORD)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "退回记录必须填写原因" in html and 'class="error"' in html
    db.session.expire_all()
    rec = db.session.get(Record, rec.id)
    assert rec.current_step == "review" and "signature_failed" not in _actions(rec)


def test_someone_who_may_not_sign_cannot_send_back(app, client):
    clerk = F.user("clerk")
    rec = _at_review(clerk)
    spec = specs.by_revision(rec.form_revision_id)
    other_clerk = F.user("clerk")  # not among the review's signers
    assert policy.send_back_step(other_clerk, spec, rec) is None
    with pytest.raises(service.SignatureRefused):
        service.send_back(rec, other_clerk, "不同意", F.PASSWORD)
    db.session.rollback()
    F.login(client, other_clerk)
    assert 'id="send-back-form"' not in _page(client, rec)
    resp = _post(client, rec, "send-back", reason="不同意", password=F.PASSWORD)
    assert resp.status_code in (403, 422)
    outsider = F.user("department_head", "TDD")  # another department: not even allowed to see it
    client.post("/logout", data={"csrf_token": F.csrf(client, "/")})
    F.login(client, outsider)
    assert _post(client, rec, "send-back", reason="x y", password=F.PASSWORD).status_code in (403, 404)
    db.session.expire_all()
    assert db.session.get(Record, rec.id).current_step == "review"
    # A draft has nothing before it.
    draft = F.record(clerk, "TEST-REC")
    assert policy.send_back_step(clerk, spec, draft) is None


def test_first_step_send_back_returns_a_numbered_draft_to_its_author(app, client):
    clerk, tech = F.user("clerk"), F.user("technician")
    rec = sign(F.record(clerk, "TEST-REC"), clerk)
    number = rec.number
    service.send_back(rec, tech, "客户电话登记错误", F.PASSWORD)
    db.session.commit()
    assert rec.status == Status.DRAFT and rec.current_step == "submit" and rec.number == number
    assert rec.signatures == [] and len(rec.returned_signatures) == 1
    assert db.session.execute(select(Notification).where(Notification.recipient_id == clerk.id)).scalar()
    # The number cannot be changed, even below the service.
    rec.number = "TR-X"
    with pytest.raises(service.LockedRecord):
        db.session.flush()
    db.session.rollback()
    rec = db.session.get(Record, rec.id)
    # The author corrects and submits it again: same number, not numbered twice.
    fill(rec, clerk, **{**F.REC, "phone_number": "0756-2219999"})
    sign(rec, clerk)
    assert rec.status == Status.IN_PROGRESS and rec.number == number and rec.current_step == "handle"
    F.login(client, clerk)
    html = _page(client, rec)
    assert "签名已退回" in html and "客户电话登记错误" in html


def test_returned_signatures_are_not_shown_as_valid_on_the_page_and_pdf(app, client):
    clerk, head = F.user("clerk"), F.user("department_head")
    rec = _at_review(clerk)
    service.send_back(rec, head, "补充说明", F.PASSWORD)
    db.session.commit()
    F.login(client, head)
    html = _page(client, rec)
    assert html.count("✔") == 1  # the receiver's live signature only
    assert "签名已退回" in html and "补充说明" in html
    assert client.get(f"/r/TEST-REC/{rec.id}.pdf").status_code == 200


def test_void_on_the_web_needs_confirmation_reason_and_password(app, client):
    clerk, head = F.user("clerk"), F.user("department_head")
    rec = sign(F.record(clerk, "TEST-REC"), clerk)
    F.login(client, head)
    html = _page(client, rec)
    assert '<details class="more-actions"' in html and 'name="confirm"' in html and 'id="void-password"' in html
    resp = _post(client, rec, "void", reason="重复登记", password=F.PASSWORD)
    assert resp.status_code == 422 and "请确认" in resp.get_data(as_text=True)
    resp = _post(client, rec, "void", confirm="y", reason="", password=F.PASSWORD)
    assert resp.status_code == 422 and "reason" in resp.get_data(as_text=True)
    resp = _post(client, rec, "void", confirm="y", reason="重复登记", password="wrong")
    assert resp.status_code == 422 and "重复登记" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Record, rec.id).status == Status.IN_PROGRESS
    assert _actions(rec)[-1] == "signature_failed"
    resp = _post(client, rec, "void", confirm="y", reason="重复登记", password=F.PASSWORD)
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Record, rec.id).status == Status.VOIDED


def test_own_draft_offers_discard_not_void(app, client):
    head = F.user("department_head")
    rec = F.record(head, "TEST-REC")
    F.login(client, head)
    html = _page(client, rec)
    assert 'id="discard-form"' in html and 'id="void-form"' not in html
    resp = _post(client, rec, "discard")
    assert resp.status_code == 302
    db.session.expire_all()
    rec = db.session.get(Record, rec.id)
    assert rec.status == Status.VOIDED and rec.void_reason == "草稿已放弃"
    assert _actions(rec)[-1] == "void"
    # Someone else's draft is not theirs to discard.
    other = F.record(F.user("clerk"), "TEST-REC")
    assert 'id="discard-form"' not in _page(client, other)
    assert _post(client, other, "discard").status_code == 403


def test_send_back_and_void_over_the_api(app, client):
    clerk, head = F.user("clerk"), F.user("department_head")
    rec = _at_review(clerk)
    other = token_for(F.user("clerk"))  # may not sign the review
    assert client.post(f"/api/v1/records/{rec.id}/send-back", json={"reason": "x y", "password": F.PASSWORD},
                       headers=other).status_code == 422
    h = token_for(head)
    resp = client.post(f"/api/v1/records/{rec.id}/send-back", json={"reason": "", "password": F.PASSWORD}, headers=h)
    assert resp.status_code == 422 and "reason" in resp.json["fields"]
    resp = client.post(f"/api/v1/records/{rec.id}/send-back", json={"reason": "补充", "password": "bad"}, headers=h)
    assert resp.status_code == 422 and "password" in resp.json["fields"]
    resp = client.post(f"/api/v1/records/{rec.id}/send-back", json={"reason": "补充", "password": F.PASSWORD},
                       headers=h)
    assert resp.status_code == 200, resp.json
    assert resp.json["current_step"] == "handle" and [s["step"] for s in resp.json["signatures"]] == ["submit"]
    assert resp.json["returned_signatures"][0]["reason"] == "补充"
    resp = client.post(f"/api/v1/records/{rec.id}/void", json={"reason": "重复", "password": "bad"}, headers=h)
    assert resp.status_code == 422 and "password" in resp.json["fields"]
    resp = client.post(f"/api/v1/records/{rec.id}/void", json={"reason": "重复", "password": F.PASSWORD}, headers=h)
    assert resp.status_code == 200 and resp.json["status"] == Status.VOIDED
