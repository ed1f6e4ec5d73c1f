"""Line items (``type: table``) and computed values (``compute:``), on the mock form TEST-LINES:
the declaration is checked when it loads, rows are validated cell by cell with the row and the
column named, computed values are worked out on the server and frozen by the signature, and the
rows reach the record page, the printout, the export, the API and a register filter.
covers: REC-01, REC-02"""
import copy
import io
import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import text
from werkzeug.datastructures import MultiDict

from qms.core.errors import SpecError
from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from qms.records.models import Record
from tests import factories as F
from tests.support.api import token_for
from tests.support.forms import MOCK_FORMS_DIR

BASE = {"customer_name": "陈建国", "phone_number": "0756-2212345", "grade": "A", "repeat": "y",
        "items-0-service": "local", "items-0-quantity": "3", "items-0-price": "1.5",
        "items-1-service": "", "items-1-quantity": "", "items-1-price": "",  # an empty row: left out
        "items-2-service": "data", "items-2-quantity": "2", "items-2-price": "0.25", "divisor": "2"}


def _raw():
    return yaml.safe_load((MOCK_FORMS_DIR / "TEST-LINES.yaml").read_text(encoding="utf-8"))


def _create(u, **changes):
    data = MultiDict({**BASE, **changes})
    rec = service.create(specs.get("TEST-LINES"), u, data, "zh_CN")
    db.session.commit()
    return rec


# --- the declaration -------------------------------------------------------------------------

def _refused(mutate) -> str:
    raw = copy.deepcopy(_raw())
    mutate(raw)
    with pytest.raises(SpecError) as exc:
        specs.parse(raw, "TEST-LINES.yaml", extensions={})
    return str(exc.value)


def _field(raw, name):
    return next(f for f in raw["fields"] if f["name"] == name)


def test_mistakes_in_a_declaration_are_refused_with_file_field_and_position():
    msg = _refused(lambda r: _field(r, "total").update(compute="sum(items.amount) +"))
    assert "TEST-LINES.yaml: field total" in msg and "at column" in msg
    msg = _refused(lambda r: _field(r, "total").update(compute="sum(items.amount) * rate"))
    assert "unknown name 'rate'" in msg and "at column 21" in msg
    assert "functions are" in _refused(lambda r: _field(r, "total").update(compute="__import__('os')"))
    assert "can only be read by sum" in _refused(lambda r: _field(r, "total").update(compute="(1).real"))
    assert "Lambda is not allowed" in _refused(lambda r: _field(r, "total").update(compute="1 + (lambda: 1)"))
    assert "no column 'cost'" in _refused(lambda r: _field(r, "total").update(compute="sum(items.cost)"))
    assert "can only be read by sum" in _refused(lambda r: _field(r, "total").update(compute="items.amount"))
    assert "no column 'third'" in _refused(lambda r: _field(r, "reward").update(
        compute="lookup(rewards, grade, 'third')"))
    assert "circle" in _refused(lambda r: (_field(r, "total").update(compute="share + 1")))
    # A value worked out at the first step may not read what is filled at a later one.
    assert "later step" in _refused(lambda r: _field(r, "total").update(compute="count(items) + review_note"))
    assert "needs columns" in _refused(lambda r: _field(r, "items").pop("columns"))
    assert "totals must name integer or decimal columns" in _refused(
        lambda r: _field(r, "items").update(totals=["note"]))
    assert "max_rows" in _refused(lambda r: _field(r, "items").update(max_rows=5000))
    assert "are for table fields" in _refused(lambda r: _field(r, "customer_name").update(max_rows=3))
    assert "may not declare" in _refused(lambda r: _field(r, "items")["columns"][0].update(step="approve"))
    assert "key 'grade' repeats" in _refused(lambda r: r["lookups"]["rewards"]["rows"].append(
        {"grade": "A", "first": 1, "repeat": 2}))
    assert "unknown field 'items.colour'" in _refused(lambda r: r["register"]["filters"].append("items.colour"))


# --- rows and computed values through the service -----------------------------------------------

