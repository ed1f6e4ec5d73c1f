"""The working calendar seeded from chinese-calendar at ``qms init``, the admin's changes winning,
deadlines moved off non-working days (``on_holiday``, "每月28日(除节假日)") around National Day 2026
and its 调休 Saturday, and the admin page saying which years are known (next year missing: a warning).
covers: CS-06"""
from datetime import date, datetime

import pytest
from sqlalchemy import select

from qms.cli import initialise
from qms.core import timeutil
from qms.core.audit import AuditEvent
from qms.extensions import db
from qms.reminders import engine, holidays, rules, workcal
from qms.reminders.models import CalendarDay, CalendarSeedYear, ReminderWatch
from tests import factories as F
from tests.conftest import make_app
from tests.support.clock import SH, at

DUTY = {"id": "cs06-test-holiday", "requirement": "CS-06", "kind": "monthly", "day": 1,
        "title": {"zh": "测试", "en": "Test"}, "recipients": [{"role": "clerk", "department": "BIL"}]}


def _day(rule_day, on_holiday, period="2026-10"):
    rule = rules.parse({**DUTY, "day": rule_day, **({"on_holiday": on_holiday} if on_holiday else {})})
    return engine.deadline_for_period(rule, period).astimezone(SH).date()


def _calendar():
    return {d.day: (d.kind, d.name) for d in db.session.execute(select(CalendarDay)).scalars()}


@pytest.fixture
def seeded(app):
    holidays.seed()
    db.session.commit()


def test_a_fresh_install_knows_the_holidays_and_make_up_days_of_every_year_the_package_has(tmp_path):
    app, _url = make_app(tmp_path, QMS_SEED_HOLIDAYS=True)  # `qms init` on an empty database
    with app.app_context():
        days = _calendar()
        assert days[date(2026, 10, 1)] == ("holiday", "国庆节") and days[date(2026, 10, 7)] == ("holiday", "国庆节")
        assert days[date(2026, 10, 10)] == ("workday", "国庆节调休")  # a Saturday worked
        assert days[date(2026, 2, 14)] == ("workday", "春节调休") and days[date(2026, 1, 1)][0] == "holiday"
        years = db.session.execute(select(CalendarSeedYear.year).order_by(CalendarSeedYear.year)).scalars().all()
        assert years == holidays.package_years() and years[0] == 2004 and 2026 in years
        assert db.session.execute(select(CalendarSeedYear.source)).scalars().first() == holidays.SOURCE
        db.session.commit()  # SQLite: our reads hold the write lock (BEGIN IMMEDIATE) the migration needs
        assert initialise()[-1].endswith("nothing new")  # idempotent: the years seeded are not seeded again
        assert len(_calendar()) == len(days)
        db.session.remove()
        db.engine.dispose()


def test_the_admins_days_win_over_the_seed(app):
    admin = F.user("admin")
    workcal.change_days(date(2026, 10, 1), date(2026, 10, 1), "holiday", "国庆（本公司）", admin)
    db.session.commit()
    assert holidays.seed()[-1] == max(holidays.package_years())
    db.session.commit()
    assert _calendar()[date(2026, 10, 1)] == ("holiday", "国庆（本公司）")  # typed before the seed: kept
    seeded = db.session.execute(select(AuditEvent).where(AuditEvent.action == "calendar_seeded")).scalar_one()
    assert holidays.SOURCE in seeded.summary and "2004–" in seeded.summary
    # Removed after the seed (audited as any change), it stays removed when `qms init` runs again.
    workcal.change_days(date(2026, 10, 7), date(2026, 10, 7), "remove", "", admin)
    db.session.commit()
    assert holidays.seed() == []
    assert date(2026, 10, 7) not in _calendar()
    assert db.session.execute(select(AuditEvent.object_id).where(AuditEvent.action == "calendar_changed")
                              ).scalars().all() == ["2026-10-01", "2026-10-07"]


