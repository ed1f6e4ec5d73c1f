"""The importer is the records engine's: any form that declares ``import:`` gets the import page,
the template and the all-or-nothing import (here a test-only customer-property register,
tests/records/forms/TEST-IMPORT.yaml); a broken ``import:`` block is refused by name.
covers: REC-02"""
import csv
import io
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import select

from qms.extensions import db
from qms.records import spec as specs
from qms.records.models import Record, Signature
from qms.records.spec import SpecError, parse
from tests import factories as F

FORMS = Path(__file__).parent / "forms"
HEAD = ["标签号", "物品名称", "类别", "接收日期", "数量", "保管人", "易碎"]


def load(folder: Path = FORMS) -> None:
    """Load the test declarations into this test's database."""
    specs.sync(folder)
    db.session.commit()
    specs.reset_cache()


def csv_bytes(rows, head=HEAD) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(head)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def post(client, code, data: bytes, name="rows.csv", password=F.PASSWORD, lang="en"):
    token = F.csrf_from(client.get(f"/r/{code}/import").get_data(as_text=True))
    form = {"csrf_token": token, "file": (io.BytesIO(data), name)}
    if password is not None:
        form["password"] = password
    return client.post(f"/r/{code}/import?lang={lang}", data=form, content_type="multipart/form-data")


def records(code: str) -> list:
    db.session.expire_all()
    return db.session.execute(select(Record).where(Record.form_code == code).order_by(Record.id)).scalars().all()


