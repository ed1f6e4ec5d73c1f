"""The month-end complaint summary (CS-07): counted from the month's complaint records by the
indexes, drafted as a record, signed by 客户服务部 (which closes the cs07 duty), received by
企业管理部, figures frozen once signed, a nonconformity raised from it; page, PDF and Excel.
covers: CS-07, CA-01"""
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from qms.complaints import desk, month_summary, sources
from qms.complaints.month_figures import count_month
from qms.core import timeutil
from qms.core.errors import SignatureRefused, ValidationFailed
from qms.extensions import db
from qms.records import service
from qms.reminders import duties, rules
from tests import factories as F
from tests.complaints import fees_helpers as fees
from tests.complaints import network_helpers as network
from tests.complaints.month_helpers import MonthPeople, complaint
from tests.support.api import token_for
from tests.support.clock import at
from tests.support.records import fill, sign


@pytest.fixture
def p(app):
    return MonthPeople()


@pytest.fixture
def month(p):
    """November 2026 by hand: five complaints received in the month (one handled late, one still
    open past its reply date), one in October, one in December, one voided, one never submitted."""
    tsd = F.user("clerk", "TSD", name="林立")

    def on(day, *args, **kw):
        timeutil.set_clock(at(11, day, 16))
        return complaint(*args, **kw)

    made = {
        "a": on(2, p.csd_clerk, "2026-11-02T09:00", handled=True, head=p.csd_head, category="billing", channel="phone"),
        "b": on(10, p.csd_clerk, "2026-11-10T10:00", category="billing", channel="counter", severity="serious"),
        "c": on(26, p.csd_clerk, "2026-11-20T11:00", handled=True, head=p.csd_head, category="complaint",
                channel="c180"),
        "d": on(30, tsd, "2026-11-30T23:30", category="billing", channel="phone"),
        "e": on(1, tsd, "2026-11-01T00:05", category="fault", channel="visit", severity="minor"),
        "oct": on(1, p.csd_clerk, "2026-10-31T23:59", category="billing"),
    }
    timeutil.set_clock(at(12, 1, 9))
    made["dec"] = complaint(p.csd_clerk, "2026-12-01T08:00", category="billing")
    gone = complaint(p.csd_clerk, "2026-11-15T10:00", category="inquiry")
    service.void(gone, p.csd_head, "重复录入", password=F.PASSWORD)
    F.record(p.csd_clerk, received_at="2026-11-16T10:00")  # a draft
    db.session.commit()
    timeutil.set_clock(at(11, 30, 12))
    return made


def _counts(fig, dim):
    return {ln.key: ln.count for ln in fig.of(dim)}


def test_cs07_counts_by_every_dimension_from_hand_made_records(p, month):
    fig = count_month("2026-11")
    assert fig.total == 5
    assert _counts(fig, "category") == {"billing": 3, "complaint": 1, "fault": 1}
    assert _counts(fig, "channel") == {"phone": 2, "counter": 1, "c180": 1, "visit": 1}
    assert _counts(fig, "grade") == {"general": 3, "serious": 1, "minor": 1}
    # By the handling department each was dispatched to (CS-INQ's handling_department).
    assert _counts(fig, "department") == {"CSD": 3, "TSD": 2}
    assert _counts(fig, "status") == {"closed": 2, "in_progress": 3}
    # Reply dates from received_at + the category's hours: a (billing, 24 h) handled the day it came;
    # b (due 11 Nov) and e (a fault, 48 h: due 3 Nov) still open; c (due 21 Nov) closed on 26 Nov;
    # d (received 30 Nov 23:30) due 1 Dec, not yet.
    assert _counts(fig, "overdue") == {"late": 1, "overdue": 2, "on_time": 1, "pending": 1} and fig.overdue == 3
    assert _counts(fig, "cause") == {"operator": 5}
    # 重复 (intake's definition 1): c and d came while b (the same customer) was unanswered past its date.
    assert _counts(fig, "repeat") == {"first": 3, "repeat": 2}
    # The Pareto: largest first, cumulative share.
    cats = fig.of("category")
    assert [ln.key for ln in cats] == ["billing", "complaint", "fault"]
    assert [ln.cumulative for ln in cats] == [60.0, 80.0, 100.0]
    assert cats[0].label == "话费争议"


