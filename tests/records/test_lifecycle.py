"""Lifecycle through the service layer: draft -> submitted -> reviewed -> closed, void, amend.
covers: REC-02"""
import pytest
from sqlalchemy import text
from werkzeug.datastructures import MultiDict

from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from qms.records.models import Record
from tests import factories as F
from tests.support.forms import MOCK_FORMS_DIR


def _close(clerk, head, rec):
    service.sign(rec, clerk, F.PASSWORD)
    db.session.commit()
    F.handled(rec, clerk)
    service.sign(rec, head, F.PASSWORD)
    db.session.commit()
    return rec


def test_full_lifecycle_numbers_and_closes(app):
    clerk, head = F.user("clerk"), F.user("department_head")
    rec = F.record(clerk, "TEST-REC")
    assert rec.status == "draft" and rec.number is None
    service.update(rec, clerk, MultiDict({**F.REC, "customer_name": "陈建国（更正）"}), "zh_CN", rec.version)
    db.session.commit()
    service.sign(rec, clerk, F.PASSWORD)
    db.session.commit()
    assert rec.status == "in_progress" and rec.current_step == "handle"
    assert rec.number.startswith("TR-") and rec.number.endswith("-0001")
    # The handler fills the handling step; the receiver's signature stays valid (it covers its own step).
    with pytest.raises(service.ValidationFailed) as exc:
        service.sign(rec, clerk, F.PASSWORD)  # 处理过程及结果 is required before signing it
    assert "处理过程及结果" in exc.value.errors["password"][0]
    db.session.rollback()
    F.handled(rec, clerk)
    assert rec.current_step == "review" and rec.signatures[0].is_valid(rec, specs.by_revision(rec.form_revision_id))
    service.sign(rec, head, F.PASSWORD)
    db.session.commit()
    assert rec.status == "closed" and rec.current_step is None
    assert [s.meaning for s in rec.signatures] == ["self_check", "handling", "review"]
    assert all(s.is_valid(rec, specs.by_revision(rec.form_revision_id)) for s in rec.signatures)


def test_signed_steps_cannot_be_changed_by_any_role_in_service(app):
    clerk, head, admin = F.user("clerk"), F.user("department_head"), F.user("admin")
    rec = F.record(clerk, "TEST-REC")
    service.sign(rec, clerk, F.PASSWORD)
    db.session.commit()
    # While the handling step is open only its fields can be saved; the signed ones stay as signed.
    service.update(rec, clerk, MultiDict({**F.REC, "content": "改", "handling": "处理中"}), "zh_CN", rec.version)
    db.session.commit()
    assert rec.values["content"] == F.REC["content"] and rec.values["handling"] == "处理中"
    outsider = F.user("clerk", "TDD")
    for who in (admin, outsider):  # not among the step's signers
        with pytest.raises(Exception):
            service.update(rec, who, MultiDict({"handling": "x"}), "zh_CN", rec.version)
        db.session.rollback()
    F.handled(rec, clerk)
    service.sign(rec, head, F.PASSWORD)
    db.session.commit()
    for who in (clerk, head, admin):
        with pytest.raises(service.LockedRecord):
            service.update(rec, who, MultiDict({**F.REC, "handling": "改"}), "zh_CN", rec.version)
        db.session.rollback()


def test_signed_record_cannot_be_changed_below_the_service(app):
    """Even code that writes the model directly is refused at flush time."""
    clerk = F.user("clerk")
    rec = F.record(clerk, "TEST-REC")
    service.sign(rec, clerk, F.PASSWORD)
    db.session.commit()
    rec.data = '{"content": "tampered"}'
    with pytest.raises(service.LockedRecord):
        db.session.flush()
    db.session.rollback()
    rec = db.session.get(Record, rec.id)
    rec.number = "X-1"
    with pytest.raises(service.LockedRecord):
        db.session.commit()
    db.session.rollback()


