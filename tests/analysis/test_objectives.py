"""Quality objectives and their monthly statistics (DA-01): entered actuals from the department's signed
figure, met worked out in both directions, the refusals (no unit, a month to come, a second statistics
of a month, a figure by another department) with field messages and 422 on the API, the month's duty
closed by the signature, and a missed line raising its nonconformity once.

covers: DA-01, DA-04, CA-01
"""
from __future__ import annotations

import pytest

from qms.analysis import objectives_nc, objectives_stats
from qms.core import timeutil
from qms.core.errors import ValidationFailed
from qms.extensions import db
from qms.reminders import duties, rules
from tests import factories as F
from tests.analysis.objectives_helpers import People, figure, objective, objective_values
from tests.support.api import token_for
from tests.support.clock import at
from tests.support.records import fill, sign


@pytest.fixture
def p(app):
    timeutil.set_clock(at(12, 3, 10))
    return People()


@pytest.fixture
def three(p):
    """Three entered objectives: 客户服务部 at least 95 % (figure 96.5), at most 3 件 (figure 5), and
    终端服务部's with only a draft figure (no actual)."""
    a = objective(p, name="话费争议处理及时率", target="95", unit="%", direction="at_least")
    b = objective(p, name="重复投诉件数", target="3", unit="件", direction="at_most")
    c = objective(p, "TSD", name="装机及时率", target="90", unit="%", direction="at_least", owner=str(p.tsd_clerk.id))
    figure(p.csd_clerk, a, "2026-11", "96.5")
    figure(p.csd_head, b, "2026-11", "5")
    figure(p.tsd_clerk, c, "2026-11", "99", signed=False)
    return a, b, c


def _by_objective(record):
    return {ln["objective"]: ln for ln in record.values["lines"]}


def test_da01_met_both_directions_and_no_actual(p):
    assert objectives_stats.met("96.5", "95", "at_least") == "yes"
    assert objectives_stats.met("95", "95", "at_least") == "yes"
    assert objectives_stats.met("94.99", "95", "at_least") == "no"
    assert objectives_stats.met("3", "3", "at_most") == "yes"
    assert objectives_stats.met("5", "3", "at_most") == "no"
    assert objectives_stats.met(None, "3", "at_most") == "na"


def test_da01_statistics_take_entered_actuals_from_the_signed_figure(p, three):
    a, b, c = three
    record = objectives_stats.generate("2026-11", p.quality, "zh_CN")
    db.session.commit()
    lines = _by_objective(record)
    assert set(lines) == {a.number, b.number, c.number}
    assert (lines[a.number]["actual"], lines[a.number]["met"]) == ("96.50", "yes")
    assert (lines[b.number]["actual"], lines[b.number]["met"], lines[b.number]["unit"]) == ("5.00", "no", "件")
    assert (lines[c.number]["actual"], lines[c.number]["met"]) == (None, "na")  # the figure is not signed
    assert lines[c.number]["department"] == "TSD"
    # A line typed by hand is refused before signing; taking the lines again keeps the comments.
    rows = [dict(ln) for ln in record.values["lines"]]
    errors = objectives_stats.check_stats(record, {"month": "2026-11", "lines": [{**rows[0], "actual": "1"},
                                                                                 *rows[1:]]}, p.quality)
    assert "lines" in errors
    fill(record, p.quality, **{f"lines-{i}-{k}": v for i, row in enumerate(rows) for k, v in row.items()
                               if v is not None}, **{"lines-1-comment": "客户集中投诉话费", "month": "2026-11",
                                                     "generated_at": record.values["generated_at"]})
    figure(p.tsd_clerk, c, "2026-11", "88")  # 终端服务部 signs its figure now
    objectives_stats.refresh(record, p.quality, "zh_CN")
    db.session.commit()
    lines = _by_objective(record)
    assert (lines[c.number]["actual"], lines[c.number]["met"]) == ("88.00", "no")
    assert lines[rows[1]["objective"]]["comment"] == "客户集中投诉话费"


def test_da01_signing_the_statistics_closes_the_month_duty(p, three):
    """November's statistics do the duty due on 10 December (the month is over before they are compiled)."""
    record = objectives_stats.generate("2026-11", p.quality, "zh_CN")
    db.session.commit()
    wanted = [r for r in rules.calendar() if r.id == "da01-stats"]
    state = {d.period: d.state for d in duties.table(wanted, timeutil.utcnow())[0][1]}
    assert state["2026-12"] != duties.DONE
    sign(record, p.emd_head)
    assert record.status == "closed"
    state = {d.period: d.state for d in duties.table(wanted, timeutil.utcnow())[0][1]}
    assert state["2026-12"] == duties.DONE and state["2026-11"] != duties.DONE