def test_cs07_every_source_field_is_indexed(app):
    for src, spec in sources.active():
        assert sources.unindexed(src, spec) == [], src.form
    # The desk's reply clocks are rules that exist (a renamed rule would silently empty "due within").
    assert set(sources.clock_rules()) <= set(rules.by_id()), set(sources.clock_rules()) - set(rules.by_id())


def test_cs07_summary_signed_closes_the_duty_and_freezes_its_figures(p, month):
    record = month_summary.generate("2026-11", p.csd_clerk, "zh_CN")
    db.session.commit()
    assert record.values["total"] == 5
    assert record.values["generated_at"].startswith("2026-11-30T12:00")
    # A complaint changes before signing: the signature is refused until the figures are taken again.
    service.void(month["b"], p.csd_head, "客户撤回", password=F.PASSWORD)
    db.session.commit()
    with pytest.raises(SignatureRefused) as exc:
        service.sign(record, p.csd_clerk, F.PASSWORD)
    assert "lines" in exc.value.errors
    db.session.rollback()
    month_summary.refresh(record, p.csd_clerk, "zh_CN")
    db.session.commit()
    sign(record, p.csd_clerk)
    assert record.status == "in_progress" and record.current_step == "receive"
    wanted = [r for r in rules.calendar() if r.id == "cs07-summary"]
    state = {d.period: d.state for d in duties.table(wanted, timeutil.utcnow())[0][1]}
    assert state["2026-11"] == duties.DONE
    frozen = month_summary.figures_of(record)
    assert frozen.total == 4 and _counts(frozen, "category") == {"billing": 2, "complaint": 1, "fault": 1}
    # After signing a complaint changes again (handled, then one voided): the signed figures do not.
    service.void(month["d"], F.user("department_head", "TSD"), "误录", password=F.PASSWORD)
    db.session.commit()
    db.session.expire_all()
    assert record.values["total"] == 4
    assert _counts(month_summary.figures_of(record), "category") == {"billing": 2, "complaint": 1, "fault": 1}
    assert _counts(count_month("2026-11"), "category") == {"billing": 1, "complaint": 1, "fault": 1}
    fill(record, p.quality, received_note="已转相关部门分析话费争议原因")
    sign(record, p.quality)
    assert record.status == "closed"


def test_cs07_a_future_month_and_a_second_summary_are_refused(p, month, client):
    with pytest.raises(ValidationFailed) as exc:
        month_summary.generate("2026-12", p.csd_clerk, "zh_CN")
    assert "month" in exc.value.errors
    db.session.rollback()
    first = month_summary.generate("2026-11", p.csd_clerk, "zh_CN")
    db.session.commit()
    sign(first, p.csd_clerk)
    with pytest.raises(ValidationFailed) as exc:
        month_summary.generate("2026-11", p.csd_head, "zh_CN")
    assert first.number in exc.value.errors["month"][0]
    db.session.rollback()
    # The API: the same refusals as field messages, 422; figures typed by hand are refused too.
    headers = token_for(p.csd_clerk)
    resp = client.post("/api/v1/forms/CS-SUMMARY/records", headers=headers, json={"values": {
        "month": "2027-01", "generated_at": "2026-11-30T12:00", "total": 0}})
    assert resp.status_code == 422 and "month" in resp.get_json()["fields"]
    resp = client.post("/api/v1/forms/CS-SUMMARY/records", headers=headers, json={"values": {
        "month": "2026-10", "generated_at": "2026-11-30T12:00", "total": 99,
        "lines": [{"dimension": "category", "label": "话费争议", "count": 99}]}})
    assert resp.status_code == 422 and "lines" in resp.get_json()["fields"]


