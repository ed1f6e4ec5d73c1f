"""Rules, working time and month-end edges.
covers: CS-04, CS-06, CS-07, CS-10, CS-13, CS-14, DA-02, DA-03, CA-04, INS-02, INS-03, INS-07"""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from qms.extensions import db
from qms.reminders import engine, rules, workcal
from qms.reminders.models import CalendarDay

SH = ZoneInfo("Asia/Shanghai")


def test_every_dated_requirement_has_a_declared_rule(app):
    declared = {r.requirement for r in rules.all_rules()}
    for req in ("CS-04", "CS-06", "CS-07", "CS-10", "CS-13", "CS-14", "DA-02", "DA-03", "CA-04",
                "INS-02", "INS-03", "INS-07"):
        assert req in declared, req
    # Rules live next to what they serve: the forms' and the procedure packages' declarations.
    assert rules.by_id()["cs10-reply-due"].form == "CS-INQ"


def test_month_end_edges():
    assert workcal.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert workcal.add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert workcal.add_months(date(2024, 2, 29), 24) == date(2026, 2, 28)  # biennial from a leap day
    assert workcal.day_of_month(2026, 2, 30) == date(2026, 2, 28)  # "by the 30th" in February
    assert workcal.day_of_month(2026, 11, 31) == date(2026, 11, 30)


def test_monthly_rule_periods_and_deadlines(app):
    rule = rules.by_id()["cs14-repricing"]  # by the 30th
    assert engine.deadline_for_period(rule, "2026-02").astimezone(SH).date() == date(2026, 2, 28)
    now = datetime(2026, 11, 22, 10, tzinfo=SH)
    assert engine.periods(rule, now) == ["2026-11", "2026-12"]
    assert engine.periods(rule, datetime(2026, 12, 31, 10, tzinfo=SH)) == ["2026-12", "2027-01"]
    survey = rules.by_id()["da02-survey"]
    assert engine.periods(survey, now) == ["2026", "2027"]


def test_working_hours_skip_weekends_holidays_and_count_makeup_days(app):
    start = datetime(2026, 10, 2, 16, 30, tzinfo=SH)  # a Friday, one working hour left
    assert workcal.add_working_hours(start, 2) == datetime(2026, 10, 5, 9, 30, tzinfo=SH)  # Monday
    db.session.add_all([CalendarDay(day=date(2026, 10, 5), kind="holiday", name="国庆"),
                        CalendarDay(day=date(2026, 10, 6), kind="holiday", name="国庆"),
                        CalendarDay(day=date(2026, 10, 10), kind="workday", name="国庆调休")])
    db.session.commit()
    assert workcal.add_working_hours(start, 2) == datetime(2026, 10, 7, 9, 30, tzinfo=SH)
    sat = datetime(2026, 10, 10, 8, 0, tzinfo=SH)  # a Saturday worked in exchange
    assert workcal.add_working_hours(sat, 1) == datetime(2026, 10, 10, 9, 30, tzinfo=SH)


def test_sla_deadline_in_calendar_or_working_hours_and_faster_for_some(app):
    raw = {"id": "t", "kind": "sla", "form": "CS-INQ", "field": "received_at", "hours": 24,
           "title": {"zh": "测", "en": "t"}, "faster": [{"field": "severity", "value": "serious", "hours": 4}]}
    rule = rules.parse(raw)
    due = engine.deadline_for_record(rule, {"received_at": "2026-11-20T09:00", "severity": "general"})
    assert due.astimezone(SH) == datetime(2026, 11, 21, 9, 0, tzinfo=SH)
    fast = engine.deadline_for_record(rule, {"received_at": "2026-11-20T09:00", "severity": "serious"})
    assert fast.astimezone(SH) == datetime(2026, 11, 20, 13, 0, tzinfo=SH)
    working = rules.parse({**raw, "working_hours": True, "hours": 9})
    friday = engine.deadline_for_record(working, {"received_at": "2026-11-20T17:00", "severity": "general"})
    assert friday.astimezone(SH) == datetime(2026, 11, 23, 17, 0, tzinfo=SH)  # 0.5 h Friday + 8.5 h Monday


@pytest.mark.parametrize("raw, msg", [
    ({"id": "x", "kind": "weekly", "title": {"zh": "a", "en": "b"}}, "kind"),
    ({"id": "x", "kind": "monthly", "day": 40, "title": {"zh": "a", "en": "b"}}, "day"),
    ({"id": "x", "kind": "due", "title": {"zh": "a", "en": "b"}}, "form and a field"),
    ({"id": "x", "kind": "monthly", "day": 3, "title": {"zh": "a"}}, "zh and en"),
    ({"id": "x", "kind": "monthly", "day": 3, "title": {"zh": "a", "en": "b"}, "ladder": [{"after_hours": 1, "to": "janitor"}]}, "ladder"),
])
def test_bad_rule_declarations_are_refused(raw, msg):
    with pytest.raises(rules.RuleError) as exc:
        rules.parse(raw)
    assert msg in str(exc.value)


def test_interval_rule_every_n_months_from_the_last_event(app):
    """INS-03: next calibration = last passing calibration + 24 months (leap day clamped)."""
    rule = rules.parse({"id": "every-24-months", "kind": "interval", "months": 24, "form": "INS-CAL",
                        "field": "last_passed_on", "lead_days": [60, 30, 7], "title": {"zh": "检定", "en": "Calibration"}})
    assert rule.kind == "interval" and rule.months == 24
    due = engine.deadline_for_record(rule, {"last_passed_on": "2024-02-29"})
    assert due.astimezone(SH).date() == date(2026, 2, 28)
    leads = [e.stage for e in engine.schedule(rule, due) if e.stage.startswith("lead")]
    assert leads == ["lead:60", "lead:30", "lead:7"]
