"""The procedure contract: a package's declaration reaches the engine by form code, and nothing else.
The app of these tests runs the declared packages plus a test procedure on the mock form TEST-REC
(``PROCEDURES`` below; tests/conftest.py builds the app with it), so no global is patched.
covers: REC-01, REC-03"""
import pytest
import yaml
from werkzeug.datastructures import MultiDict

import qms
from qms.records import service
from qms.records import spec as specs
from qms.records.procedures import FormRules, Procedure, Registry, from_parts, load
from qms.records.spec import SpecError, parse
from tests import factories as F
from tests.support.forms import MOCK_FORMS_DIR
from tests.support.records import sign

CALLS: list = []  # what the test procedure's hooks saw: (hook, form code, status)


def _no_spam(record, values, user):
    """Refuses a word in the content on every save and signature."""
    return {"content": ["不得包含“广告”。"]} if "广告" in (values.get("content") or "") else {}


def _draft_serious(record, values, user):
    """Only while a draft: a serious case needs a reply date."""
    return {"reply_due_on": ["严重的须填答复期限。"]} if values.get("severity") == "serious" \
        and not values.get("reply_due_on") else {}


def _review_after_handling(record, spec, step, user):
    return "客户尚未签认。" if step.name == "review" and not record.values.get("customer_signed") else None


def _hook(record, spec, new=False):
    CALLS.append(("form", spec.code, record.status))


def _every(record, spec, new=False):
    CALLS.append(("every", spec.code, record.status))


def _alias(text):
    """A TEST-REC record typed as 'customer:<name>' in a link field."""
    if not text.startswith("customer:"):
        return None
    rec = next((r for r in service_records() if r.values.get("customer_name") == text[9:]), None)
    return rec.id if rec else None


def service_records():
    from qms.extensions import db
    from qms.records.models import Record
    return db.session.query(Record).filter(Record.form_code == "TEST-REC").all()


def _priority(value, where, code):
    if value not in ("low", "high"):
        raise SpecError(f"{where}: low or high")
    return value


TEST_PROCEDURE = Procedure(
    "QP-TEST",
    forms={"TEST-REC": FormRules(checks=(_no_spam,), draft_checks=(_draft_serious,),
                                 sign_checks=(_review_after_handling,), on_change=(_hook,), link_alias=_alias)},
    every_change=(_every,),
    extensions={"priority": _priority},
)
PROCEDURES = (*load(qms.PROCEDURES), TEST_PROCEDURE)


@pytest.fixture(autouse=True)
def _fresh_calls():
    CALLS.clear()


def test_checks_and_hooks_run_for_their_form_only(app):
    clerk, head = F.user("clerk"), F.user("department_head")
    with pytest.raises(service.ValidationFailed) as exc:
        F.record(clerk, "TEST-REC", content="卖广告")
    assert exc.value.errors == {"content": ["不得包含“广告”。"]}
    from qms.extensions import db
    db.session.rollback()
    with pytest.raises(service.ValidationFailed) as exc:
        F.record(clerk, "TEST-REC", severity="serious", reply_due_on="")
    assert exc.value.errors == {"reply_due_on": ["严重的须填答复期限。"]}
    db.session.rollback()
    CALLS.clear()
    rec = F.record(clerk, "TEST-REC")
    assert ("form", "TEST-REC", "draft") in CALLS and ("every", "TEST-REC", "draft") in CALLS
    # Another form's save runs the hooks for every form, never TEST-REC's own.
    CALLS.clear()
    F.record(clerk, "CS-INQ")
    assert ("every", "CS-INQ", "draft") in CALLS and not [c for c in CALLS if c[0] == "form"]
    # Past the draft the draft-only check is quiet, the other check still speaks.
    sign(rec, clerk)
    F.handled(rec, clerk)
    assert rec.current_step == "review"
    assert service.sign_blockers(rec, specs.get("TEST-REC"), specs.get("TEST-REC").step("review"), head) \
        == ["客户尚未签认。"]
    with pytest.raises(service.SignatureRefused) as refused:
        service.sign(rec, head, F.PASSWORD)
    assert "客户尚未签认" in refused.value.message


def test_a_link_field_finds_a_record_by_its_declared_alias(app):
    clerk = F.user("clerk")
    rec = F.record(clerk, "TEST-REC", customer_name="周末")
    from qms.records.webforms import form_class
    spec = specs.get("TEST-LINK")
    link = next(f for f in spec.fields if f.type == "record" and f.form == "TEST-REC")
    form = form_class(spec, "zh_CN", (link.name,))(formdata=MultiDict({link.name: "customer:周末"}))
    form.validate()
    assert form[link.name].record_id == rec.id and not form[link.name].errors