def test_cs07_enterprise_management_raises_a_nonconformity_from_the_summary(p, month, client):
    record = month_summary.generate("2026-11", p.csd_clerk, "zh_CN")
    db.session.commit()
    with pytest.raises(ValidationFailed):  # not before 客户服务部 signed, and not by 客户服务部
        month_summary.raise_nonconformity(record, p.quality, F.dept("BIL").id, "general", "话费争议占六成")
    db.session.rollback()
    sign(record, p.csd_clerk)
    with pytest.raises(ValidationFailed) as exc:  # a department that does not exist
        month_summary.raise_nonconformity(record, p.quality, 999999, "general", "话费争议占六成")
    assert "department" in exc.value.errors
    db.session.rollback()
    F.login(client, p.quality)
    page = client.get(f"/r/CS-SUMMARY/{record.id}").get_data(as_text=True)
    assert 'id="raise-nc"' in page and 'id="pareto-category"' in page
    resp = client.post(f"/complaints/month/summary/{record.id}/nonconformity", data={
        "csrf_token": F.csrf(client, f"/r/CS-SUMMARY/{record.id}"), "department": F.dept("BIL").id,
        "severity": "general", "description": "话费争议占当月投诉六成，核算室复核计费"})
    assert resp.status_code == 302
    nc = db.session.get(type(record), int(resp.headers["Location"].rstrip("/").split("/")[-1]))
    assert nc.form_code == "CA-NC" and nc.values["source"] == "complaint"
    assert nc.values["source_record"] == record.id and nc.department_id == F.dept("BIL").id


def test_cs07_month_page_pdf_and_excel(p, month, client):
    F.login(client, p.csd_clerk)
    page = client.get("/complaints/month/2026-11")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="total">5<' in html and 'id="generate"' in html
    assert "received_at_from=2026-11-01" in html and "category=billing" in html
    listed = client.get("/r/CS-INQ/?received_at_from=2026-11-01&received_at_to=2026-11-30&category=billing")
    listed_html = listed.get_data(as_text=True)
    assert month["a"].number in listed_html and month["b"].number in listed_html  # (d is 终端服务部's)
    assert month["oct"].number not in listed_html and month["dec"].number not in listed_html
    resp = client.post("/complaints/month/2026-11/summary", data={"csrf_token": F.csrf(client, "/complaints/month/2026-11")})
    assert resp.status_code == 302
    record = month_summary.of_month("2026-11")
    sign(record, p.csd_clerk)
    assert client.get("/complaints/month").status_code == 200
    pdf = client.get(f"/r/CS-SUMMARY/{record.id}.pdf")
    assert pdf.status_code == 200 and pdf.data[:4] == b"%PDF"
    xlsx = client.get("/complaints/month/2026-11.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["类别", "话费争议", 3, 60] in cells
    assert client.get("/complaints/month/2026-13").status_code == 404
    assert date.today()  # the real clock is not used by the pages


def test_cs07_fee_and_network_complaints_count_in_the_month_and_on_the_desk(p, client):
    """One complaint of each form on 30 Nov: the summary counts all three (by form and flow, category,
    channel, department by code), the desk lists them open by form and flow and on the reply clocks."""
    timeutil.set_clock(at(11, 30, 10))
    inq = complaint(p.csd_clerk, "2026-11-30T08:00")
    fee = fees.accept(p.csd_clerk, received_at="2026-11-30T09:30")  # TS-003, 24 hours: due 1 Dec 09:30
    acc = F.user("clerk", "ACC", name="营帐员")
    network.dispatched(acc, received_at="2026-11-30T09:35")
    timeutil.set_clock(at(11, 30, 12))
    fig = count_month("2026-11")
    assert fig.total == 3
    assert _counts(fig, "form") == {"CS-INQ": 1, "TS-FEE:ts003": 1, "CS-NET": 1}
    assert _counts(fig, "category") == {"billing": 1, "service": 1, "roaming": 1}
    assert _counts(fig, "channel") == {"phone": 2, "counter": 1}
    assert _counts(fig, "department") == {"CSD": 2, "ACC": 1}
    assert _counts(fig, "status") == {"in_progress": 3}
    assert {ln.label for ln in fig.of("form")} >= {"网络质量投诉处理单"}
    rows = desk.open_by_step(desk.DeskFilters(), timeutil.today())
    assert sorted(desk.open_by_flow(desk.DeskFilters(), rows)) == [("CS-INQ", "", 1), ("CS-NET", "", 1),
                                                                   ("TS-FEE", "ts003", 1)]
    count, watches = desk.due_soon(desk.DeskFilters(hours=24), timeutil.utcnow())
    titled = " ".join(w.title for w in watches)
    assert inq.number in titled and fee.number in titled and count >= 2
    F.login(client, p.quality)
    html = client.get("/complaints/month/2026-11").get_data(as_text=True)
    assert 'id="total">3<' in html and "handling_department=CSD" in html
    html = client.get("/complaints/desk").get_data(as_text=True)
    assert 'id="open-total">3<' in html and "/r/TS-FEE/?status=in_progress&amp;flow=ts003" in html
