"""The complaints desk (CS-02, CS-07, CS-08): open complaints by step and department, due within the
next hours by the reply clock, past the reply date, by form, repeat customers; each count a link to
what it counts; a department sees its own; bad parameters are messages and 422.
covers: CS-02, CS-07, CS-08"""
import re

import pytest

from qms.complaints import desk
from qms.core import timeutil
from qms.extensions import db
from qms.records import service
from tests import factories as F
from tests.complaints.month_helpers import MonthPeople, complaint
from tests.support.clock import at


@pytest.fixture
def p(app):
    return MonthPeople()


@pytest.fixture
def desk_data(p):
    """On 30 Nov 16:00: CSD has one complaint closed, one handled (waiting for review), two waiting
    to be handled (one past its reply date, one due tonight); TSD has one waiting; the customer
    0756-2212345 complained three times this month, 0756-3310000 once."""
    tsd = F.user("clerk", "TSD", name="林立")
    timeutil.set_clock(at(11, 20, 9))
    made = {"closed": complaint(p.csd_clerk, "2026-11-20T09:00", handled=True, head=p.csd_head),
            "late": complaint(p.csd_clerk, "2026-11-20T09:30")}
    timeutil.set_clock(at(11, 30, 9))
    made["review"] = complaint(p.csd_clerk, "2026-11-30T08:00", handled=True)
    made["tonight"] = complaint(p.csd_clerk, "2026-11-29T20:00", phone_number="0756-3310000")
    made["tsd"] = complaint(tsd, "2026-11-30T09:00", phone_number="0756 3320000")
    timeutil.set_clock(at(11, 30, 16))
    return made


def test_cs02_desk_counts_for_the_quality_manager(p, desk_data):
    f = desk.DeskFilters()
    rows = desk.open_by_step(f, timeutil.today())
    steps = {(form, step, dept): (n, late) for form, step, dept, n, late in rows}
    csd, tsd = F.dept("CSD").id, F.dept("TSD").id
    assert steps == {("CS-INQ", "handle", csd): (2, 1), ("CS-INQ", "review", csd): (1, 0),
                     ("CS-INQ", "handle", tsd): (1, 0)}
    assert desk.open_by_flow(f, rows) == [("CS-INQ", "", 4)]
    assert desk.overdue(rows) == [("CS-INQ", 1)]  # due 21 Nov, still open
    # The 24-hour clock from received_at: 29 Nov 20:00 runs out at 20:00 tonight, within 8 hours;
    # tsd's, received today, runs out tomorrow (within 24 hours, not 8); "review" was answered (its
    # reply clock stopped when the customer was told).
    count, rows = desk.due_soon(desk.DeskFilters(hours=8), timeutil.utcnow())
    assert count == 1 and desk_data["tonight"].number in rows[0].title
    assert desk.due_soon(desk.DeskFilters(hours=24), timeutil.utcnow())[0] == 2
    count, top = desk.repeat_customers(f, timeutil.utcnow())
    assert count == 1 and top[0][1] == 3 and top[0][0].endswith("2212345")


def test_cs02_a_department_sees_its_own_and_each_count_links_to_its_register(p, desk_data, client):
    F.login(client, p.quality)
    html = client.get("/complaints/desk?hours=24&days=30").get_data(as_text=True)
    assert 'id="open-total">4<' in html and 'id="late-total" class="bad">1<' in html
    assert 'id="repeat-total">1<' in html and 'id="soon-total">2<' in html
    assert "status=in_progress" in html and "reply_due_at_to=2026-11-29" in html
    listed = client.get("/r/CS-INQ/?status=in_progress&reply_due_at_to=2026-11-29").get_data(as_text=True)
    assert desk_data["late"].number in listed and desk_data["tonight"].number not in listed
    F.login(client, F.user("clerk", "TSD", name="何平"))
    html = client.get("/complaints/desk").get_data(as_text=True)
    assert 'id="open-total">1<' in html and 'id="late-total" class="">0<' in html


def test_cs02_bad_desk_parameters_are_messages_with_422(p, desk_data, client):
    F.login(client, p.quality)
    resp = client.get("/complaints/desk?hours=5&department=x")
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert html.count('<div class="error">选项无效。</div>') == 2  # next to the hours and the department


