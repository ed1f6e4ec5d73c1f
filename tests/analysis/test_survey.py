"""The yearly satisfaction survey (DA-02, CS-09): the ``survey:`` declaration (weights must total
100 %), the weighted total of a hand-computed example, scores outside the scale refused (field
message, 422 on the API), responses imported from Excel all or nothing with the row report, closing
freezes the results and closes the yearly duty, a low element raises one nonconformity, year on year.
covers: DA-02, CS-09, DA-04"""
import copy
import io
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from qms.analysis import survey_score as scoring
from qms.analysis import survey_service
from qms.core import timeutil
from qms.core.errors import SignatureRefused, SpecError, ValidationFailed
from qms.extensions import db
from qms.records import service
from qms.records.models import Record
from qms.records.spec import parse
from qms.reminders import duties, rules
from tests import factories as F
from tests.analysis.survey_helpers import People, all_elements, campaign, close, response
from tests.support.api import token_for
from tests.support.clock import at
from tests.support.records import fill

FORM = Path(__file__).resolve().parents[2] / "forms" / "DA-SURVEY.yaml"


@pytest.fixture
def p(app):
    timeutil.set_clock(at(12, 1, 10))
    return People()


def test_da02_weights_are_refused_unless_they_total_100(app):
    raw = yaml.safe_load(FORM.read_text(encoding="utf-8"))
    survey = parse(copy.deepcopy(raw), "forms/DA-SURVEY.yaml").extensions["survey"]
    assert sum(i.weight for i in survey.items) == 100 and [e.field for e in survey.elements] == \
        [f"e{i}" for i in range(1, 12)]
    raw["survey"]["items"][0]["weight"] = 30  # 105 %
    with pytest.raises(SpecError, match=r"forms/DA-SURVEY.yaml: survey.items: the weights total 105 %"):
        parse(copy.deepcopy(raw), "forms/DA-SURVEY.yaml")
    raw["survey"]["items"][0]["weight"] = 25
    raw["survey"]["scales"] = raw["survey"].pop("scale")  # a typo is named, not ignored
    with pytest.raises(SpecError, match=r"forms/DA-SURVEY.yaml: survey: unknown key 'scales'"):
        parse(copy.deepcopy(raw), "forms/DA-SURVEY.yaml")


def test_da02_the_weighted_total_of_a_hand_computed_example(p):
    camp = campaign(p)
    response(p, camp, all_elements(5), phone="13800000001")  # 100 points each
    response(p, camp, all_elements(4), phone="13800000002")  # 80
    response(p, camp, {"e1": 2, "e5": 1}, phone="13800000003")  # 40 and 20; the rest not applicable
    response(p, camp, all_elements(1), phone="13800000004", signed=False)  # a draft does not count
    res = scoring.score(camp)
    assert res.responses == 3
    # e1 = (100 + 80 + 40) / 3; e5 = (100 + 80 + 20) / 3; every other element (100 + 80) / 2.
    assert res.element("e1").score == Decimal("73.33") and res.element("e5").score == Decimal("66.67")
    assert res.element("e2").score == Decimal("90.00") and res.element("e1").answered == 3
    assert res.element("e1").counts == {5: 1, 4: 1, 3: 0, 2: 1, 1: 0}
    # Items: the mean of their elements; attitude (73.33 + 90) / 2, charging (66.67 + 90) / 2.
    assert res.item("attitude").score == Decimal("81.67") and res.item("charging").score == Decimal("78.34")
    assert res.item("quality").score == Decimal("90.00")
    # 81.67 × 25 % + 90 × 20 % + 78.34 × 15 % + 90 × 20 % + 90 × 20 % = 86.1685
    assert res.total == Decimal("86.17")
    # Below 80 points: e1 and e5 are low; the Pareto counts the dissatisfied answers (2 or less).
    assert [e.field for e in res.low_elements] == ["e5", "e1"]
    assert [(label["zh"], n) for label, n, _s in res.pareto()] == [("营业人员", 1), ("电话交费方便情况", 1)]


def test_da02_scores_outside_the_scale_are_refused(p, client):
    camp = campaign(p)
    with pytest.raises(ValidationFailed) as e:
        response(p, camp, {"e1": 5, "e3": 6})
    assert "e3" in e.value.errors and "e1" not in e.value.errors
    with pytest.raises(ValidationFailed) as e:
        response(p, camp, {})
    assert e.value.errors["e1"]  # at least one element is scored
    headers = token_for(p.csd_clerk)
    body = {"campaign": f"#{camp.id}", "customer": "陈建国", "phone": "0756-2210001", "method": "letter",
            "answered_on": "2026-11-20", "e1": 5, "e2": 0}
    resp = client.post("/api/v1/forms/DA-RESPONSE/records", headers=headers, json={"values": body})
    assert resp.status_code == 422 and "e2" in str(resp.get_json()), resp.get_json()
    resp = client.post("/api/v1/forms/DA-RESPONSE/records", headers=headers, json={"values": {**body, "e2": 4}})
    assert resp.status_code == 201, resp.get_json()
    assert db.session.execute(select(Record).where(Record.form_code == "DA-RESPONSE")).scalars().all() != []


