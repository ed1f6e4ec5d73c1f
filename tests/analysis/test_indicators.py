"""The computed indicators (DA-01): each value equals a count the test makes itself from the records it
created; voiding a record changes the number; ``rebuild()`` gives the counters the hooks kept.
covers: DA-01"""
from decimal import Decimal

import pytest
from sqlalchemy import select

from qms.analysis import indicators, indicators_store
from qms.core import timeutil
from qms.extensions import db
from qms.records import service
from qms.records.models import CLOSED, IN_PROGRESS, Record
from tests import factories as F
from tests.analysis.indicators_helpers import close_nc, complaint, nonconformity, void
from tests.capa.helpers import People as CapaPeople
from tests.complaints.fees_helpers import CASH, FOUND, People, accept, step
from tests.support.clock import at
from tests.support.records import fill, sign


@pytest.fixture
def people(app):
    return {"clerk": F.user("clerk", "CSD"), "omd": F.user("clerk", "OMD"),
            "quality": F.user("quality_manager", "EMD")}


def _counted(form: str, month: str, pred) -> list[Record]:
    """The test's own count: submitted records of ``form`` whose value says ``month`` and ``pred`` holds."""
    recs = db.session.execute(select(Record).where(Record.form_code == form,
                                                   Record.status.in_((IN_PROGRESS, CLOSED)))).scalars().all()
    return [r for r in recs if pred(r)]


def test_da01_complaints_of_a_month_by_grade_and_category_equal_the_records(app, people):
    c = people["clerk"]
    complaint(c, received_at="2026-11-03T09:00", severity="serious", category="complaint")
    complaint(c, received_at="2026-11-10T09:00", severity="general", category="billing")
    complaint(c, received_at="2026-11-28T23:30", severity="serious", category="fault", handling_department="OMD")
    complaint(c, received_at="2026-10-31T23:59", severity="serious")  # October
    F.record(c, "CS-INQ", received_at="2026-11-12T09:00")  # a draft: not counted
    mine = _counted("CS-INQ", "2026-11", lambda r: r.values["received_at"].startswith("2026-11"))
    got = indicators.month_values("2026-11")
    assert got["complaints"].value == Decimal(len(mine)) == 3
    assert got["complaints_serious"].value == len([r for r in mine if r.values["severity"] == "serious"]) == 2
    assert indicators.month_values("2026-11", "OMD")["complaints"].numerator == 1
    assert dict(indicators.breakdown("complaints", "2026-11", "grade")) == {"serious": 2, "general": 1}
    assert dict(indicators.breakdown("complaints", "2026-11", "category")) == {"complaint": 1, "billing": 1, "fault": 1}
    assert dict(indicators.breakdown("complaints", "2026-11", "department")) == {"CSD": 2, "OMD": 1}
    assert [v.value for v in indicators.series("complaints", ["2026-09", "2026-10", "2026-11"])] == [0, 1, 3]


def test_da01_voiding_a_complaint_takes_it_out_of_the_number(app, people):
    c = people["clerk"]
    keep = complaint(c, received_at="2026-11-03T09:00", severity="serious")
    gone = complaint(c, received_at="2026-11-04T09:00", severity="serious")
    assert indicators.month_values("2026-11")["complaints_serious"].value == 2
    void(gone, F.user("department_head", "CSD"))
    got = indicators.month_values("2026-11")
    assert got["complaints_serious"].value == 1 and got["complaints"].value == 1
    assert keep.status == IN_PROGRESS


