"""E-signatures: password re-entry, stored meaning/name/time/hash, tamper detection.
covers: REC-02"""
import json

import pytest
from sqlalchemy import select, text

from qms.core.audit import AuditEvent
from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from qms.records.models import Record
from tests import factories as F


def test_wrong_password_signs_nothing_and_is_audited(app):
    clerk = F.user("clerk")
    rec = F.record(clerk, "TEST-REC")
    with pytest.raises(service.SignatureRefused) as exc:
        service.sign(rec, clerk, "wrong-password")
    assert "password" in exc.value.errors
    db.session.commit()
    assert rec.status == "draft" and rec.signatures == [] and rec.number is None
    ev = db.session.execute(select(AuditEvent).where(AuditEvent.action == "signature_failed")).scalar_one()
    assert ev.actor_id == clerk.id and ev.object_id == str(rec.id)


def test_signature_stores_who_what_when_and_content_hash(app):
    clerk = F.user("clerk", name="王静")
    rec = F.record(clerk, "TEST-REC")
    sig = service.sign(rec, clerk, F.PASSWORD)
    db.session.commit()
    assert sig.printed_name == "王静" and sig.meaning == "self_check" and sig.step == "submit"
    assert sig.signed_at.tzinfo is not None
    assert sig.content_hash == rec.content_hash() and len(sig.content_hash) == 64


def test_changed_signed_content_shows_invalid_signature(app, client):
    clerk = F.user("clerk")
    rec = F.record(clerk, "TEST-REC")
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
    assert not rec.signatures[0].is_valid(rec, specs.by_revision(rec.form_revision_id))
    F.login(client, clerk)
    html = client.get(f"/r/TEST-REC/{rec.id}").get_data(as_text=True)
    assert "sig invalid" in html


def _submitted(author):
    """Submitted and handled by ``author``: waiting for the department head's review."""
    rec = F.record(author, "TEST-REC")
    service.sign(rec, author, F.PASSWORD)
    db.session.commit()
    return F.handled(rec, author)


@pytest.mark.parametrize("author_role, signer_role, signer_dept", [
    ("clerk", "clerk", "CSD"),                      # the review step needs a department head
    ("clerk", "department_head", "TDD"),            # ... of the record's own department
    ("department_head", None, None),                # nobody signs two steps (not_same_as)
])
def test_refused_signers(app, author_role, signer_role, signer_dept):
    author = F.user(author_role, "CSD")
    rec = _submitted(author)
    signer = F.user(signer_role, signer_dept) if signer_role else author
    with pytest.raises(service.SignatureRefused):
        service.sign(rec, signer, F.PASSWORD)
    db.session.rollback()
    assert len(rec.signatures) == 2