def test_da02_an_import_with_a_bad_row_reports_it_and_saves_nothing(p, client):
    camp = campaign(p)
    F.login(client, p.csd_clerk)
    head = [c.value for c in load_workbook(io.BytesIO(client.get("/r/DA-RESPONSE/import/template.xlsx").data))
            .worksheets[0][1]]
    num = camp.display_number

    def rows(bad):
        good = [num, "陈建国", "0756-2210001", "征询函", "2026-11-20"] + [5] * 11 + [""]
        other = [num, "李梅", "0756-2210002", "征询函", "2026-11-21"] + [4] * 11 + [""]
        return [dict(zip(head, good, strict=False)), dict(zip(head, bad or other, strict=False))]

    def post(rs):
        wb = Workbook()
        ws = wb.active
        ws.append(head)
        for r in rs:
            ws.append([r.get(h) for h in head])
        buf = io.BytesIO()
        wb.save(buf)
        token = F.csrf_from(client.get("/r/DA-RESPONSE/import").get_data(as_text=True))
        return client.post("/r/DA-RESPONSE/import?lang=en", content_type="multipart/form-data",
                           data={"csrf_token": token, "password": F.PASSWORD, "file": (io.BytesIO(buf.getvalue()), "a.xlsx")})

    bad = [num, "李梅", "0756-2210002", "征询函", "2026-11-21", 4, 4, 9] + [4] * 8 + [""]  # e3 = 9
    resp = post(rows(bad))
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "1 of 2 rows have errors; nothing was imported." in html and "Must be between 1 and 5." in html
    assert scoring.score(camp).responses == 0
    resp = post(rows(None))
    assert resp.status_code == 303, resp.get_data(as_text=True)[:3000]
    assert scoring.score(camp).responses == 2 and scoring.score(camp).element("e1").score == Decimal("90.00")


def test_da02_closing_freezes_the_results_and_closes_the_yearly_duty(p):
    camp = campaign(p)
    first = response(p, camp, all_elements(5), phone="13800000001")
    response(p, camp, all_elements(3), phone="13800000002")
    # Closing needs the results taken; they cannot be typed.
    fill(camp, p.emd_head, conclusion="总体满意。")
    with pytest.raises(ValidationFailed) as e:
        fill(camp, p.emd_head, conclusion="总体满意。", responses_count="2", total_score="99")
    assert set(e.value.errors) >= {"responses_count", "total_score"}
    db.session.rollback()
    with pytest.raises(SignatureRefused, match="Take the results|取结果|结果"):
        service.sign(camp, p.emd_head, F.PASSWORD)
    db.session.rollback()
    survey_service.take_results(camp, p.emd_head, "zh_CN")
    db.session.commit()
    assert camp.values["responses_count"] == 2 and Decimal(camp.values["total_score"]) == Decimal("80.00")
    # A response after the results were taken: closing is refused until they are taken again.
    response(p, camp, all_elements(4), phone="13800000003")
    with pytest.raises(SignatureRefused, match="take the results again|重新「取结果」"):
        service.sign(camp, p.emd_head, F.PASSWORD)
    db.session.rollback()
    close(p, camp)
    assert camp.status == "closed" and camp.values["responses_count"] == 3
    assert [r["score"] for r in camp.values["item_scores"]] == ["80.00"] * 5
    assert {r["element"]: r["answers"] for r in camp.values["element_scores"]}["e11"] == 3
    # Closed: no more responses; a response voided later leaves the frozen results as they were.
    with pytest.raises(ValidationFailed) as e:
        response(p, camp, all_elements(1), phone="13800000009")
    assert "campaign" in e.value.errors
    service.void(first, p.quality, "录入错误", password=F.PASSWORD)
    db.session.commit()
    db.session.refresh(camp)
    assert scoring.score(camp).total == Decimal("70.00") and camp.values["total_score"] == "80.00"
    # The year's duty is done by the closed campaign.
    wanted = [r for r in rules.calendar() if r.id == "da02-survey"]
    state = {d.period: (d.state, d.record) for d in duties.table(wanted, timeutil.utcnow())[0][1]}
    assert state["2026"] == (duties.DONE, camp) and state["2025"][0] != duties.DONE


def test_da02_one_campaign_a_year(p):
    campaign(p, 2026)
    with pytest.raises(ValidationFailed) as e:
        campaign(p, 2026)
    assert "year" in e.value.errors