def test_cs08_a_voided_complaint_leaves_the_desk(p, desk_data):
    service.void(desk_data["late"], p.csd_head, "重复录入", password=F.PASSWORD)
    db.session.commit()
    assert desk.overdue(desk.open_by_step(desk.DeskFilters(), timeutil.today())) == []


def test_cs07_the_desk_and_the_month_read_in_english(p, desk_data, client):
    F.login(client, p.quality)
    assert "Complaints desk" in client.get("/complaints/desk?lang=en").get_data(as_text=True)
    html = client.get("/complaints/month/2026-11?lang=en").get_data(as_text=True)
    assert "Complaint summary 2026-11" in html and "Pareto of categories" in html
    assert "Monthly duties" in client.get("/complaints/month?lang=en").get_data(as_text=True)


def test_cs07_the_menu_reaches_the_desk_and_the_desk_every_complaint_page(p, client):
    """投诉 in the menu opens the desk; the desk links the month, the fee month, the reward sheets, the
    catalogue and (for an administrator) the network limits: every part within two clicks."""
    F.login(client, p.csd_clerk)
    home = client.get("/").get_data(as_text=True)
    assert '<a href="/complaints/desk" id="complaints-link">投诉</a>' in home
    html = client.get("/complaints/desk").get_data(as_text=True)
    links = dict(re.findall(r'<a href="([^"]+)" id="part-(\w+)"', html))
    assert set(links.values()) == {"month", "fees", "rewards", "catalogue"}  # no limits: not an administrator
    for href in links:
        assert client.get(href.replace("&amp;", "&")).status_code == 200, href
    admin = F.user("admin", "EMD", name="管理员")
    F.login(client, admin)
    html = client.get("/complaints/desk").get_data(as_text=True)
    assert 'id="part-limits"' in html and client.get("/complaints/network/limits").status_code == 200


def _chain(phone_key: str) -> list:
    from sqlalchemy import select

    from qms.records.customers import CustomerEntry
    rows = db.session.execute(select(CustomerEntry).where(CustomerEntry.phone_key == phone_key)
                              .order_by(CustomerEntry.at, CustomerEntry.record_id)).scalars().all()
    return [(e.record_id, e.prev_at) for e in rows]


def _grouped(days: int) -> dict:
    """Repeat customers the slow way: every complaint of the window grouped by number."""
    from datetime import timedelta

    from sqlalchemy import func, select

    from qms.records.customers import CustomerEntry
    since = timeutil.utcnow() - timedelta(days=days)
    stmt = (select(CustomerEntry.phone_key, func.count()).where(CustomerEntry.at >= since)
            .group_by(CustomerEntry.phone_key).having(func.count() > 1))
    return dict(db.session.execute(stmt).all())


def test_cs07_repeat_customers_follow_the_chain_through_voids_across_forms(p, desk_data):
    """The company-wide count reads the chained index (prev_at); it agrees with grouping every
    complaint of the window, and a voided complaint leaves the chain (the next one links past it)."""
    key = "07562212345"
    chain = _chain(key)
    assert [prev is None for _rid, prev in chain] == [True, False, False]
    assert chain[1][1] is not None and chain[2][1] is not None
    for days in desk.DAYS:
        count, top = desk.repeat_customers(desk.DeskFilters(days=days), timeutil.utcnow())
        assert dict(top) == _grouped(days) and count == len(_grouped(days))
    service.void(desk_data["late"], p.csd_head, "重复录入", password=F.PASSWORD)  # the middle one
    db.session.commit()
    after = _chain(key)
    assert len(after) == 2 and after[1][1] == db.session.get(type(desk_data["closed"]), after[0][0]).created_at
    count, top = desk.repeat_customers(desk.DeskFilters(), timeutil.utcnow())
    assert top == [(key, 2)] and dict(top) == _grouped(30)
    # A fee dispute of the same customer joins the chain (group: complaint across the forms).
    from tests.complaints.fees_helpers import accept
    fee = accept(p.csd_clerk, phone_number="(0756) 221 2345", received_at="2026-11-30T10:00")
    *_earlier, (before, _p), (last, prev) = _chain(key)
    assert last == fee.id and prev == db.session.get(type(fee), before).created_at
    assert desk.repeat_customers(desk.DeskFilters(), timeutil.utcnow())[1] == [(key, 3)]
