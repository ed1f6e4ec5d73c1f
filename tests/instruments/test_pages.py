"""The instrument's page (live status, usage file) and the permit labels (PDF, read back).
covers: INS-04, INS-05"""
import re
import subprocess

from tests import factories as F
from tests.instruments.helpers import calibrate, loan, register
from tests.support.clock import clock
from tests.support.records import fill, sign


def _text(tmp_path, data, name):
    path = tmp_path / name
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout)
    return fonts, text


def test_ins05_instrument_page_shows_state_and_whole_history(app, client, staff):
    s = staff
    clock(11, 2)
    inst = register(s.tech)
    rec = loan(s.clerk, inst, s, purpose="用户线路测试")
    sign(rec, s.clerk)
    sign(rec, s.tech)
    F.login(client, s.tech)
    html = client.get(f"/r/INS-INTAKE/{inst.id}").get_data(as_text=True)
    assert "准用" in html and "2027-12-20" in html and s.clerk.full_name in html
    assert rec.number in html and "用户线路测试" in html and 'id="return-it"' in html
    clock(11, 10)
    fill(rec, s.tech, returned_on="2026-11-10", condition_in="good")
    sign(rec, s.tech)
    clock(11, 12)
    cal = calibrate(s, inst, result="fail", on="2026-11-12")
    html = client.get(f"/r/INS-INTAKE/{inst.id}").get_data(as_text=True)
    assert "停用" in html and "隔离" in html and cal.number in html and "BHG-" in html  # the nonconformity too
    assert 'id="check-out"' not in html


def test_ins04_labels_colour_due_date_and_qr(app, client, tmp_path, staff):
    s = staff
    clock(11, 2)
    ok = register(s.tech)
    old = register(s.tech, asset_no="TDD-0002", calibrated_on="2024-10-01", name="光功率计")
    F.login(client, s.tech)
    resp = client.get(f"/instruments/{ok.id}/label.pdf")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF")
    fonts, text = _text(tmp_path, resp.data, "one.pdf")
    assert "WenQuanYi" in fonts and " yes " in fonts
    assert "准用证" in text and "TDD-0001" in text and "2027-12-20" in text and "准用" in text
    fonts, text = _text(tmp_path, client.get(f"/instruments/labels.pdf?ids={ok.id},{old.id}").data, "sheet.pdf")
    assert "TDD-0001" in text and "TDD-0002" in text and "停用" in text
    assert client.get("/instruments/labels.pdf?ids=abc").status_code == 422
    assert client.get("/instruments/999999/label.pdf").status_code == 404


def test_ins04_every_department_reads_the_instrument_page_but_cannot_change_it(app, client, staff):
    from qms.extensions import db
    from qms.records import policy
    from qms.records import spec as specs
    from qms.records.models import Record
    s = staff
    clock(11, 2)
    inst = register(s.tech)
    intake = db.session.get(Record, inst.id)
    spec = specs.get("INS-INTAKE")
    assert policy.can(s.clerk, "view", spec, intake)
    assert not policy.can(s.clerk, "void", spec, intake) and not policy.can(s.csd_head, "amend", spec, intake)
    F.login(client, s.clerk)
    assert client.get(f"/r/INS-INTAKE/{inst.id}").status_code == 200
    assert "TDD-0001" in client.get("/r/INS-INTAKE/").get_data(as_text=True)
    # Other forms keep their department scope.
    nc = F.record(F.user("clerk", "TDD"))  # a complaint form of 技术发展部
    assert client.get(f"/r/CS-INQ/{nc.id}").status_code in (403, 404)


def test_dashboard_counts_link_to_lists(app, client, staff):
    s = staff
    clock(11, 2)
    register(s.tech)  # due 2027-12-20
    register(s.tech, asset_no="TDD-0002", calibrated_on="2024-11-20")  # due 2026-11-20: within 30 days
    register(s.tech, asset_no="TDD-0003", calibrated_on="2024-10-01")  # overdue
    F.login(client, s.tech)
    html = client.get("/instruments").get_data(as_text=True)
    counts = dict(re.findall(r'show=(\w+)"[^>]*>[^<]*<b>(\d+)</b>', html))
    assert "all" not in counts  # never a count over the whole table
    assert counts["due30"] == "1" and counts["overdue"] == "1" and counts["on_loan"] == "0" and counts["away"] == "0"
    html = client.get("/instruments?show=overdue").get_data(as_text=True)
    assert "TDD-0003" in html and "TDD-0001" not in html
    bad = client.get("/instruments?show=nope")
    assert bad.status_code == 422 and "没有这个列表" in bad.get_data(as_text=True)
    assert client.get("/instruments?after=x").status_code == 422


def test_a_waiting_step_says_who_signs_it(app, client, staff):
    """The record page names who is waited for: the borrowing department's head for a long loan,
    the named successor for a handover's receipt."""
    s = staff
    clock(11, 2)
    inst = register(s.tech)
    rec = loan(s.clerk, inst, s, loan_type="long", long_reason="驻点维护", return_due_on="2027-01-31")
    sign(rec, s.clerk)
    F.login(client, s.clerk)
    html = client.get(f"/r/INS-USAGE/{rec.id}").get_data(as_text=True)
    assert "签名人：客户服务部 部门负责人" in html