def test_cs09_a_low_element_raises_one_nonconformity(p, client):
    camp = campaign(p)
    response(p, camp, {**all_elements(5), "e5": 1}, phone="13800000001")
    response(p, camp, {**all_elements(5), "e5": 2}, phone="13800000002")
    # Not while the campaign is open: the results are not final.
    with pytest.raises(ValidationFailed):
        survey_service.raise_low(camp, "e5", p.quality, "BIL", "general", "")
    db.session.rollback()
    close(p, camp)
    assert set(survey_service.frozen_low(camp)) == {"e5"}
    with pytest.raises(ValidationFailed):  # e1 scored 100: not low
        survey_service.raise_low(camp, "e1", p.quality, "CSD", "general", "")
    F.login(client, p.quality)
    page = client.get(f"/analysis/survey/{camp.id}?lang=en").get_data(as_text=True)
    assert f"/analysis/survey/{camp.id}/nonconformity/e5" in page and "/nonconformity/e1" not in page
    token = F.csrf_from(page)
    resp = client.post(f"/analysis/survey/{camp.id}/nonconformity/e5",
                       data={"csrf_token": token, "department": "BIL", "severity": "general", "description": ""})
    assert resp.status_code == 302 and "/r/CA-NC/" in resp.headers["Location"]
    nc = survey_service.raised_for(camp)["e5"]
    assert nc.values["source"] == "survey" and nc.values["source_record"] == camp.id
    assert "电话交费方便情况" in nc.values["description"] and nc.department.code == "BIL"
    # Once: a second click is refused and opens nothing.
    resp = client.post(f"/analysis/survey/{camp.id}/nonconformity/e5",
                       data={"csrf_token": token, "department": "BIL", "severity": "general", "description": ""})
    assert resp.status_code == 302
    assert len(db.session.execute(select(Record).where(Record.form_code == "CA-NC")).scalars().all()) == 1
    page = client.get(f"/analysis/survey/{camp.id}?lang=en").get_data(as_text=True)
    assert nc.display_number in page and "/nonconformity/e5" not in page


def test_da02_year_on_year_warns_when_a_sample_is_too_small(p):
    old = campaign(p, 2025)
    for i in range(3):
        response(p, old, all_elements(4), phone=f"1380000010{i}", answered_on="2025-12-10")
    close(p, old)
    new = campaign(p, 2026)
    for i in range(3):
        response(p, new, all_elements(5), phone=f"1380000020{i}")
    cmp = scoring.compare(new)
    assert cmp.previous_year == 2025 and cmp.too_small and cmp.total.delta == Decimal("20.00")
    # Every answer equal in both years: no spread, a real change, not within the margin of error.
    assert not cmp.elements[0].within_margin
    assert scoring.compare(old) is None


def test_da02_results_page_excel_letter_and_script(p, client):
    old = campaign(p, 2025)
    response(p, old, all_elements(4), phone="13800000101", answered_on="2025-12-10")
    close(p, old)
    camp = campaign(p, 2026, return_by="2026-12-31", return_address="珠海市香洲区企业管理部")
    response(p, camp, {**all_elements(5), "e6": 2}, phone="13800000001")
    F.login(client, p.emd_head)
    html = client.get(f"/analysis/survey/{camp.id}?lang=en").get_data(as_text=True)
    assert 'id="survey-pareto"' in html and 'id="too-small"' in html and 'id="take-results"' in html
    assert "<script" not in html.split("</header>")[-1]
    wb = load_workbook(io.BytesIO(client.get(f"/analysis/survey/{camp.id}.xlsx").data))
    cells = [c for row in wb.active.iter_rows(values_only=True) for c in row if c is not None]
    assert "e6 电话资费满意情况" in cells and "电信服务人员服务态度" in cells
    pdf = client.get(f"/analysis/survey/{camp.id}/letter.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    script = client.get(f"/analysis/survey/{camp.id}/script").get_data(as_text=True)
    assert "请问您对我公司「语音清晰情况」满意吗" in script and camp.display_number in script
    assert client.get("/analysis/survey?lang=en").status_code == 200
    # Taken from the campaign's own page (its panel), back to it with the results written.
    record_page = client.get(f"/r/DA-SURVEY/{camp.id}?lang=en").get_data(as_text=True)
    assert 'id="survey-panel"' in record_page and 'id="take-results"' in record_page
    resp = client.post(f"/analysis/survey/{camp.id}/results", data={"csrf_token": F.csrf_from(record_page),
                                                                     "next": "record"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/r/DA-SURVEY/{camp.id}")
    db.session.refresh(camp)
    assert camp.values["responses_count"] == 1 and camp.values["total_score"] == "95.50"  # charging (100 + 40) / 2 × 15 %