def test_rows_are_validated_and_computed_values_worked_out_on_the_server(app):
    clerk = F.user("clerk")
    rec = _create(clerk)
    v = rec.values
    assert v["items"] == [
        {"service": "local", "quantity": 3, "price": "1.5", "amount": "4.50", "note": None},
        {"service": "data", "quantity": 2, "price": "0.25", "amount": "0.50", "note": None},
    ]
    assert (v["total"], v["share"], v["reward"]) == ("5.00", "2.50", 100)  # grade A, a repeat: 100
    # Each bad cell is named by its row and its column; nothing is saved.
    with pytest.raises(service.ValidationFailed) as exc:
        service.update(rec, clerk, MultiDict({**BASE, "items-0-quantity": "0", "items-2-price": "-1"}),
                       "zh_CN", rec.version)
    assert exc.value.errors["items"] == ["第1行「数量」：不能小于 1。", "第3行「单价」：不能小于 0。"]
    db.session.rollback()
    # Division by zero: the computed field says why.
    with pytest.raises(service.ValidationFailed) as exc:
        service.update(rec, clerk, MultiDict({**BASE, "divisor": "0"}), "zh_CN", rec.version)
    assert exc.value.errors == {"share": ["无法计算：除数为零。"]}
    db.session.rollback()
    # An empty input leaves the value empty (nothing to share by), without an error.
    service.update(rec, clerk, MultiDict({**BASE, "divisor": "", "grade": "B", "repeat": ""}), "zh_CN", rec.version)
    db.session.commit()
    assert (rec.values["share"], rec.values["reward"]) == (None, 20)


def test_row_limits(app):
    clerk = F.user("clerk")
    spec = specs.get("TEST-LINES")
    empty = {k: v for k, v in BASE.items() if not k.startswith("items-")}
    with pytest.raises(service.ValidationFailed) as exc:
        service.create(spec, clerk, MultiDict(empty), "zh_CN")
    assert exc.value.errors["items"] == ["此项为必填项。"]
    db.session.rollback()
    many = {**empty, **{f"items-{i}-{k}": v for i in range(301)
                        for k, v in (("service", "local"), ("quantity", "1"), ("price", "1"))}}
    with pytest.raises(service.ValidationFailed) as exc:
        service.create(spec, clerk, MultiDict(many), "zh_CN")
    assert exc.value.errors["items"] == ["最多 300 行。"]
    db.session.rollback()
    assert db.session.execute(text("SELECT COUNT(*) FROM records")).scalar() == 0


def test_rows_are_signed_content_and_computed_values_are_frozen_with_the_step(app):
    clerk, head = F.user("clerk"), F.user("department_head")
    rec = _create(clerk)
    service.sign(rec, clerk, F.PASSWORD)
    db.session.commit()
    spec = specs.by_revision(rec.form_revision_id)
    assert rec.signatures[0].is_valid(rec, spec)
    # The next step's fields are filled; the signed rows and the values computed from them stay.
    service.update(rec, head, MultiDict({"review_note": "核对无误", "items-0-price": "99"}), "zh_CN", rec.version)
    db.session.commit()
    assert rec.values["items"][0]["price"] == "1.5" and rec.values["total"] == "5.00"
    # A row changed through the ORM is refused: signed content never changes.
    changed = rec.values
    changed["items"][0]["quantity"] = 30
    rec.values = changed
    with pytest.raises(service.LockedRecord):
        db.session.flush()
    db.session.rollback()
    # A row changed behind the engine's back breaks the signature's hash (rows are covered).
    values = rec.values
    values["items"][0]["price"] = "9.9"
    db.session.execute(text("UPDATE records SET data = :d WHERE id = :i"),
                       {"d": json.dumps(values, ensure_ascii=False), "i": rec.id})
    db.session.commit()
    db.session.expire_all()
    rec = db.session.get(Record, rec.id)
    assert not rec.signatures[0].is_valid(rec, spec)


def test_a_changed_lookup_table_applies_to_new_records_only(app, tmp_path):
    clerk = F.user("clerk")
    old = _create(clerk)
    raw = _raw()
    raw["revision"] = "B"
    raw["lookups"]["rewards"]["rows"][0]["repeat"] = 150
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "TEST-LINES.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    specs.sync(folder)
    db.session.commit()
    specs.reset_cache()
    new = _create(clerk)
    assert (old.values["reward"], new.values["reward"]) == (100, 150)
    # The draft filled under revision A keeps computing by it when saved again.
    service.update(old, clerk, MultiDict({**BASE, "customer_name": "陈建国（更正）"}), "zh_CN", old.version)
    db.session.commit()
    assert old.values["reward"] == 100 and specs.by_revision(old.form_revision_id).revision == "A"


