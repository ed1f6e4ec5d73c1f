"""The admin's working calendar: a range of days in one submission, weekdays shown beside the dates,
a make-up working day on a Monday to Friday refused, one audit row per day changed.
covers: CS-04 (issue #11 item 10)"""
from datetime import date

import pytest
from sqlalchemy import func, select

from qms.core.audit import AuditEvent
from qms.core.errors import ValidationFailed
from qms.extensions import db
from qms.reminders import workcal
from qms.reminders.models import CalendarDay, DayKind
from tests import factories as F


def _days():
    return {d.day: (d.kind, d.name) for d in db.session.execute(select(CalendarDay)).scalars()}


def _audited():
    return db.session.execute(select(AuditEvent.object_id, AuditEvent.changes)
                              .where(AuditEvent.action == "calendar_changed").order_by(AuditEvent.id)).all()


def _post(client, **data):
    return client.post("/admin/reminders", data={"csrf_token": F.csrf(client, "/admin/reminders"), **data})


@pytest.fixture
def admin_client(app, client):
    F.login(client, F.user("admin"))
    return client


def test_a_range_of_holidays_is_written_in_one_go_with_an_audit_row_per_day(app, admin_client):
    resp = _post(admin_client, day="2026-10-01", day_to="2026-10-07", kind="holiday", name="国庆")
    assert resp.status_code == 302
    db.session.expire_all()
    assert _days() == {date(2026, 10, d): (DayKind.HOLIDAY, "国庆") for d in range(1, 8)}
    assert [r[0] for r in _audited()] == [f"2026-10-0{d}" for d in range(1, 8)]
    html = admin_client.get("/admin/reminders").get_data(as_text=True)
    assert "<td>2026-10-01</td><td>周四</td>" in html and "<td>2026-10-04</td><td>周日</td>" in html
    assert "<td>2026-10-01</td><td>Thu</td>" in admin_client.get("/admin/reminders?lang=en").get_data(as_text=True)
    # The same again changes nothing and logs nothing; a new name changes each day once.
    _post(admin_client, day="2026-10-01", day_to="2026-10-07", kind="holiday", name="国庆")
    assert len(_audited()) == 7
    _post(admin_client, day="2026-10-01", day_to="2026-10-02", kind="holiday", name="国庆节")
    assert len(_audited()) == 9 and '"name": ["国庆", "国庆节"]' in _audited()[-1][1]


def test_a_make_up_working_day_on_a_weekday_is_refused_and_nothing_is_written(app, admin_client):
    resp = _post(admin_client, day="2026-10-09", day_to="2026-10-11", kind="workday", name="国庆调休")
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "2026-10-09 周五：周一至周五本来就是工作日" in html  # beside the date field
    assert 'value="2026-10-09"' in html and 'value="国庆调休"' in html  # what was typed is kept
    db.session.expire_all()
    assert _days() == {} and _audited() == []
    resp = _post(admin_client, day="2026-10-10", day_to="2026-10-11", kind="workday", name="国庆调休")
    assert resp.status_code == 302
    db.session.expire_all()
    assert _days() == {date(2026, 10, 10): (DayKind.WORKDAY, "国庆调休"), date(2026, 10, 11): (DayKind.WORKDAY, "国庆调休")}
    assert workcal.is_working_day(date(2026, 10, 10), workcal.exceptions(date(2026, 10, 1), date(2026, 10, 31)))


@pytest.mark.parametrize("data, field, message", [
    ({"day": "2026-10-07", "day_to": "2026-10-01"}, "day_to", "截止日期早于起始日期。"),
    ({"day": "2026-01-01", "day_to": "2027-01-02"}, "day_to", "一次最多 366 天。"),
    ({"day": "2026-13-01"}, "day", "YYYY-MM-DD"),
    ({"day": "2026-10-01", "day_to": "10/07"}, "day_to", "YYYY-MM-DD"),
    ({"day": "2026-10-01", "kind": "party"}, "kind", "选项无效"),
])
def test_a_bad_range_is_refused_with_a_field_message(app, admin_client, data, field, message):
    resp = _post(admin_client, **{"kind": "holiday", "name": "x", **data})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert message in html
    assert f'has-error"><label for="cal-{field.replace("_", "-")}"' in html  # beside its field
    db.session.expire_all()
    assert _days() == {} and _audited() == []


def test_removing_a_range_takes_out_the_days_in_it(app, admin_client):
    _post(admin_client, day="2026-10-01", day_to="2026-10-03", kind="holiday", name="国庆")
    resp = _post(admin_client, day="2026-10-02", day_to="2026-10-05", kind="remove")
    assert resp.status_code == 302
    db.session.expire_all()
    assert set(_days()) == {date(2026, 10, 1)}
    assert [r[0] for r in _audited()][-2:] == ["2026-10-02", "2026-10-03"]
    resp = _post(admin_client, day="2026-11-02", kind="remove")
    assert resp.status_code == 422 and "该日期不在工作日历中。" in resp.get_data(as_text=True)


def test_the_service_writes_nothing_itself_on_a_refusal(app):
    admin = F.user("admin")
    with app.test_request_context("/"):
        with pytest.raises(ValidationFailed) as refused:
            workcal.change_days(date(2026, 10, 9), date(2026, 10, 10), workcal.WORKDAY, "调休", admin)
    assert set(refused.value.errors) == {"day"}
    assert db.session.execute(select(func.count()).select_from(CalendarDay)).scalar() == 0
    with app.test_request_context("/"):
        assert workcal.change_days(date(2026, 10, 10), date(2026, 10, 10), workcal.WORKDAY, "调休", admin) == 1
    db.session.commit()
    assert _days() == {date(2026, 10, 10): ("workday", "调休")}