def test_a_second_register_declares_import_and_imports_signed_rows(app, client):
    load()
    clerk, keeper = F.user("clerk"), F.user("technician")
    F.login(client, clerk)
    # The register's button, only where an import is declared.
    assert 'href="/r/TEST-IMPORT/import"' in client.get("/r/TEST-IMPORT/").get_data(as_text=True)
    assert 'id="import-link"' not in client.get("/r/CS-INQ/").get_data(as_text=True)
    page = client.get("/r/TEST-IMPORT/import?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/r/TEST-IMPORT/import/template.xlsx" in html and 'type="password"' in html
    assert "Tags look like CP-001." in html and "An empty Quantity means 1." in html
    # The template: the first step's fields only (the head's confirmation note is not imported).
    wb = load_workbook(io.BytesIO(client.get("/r/TEST-IMPORT/import/template.xlsx").data))
    ws, lists = wb.worksheets
    assert [c.value for c in ws[1]] == HEAD
    assert ws.cell(2, 1).value == "XX-000" and ws.cell(2, 3).value == "设备"
    text = [r[0] for r in lists.iter_rows(values_only=True)]
    assert "标签号形如 CP-001。" in text and "数量留空为 1。" in text and "标签号在同一文件中不可重复。" in text
    # Imported: choices by label or code, people by username, 否 is no, an empty quantity is 1.
    resp = post(client, "TEST-IMPORT", csv_bytes([
        ["CP-001", "投影仪", "设备", "2026-01-05", "", keeper.username, "是"],
        ["CP-002", "合同副本", "document", "2026/1/6", "3", "", "否"]]))
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/r/TEST-IMPORT/"), resp.get_data(as_text=True)
    assert "Imported 2 records." in client.get(resp.headers["Location"] + "?lang=en").get_data(as_text=True)
    one, two = records("TEST-IMPORT")
    assert one.values["kind"] == "equipment" and one.values["keeper"] == keeper.id and one.values["fragile"] is True
    assert one.values["quantity"] == 1 and two.values["quantity"] == 3 and not two.values.get("fragile")
    assert two.values["received_on"] == "2026-01-06"
    for rec in (one, two):
        # The first step signed by the importer: the record waits for the head's confirmation.
        assert rec.status == "in_progress" and rec.current_step == "confirm" and rec.number.startswith("TI-")
        sig = db.session.execute(select(Signature).where(Signature.record_id == rec.id)).scalar_one()
        assert sig.user_id == clerk.id and sig.step == "register"


def test_the_declared_rules_refuse_the_whole_file(app, client):
    load()
    F.login(client, F.user("clerk"))
    resp = post(client, "TEST-IMPORT", csv_bytes([
        ["CP-001", "投影仪", "设备", "2026-01-05", "1", "", ""],
        ["XX-000", "投影仪", "设备", "2026-01-05", "1", "", ""],
        ["CP-001", "另一台", "设备", "2026-01-05", "1", "", ""]]))
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "2 of 3 rows have errors; nothing was imported." in html
    assert "The same tag as row 2 of this file." in html and "example row" in html
    resp = post(client, "TEST-IMPORT", csv_bytes([["CP-001", "投影仪", "设备", "2026-01-05", "1", "", ""]]),
                password="wrong", lang="zh_CN")
    assert resp.status_code == 422 and "密码不正确" in resp.get_data(as_text=True)
    assert records("TEST-IMPORT") == []


def test_sign_false_imports_drafts_without_a_password(app, client, tmp_path):
    raw = yaml.safe_load((FORMS / "TEST-IMPORT.yaml").read_text(encoding="utf-8"))
    raw.update(code="TEST-DRAFTS", numbering="TD-{yyyy}-{####}")
    raw["import"]["sign"] = False
    (tmp_path / "TEST-DRAFTS.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    load(tmp_path)
    clerk = F.user("clerk")
    F.login(client, clerk)
    assert 'type="password"' not in client.get("/r/TEST-DRAFTS/import").get_data(as_text=True)
    resp = post(client, "TEST-DRAFTS", csv_bytes([["CP-001", "投影仪", "设备", "2026-01-05", "1", "", ""]]),
                password=None)
    assert resp.status_code == 303
    (rec,) = records("TEST-DRAFTS")
    assert rec.status == "draft" and rec.created_by_id == clerk.id and not rec.number


def test_import_pages_only_where_declared_and_permitted(app, client):
    load()
    F.login(client, F.user("technician"))  # may not create TEST-IMPORT records
    assert client.get("/r/TEST-IMPORT/import").status_code == 403
    assert client.get("/r/TEST-IMPORT/import/template.xlsx").status_code == 403
    assert client.get("/r/CS-INQ/import").status_code == 404  # no import: block
    assert client.get("/r/NOPE/import").status_code == 404
    # The instruments' old addresses lead to the intake register's import.
    resp = client.get("/instruments/import?lang=en")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/r/INS-INTAKE/import?lang=en")
    token = F.csrf(client, "/")
    resp = client.post("/instruments/import", data={"csrf_token": token})
    assert resp.status_code == 307 and resp.headers["Location"].endswith("/r/INS-INTAKE/import")


@pytest.mark.parametrize("block, message", [
    ([1], "TEST-IMPORT.yaml: import: must be a mapping"),
    ({"unique": ["tag"]}, "TEST-IMPORT.yaml: import: unknown keys ['unique']"),
    ({"unique_in_file": ["nope"]}, "import.unique_in_file: 'nope'"),
    ({"unique_in_file": ["checked_note"]}, "import.unique_in_file: 'checked_note'"),
    ({"example": {"nope": 1}}, "import.example: 'nope' is not a field"),
    ({"example": {"kind": "家具"}}, "import.example.kind: '家具' is not one of the choices"),
    ({"example": {"received_on": "yesterday"}}, "import.example.received_on: a date must be"),
    ({"items": {"zh": "件物品"}}, "import.items: needs both zh and en"),
    ({"notes": [{"en": "only English"}]}, "import.notes[0]: needs both zh and en"),
    ({"sign": "yes"}, "import.sign: must be true or false"),
])
def test_a_broken_import_block_is_refused_by_name(block, message):
    raw = yaml.safe_load((FORMS / "TEST-IMPORT.yaml").read_text(encoding="utf-8"))
    raw["import"] = block
    with pytest.raises(SpecError) as exc:
        parse(raw, "TEST-IMPORT.yaml")
    assert message in str(exc.value)
    raw.pop("import")
    assert parse(raw, "TEST-IMPORT.yaml").import_spec is None