# --- pages -------------------------------------------------------------------------------------

def test_rows_are_added_and_removed_without_script_and_nothing_is_saved(app, client):
    clerk = F.user("clerk")
    F.login(client, clerk)
    page = client.get("/r/TEST-LINES/new").get_data(as_text=True)
    assert 'name="items-0-service"' in page and "添加一行" in page and "data-row-template" in page
    resp = client.post("/r/TEST-LINES/new", data={**BASE, "_rows": "add:items", "_nonce": "x",
                                                        "csrf_token": F.csrf(client, "/r/TEST-LINES/new")})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'name="items-3-service"' in page
    assert db.session.execute(text("SELECT COUNT(*) FROM records")).scalar() == 0
    resp = client.post("/r/TEST-LINES/new", data={**BASE, "_rows": "remove:items-0", "_nonce": "x",
                                                        "csrf_token": F.csrf(client, "/r/TEST-LINES/new")})
    page = resp.get_data(as_text=True)
    # Rows are numbered again from 0: the empty row and the data row are left.
    assert 'name="items-1-service"' in page and 'name="items-2-service"' not in page
    assert '<option selected value="local">' not in page and '<option selected value="data">' in page
    # Computed values are shown as the form comes back: 2 × 0.25 for the row left.
    assert ">0.50</output>" in page


def test_bad_cells_are_shown_in_their_row_and_the_computed_preview_answers_json(app, client):
    clerk = F.user("clerk")
    F.login(client, clerk)
    resp = client.post("/r/TEST-LINES/new", data={**BASE, "items-2-quantity": "-1", "_nonce": "y",
                                                        "csrf_token": F.csrf(client, "/r/TEST-LINES/new")})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "第3行「数量」：不能小于 1。" in page
    assert 'class="c-integer has-error"' in page
    resp = client.post("/r/TEST-LINES/compute", data={**BASE, "items-2-price": "oops", "divisor": "0",
                                                            "csrf_token": F.csrf(client, "/r/TEST-LINES/new")})
    out = resp.get_json()
    assert out["cells"] == {"items-0-amount": "4.50", "items-1-amount": "", "items-2-amount": ""}
    assert out["rows"] == {"items": [{"amount": "4.50"}, {"amount": ""}, {"amount": ""}]}
    assert out["totals"] == {"items-quantity": "5", "items-amount": "4.50"}
    assert out["fields"]["total"] == "4.50" and out["errors"] == {"share": ["无法计算：除数为零。"]}


def test_record_page_printout_and_export_show_the_rows(app, client):
    clerk = F.user("clerk")
    many = {k: v for k, v in BASE.items() if not k.startswith("items-")}
    for i in range(200):
        many.update({f"items-{i}-service": "long", f"items-{i}-quantity": str(i + 1), f"items-{i}-price": "0.10",
                     f"items-{i}-note": f"第{i + 1}条"})
    rec = _create(clerk, **{k: v for k, v in many.items()})
    service.sign(rec, clerk, F.PASSWORD)
    db.session.commit()
    F.login(client, clerk)
    page = client.get(f"/r/TEST-LINES/{rec.id}").get_data(as_text=True)
    assert ">单价</th>" in page and "第200条" in page and "2010.00" in page  # 0.1 × (1+…+200)
    assert "按第 A 版表单计算" in page
    pdf = client.get(f"/r/TEST-LINES/{rec.id}.pdf").data
    if os.environ.get("QMS_SHOTS"):
        (Path(os.environ["QMS_SHOTS"]) / "lines.pdf").write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    pages = out.decode().split("\f")
    assert len([p for p in pages if p.strip()]) >= 3
    # The header row is repeated on every page the table runs over.
    assert all("单价" in p for p in pages[1:] if "第1" in p or "条" in p)
    assert "第200条" in out.decode() and "20100" in out.decode().replace(" ", "") or "20100" in out.decode()
    book = load_workbook(io.BytesIO(client.get("/r/TEST-LINES/export.xlsx").data))
    lines = book.worksheets[1]
    assert [c.value for c in lines[2]][:7] == ["编号", "明细", "行号", "业务", "数量", "单价", "金额"]
    assert lines.max_row == 202 and lines["A3"].value == rec.number and lines["E202"].value == 200


