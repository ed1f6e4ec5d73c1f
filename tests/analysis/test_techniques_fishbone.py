"""The cause-and-effect (fishbone, 鱼刺图) diagram of a CAPA record (DA-04): each cause found at root-cause
analysis is drawn and listed under its category (人/机/料/法/环/测) on the record page, in the printout's
extras and in the PDF itself; a record without further cause lines shows its root cause alone.
covers: DA-04, CA-02"""
import re
import shutil
import subprocess

import pytest

from qms.core import timeutil
from qms.records.procedures import rules_for
from tests import factories as F
from tests.capa.helpers import People, issue_capa, raise_nc
from tests.support.clock import at
from tests.support.records import fill, sign

LINES = [("people", "新员工未经标识培训"), ("machine", "巡查终端故障"), ("environment", "营业厅装修遮挡标识"),
         ("people", "值班长未复核")]
SIX = ["人", "机", "料", "法", "环", "测"]


@pytest.fixture
def p(app):
    timeutil.set_clock(at(11, 2, 9))
    return People()


def _analysed(p, lines=LINES):
    capa = issue_capa(raise_nc(p.clerk), p.quality)
    sign(capa, p.head)
    fill(capa, p.clerk, correction="当日补贴临时标识", corrected_on="2026-11-03")
    sign(capa, p.clerk)
    rows = {}
    for i, (category, cause) in enumerate(lines):
        rows[f"causes-{i}-category"], rows[f"causes-{i}-cause"] = category, cause
    fill(capa, p.head, why_1="标识脱落未发现", cause_category="method", root_cause="缺少标识巡查制度", **rows)
    return sign(capa, p.head)


def _expected(lines=LINES) -> dict:
    out = {label: [] for label in SIX}
    out["法"].append("缺少标识巡查制度")
    for category, cause in lines:
        out[SIX[["people", "machine", "material", "method", "environment", "measurement"].index(category)]].append(cause)
    return out


def test_da04_fishbone_lists_each_cause_under_its_category_on_the_page(client, p):
    capa = _analysed(p)
    F.login(client, p.quality)
    html = client.get(f"/r/CA-CAPA/{capa.id}").get_data(as_text=True)
    assert f'id="fishbone-{capa.id}"' in html and 'id="capa-actions"' in html  # one panel, both parts
    for i, label in enumerate(SIX):
        row = re.search(rf'<tr data-category="{i}"><th>{label}</th>(.*?)</tr>', html, re.S).group(1)
        listed = re.findall(r"<div[^>]*>([^<]+?)(?: <span|</div>)", row)
        assert listed == _expected()[label], label
    assert "<title>营业厅装修遮挡标识</title>" in html  # each twig of the diagram carries its cause


def test_da04_fishbone_in_the_pdf_extras_and_the_printed_pdf(client, p):
    capa = _analysed(p)
    extras = rules_for("CA-CAPA").pdf_extras(capa, "zh_CN")
    bones = dict(extras["fishbone"]["bones"])
    assert {label: [c for c, _m in causes] for label, causes in bones.items()} == _expected()
    assert bones["法"] == [("缺少标识巡查制度", True)]  # the root cause, marked
    F.login(client, p.quality)
    resp = client.get(f"/r/CA-CAPA/{capa.id}.pdf")
    assert resp.status_code == 200 and resp.data[:4] == b"%PDF"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=resp.data, capture_output=True, check=True).stdout.decode()
        assert "鱼刺图" in text and "巡查终端故障" in text and "值班长未复核" in text


def test_da04_fishbone_of_a_record_without_cause_lines_shows_its_root_cause(client, p):
    capa = _analysed(p, lines=[])
    bones = dict(rules_for("CA-CAPA").pdf_extras(capa, "zh_CN")["fishbone"]["bones"])
    assert bones["法"] == [("缺少标识巡查制度", True)] and not any(bones[k] for k in SIX if k != "法")
    fresh = issue_capa(raise_nc(p.clerk), p.quality)  # not yet analysed: no diagram, a note instead
    assert rules_for("CA-CAPA").pdf_extras(fresh, "zh_CN")["fishbone"] is None
    F.login(client, p.quality)
    html = client.get(f"/r/CA-CAPA/{fresh.id}").get_data(as_text=True)
    assert 'id="capa-fishbone"' in html and "fishbone-" + str(fresh.id) not in html