def test_on_holiday_moves_a_deadline_to_the_working_day_before_or_after(seeded):
    # 1 October 2026 (Thursday) is National Day; the holiday runs to the 7th.
    assert _day(1, None) == date(2026, 10, 1)  # no on_holiday: the calendar day
    assert _day(1, "earlier") == date(2026, 9, 30)  # Wednesday
    assert _day(1, "later") == date(2026, 10, 8)  # Thursday after the week off
    # 10 October 2026 is a Saturday worked in exchange (调休): a working day, not moved.
    assert _day(10, "earlier") == _day(10, "later") == date(2026, 10, 10)
    # Sunday 11 October: the working day before is that Saturday; after it, Monday.
    assert _day(11, "earlier") == date(2026, 10, 10)
    assert _day(11, "later") == date(2026, 10, 12)
    # Sunday 20 September 2026 is worked too (国庆节调休).
    assert _day(20, "earlier", "2026-09") == date(2026, 9, 20)


def test_billing_by_the_28th_except_holidays(seeded):
    bills = rules.by_id()["cs06-bills"]  # 「核算室每月28日(除节假日)」
    assert bills.on_holiday == "earlier"
    local = lambda p: engine.deadline_for_period(bills, p).astimezone(SH)  # noqa: E731
    assert local("2026-11") == datetime(2026, 11, 27, 17, 30, tzinfo=SH)  # the 28th is a Saturday
    assert local("2026-12").date() == date(2026, 12, 28)  # a Monday
    assert local("2027-02").date() == date(2027, 2, 26)  # Sunday the 28th: Friday
    # The other calendar rules keep the calendar day.
    assert engine.deadline_for_period(rules.by_id()["cs13-refunds"], "2026-09").astimezone(SH).date() == \
        date(2026, 9, 26)  # a Saturday


def test_a_holiday_added_by_the_admin_moves_the_current_deadline(app, client):
    timeutil.set_clock(at(12, 3))
    all_rules = rules.all_rules()
    engine.ensure_calendar_watches(all_rules, at(12, 3))
    db.session.commit()
    watch = lambda: db.session.execute(select(ReminderWatch).where(  # noqa: E731
        ReminderWatch.rule_id == "cs06-bills", ReminderWatch.period == "2026-12")).scalar_one()
    assert watch().due_at.astimezone(SH).date() == date(2026, 12, 28)
    F.login(client, F.user("admin"))
    resp = client.post("/admin/reminders", data={"csrf_token": F.csrf(client, "/admin/reminders"),
                                                 "day": "2026-12-28", "kind": "holiday", "name": "测试假日"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert watch().due_at.astimezone(SH) == datetime(2026, 12, 25, 17, 30, tzinfo=SH)  # Friday before
    assert watch().active


def test_the_admin_page_says_which_years_are_known_and_warns_about_next_year(app, client):
    timeutil.set_clock(at(12, 3))  # 3 December 2026: next year's notice is due any day
    F.login(client, F.user("admin"))
    html = client.get("/admin/reminders").get_data(as_text=True)
    assert "尚未从节假日数据包导入任何年份" in html
    assert "2027年的法定节假日和调休尚未录入" in html
    holidays.seed()
    db.session.commit()
    html = client.get("/admin/reminders").get_data(as_text=True)
    last = max(holidays.package_years())
    assert f"已知以下年份的法定节假日和调休：2004–{last}（来源：{holidays.SOURCE}" in html
    assert last == 2026 and "2027年的法定节假日和调休尚未录入" in html  # chinese-calendar 1.11.0 ends with 2026
    # Next year's holidays typed by hand: no warning, and the page says where they came from.
    F_admin = F.user("admin")
    workcal.change_days(date(2027, 1, 1), date(2027, 1, 1), "holiday", "元旦", F_admin)
    db.session.commit()
    html = client.get("/admin/reminders").get_data(as_text=True)
    assert "2027年的法定节假日和调休尚未录入" not in html and "2027：手工录入" in html
    english = client.get("/admin/reminders?lang=en").get_data(as_text=True)
    assert "2027: entered by hand." in english
    # A year later, 2028 is the one missing.
    timeutil.set_clock(datetime(2027, 12, 3, 10, tzinfo=SH))
    assert "2028年的法定节假日和调休尚未录入" in client.get("/admin/reminders").get_data(as_text=True)