def test_a_register_filters_on_a_line_column(app, client):
    clerk = F.user("clerk")
    both = _create(clerk)  # local and data
    only_long = _create(clerk, **{"items-0-service": "long", "items-2-service": "long"})
    F.login(client, clerk)
    page = client.get("/r/TEST-LINES/?items.service=data").get_data(as_text=True)
    assert f"/r/TEST-LINES/{both.id}\"" in page and f"/r/TEST-LINES/{only_long.id}\"" not in page
    assert "批价明细 · 业务" in page
    resp = client.get("/r/TEST-LINES/?items.service=nonsense")
    assert resp.status_code == 422


def test_a_line_column_filter_lists_each_record_once_and_pages_by_keyset(app):
    """The filter walks the column's facets (register._query): a value in two rows of one record is one
    facet, and pages forward and back over the filtered register give every match once, newest first."""
    from qms.records import register
    from qms.records.models import RecordFacet
    clerk = F.user("clerk")
    twice = _create(clerk, **{"items-0-service": "data"})  # data in rows 1 and 3
    assert db.session.query(RecordFacet).filter_by(record_id=twice.id, field="items.service").count() == 1
    made = [_create(clerk, **({"items-2-service": "long"} if i % 2 else {})).id for i in range(7)]
    want = sorted([twice.id] + [r for i, r in enumerate(made) if not i % 2], reverse=True)
    spec, msgs = specs.get("TEST-LINES"), {"choice": "?", "cursor": "?"}
    got, args = [], {"items.service": "data"}
    while True:
        page = register.page(spec, clerk, args, msgs, size=2)
        got += [r.id for r in page.rows]
        if not page.next_cursor:
            break
        args = {"items.service": "data", "after": page.next_cursor}
    assert got == want
    back = register.page(spec, clerk, {"items.service": "data", "before": page.prev_cursor}, msgs, size=2)
    last_start = (len(want) - 1) // 2 * 2  # the first row of the last page
    assert [r.id for r in back.rows] == want[last_start - 2:last_start]
    assert [r.id for r in register.iterate(spec, clerk, {"items.service": "data"}, msgs, batch=2)] == want


# --- the API -------------------------------------------------------------------------------------

def test_the_api_takes_and_returns_rows_and_refuses_bad_ones_with_422(app, client):
    clerk = F.user("clerk")
    headers = token_for(clerk)
    body = {"values": {"customer_name": "王五", "grade": "B", "items": [
        {"service": "local", "quantity": 2, "price": "3.5"}, {"service": "data", "quantity": 1, "price": 1}]}}
    resp = client.post("/api/v1/forms/TEST-LINES/records", json=body, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    values = resp.get_json()["values"]
    assert [r["amount"] for r in values["items"]] == ["7.00", "1.00"] and values["total"] == "8.00"
    bad = [
        ("items", "not rows", "Must be a list of rows."),
        ("items", [1, 2], "Row 1: must be an object of column values."),
        ("items", [{"service": "local", "quantity": 1, "price": 1, "colour": "red"}], "Row 1: unknown columns colour."),
        ("items", [{"service": "local", "quantity": [1], "price": 1}], "Row 1, Quantity: The format is not valid."),
        ("items", [{"service": "local", "quantity": 1, "price": 1}] * 301, "At most 300 rows."),
        ("items", [{"service": "local", "quantity": 0, "price": 1}], "Row 1, Quantity: Must be at least 1."),
    ]
    for name, value, message in bad:
        resp = client.post("/api/v1/forms/TEST-LINES/records?lang=en", json={"values": {**body["values"], name: value}},
                           headers={**headers, "Accept-Language": "en"})
        assert resp.status_code == 422, value
        assert message in resp.get_json()["fields"][name], (value, resp.get_json())
    assert db.session.execute(text("SELECT COUNT(*) FROM records")).scalar() == 1