def test_da01_refusals_with_field_messages(p, three, client):
    a, _b, _c = three
    # A target without a unit (blanks are none).
    with pytest.raises(ValidationFailed) as exc:
        objective(p, unit="  ")
    assert "unit" in exc.value.errors
    db.session.rollback()
    # A month to come: for a figure and for the statistics; a second statistics of a month.
    with pytest.raises(ValidationFailed) as exc:
        figure(p.csd_clerk, a, "2027-01", "97")
    assert "month" in exc.value.errors
    db.session.rollback()
    with pytest.raises(ValidationFailed) as exc:
        objectives_stats.generate("2027-01", p.quality, "zh_CN")
    assert "month" in exc.value.errors
    db.session.rollback()
    first = sign(objectives_stats.generate("2026-11", p.quality, "zh_CN"), p.quality)
    with pytest.raises(ValidationFailed) as exc:
        objectives_stats.generate("2026-11", p.emd_head, "zh_CN")
    assert first.number in exc.value.errors["month"][0]
    db.session.rollback()
    # A figure by another department; a second figure of the same objective and month.
    with pytest.raises(ValidationFailed) as exc:
        figure(p.tsd_clerk, a, "2026-10", "97")
    assert "objective" in exc.value.errors
    db.session.rollback()
    with pytest.raises(ValidationFailed) as exc:
        figure(p.csd_head, a, "2026-11", "97")
    assert "month" in exc.value.errors
    db.session.rollback()
    # The API: the same refusals, 422 with the field.
    resp = client.post("/api/v1/forms/DA-OBJECTIVE/records", headers=token_for(p.quality), json={
        "values": objective_values(p, unit=None), "department_id": F.dept("CSD").id})
    assert resp.status_code == 422 and "unit" in resp.get_json()["fields"]
    resp = client.post("/api/v1/forms/DA-FIGURE/records", headers=token_for(p.tsd_clerk), json={
        "values": {"objective": f"#{a.id}", "month": "2026-10", "value": "97"}})
    assert resp.status_code == 422 and "objective" in resp.get_json()["fields"]
    resp = client.post("/api/v1/forms/DA-FIGURE/records", headers=token_for(p.csd_clerk), json={
        "values": {"objective": f"#{a.id}", "month": "2027-02", "value": "97"}})
    assert resp.status_code == 422 and "month" in resp.get_json()["fields"]
    resp = client.post("/api/v1/forms/DA-STATS/records", headers=token_for(p.quality), json={
        "values": {"month": "2026-11", "generated_at": "2026-12-03T10:00",
                   "lines": [{"objective": a.number, "name": "x", "met": "yes"}]}})
    assert resp.status_code == 422 and "month" in resp.get_json()["fields"]
    resp = client.post("/api/v1/forms/DA-STATS/records", headers=token_for(p.quality), json={
        "values": {"month": "2026-10", "generated_at": "2026-12-03T10:00",
                   "lines": [{"objective": a.number, "name": "x", "actual": "99", "met": "yes"}]}})
    assert resp.status_code == 422 and "lines" in resp.get_json()["fields"]


def test_da01_a_missed_line_raises_its_nonconformity_once(p, three, client):
    a, b, _c = three
    record = objectives_stats.generate("2026-11", p.quality, "zh_CN")
    db.session.commit()
    with pytest.raises(ValidationFailed):  # not before it is signed
        objectives_nc.raise_nonconformity(record, p.quality, b.number, "general", "重复投诉超目标")
    db.session.rollback()
    sign(record, p.quality)
    with pytest.raises(ValidationFailed) as exc:  # a line that was met
        objectives_nc.raise_nonconformity(record, p.quality, a.number, "general", "x")
    assert "objective" in exc.value.errors
    db.session.rollback()
    F.login(client, p.quality)
    page = client.get(f"/r/DA-STATS/{record.id}").get_data(as_text=True)
    assert 'id="objectives-panel"' in page and f'data-objective="{b.number}"' in page
    resp = client.post(f"/analysis/objectives/stats/{record.id}/nonconformity", data={
        "csrf_token": F.csrf(client, f"/r/DA-STATS/{record.id}"), "objective": b.number, "severity": "general",
        "description": "重复投诉5件，超过目标3件"})
    assert resp.status_code == 302
    nc = db.session.get(type(record), int(resp.headers["Location"].rstrip("/").split("/")[-1]))
    assert nc.form_code == "CA-NC" and nc.values["source"] == "objective"
    assert nc.values["source_record"] == record.id and nc.department_id == F.dept("CSD").id
    assert nc.values["description"].startswith(f"【{b.number}】")
    # Once per line: the second time is refused, and the panel links the one raised.
    with pytest.raises(ValidationFailed) as exc:
        objectives_nc.raise_nonconformity(record, p.quality, b.number, "general", "again")
    assert "objective" in exc.value.errors
    db.session.rollback()
    page = client.get(f"/r/DA-STATS/{record.id}").get_data(as_text=True)
    assert nc.display_number in page and 'class="raise-nc"' not in page
