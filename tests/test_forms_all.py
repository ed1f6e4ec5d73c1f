"""Every declaration loads and renders its form, register, record page and PDF.
covers: REC-01, REC-03"""
from dataclasses import replace

import pytest
import yaml
from werkzeug.datastructures import MultiDict

import qms
from qms.records import spec as specs
from qms.records.procedures import load
from qms.records.spec import SpecError, parse
from tests import factories as F
from tests.support.forms import MOCK_FORMS_DIR


def _sample(f, links=None):
    if f.choices:
        return f.choices[0][0]
    if f.type == "record":
        found = (links or {}).get(f.form)
        return f"#{found}" if found else ""
    if f.pattern:  # codes, asset numbers, months
        import re
        return next(c for c in ("A1", "2026-11", "AB-123") if re.fullmatch(f.pattern, c))
    if f.type == "user":
        return str((links or {}).get("user", 1))
    return {"string": "样例", "text": "样例文本", "integer": str(int(f.min or 1)), "decimal": "1.5",
            "date": "2026-11-20", "datetime": "2026-11-20T10:00", "boolean": "y", "phone": "0756-2212345",
            "email": "a@b.cn"}[f.type]


def _without_value_checks() -> tuple:
    """The declared procedures without their value checks: rendering only, the rules between records
    (an action needs a CAPA at planning...) have their own tests."""
    return tuple(replace(p, forms={code: replace(rules, checks=(), draft_checks=()) for code, rules in p.forms.items()})
                 for p in load(qms.PROCEDURES))


PROCEDURES = _without_value_checks()  # the app fixture builds the app with these (tests/conftest.py)


def test_every_form_renders_everywhere(app, client):
    admin_like = F.user("department_head")
    F.login(client, admin_like)
    assert specs.all_specs(), "no declarations loaded"
    links = {"user": admin_like.id}
    pending = list(specs.all_specs())
    ordered = []  # forms that link to others come after them (a CAPA needs a nonconformity)
    while pending:
        ready = [s for s in pending if all(f.form in {o.code for o in ordered}
                                           for f in s.fields if f.type == "record" and f.required)]
        assert ready, [s.code for s in pending]
        ordered += ready
        pending = [s for s in pending if s not in ready]
    for spec in ordered:
        assert client.get(f"/r/{spec.code}/").status_code == 200, spec.code
        if "department_head" in spec.permissions["create"]:
            # A form only some departments create (declared) is refused to the others, never a 500.
            allowed = not spec.create_departments or "CSD" in spec.create_departments
            assert client.get(f"/r/{spec.code}/new").status_code == (200 if allowed else 403), spec.code
        from qms.records import service
        data = MultiDict({f.name: _sample(f, links) for f in spec.fields if f.type != "table"})
        for table in (f for f in spec.fields if f.type == "table"):  # one row of sample cells
            data.update({f"{table.name}-0-{c.name}": _sample(c, links) for c in table.columns})
        author = F.user(spec.permissions["create"][0], (spec.create_departments or ("CSD",))[0])
        rec = service.create(spec, author, data, "zh_CN")
        links.setdefault(spec.code, rec.id)
        rec.department_id = admin_like.department_id
        from qms.extensions import db
        db.session.commit()
        assert client.get(f"/r/{spec.code}/{rec.id}").status_code == 200, spec.code
        pdf = client.get(f"/r/{spec.code}/{rec.id}.pdf")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF"), spec.code


@pytest.mark.parametrize("mutation, message", [
    (lambda d: d.pop("title"), "missing key"),
    (lambda d: d["fields"][0].update(type="colour"), "type must be"),
    (lambda d: d["fields"][0].update(label={"zh": "仅中文"}), "zh and en"),
    (lambda d: d["workflow"][0].update(roles=["janitor"]), "unknown roles"),
    (lambda d: d.update(numbering="X-{yyyy}"), "sequence placeholder"),
    (lambda d: d["register"].update(columns=["nope"]), "unknown field"),
    (lambda d: d["permissions"].update(departmnets=["TDD"]), "permissions: unknown keys"),
    (lambda d: d["permissions"].update(departments=["技术发展部"]), "department codes"),
    (lambda d: d["workflow"][0].update(departments="TDD"), "department codes"),
    (lambda d: d["fields"][0].update(required_if={"nope": "x"}), "required_if names an unknown field"),
    (lambda d: d["fields"][1].update(not_future=True), "not_future is for date"),
])
def test_broken_declarations_are_refused_with_a_clear_message(app, mutation, message):
    raw = yaml.safe_load(open(MOCK_FORMS_DIR / "TEST-REC.yaml", encoding="utf-8"))
    mutation(raw)
    with pytest.raises(SpecError) as exc:
        parse(raw, "TEST-REC.yaml")
    assert message in str(exc.value)


def test_a_form_may_bring_its_own_pdf_template(app, client, tmp_path):
    """CP-PBX adds only templates/forms/CP-PBX/pdf.html; the rest stays generic."""
    import re
    import subprocess
    head = F.user("department_head")
    F.login(client, head)
    spec = specs.get("CP-PBX")
    from qms.records import service
    rec = service.create(spec, head, MultiDict({f.name: _sample(f) for f in spec.fields}), "zh_CN")
    from qms.extensions import db
    db.session.commit()
    p = tmp_path / "pbx.pdf"
    p.write_bytes(client.get(f"/r/CP-PBX/{rec.id}.pdf").data)
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(p), "-"], capture_output=True, text=True).stdout)
    assert "检验合格后，客户方可正式使用小交换机" in text and "文件名" in text