def test_records_are_never_deleted(app):
    clerk = F.user("clerk")
    rec = F.record(clerk, "TEST-REC")
    db.session.delete(rec)
    with pytest.raises(service.LockedRecord):
        db.session.flush()
    db.session.rollback()
    # The database refuses too (trigger), whatever the client.
    with pytest.raises(Exception) as exc:
        db.session.execute(text("DELETE FROM records WHERE id = :i"), {"i": rec.id})
        db.session.flush()
    assert "append-only" in str(exc.value)
    db.session.rollback()
    assert db.session.get(Record, rec.id) is not None


def test_void_needs_reason_and_keeps_record_readable(app, client):
    clerk, head = F.user("clerk"), F.user("department_head")
    rec = F.record(clerk, "TEST-REC")
    service.sign(rec, clerk, F.PASSWORD)
    db.session.commit()
    with pytest.raises(service.ValidationFailed) as exc:
        service.void(rec, head, "  ")
    assert "reason" in exc.value.errors
    db.session.rollback()
    service.void(rec, head, "重复登记")
    db.session.commit()
    assert rec.status == "voided" and rec.void_reason == "重复登记"
    with pytest.raises(service.LockedRecord):
        rec.data = "{}"
        db.session.flush()
    db.session.rollback()
    F.login(client, head)
    page = client.get(f"/r/TEST-REC/{rec.id}").get_data(as_text=True)
    assert "重复登记" in page


def test_amend_creates_linked_revision_and_supersedes_when_approved(app, client):
    clerk, head = F.user("clerk"), F.user("department_head")
    rec = _close(clerk, head, F.record(clerk, "TEST-REC"))
    with pytest.raises(service.ValidationFailed):
        service.amend(rec, head, "")
    db.session.rollback()
    new = service.amend(rec, head, "客户电话登记错误")
    db.session.commit()
    assert new.amended_from_id == rec.id and new.revision_no == 1 and new.status == "draft"
    with pytest.raises(service.Conflict):
        service.amend(rec, head, "again")
    db.session.rollback()
    # The head started it; a clerk of the department completes and submits it, the head reviews.
    service.update(new, clerk, MultiDict({**F.REC, "phone_number": "0756-2219999"}), "zh_CN", new.version)
    service.sign(new, clerk, F.PASSWORD)
    db.session.commit()
    F.handled(new, clerk)
    db.session.refresh(rec)
    assert rec.status == "closed"  # still current until the amendment is approved
    service.sign(new, head, F.PASSWORD)
    db.session.commit()
    db.session.refresh(rec)
    assert rec.status == "superseded" and rec.superseded_by_id == new.id
    assert new.number == rec.number and new.display_number == rec.number + "/R1"
    # The old revision stays readable with its signatures still valid.
    assert all(s.is_valid(rec, specs.by_revision(rec.form_revision_id)) for s in rec.signatures)
    F.login(client, head)
    html = client.get(f"/r/TEST-REC/{rec.id}").get_data(as_text=True)
    assert "0756-2212345" in html and f"/r/TEST-REC/{new.id}" in html


def test_record_keeps_the_form_revision_it_was_filled_under(app, tmp_path):
    clerk = F.user("clerk")
    rec = F.record(clerk, "TEST-REC")
    old_rev = rec.form_revision_id
    # A new revision of the declaration with an extra field.
    import shutil
    folder = tmp_path / "forms"
    shutil.copytree(MOCK_FORMS_DIR, folder)
    p = folder / "TEST-REC.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("revision: A", "revision: B").replace(
        "  - {name: reply_due_on,", "  - {name: callback_on, type: date, label: {zh: 回访日期, en: Callback on}}\n  - {name: reply_due_on,"),
        encoding="utf-8")
    specs.sync(folder)
    db.session.commit()
    specs.reset_cache()
    assert specs.get("TEST-REC").revision == "B"
    assert specs.by_revision(old_rev).revision == "A"
    assert "callback_on" not in specs.by_revision(rec.form_revision_id).field_map
    newer = F.record(clerk, "TEST-REC")
    assert newer.form_revision_id != old_rev