def test_da01_an_amendment_counts_in_place_of_its_original_once_it_closes(app, people):
    c, head = people["clerk"], F.user("department_head", "CSD")
    rec = complaint(c, received_at="2026-11-03T09:00", category="complaint", outcome="on_spot",
                    on_spot_answer="当场解释", handling_department="", cause="")
    assert rec.status == CLOSED and dict(indicators.breakdown("complaints", "2026-11", "category")) == {"complaint": 1}
    new = service.amend(rec, head, "类别录入有误,需派单处理")
    db.session.commit()
    kept = {k: v for k, v in new.values.items() if isinstance(v, str) and v}  # the form as it opens, amended
    fill(new, c, **{**kept, "category": "billing", "outcome": "dispatch", "handling_department": "CSD",
                    "cause": "operator", "on_spot_answer": ""})
    sign(new, c)
    assert new.status == IN_PROGRESS  # the original still counts, the amendment not yet: never both
    assert dict(indicators.breakdown("complaints", "2026-11", "category")) == {"complaint": 1}
    sign(fill(new, c, handling="已核查处理", told_how="phone", told_at="2026-11-03T15:00"), c)
    sign(fill(new, head, satisfaction="satisfied"), head)
    assert new.status == CLOSED and rec.status == "superseded"
    assert dict(indicators.breakdown("complaints", "2026-11", "category")) == {"billing": 1}
    assert indicators.month_values("2026-11")["complaints"].value == 1


def test_da01_nonconformities_closed_by_their_due_day(app):
    p = CapaPeople()
    timeutil.set_clock(at(11, 6))
    on_time = nonconformity(p.clerk, found_on="2026-11-05")
    late = nonconformity(p.clerk, found_on="2026-11-01")
    nonconformity(p.clerk, found_on="2026-11-06")  # still open: in the denominator only
    close_nc(on_time, p, 19)  # closed on the 20th, 15 days after it was found
    close_nc(late, p, 1, month=12)  # closed on 2 December, 31 days after: past the 30-day default
    val = indicators.month_values("2026-11")["nc_closed_on_time"]
    mine = _counted("CA-NC", "2026-11", lambda r: r.values["found_on"].startswith("2026-11"))
    assert (val.numerator, val.denominator) == (1, len(mine)) == (1, 3)
    assert val.value == Decimal("33.3")
    assert indicators.month_values("2026-11", "OMD")["nc_closed_on_time"].value is None


def test_da01_fee_disputes_settled_within_24_hours_leave_out_complex_cases(app):
    p = People()
    timeutil.set_clock(at(11, 19, 10))
    fast = accept(p.clerk, received_at="2026-11-19T09:30")
    slow = accept(p.clerk, received_at="2026-11-19T09:30")
    accept(p.clerk, received_at="2026-11-19T09:30", complex_case="y", complex_reason="涉及省公司梦网结算,需跨月核实")
    explain = {**CASH, "route": "explain", "refund_method": "", "refund_kind": "", "refund_amount": ""}
    step(fast, p.clerk, **FOUND)
    step(fast, p.clerk, **explain)  # resolved the same morning
    timeutil.set_clock(at(11, 21, 10))
    step(slow, p.clerk, **FOUND)
    step(slow, p.clerk, **{**explain, "resolved_on": "2026-11-21"})  # two days later
    val = indicators.month_values("2026-11")["fee_disputes_24h"]
    assert (val.numerator, val.denominator, val.value) == (1, 2, Decimal("50.0"))
    assert indicators.month_values("2026-11")["complaints"].value == 3  # every dispute is a complaint


def test_da01_rebuild_gives_the_counts_the_hooks_kept(app):
    p = CapaPeople()
    c = p.clerk
    timeutil.set_clock(at(11, 6))
    complaint(c, received_at="2026-11-03T09:00", severity="serious")
    gone = complaint(c, received_at="2026-10-03T09:00", severity="minor", category="fault")
    n = nonconformity(c, found_on="2026-11-05")
    close_nc(n, p, 10)
    void(gone, p.head)
    kept = indicators_store.kept_counts()
    assert kept == indicators_store.counts_from_parts()
    indicators_store.rebuild()
    db.session.commit()
    assert indicators_store.kept_counts() == kept
    assert indicators.month_values("2026-11")["nc_closed_on_time"].value == Decimal("100.0")
