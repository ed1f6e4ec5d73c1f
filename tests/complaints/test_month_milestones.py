"""The billing-month milestones (CS-06) as records that close their duties: bills by the 28th (a
holiday on the 28th moves it to the working day before), payment notices before the 5th, last
month's long-distance records online before the 4th; each confirmed by its department's head.
covers: CS-06"""
from datetime import date, datetime

import pytest
from sqlalchemy import select

from qms.core import timeutil
from qms.core.errors import SignatureRefused, ValidationFailed
from qms.extensions import db
from qms.records import service
from qms.reminders import duties, engine, rules, workcal
from qms.reminders.models import ReminderWatch
from tests import factories as F
from tests.complaints.month_helpers import MonthPeople, milestone
from tests.support.api import token_for
from tests.support.clock import SH, at
from tests.support.records import sign


@pytest.fixture
def p(app):
    return MonthPeople()


def _watch(rule_id, period):
    return db.session.execute(select(ReminderWatch).where(
        ReminderWatch.rule_id == rule_id, ReminderWatch.period == period,
        ReminderWatch.subject_type == "calendar")).scalar_one()


def _states(period):
    wanted = [r for r in rules.calendar() if r.id in ("cs06-bills", "cs06-notices", "cs06-longdistance")]
    return {rule.id: next(d.state for d in ds if d.period == period)
            for rule, ds in duties.table(wanted, timeutil.utcnow())}


def test_cs06_each_milestone_closes_its_own_duty_with_a_holiday_on_the_28th(p):
    admin = F.user("admin")
    workcal.change_days(date(2026, 12, 28), date(2026, 12, 28), "holiday", "测试假日", admin)
    timeutil.set_clock(at(12, 1))
    engine.ensure_calendar_watches(rules.all_rules(), at(12, 1))
    db.session.commit()
    # 「每月28日(除节假日)」: the 28th a holiday → Friday the 25th; "前" is before: the 3rd and the 4th.
    assert _watch("cs06-bills", "2026-12").due_at.astimezone(SH) == datetime(2026, 12, 25, 17, 30, tzinfo=SH)
    assert _watch("cs06-longdistance", "2026-12").due_at.astimezone(SH).date() == date(2026, 12, 3)
    assert _watch("cs06-notices", "2026-12").due_at.astimezone(SH).date() == date(2026, 12, 4)

    timeutil.set_clock(at(12, 2, 15))
    online = milestone(p.itn_clerk, "2026-12", "online")  # November's records, online on 2 December
    sign(online, p.itn_clerk)
    assert _states("2026-12")["cs06-longdistance"] == duties.OPEN  # filed, not yet confirmed
    sign(online, p.itn_head)
    assert online.status == "closed"
    assert _states("2026-12") == {"cs06-longdistance": duties.DONE, "cs06-notices": duties.OPEN,
                                  "cs06-bills": duties.OPEN}
    assert not _watch("cs06-longdistance", "2026-12").active and _watch("cs06-bills", "2026-12").active

    notices = milestone(p.bil_clerk, "2026-12", "notices")
    sign(notices, p.bil_clerk)
    sign(notices, p.bil_head)
    assert _states("2026-12")["cs06-notices"] == duties.DONE and _states("2026-12")["cs06-bills"] == duties.OPEN

    timeutil.set_clock(at(12, 26))  # the day after the moved deadline: overdue until the bills are confirmed
    assert _states("2026-12")["cs06-bills"] == duties.OVERDUE
    bills = milestone(p.bil_clerk, "2026-12", "bills", bills_done_on="2026-12-24")
    sign(bills, p.bil_clerk)
    sign(bills, p.bil_head)
    assert _states("2026-12")["cs06-bills"] == duties.DONE
    assert not _watch("cs06-bills", "2026-12").active
    # Voiding the confirmation opens the duty again.
    service.void(bills, p.bil_head, "日期填错", password=F.PASSWORD)
    db.session.commit()
    assert _states("2026-12")["cs06-bills"] == duties.OVERDUE and _watch("cs06-bills", "2026-12").active


def test_cs06_only_the_confirming_department_signs_its_step(p):
    timeutil.set_clock(at(12, 2))
    rec = milestone(p.bil_clerk, "2026-12", "notices")
    sign(rec, p.bil_clerk)
    with pytest.raises(SignatureRefused):  # 电脑网络部's head may not confirm 核算室's notices
        service.sign(rec, p.itn_head, F.PASSWORD)
    db.session.rollback()
    assert rec.current_step == "notices"


@pytest.mark.parametrize("who, values, field", [
    ("itn_clerk", {"milestone": "bills"}, "milestone"),  # bills are 核算室's
    ("bil_clerk", {"bills_checked": ""}, "bills_checked"),  # the checklist not ticked
    ("bil_clerk", {"bills_done_on": "2026-10-30"}, "bills_done_on"),  # before the billing month
    ("bil_clerk", {"month": "2027-02", "bills_done_on": "2026-11-25"}, "month"),  # more than a month ahead
    ("bil_clerk", {"month": "2026-13", "bills_done_on": "2026-11-25"}, "month"),  # not a month
])
def test_cs06_bad_milestones_are_refused_on_the_field(p, who, values, field):
    timeutil.set_clock(at(11, 30))
    with pytest.raises(ValidationFailed) as exc:
        milestone(getattr(p, who), values.pop("month", "2026-11"), "bills", **values)
    assert field in exc.value.errors
    db.session.rollback()


def test_cs06_dates_out_of_order_and_a_second_confirmation_are_refused(p):
    timeutil.set_clock(at(12, 3))
    with pytest.raises(ValidationFailed) as exc:
        milestone(p.bil_clerk, "2026-12", "notices", first_return_on="2026-12-02", handed_on="2026-12-01")
    assert "handed_on" in exc.value.errors
    db.session.rollback()
    with pytest.raises(ValidationFailed) as exc:  # November's notices cannot be handed over in October
        milestone(p.bil_clerk, "2026-12", "notices", first_return_on="2026-10-30")
    assert "first_return_on" in exc.value.errors
    db.session.rollback()
    first = milestone(p.bil_clerk, "2026-12", "notices")
    sign(first, p.bil_clerk)
    with pytest.raises(ValidationFailed) as exc:
        milestone(p.bil_clerk, "2026-12", "notices")
    assert "milestone" in exc.value.errors and first.number in exc.value.errors["milestone"][0]
    db.session.rollback()


def test_cs06_api_refuses_a_milestone_of_another_department_with_422(p, client):
    timeutil.set_clock(at(12, 2))
    resp = client.post("/api/v1/forms/CS-BILLMONTH/records", headers=token_for(p.itn_clerk), json={"values": {
        "milestone": "bills", "month": "2026-12", "bills_done_on": "2026-12-01", "bills_checked": True}})
    assert resp.status_code == 422
    assert "milestone" in resp.get_json()["fields"]
