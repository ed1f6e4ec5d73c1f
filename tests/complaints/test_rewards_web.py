"""Rewards on the pages and the API: refusals as 422 with field messages, the catalogue and reviewer
admin pages (versioned, audited, admins only), the sheets as page and Excel, a reward started from
its complaint.

covers: CS-12
"""
from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from qms.complaints import catalogue, rewards_reviewers
from qms.core import timeutil
from qms.core.audit import AuditEvent
from qms.extensions import db
from qms.records.models import Record
from tests import factories as F
from tests.support import clock as C
from tests.support import records as R
from tests.support.api import token_for

from .helpers_rewards import complaint, people, review, reward, reward_values


@pytest.fixture
def p(app):
    C.clock(11, 20, 10)
    yield people()
    timeutil.set_clock(None)


def _rewards() -> int:
    return db.session.execute(select(func.count()).select_from(Record).where(Record.form_code == "CS-REWARD")).scalar()


@pytest.mark.parametrize("bad, field", [({"justified": "no"}, "justified"), ({"item": "2.3.1"}, "item"),
                                        ({"item": "8.2"}, "item"), ({"end_on": "2026-11-01"}, "end_on")])
def test_cs12_api_refuses_bad_rewards_with_422(client, p, bad, field):
    c = complaint(p["clerk"])
    values = reward_values(c, p["head"], **bad)
    values["reviewer"] = p["head"].id
    resp = client.post("/api/v1/forms/CS-REWARD/records", json={"values": values}, headers=token_for(p["clerk"]))
    assert resp.status_code == 422, resp.get_json()
    assert field in resp.get_json()["fields"]
    assert _rewards() == 0
    good = client.post("/api/v1/forms/CS-REWARD/records", json={"values": {**values, **reward_values(c, p["head"]),
                                                                       "reviewer": p["head"].id}},
                       headers=token_for(p["clerk"]))
    assert good.status_code == 201, good.get_json()
    assert good.get_json()["values"]["value"] == 18


def test_cs12_catalogue_edited_by_admins_only_makes_a_version_and_is_audited(client, p):
    F.login(client, p["clerk"])
    assert client.get("/complaints/catalogue").status_code == 200
    assert client.get("/complaints/catalogue/1.3").status_code == 403
    client.get("/logout")
    F.login(client, p["admin"])
    page = client.get("/complaints/catalogue/1.3")
    token = F.csrf_from(page.get_data(as_text=True))
    data = {"csrf_token": token, "category_zh": "服务规范", "category_en": "Service conduct",
            "text": "前台人员未按我公司规定使用服务用语的", "grade": "general", "cause": "human", "in_use": "y"}
    assert client.post("/complaints/catalogue/1.3", data={**data, "text": ""}).status_code == 422
    assert catalogue.current_version() == 1
    assert client.post("/complaints/catalogue/1.3", data=data).status_code == 302
    assert catalogue.current_version() == 2
    assert catalogue.item("1.3").grade == "general" and catalogue.item("1.3", 1).grade == "minor"
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "complaint_item_changed")).scalar_one()
    assert json.loads(event.changes)["grade"] == ["minor", "general"]
    old = client.get("/complaints/catalogue?version=1").get_data(as_text=True)
    assert "服务用语" in old and ("不是当前版本" in old or "not the current version" in old)


def test_cs12_reviewers_named_by_admins(client, p):
    F.login(client, p["clerk"])
    assert client.get("/complaints/rewards/reviewers").status_code == 403
    client.get("/logout")
    F.login(client, p["admin"])
    token = F.csrf(client, "/complaints/rewards/reviewers")
    resp = client.post("/complaints/rewards/reviewers", data={"csrf_token": token, "department_id": p["head"].department_id,
                                                              "user_id": p["other"].id})
    assert resp.status_code == 302
    assert rewards_reviewers.designated(p["head"].department_id).id == p["other"].id


def test_cs12_reward_started_from_its_complaint_opens_with_the_reviewer(client, p):
    c = complaint(p["clerk"])
    F.login(client, p["clerk"])
    resp = client.get(f"/complaints/rewards/new?complaint={c.number}")
    assert resp.status_code == 302
    assert f"complaint={c.number}" in resp.location and f"reviewer={p['head'].id}" in resp.location
    page = client.get(resp.location).get_data(as_text=True)
    assert "陈建国" in page  # the customer follows the complaint


def test_cs12_sheet_page_and_excel_show_the_totals(client, p):
    for item in ("1.3", "2.2.3"):
        review(R.sign(reward(p["clerk"], complaint(p["clerk"]), p["head"], item=item), p["clerk"]), p["head"])
    F.login(client, p["head"])
    page = client.get("/complaints/rewards/sheets/daily?day=2026-11-20")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="total-value">24<' in html
    summary = client.get("/complaints/rewards/sheets/register?day=2026-11-20").get_data(as_text=True)
    assert 'id="total-count">2<' in summary
    xlsx = client.get("/complaints/rewards/sheets/summary?day=2026-12-01&format=xlsx")
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.data)).worksheets[0]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    total = next(r for r in rows if r[0] in ("合计", "Total"))
    assert total[1:3] == [2, 24]
    assert client.get("/complaints/rewards/sheets/nonsense").status_code == 404
