"""Identified objects (IT-01): the register holds each object with one of S003's seven object types,
its responsible department, method and place; an identification check (IT-CHECK) lists the objects
it checked, picked from that register (anything else is refused on the row); the detailed rules are a
controlled document owned by 企业管理部.
covers: IT-01"""
import pytest

from qms.core.errors import ValidationFailed
from qms.documents.loader import current as current_procedure
from qms.extensions import db
from qms.records import spec as specs
from tests import factories as F
from tests.support.records import sign


def test_it01_the_register_has_the_seven_object_types_and_checks_pick_from_it(app):
    types = [v for v, _label in specs.get("IT-OBJECT").field_map["object_type"].choices]
    assert types == ["premises", "guide", "customer_category", "work_order_status", "facility", "computer", "material"]
    head = F.user("department_head", "AHR")
    obj = sign(F.record(head, "IT-OBJECT", object_type="premises", name="香洲营业厅门头", responsible_department="AHR",
                        content="营业厅名称、营业时间", method="门头标牌", location="香洲区凤凰路"), head)
    quality = F.user("quality_manager", "EMD")
    check = F.record(quality, "IT-CHECK", checked_on="2026-11-02", departments_checked="AHR", scope="营业场所标识",
                     checkers="质量办", outcome="findings",
                     **{"objects_checked-0-object": obj.number, "objects_checked-0-finding": "improper"})
    assert check.values["objects_checked"][0]["object"] == obj.id
    with pytest.raises(ValidationFailed) as e:
        F.record(quality, "IT-CHECK", checked_on="2026-11-02", departments_checked="AHR", scope="营业场所标识",
                 checkers="质量办", outcome="findings",
                 **{"objects_checked-0-object": check.display_number, "objects_checked-0-finding": "improper"})
    assert "objects_checked" in str(e.value.errors)
    db.session.rollback()
    with pytest.raises(ValidationFailed) as e:  # a row without an object
        F.record(quality, "IT-CHECK", checked_on="2026-11-02", departments_checked="AHR", scope="营业场所标识",
                 checkers="质量办", outcome="findings", **{"objects_checked-0-finding": "improper"})
    assert "objects_checked" in e.value.errors
    db.session.rollback()


def test_it01_the_detailed_rules_are_a_controlled_document_of_enterprise_management(app):
    doc = current_procedure("QI-IT-01")
    assert doc is not None and doc.meta["owner_department"] == "企业管理部"
    assert "草稿" in doc.body and "营业场所" in doc.body
