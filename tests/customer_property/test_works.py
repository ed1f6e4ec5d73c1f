"""Customer self-built works (CP-05, CP-02): the agreement signed with the customer registers the
works; acceptance starts only with the design documents and the contractor's test report attached;
rounds follow one another until one passes (none while one is unsigned, none after a pass); a
failed round puts the works in rectification with its deadline; only a pass lets service open.
covers: CP-05, CP-02"""
import pytest

from qms.core.errors import SignatureRefused, ValidationFailed
from qms.customer_property import register as reg
from qms.customer_property import works
from qms.extensions import db
from tests.customer_property import works_helpers as W
from tests.support.records import sign


@pytest.fixture
def p(app):
    return W.People()


def test_cp05_signing_the_agreement_needs_the_customer_and_registers_the_works_pending(p):
    rec = W.service.create(W.specs.get(works.WORKS), p.clerk, W.MultiDict(W.AGREEMENT), "zh_CN")
    db.session.commit()
    with pytest.raises(SignatureRefused):  # the customer has not signed
        sign(rec, p.clerk)
    db.session.rollback()
    assert works.works_item(rec) is None
    W.customer_signs(rec, p.clerk)
    sign(rec, p.clerk)
    item = works.works_item(rec)
    assert item.kind == "works" and item.state == reg.PENDING and item.phone_key
    assert item.customer_name == "珠海海天贸易有限公司" and item.model == W.AGREEMENT["works_name"]
    assert rec.current_step == works.OPENED


def test_cp05_acceptance_is_refused_on_the_field_until_both_documents_are_attached(p):
    rec = W.agreement(p, documents=False)
    with pytest.raises(ValidationFailed) as exc:
        W.new_round(p, rec)
    assert "设计文件" in exc.value.errors["agreement"][0] or "design" in exc.value.errors["agreement"][0]
    db.session.rollback()
    W.attach(rec, p.clerk, "design")
    with pytest.raises(ValidationFailed) as exc:
        W.new_round(p, rec)
    assert list(exc.value.errors) == ["agreement"]
    db.session.rollback()
    W.attach(rec, p.clerk, "report")
    first = W.new_round(p, rec)
    assert first.values["round_no"] == 1 and first.values["customer_name"] == "珠海海天贸易有限公司"


def test_cp05_rounds_until_pass_one_at_a_time_and_none_after_the_pass(p):
    rec = W.agreement(p)
    item = works.works_item(rec)
    first = W.new_round(p, rec, fail=("接地与防雷", "标识"))
    assert first.values["result"] == "fail" and first.values["failed_items"] == 2
    assert first.values["rectify_by"] == "2026-12-10"  # accepted 11-10 + the default 30 days
    with pytest.raises(ValidationFailed) as exc:  # round 1 is not signed yet
        W.new_round(p, rec)
    assert "agreement" in exc.value.errors
    db.session.rollback()
    sign(first, p.tech)
    assert item.state == reg.PENDING  # reviewed by the head first
    sign(first, p.tdhead)
    assert item.state == reg.RECTIFICATION and works.letter_ready(first)
    second = W.closed_round(p, rec, accepted_on="2026-11-25")
    assert second.values["round_no"] == 2 and second.values["result"] == "pass"
    assert second.values["rectify_by"] is None and not works.letter_ready(second)
    assert item.state == reg.ACCEPTED
    assert [e.state_to for e in reg.events(item)] == [reg.PENDING, reg.RECTIFICATION, reg.ACCEPTED]
    with pytest.raises(ValidationFailed) as exc:
        W.new_round(p, rec)
    assert second.number in exc.value.errors["agreement"][0]
    db.session.rollback()
    W.service.void(second, p.tdhead, "验收记录录错工程")  # the pass is withdrawn: back to rectification
    db.session.commit()
    assert item.state == reg.RECTIFICATION and W.new_round(p, rec).values["round_no"] == 2


def test_cp05_a_round_is_signed_only_when_every_item_is_judged(p):
    rec = W.agreement(p)
    data = W.round_values(rec)
    data.pop("items-3-result")
    rnd = W.service.create(W.specs.get(works.ROUND), p.tech, W.MultiDict(data), "zh_CN")
    db.session.commit()
    assert rnd.values["result"] == "open"
    with pytest.raises(SignatureRefused) as exc:
        sign(rnd, p.tech)
    assert "4" in str(exc.value)


def test_cp05_service_opens_only_after_a_passing_round(p):
    rec = W.agreement(p)
    item = works.works_item(rec)
    with pytest.raises(ValidationFailed) as exc:  # the gate, on the field that names the works
        W.open_service(p, rec, item.code)
    assert item.code in exc.value.errors["works_item"][0]
    db.session.rollback()
    W.closed_round(p, rec, fail=("绝缘电阻",))
    with pytest.raises(ValidationFailed):
        W.open_service(p, rec, item.code)
    db.session.rollback()
    W.closed_round(p, rec, accepted_on="2026-11-18")
    other = works.works_item(W.agreement(p, works_name="另一工程"))
    with pytest.raises(ValidationFailed) as exc:  # another agreement's works
        W.open_service(p, rec, other.code)
    db.session.rollback()
    W.open_service(p, rec, item.code.lower())
    assert rec.status == "closed" and item.state == reg.IN_USE
