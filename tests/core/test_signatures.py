"""E-signatures: password re-entry, stored meaning/name/time/hash, tamper detection.
covers: REC-02"""
import json

from sqlalchemy import select, text

from qms.core.audit import AuditEvent
from qms.extensions import db
from qms.records import service
from qms.records.models import Record
from tests import factories as F


def test_wrong_password_signs_nothing_and_is_audited(app):
    clerk = F.user("clerk")
    rec = F.record(clerk)
    try:
        service.sign(rec, clerk, "wrong-password")
        raise AssertionError("signed with a wrong password")
    except service.SignatureRefused as exc:
        assert "password" in exc.errors
    db.session.commit()
    assert rec.status == "draft" and rec.signatures == [] and rec.number is None
    ev = db.session.execute(select(AuditEvent).where(AuditEvent.action == "signature_failed")).scalar_one()
    assert ev.actor_id == clerk.id and ev.object_id == str(rec.id)


def test_signature_stores_who_what_when_and_content_hash(app):
    clerk = F.user("clerk", name="王静")
    rec = F.record(clerk)
    sig = service.sign(rec, clerk, F.PASSWORD)
    db.session.commit()
    assert sig.printed_name == "王静" and sig.meaning == "self_check" and sig.step == "submit"
    assert sig.signed_at.tzinfo is not None
    assert sig.content_hash == rec.content_hash() and len(sig.content_hash) == 64


def test_changed_signed_content_shows_invalid_signature(app, client):
    clerk = F.user("clerk")
    rec = F.record(clerk)
    service.sign(rec, clerk, F.PASSWORD)
    db.session.commit()
    # Someone edits the database behind the application's back.
    data = rec.values
    data["content"] = "被篡改的内容"
    db.session.execute(text("UPDATE records SET data = :d WHERE id = :i"),
                       {"d": json.dumps(data, ensure_ascii=False), "i": rec.id})
    db.session.commit()
    db.session.expire_all()
    rec = db.session.get(Record, rec.id)
    assert not rec.signatures[0].is_valid()
    F.login(client, clerk)
    html = client.get(f"/r/CS-INQ/{rec.id}").get_data(as_text=True)
    assert "sig invalid" in html


def test_only_the_declared_role_signs_each_step(app):
    clerk, other_clerk = F.user("clerk"), F.user("clerk")
    rec = F.record(clerk)
    service.sign(rec, clerk, F.PASSWORD)
    db.session.commit()
    # The review step needs a department head: a clerk is refused even with the right password.
    try:
        service.sign(rec, other_clerk, F.PASSWORD)
        raise AssertionError("clerk signed a head's step")
    except service.SignatureRefused:
        db.session.rollback()


def test_head_of_another_department_cannot_review(app):
    clerk = F.user("clerk", "CSD")
    head_other = F.user("department_head", "TDD")
    rec = F.record(clerk)
    service.sign(rec, clerk, F.PASSWORD)
    db.session.commit()
    try:
        service.sign(rec, head_other, F.PASSWORD)
        raise AssertionError("signed outside own department")
    except service.SignatureRefused:
        db.session.rollback()


def test_segregation_of_duties_same_person_cannot_sign_both_steps(app):
    head = F.user("department_head")
    rec = F.record(head)
    service.sign(rec, head, F.PASSWORD)
    db.session.commit()
    try:
        service.sign(rec, head, F.PASSWORD)
        raise AssertionError("one person signed submit and review")
    except service.SignatureRefused:
        db.session.rollback()
