"""Importing instruments from XLSX/CSV: the template, the row-by-row report, all or nothing.
covers: INS-01"""
import csv
import io
import json
import re
from datetime import date

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from qms.core.audit import AuditEvent
from qms.extensions import db
from qms.instruments.models import Instrument
from qms.records import importer
from qms.records.models import Record, Signature
from tests import factories as F
from tests.instruments.helpers import register
from tests.support.clock import clock

HEAD = ["资产编号", "仪器名称", "型号", "出厂编号", "类别", "保管部门", "保管人", "存放地点", "入库日期", "有效检定日期",
        "检定周期(月)"]


def row(asset, name="数字万用表", category="公用", dept="技术发展部", custodian="", intake="2026-10-05",
        calibrated="2026-09-20", interval=""):
    return [asset, name, "FLUKE-17B", "SN-" + asset, category, dept, custodian, "技术发展部仪表室", intake, calibrated,
            interval]


def csv_bytes(rows, encoding="utf-8-sig", head=HEAD) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(head)
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


def counts():
    db.session.expire_all()
    return (db.session.execute(select(func.count()).select_from(Record).where(Record.form_code == "INS-INTAKE")).scalar(),
            db.session.execute(select(func.count()).select_from(Instrument)).scalar())


def post(client, data: bytes, name="instruments.csv", password=F.PASSWORD, lang="en"):
    token = F.csrf_from(client.get("/r/INS-INTAKE/import").get_data(as_text=True))
    return client.post(f"/r/INS-INTAKE/import?lang={lang}", data={"csrf_token": token, "password": password,
                                                                  "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def report_rows(html):
    """The report table as (row, column, value, error) tuples."""
    body = html.split('id="import-report"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td class=\"bad\">(.*?)</td></tr>", body)
    return [tuple(c) for c in cells]


def test_template_downloads_fills_and_imports_signed_numbered_instruments(app, client, staff):
    s = staff
    clock(11, 2)
    F.login(client, s.tech)
    page = client.get("/r/INS-INTAKE/import")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'type="file"' in html and 'type="password"' in html and "/r/INS-INTAKE/import/template.xlsx" in html
    resp = client.get("/r/INS-INTAKE/import/template.xlsx")
    assert resp.status_code == 200 and resp.data[:2] == b"PK"
    wb = load_workbook(io.BytesIO(resp.data))
    ws, lists = wb.worksheets
    head = [c.value for c in ws[1]]
    assert head[:3] == ["资产编号", "仪器名称", "型号"] and "检定周期(月)" in head and "保管人" in head
    assert ws.cell(2, 1).value == "EXAMPLE-001"  # forms/INS-INTAKE.yaml import.example
    allowed = {tuple(r[1:3]) for r in lists.iter_rows(values_only=True)}
    assert ("公用", "public") in allowed and ("技术发展部", "TDD") in allowed and ("专用", "dedicated") in allowed
    # The template as downloaded: its example row is refused, nothing imported.
    before = counts()
    bad = post(client, resp.data, "template.xlsx")
    assert bad.status_code == 422 and "example row" in bad.get_data(as_text=True) and counts() == before
    # Filled in: the example replaced, a second row with a custodian and text dates, interval empty.
    col = {h: i + 1 for i, h in enumerate(head)}
    ws.cell(2, col["资产编号"], "TDD-1001")
    r = 3
    for h, v in {"资产编号": "TDD-1002", "仪器名称": "光功率计", "型号": "JW3208", "类别": "专用",
                 "保管部门": "客户服务部", "保管人": s.clerk.username, "存放地点": "营业厅机房",
                 "入库日期": "2026-10-08", "有效检定日期": date(2026, 9, 1), "检定周期(月)": None}.items():
        ws.cell(r, col[h], v)
    buf = io.BytesIO()
    wb.save(buf)
    resp = post(client, buf.getvalue(), "filled.xlsx", lang="zh_CN")
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/r/INS-INTAKE/"), resp.get_data(as_text=True)[-4000:]
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已导入 2 台仪器" in html or "Imported 2 instruments." in html
    db.session.expire_all()
    one = db.session.execute(select(Instrument).where(Instrument.asset_no == "TDD-1001")).scalar_one()
    two = db.session.execute(select(Instrument).where(Instrument.asset_no == "TDD-1002")).scalar_one()
    assert one.condition == "ok" and one.interval_months == 24 and one.category == "public"
    assert two.name == "光功率计" and two.category == "dedicated" and two.custodian_id == s.clerk.id
    assert str(two.calibrated_on) == "2026-09-01" and str(two.next_due_on) == "2028-09-01"
    assert two.department_id == F.dept("CSD").id
    for inst in (one, two):
        rec = db.session.get(Record, inst.id)
        assert rec.status == "closed" and rec.number and rec.number.startswith("YQ-2026-") and inst.number == rec.number
        assert rec.created_by_id == s.tech.id and rec.department_id == s.tech.department_id
        sig = db.session.execute(select(Signature).where(Signature.record_id == rec.id)).scalar_one()
        assert sig.user_id == s.tech.id and sig.step == "register"
        acts = set(db.session.execute(select(AuditEvent.action).where(AuditEvent.object_type == "record",
                                                                      AuditEvent.object_id == str(rec.id))).scalars())
        assert {"create", "sign"} <= acts
    assert {one.number, two.number} == {"YQ-2026-0001", "YQ-2026-0002"}
    # Each is a normal instrument: its page shows the permit state.
    assert "准用" in client.get(f"/r/INS-INTAKE/{one.id}").get_data(as_text=True)


def test_csv_in_utf8_bom_and_gbk(app, client, staff):
    s = staff
    clock(11, 2)
    F.login(client, s.tdd_head)
    resp = post(client, csv_bytes([row("TDD-2001", name="数字万用表"), row("TDD-2002", custodian=s.tech.username)],
                                  "utf-8-sig"))
    assert resp.status_code == 303, resp.get_data(as_text=True)[:3000]
    gbk = csv_bytes([row("TDD-2003", name="频谱分析仪", category="dedicated", dept="TDD",
                         custodian=f"{s.tech.full_name} ({s.tech.username})", intake="2026/10/5", interval="12")], "gbk")
    gbk.decode("gbk")
    try:
        gbk.decode("utf-8")
        raise AssertionError("the GBK sample must not be valid UTF-8")
    except UnicodeDecodeError:
        pass
    assert post(client, gbk).status_code == 303
    # Field names as headings, plain UTF-8 without BOM, semicolon separated.
    plain = ("asset_no;name;model;category;custodian_department;location;intake_on;calibrated_on\n"
             "TDD-2004;示波器;DS1102;public;TDD;仪表室;2026-10-01;2026-09-01\n").encode()
    assert post(client, plain).status_code == 303
    db.session.expire_all()
    insts = {i.asset_no: i for i in db.session.execute(select(Instrument)).scalars()}
    assert set(insts) == {"TDD-2001", "TDD-2002", "TDD-2003", "TDD-2004"}
    assert insts["TDD-2002"].custodian_id == s.tech.id and insts["TDD-2001"].custodian_id is None
    three = insts["TDD-2003"]
    assert three.name == "频谱分析仪" and three.category == "dedicated" and three.interval_months == 12
    assert three.custodian_id == s.tech.id
    assert db.session.get(Record, three.id).values["intake_on"] == "2026-10-05"
    assert insts["TDD-2004"].name == "示波器"


def test_one_bad_row_among_good_ones_writes_nothing(app, client, staff):
    s = staff
    clock(11, 2)
    register(s.tech, asset_no="TDD-0001")
    before = counts()
    audit_before = db.session.execute(select(func.count()).select_from(AuditEvent)).scalar()
    F.login(client, s.tech)
    rows = [row("TDD-3001"), row("TDD-3002"), row("TDD-3003", intake="5 Oct", category="借用"),
            row("TDD-3004", custodian="nobody-here"), row("TDD-3005")]
    resp = post(client, csv_bytes(rows))
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "2 of 5 rows have errors; nothing was imported." in html
    found = report_rows(html)
    assert ("4", "入库日期", "5 Oct", "Enter a date as YYYY-MM-DD.") in found
    assert ("4", "类别", "借用", "Not a valid choice.") in found
    assert ("5", "保管人", "nobody-here", "No user with this username.") in found
    assert {r[0] for r in found} == {"4", "5"}
    assert counts() == before  # no record, no instrument
    # Only the login's audit rows were added.
    db.session.expire_all()
    added = db.session.execute(select(AuditEvent.action).where(AuditEvent.id > audit_before)).scalars().all()
    assert not {"create", "sign"} & set(added)
    # The same report as a workbook.
    report = re.search(r'name="report" value="([^"]*)"', html).group(1)
    import html as htmllib
    token = F.csrf_from(html)
    dl = client.post("/r/INS-INTAKE/import/report.xlsx?lang=en", data={"csrf_token": token, "report": htmllib.unescape(report)})
    assert dl.status_code == 200 and dl.data[:2] == b"PK"
    lines = list(load_workbook(io.BytesIO(dl.data)).worksheets[0].iter_rows(values_only=True))
    assert lines[0] == ("Row", "Column", "Value", "Error")
    assert (4, "入库日期", "5 Oct", "Enter a date as YYYY-MM-DD.") in lines
    assert client.post("/r/INS-INTAKE/import/report.xlsx", data={"csrf_token": token, "report": "{nope"}).status_code == 400
    assert client.post("/r/INS-INTAKE/import/report.xlsx", data={"report": "[]"}).status_code == 400  # CSRF
    # Corrected, the same file imports, numbered from where the register was (nothing was used up).
    rows[2], rows[3] = row("TDD-3003"), row("TDD-3004", custodian=s.clerk.username)
    assert post(client, csv_bytes(rows)).status_code == 303
    assert counts() == (before[0] + 5, before[1] + 5)
    numbers = sorted(db.session.execute(select(Instrument.number)).scalars())
    assert numbers == [f"YQ-2026-{i:04d}" for i in range(1, 7)]


def test_duplicate_asset_numbers_in_the_file_and_against_the_register(app, client, staff):
    s = staff
    clock(11, 2)
    register(s.tech, asset_no="TDD-0001")
    before = counts()
    F.login(client, s.tech)
    resp = post(client, csv_bytes([row("TDD-4001"), row("TDD-4002"), row("TDD-4001", name="另一台")]))
    assert resp.status_code == 422
    found = report_rows(resp.get_data(as_text=True))
    assert found == [("4", "资产编号", "TDD-4001", "The same asset no. as row 2 of this file.")]
    resp = post(client, csv_bytes([row("TDD-4003"), row("TDD-0001")]))
    assert resp.status_code == 422
    assert report_rows(resp.get_data(as_text=True)) == [("3", "资产编号", "TDD-0001", "This asset number is already registered.")]
    assert counts() == before


def test_wrong_password_writes_nothing(app, client, staff):
    s = staff
    clock(11, 2)
    F.login(client, s.tech)
    before = counts()
    resp = post(client, csv_bytes([row("TDD-5001")]), password="not-my-password")
    assert resp.status_code == 422
    assert "The password is not correct; nothing was imported." in resp.get_data(as_text=True)
    assert counts() == before
    db.session.expire_all()
    failed = db.session.execute(select(AuditEvent).where(AuditEvent.action == "signature_failed")).scalars().all()
    assert len(failed) == 1 and failed[0].actor_id == s.tech.id and failed[0].object_type == "import"


def test_only_tdd_staff_import(app, client, staff):
    s = staff
    clock(11, 2)
    data = csv_bytes([row("TDD-6001")])
    for who in (s.clerk, s.csd_head, F.user("clerk", "TDD")):
        F.login(client, who)
        assert client.get("/r/INS-INTAKE/import").status_code == 403
        assert client.get("/r/INS-INTAKE/import/template.xlsx").status_code == 403
        token = F.csrf_from(client.get("/").get_data(as_text=True))
        resp = client.post("/r/INS-INTAKE/import", data={"csrf_token": token, "password": F.PASSWORD,
                                                        "file": (io.BytesIO(data), "a.csv")},
                           content_type="multipart/form-data")
        assert resp.status_code == 403
        client.post("/logout", data={"csrf_token": token})
    assert counts() == (0, 0)
    # Company-wide staff as the registration form lets them (its create roles decide, as on the web).
    from qms.records import policy
    from qms.records import spec as specs
    F.login(client, s.quality)
    expected = 200 if policy.can(s.quality, "create", specs.get("INS-INTAKE")) else 403
    assert client.get("/r/INS-INTAKE/import").status_code == expected
    # No CSRF token: refused before anything is read.
    F.login(client, s.tech)
    resp = client.post("/r/INS-INTAKE/import", data={"password": F.PASSWORD, "file": (io.BytesIO(data), "a.csv")},
                       content_type="multipart/form-data")
    assert resp.status_code == 400 and counts() == (0, 0)


def test_files_that_cannot_be_read_get_a_clear_message(app, client, staff):
    s = staff
    clock(11, 2)
    F.login(client, s.tech)
    many = csv_bytes([row(f"TDD-{i:05d}") for i in range(importer.MAX_ROWS + 1)])
    wb = Workbook()
    wb.active.append(["资产编号", "仪器名称"])
    wb.active.append(["TDD-1", "万用表"])
    missing = io.BytesIO()
    wb.save(missing)
    cases = [
        (b"", "x.csv", "The file is empty."),
        (bytes(range(256)) * 20, "junk.csv", "The file must be an XLSX workbook or a CSV file."),
        (bytes(range(256)) * 20, "junk.xlsx", "The file content does not match its type."),
        (b"PK\x03\x04" + b"\x00" * 300, "broken.xlsx", "The file could not be read as an XLSX workbook."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.xls", "Old Excel files (.xls)"),
        (b"%PDF-1.4\n" + b"\x00" * 40, "a.pdf", "The file must be an XLSX workbook or a CSV file."),
        (many, "many.csv", f"more than {importer.MAX_ROWS} rows"),
        (b"x" * (importer.MAX_BYTES + 1), "big.csv", "larger than 5 MB"),
        (csv_bytes([]), "head.csv", "only the headings row"),
        (missing.getvalue(), "missing.xlsx", "Required columns are missing: "),
        (csv_bytes([row("TDD-7")], head=HEAD[:-1] + ["备注X"]), "unknown.csv", "Unknown columns: 备注X"),
        (b"\n\n", "blank.csv", "The first row must hold the column headings."),
    ]
    for data, name, message in cases:
        resp = post(client, data, name)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 422, (name, resp.status_code)
        assert message in html, (name, html[html.find("import-message"):][:300])
    assert "型号" in post(client, missing.getvalue(), "missing.xlsx").get_data(as_text=True)
    token = F.csrf_from(client.get("/r/INS-INTAKE/import").get_data(as_text=True))
    resp = client.post("/r/INS-INTAKE/import?lang=en", data={"csrf_token": token, "password": F.PASSWORD},
                       content_type="multipart/form-data")
    assert resp.status_code == 422 and "Choose a file to upload." in resp.get_data(as_text=True)
    assert counts() == (0, 0)


def test_report_lists_every_error_of_a_row_and_caps_long_reports(app, client, staff):
    s = staff
    clock(11, 2)
    F.login(client, s.tech)
    resp = post(client, csv_bytes([row("bad asset!", custodian="ghost", interval="0", calibrated="")]))
    found = report_rows(resp.get_data(as_text=True))
    columns = {r[1] for r in found}
    assert {"资产编号", "保管人", "检定周期(月)", "有效检定日期"} <= columns, found
    rows = [row(f"TDD-{i:04d}", intake="bad") for i in range(1, importer.MAX_REPORT + 11)]
    resp = post(client, csv_bytes(rows))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "… and 10 more." in html
    report = re.search(r'name="report" value="([^"]*)"', html).group(1)
    import html as htmllib
    assert len(json.loads(htmllib.unescape(report))) == importer.MAX_REPORT
    assert counts() == (0, 0)


def test_an_import_that_takes_too_long_stops_cleanly(app, client, staff):
    s = staff
    clock(11, 2)
    F.login(client, s.tech)
    app.config["QMS_IMPORT_SECONDS"] = 0  # past the deadline at once: stopped before the worker timeout would
    resp = post(client, csv_bytes([row("TDD-8001"), row("TDD-8002")]))
    assert resp.status_code == 422 and "took too long" in resp.get_data(as_text=True)
    assert counts() == (0, 0)
    app.config["QMS_IMPORT_SECONDS"] = 60
    assert post(client, csv_bytes([row("TDD-8001"), row("TDD-8002")])).status_code == 303
    assert counts() == (2, 2)