def test_a_declaration_key_nobody_declared_is_refused_with_file_and_key(app):
    raw = yaml.safe_load((MOCK_FORMS_DIR / "TEST-REC.yaml").read_text(encoding="utf-8"))
    with pytest.raises(SpecError, match=r"TEST-REC.yaml: unknown keys \['reminder'\]"):
        parse({**raw, "reminder": []}, "TEST-REC.yaml")
    with pytest.raises(SpecError, match=r"TEST-REC.yaml: workflow\[0\]: unknown keys \['role'\]"):
        parse({**raw, "workflow": [{**raw["workflow"][0], "role": ["clerk"]}] + raw["workflow"][1:]}, "TEST-REC.yaml")
    with pytest.raises(SpecError, match=r"TEST-REC.yaml: register: unknown keys \['filter'\]"):
        parse({**raw, "register": {**raw["register"], "filter": []}}, "TEST-REC.yaml")
    # A key a procedure declares is parsed by it when the form loads...
    assert parse({**raw, "priority": "high"}, "TEST-REC.yaml").extensions == {"priority": "high"}
    with pytest.raises(SpecError, match=r"TEST-REC.yaml: priority: low or high"):
        parse({**raw, "priority": "urgent"}, "TEST-REC.yaml")
    # ... and so are the form's reminder rules (the reminders package declares the key).
    rule = {"id": "test-due", "kind": "due", "field": "reply_due_on", "title": {"zh": "到期", "en": "Due"}}
    assert parse({**raw, "reminders": [rule]}, "TEST-REC.yaml").extensions["reminders"][0].id == "test-due"
    with pytest.raises(SpecError, match=r"TEST-REC.yaml: reminders\[0\]: .*unknown keys \['lead_day'\]"):
        parse({**raw, "reminders": [{**rule, "lead_day": [3]}]}, "TEST-REC.yaml")
    with pytest.raises(SpecError, match=r"TEST-REC.yaml: reminders\[0\]: .*kind must be one of"):
        parse({**raw, "reminders": [{**rule, "kind": "weekly"}]}, "TEST-REC.yaml")


def test_an_engine_alone_knows_no_procedure_key():
    raw = yaml.safe_load((MOCK_FORMS_DIR / "TEST-REC.yaml").read_text(encoding="utf-8"))
    with pytest.raises(SpecError, match="unknown keys"):
        parse({**raw, "thresholds": {"x": 99}}, "TEST-REC.yaml", extensions={})


def test_two_packages_may_not_claim_one_declaration_key_or_one_panel():
    with pytest.raises(ValueError, match="claimed twice"):
        Registry((TEST_PROCEDURE, Procedure("QP-OTHER", extensions={"priority": _priority})))
    with pytest.raises(ValueError, match="two panel"):
        Registry((Procedure("A", forms={"X": FormRules(panel=_hook)}), Procedure("B", forms={"X": FormRules(panel=_hook)})))


def test_the_declared_packages_plug_in_through_one_list(app):
    names = [p.code for p in app.extensions["qms.procedures"].procedures]
    assert names == ["reminders", "QP-CA", "QP-INS", "QP-CS", "QP-DA", "QP-CP", "QP-IT", "QP-TEST"]
    reg = app.extensions["qms.procedures"]
    assert reg.rules("INS-USAGE").draft_checks and reg.rules("CA-CAPA").panel is not None
    assert reg.rules("NO-SUCH-FORM") == FormRules()
    assert {bp.name for bp in reg.blueprints} >= {"capa", "instruments", "reminders"}


def test_a_stored_revision_stays_readable_when_its_package_key_is_gone(app):
    """A revision was checked when it was loaded; a key no running package declares any more (a
    package removed, a key renamed) does not make its records unreadable."""
    import json

    from qms.extensions import db
    from qms.records.models import FormRevision
    raw = yaml.safe_load((MOCK_FORMS_DIR / "TEST-REC.yaml").read_text(encoding="utf-8"))
    raw = {**raw, "code": "TEST-OLD", "retired_key": {"x": 1}}
    row = FormRevision(code="TEST-OLD", revision="A", seq=1, content_hash="0" * 64,
                       spec_json=json.dumps(raw, ensure_ascii=False))
    db.session.add(row)
    db.session.flush()
    with pytest.raises(SpecError, match="retired_key"):
        parse(raw, "TEST-OLD.yaml")
    assert specs.by_revision(row.id).code == "TEST-OLD"


def test_two_parts_of_one_package_may_add_to_one_form():
    """A statistics part may count another part's records: both parts' hooks run,
    but a form's panel still comes from one part only."""
    def first(*_a):
        return None

    def second(*_a):
        return None

    one = type("One", (), {"FORMS": {"X": FormRules(on_change=(first,), panel=first)}})
    two = type("Two", (), {"FORMS": {"X": FormRules(on_change=(second,), checks=(second,))}})
    proc = from_parts("QP-X", (one, two))
    assert proc.forms["X"].on_change == (first, second)
    assert proc.forms["X"].checks == (second,) and proc.forms["X"].panel is first
    clash = type("Clash", (), {"FORMS": {"X": FormRules(panel=second)}})
    with pytest.raises(ValueError, match="panel"):
        from_parts("QP-X", (one, clash))
