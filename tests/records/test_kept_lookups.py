"""A lookup table a procedure keeps as data (``FormRules.lookups``), read by ``compute:`` in place of
the YAML table of the same name, on the mock form TEST-LINES: the kept rows win, the declared shape
still checks expressions, and a table marked ``missing_is_empty`` reads a missing key as empty.
covers: REC-02"""
import pytest
from werkzeug.datastructures import MultiDict

import qms
from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from qms.records.procedures import FormRules, Procedure, load
from tests import factories as F

KEPT = {"rows": [{"grade": "A", "first": 5, "repeat": 7}], "missing_is_empty": False}


def _kept():
    return {"rewards": {"key": "grade", "rows": KEPT["rows"], "columns": frozenset(("grade", "first", "repeat")),
                        "missing_is_empty": KEPT["missing_is_empty"]}}


PROCEDURES = (*load(qms.PROCEDURES), Procedure("QP-TEST", forms={"TEST-LINES": FormRules(lookups=_kept)}))
BASE = {"customer_name": "陈建国", "phone_number": "0756-2212345", "repeat": "y",
        "items-0-service": "local", "items-0-quantity": "3", "items-0-price": "1.5"}


def _create(u, grade):
    rec = service.create(specs.get("TEST-LINES"), u, MultiDict({**BASE, "grade": grade}), "zh_CN")
    db.session.commit()
    return rec


def test_a_kept_table_replaces_the_declared_one_and_may_read_a_missing_key_as_empty(app):
    clerk = F.user("clerk")
    assert _create(clerk, "A").values["reward"] == 7  # the declared table says 100
    with pytest.raises(service.ValidationFailed) as exc:  # B is in the YAML table, not in the kept one
        _create(clerk, "B")
    assert "reward" in exc.value.errors
    db.session.rollback()
    KEPT["missing_is_empty"] = True
    try:
        assert _create(clerk, "B").values["reward"] is None
    finally:
        KEPT["missing_is_empty"] = False
