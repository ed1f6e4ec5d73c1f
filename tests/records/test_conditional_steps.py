"""A step that applies only when a field says so (`only_if`) asks for its own required fields only
when it applies: a record that passes over it is signed to the end without them, and one that takes
it cannot pass it without them. The signatures' hashes still cover every field up to their step.
covers: REC-02"""
import pytest
from werkzeug.datastructures import MultiDict

from qms.core.errors import ValidationFailed
from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from tests import factories as F


def _made(clerk, **values):
    rec = service.create(specs.get("TEST-BRANCH"), clerk, MultiDict({"subject": "备用金报销", **values}), "zh_CN")
    db.session.commit()
    service.sign(rec, clerk, F.PASSWORD)
    db.session.commit()
    return rec


def _fill_and_sign(rec, user, **values):
    service.update(rec, user, MultiDict(values), "zh_CN", rec.version)
    service.sign(rec, user, F.PASSWORD)
    db.session.commit()


def test_a_passed_over_step_does_not_ask_for_its_fields(app):
    clerk = F.user("clerk")
    rec = _made(clerk)
    assert rec.current_step == "close"
    _fill_and_sign(rec, clerk, result="已报销")
    assert rec.status == "closed" and "approval_note" not in rec.values
    assert all(sig.content_hash == rec.signed_hash(sig.step, specs.get("TEST-BRANCH")) for sig in rec.signatures)


def test_a_step_that_applies_still_asks_for_its_fields(app):
    clerk, head = F.user("clerk"), F.user("department_head")
    rec = _made(clerk, large="y")
    assert rec.current_step == "approve"
    with pytest.raises(ValidationFailed) as refused:
        service.sign(rec, head, F.PASSWORD)
    assert "批准意见" in " ".join(refused.value.errors["password"])
    db.session.rollback()
    _fill_and_sign(rec, head, approval_note="同意")
    assert rec.current_step == "close"
