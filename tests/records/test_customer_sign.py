"""Customer signatures at a workflow step (issue #12, part 4): declared per step, captured on the
screen, as a scan of the signed page, or refused with a witness; stored append-only with the
file's SHA-256; covered by the step's staff signature; required before that step is signed, by
the service (so the web, the API and the importer alike); printed on the PDF.
covers: CS-02, CS-05, CP-05, IT-03"""
import io
import re
import subprocess

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select, text
from werkzeug.datastructures import MultiDict

from qms.core.audit import AuditEvent
from qms.core.errors import Conflict, LockedRecord, SignatureRefused, SpecError, ValidationFailed
from qms.extensions import db
from qms.records import customer_sign, printing, service
from qms.records import spec as specs
from qms.records.customer_sign_models import CustomerSignature
from qms.records.models import Status
from tests import factories as F
from tests.records.customer_sign_helpers import CODE, data_url, drawing, jpeg, order, pdf_page
from tests.support.records import sign


def _count() -> int:
    return db.session.execute(select(func.count()).select_from(CustomerSignature)).scalar()


def _actions(rec):
    return [e.action for e in db.session.execute(
        select(AuditEvent).where(AuditEvent.object_type == "record", AuditEvent.object_id == str(rec.id))
        .order_by(AuditEvent.id)).scalars()]


# --- the declaration ------------------------------------------------------------------------

def _parse(step_extra):
    raw = {"code": "X-CS", "title": {"zh": "甲", "en": "A"}, "procedure": "QP-IT",
           "fields": [{"name": "a", "type": "string", "label": {"zh": "甲", "en": "A"}}],
           "workflow": [{"name": "submit", "label": {"zh": "甲", "en": "A"}, "roles": ["clerk"],
                         "meaning": "prepared", **step_extra}]}
    return specs.parse(raw, "X-CS.yaml")


def test_declaration_is_parsed_strictly(app):
    step = _parse({"customer_signature": {"required": True, "label": {"zh": "客户签认", "en": "Customer confirms"}}}).workflow[0]
    assert step.customer_signature == {"required": True, "label": {"zh": "客户签认", "en": "Customer confirms"}}
    assert _parse({"customer_signature": {}}).workflow[0].customer_signature["required"] is False
    assert _parse({}).workflow[0].customer_signature is None
    for bad, says in [(True, "must be a mapping"), ({"requred": True}, "unknown keys ['requred']"),
                      ({"required": "yes"}, "required: must be true or false"),
                      ({"required": True, "label": {"zh": "客户"}}, "needs both zh and en")]:
        with pytest.raises(SpecError) as exc:
            _parse({"customer_signature": bad})
        assert "X-CS.yaml: workflow[0].customer_signature" in str(exc.value) and says in str(exc.value)


# --- the rule and the hash ---------------------------------------------------------------------

def test_a_required_customer_signature_blocks_the_step_until_captured(app):
    clerk, head = F.user("clerk"), F.user("department_head")
    rec = order(clerk)
    spec = specs.by_revision(rec.form_revision_id)
    assert service.sign_blockers(rec, spec, spec.step("complete"), clerk)
    with pytest.raises(SignatureRefused) as exc, force_locale("en"):
        service.sign(rec, clerk, F.PASSWORD)
    assert "customer" in exc.value.message
    db.session.rollback()
    assert rec.current_step == "complete" and [s.step for s in rec.signatures] == ["submit"]
    cs = customer_sign.capture_drawn(rec, clerk, " 陈建国 ", data_url(drawing()))
    db.session.commit()
    assert cs.customer_name == "陈建国" and len(cs.sha256) == 64 and cs.captured_by_id == clerk.id
    assert cs.content_type == "image/png" and cs.kind == "drawn" and cs.step == "complete"
    assert _actions(rec)[-1] == "customer_signature"
    sign(rec, clerk)
    assert rec.current_step == "review"
    # The lineman's signature covers the customer's: its hash is not the plain content hash.
    sig = rec.signatures[-1]
    names = [f.name for f in spec.fields_upto("complete")]
    assert sig.content_hash == rec.content_hash(names, cs.evidence()) != rec.content_hash(names)
    assert sig.is_valid(rec, spec)
    sign(rec, head)
    assert rec.status == Status.CLOSED and all(s.is_valid(rec, spec) for s in rec.signatures)


def test_other_forms_and_steps_without_one_hash_as_before(app):
    """Existing signatures keep their hashes: the customer's part is added only where one exists."""
    clerk = F.user("clerk")
    rec = sign(F.record(clerk, "TEST-REC"), clerk)
    spec = specs.by_revision(rec.form_revision_id)
    assert rec.signatures[0].content_hash == rec.content_hash([f.name for f in spec.fields_upto("submit")])
    # TEST-CUSTSIGN's first step declares an optional customer signature: none given, plain hash.
    order_rec = order(clerk)
    names = [f.name for f in spec.fields_upto("submit")]
    cspec = specs.by_revision(order_rec.form_revision_id)
    assert order_rec.signatures[0].content_hash == order_rec.content_hash([f.name for f in cspec.fields_upto("submit")])
    assert names


def test_an_optional_customer_signature_is_covered_when_given(app):
    clerk = F.user("clerk")
    rec = service.create(specs.get(CODE), clerk, MultiDict({"customer_name": "林", "phone_number": "13800138000",
                                                             "work": "移机"}), "zh_CN")
    db.session.commit()
    cs = customer_sign.capture_scan(rec, clerk, "林小姐", io.BytesIO(jpeg()), "受理单.jpg")
    db.session.commit()
    sign(rec, clerk)
    spec = specs.by_revision(rec.form_revision_id)
    assert rec.signatures[0].content_hash == rec.content_hash([f.name for f in spec.fields_upto("submit")],
                                                              cs.evidence())
    assert cs.content_type == "image/jpeg" and cs.kind == "scan"


def test_a_new_capture_replaces_the_earlier_one_and_the_hash_follows_the_latest(app):
    clerk = F.user("clerk")
    rec = order(clerk)
    customer_sign.capture_drawn(rec, clerk, "陈建国", data_url(drawing()))
    second = customer_sign.capture_scan(rec, clerk, "陈建国", io.BytesIO(pdf_page()), "工单.pdf")
    db.session.commit()
    spec = specs.by_revision(rec.form_revision_id)
    assert customer_sign.for_record(rec, spec) == {"complete": second} and _count() == 2
    sign(rec, clerk)
    assert rec.signatures[-1].content_hash == rec.content_hash(
        [f.name for f in spec.fields_upto("complete")], second.evidence())


def test_a_step_sent_back_needs_the_customer_again(app):
    """The customer signed what was on the form; sent back, the form may change, so they sign again."""
    clerk, head = F.user("clerk"), F.user("department_head")
    rec = order(clerk)
    customer_sign.capture_drawn(rec, clerk, "陈建国", data_url(drawing()))
    db.session.commit()
    sign(rec, clerk)
    service.send_back(rec, head, "完成情况未写明终端型号", F.PASSWORD)
    db.session.commit()
    spec = specs.by_revision(rec.form_revision_id)
    assert rec.current_step == "complete" and customer_sign.for_record(rec, spec) == {}
    with pytest.raises(SignatureRefused):
        service.sign(rec, clerk, F.PASSWORD)
    db.session.rollback()
    again = customer_sign.capture_drawn(rec, clerk, "陈建国", data_url(drawing()))
    db.session.commit()
    assert again.step_round == 1
    sign(rec, clerk)
    assert rec.signatures[-1].is_valid(rec, spec)


def test_a_witnessed_refusal_lets_the_step_be_signed_but_not_by_the_witness(app):
    clerk, tech, head = F.user("clerk"), F.user("technician"), F.user("department_head")
    rec = order(clerk)
    cs = customer_sign.record_refusal(rec, clerk, "陈建国", "客户认为装机时间过长，拒绝签字", tech.username, F.PASSWORD)
    db.session.commit()
    assert cs.kind == "refused" and cs.witness_id == tech.id and cs.sha256 is None
    assert _actions(rec)[-1] == "customer_refusal"
    spec = specs.by_revision(rec.form_revision_id)
    with force_locale("en"):
        assert service.sign_blockers(rec, spec, spec.step("complete"), tech) == [
            "You witnessed the customer's refusal; another person signs this step."]
    with pytest.raises(SignatureRefused):
        service.sign(rec, tech, F.PASSWORD)
    db.session.rollback()
    sign(rec, clerk)
    assert rec.current_step == "review" and rec.signatures[-1].is_valid(rec, spec)
    assert rec.signatures[-1].content_hash == rec.content_hash(
        [f.name for f in spec.fields_upto("complete")], cs.evidence())
    sign(rec, head)


# --- bad input: field by field, nothing stored ---------------------------------------------------

@pytest.mark.parametrize("name, picture, field, says", [
    ("", data_url(drawing()), "customer_name", "name"),
    ("陈建国", data_url(drawing(ink=False)), "signature", "empty"),
    ("陈建国", data_url(drawing(ink=False, dot=True)), "signature", "empty"),
    ("陈建国", "", "signature", "empty"),
    ("陈建国", "data:image/jpeg;base64," + __import__("base64").b64encode(jpeg()).decode(), "signature", "PNG"),
    ("陈建国", "data:image/png;base64,!!notbase64!!", "signature", "PNG"),
    ("陈建国", data_url(b"\x89PNG\r\n\x1a\n" + b"\0" * 200), "signature", "PNG"),
    ("陈建国", data_url(b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024 + 10)), "signature", "2 MB"),
    ("陈" * 121, data_url(drawing()), "customer_name", "120"),
])
def test_bad_drawings_are_refused_at_their_field(app, name, picture, field, says):
    clerk = F.user("clerk")
    rec = order(clerk)
    version = rec.version
    with pytest.raises(ValidationFailed) as exc, force_locale("en"):
        customer_sign.capture_drawn(rec, clerk, name, picture)
    db.session.rollback()
    assert field in exc.value.errors and says in " ".join(exc.value.errors[field])
    assert _count() == 0 and rec.version == version


@pytest.mark.parametrize("filename, content, says", [
    ("notes.txt", b"hello", "PNG or JPEG"),
    ("virus.png", b"MZ\x90\x00" + b"\0" * 100, "does not match"),
    ("page.pdf", b"%PDF-1.4 garbage", "cannot be read"),
    ("page.jpg", b"\xff\xd8\xff" + b"\0" * 50, "cannot be read"),
    ("big.jpg", b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024 + 1), "10 MB"),
    ("empty.png", b"", "empty"),
])
def test_bad_scans_are_refused(app, filename, content, says):
    clerk = F.user("clerk")
    rec = order(clerk)
    with pytest.raises(ValidationFailed) as exc, force_locale("en"):
        customer_sign.capture_scan(rec, clerk, "陈建国", io.BytesIO(content), filename)
    db.session.rollback()
    assert says in " ".join(exc.value.errors["file"]) and _count() == 0


def test_bad_refusals_are_refused_and_a_wrong_witness_password_is_evidence(app):
    clerk, tech = F.user("clerk"), F.user("technician")
    rec = order(clerk)
    cases = [
        (("陈建国", "", tech.username, F.PASSWORD), "reason"),
        (("陈建国", "拒签", clerk.username, F.PASSWORD), "witness"),
        (("陈建国", "拒签", "nobody-here", F.PASSWORD), "witness"),
        (("陈建国", "拒签", "", F.PASSWORD), "witness"),
        (("陈建国", "拒签", tech.username, ""), "witness_password"),
        (("", "拒签", tech.username, F.PASSWORD), "customer_name"),
    ]
    for args, field in cases:
        with pytest.raises(ValidationFailed) as exc:
            customer_sign.record_refusal(rec, clerk, *args)
        db.session.rollback()
        assert field in exc.value.errors, (args, exc.value.errors)
    with pytest.raises(SignatureRefused) as exc, force_locale("en"):
        customer_sign.record_refusal(rec, clerk, "陈建国", "拒签", tech.username, "wrong-password")
    assert exc.value.errors == {"witness_password": ["The password is not correct."]}
    db.session.commit()  # as the page and the API do: only the failed attempt is kept
    failed = db.session.execute(select(AuditEvent).where(AuditEvent.action == "signature_failed")).scalar_one()
    assert failed.actor_id == tech.id and failed.object_id == str(rec.id)
    assert _count() == 0


def test_only_whoever_may_sign_the_waiting_step_captures_and_only_where_declared(app):
    clerk, head = F.user("clerk"), F.user("department_head")
    other = F.user("clerk", "TDD")
    rec = order(clerk)
    with pytest.raises(Exception) as exc:  # another department's clerk may not even read it
        customer_sign.capture_drawn(rec, other, "陈建国", data_url(drawing()))
    assert getattr(exc.value, "code", None) == 403
    customer_sign.capture_drawn(rec, clerk, "陈建国", data_url(drawing()))
    db.session.commit()
    sign(rec, clerk)
    with pytest.raises(Conflict):  # the review declares no customer signature
        customer_sign.capture_drawn(rec, head, "陈建国", data_url(drawing()))
    db.session.rollback()
    sign(rec, head)
    with pytest.raises(Conflict):
        customer_sign.capture_drawn(rec, head, "陈建国", data_url(drawing()))
    db.session.rollback()


def test_customer_signatures_are_append_only(app):
    clerk = F.user("clerk")
    rec = order(clerk)
    cs = customer_sign.capture_drawn(rec, clerk, "陈建国", data_url(drawing()))
    db.session.commit()
    cs.customer_name = "别人"
    with pytest.raises(LockedRecord):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(CustomerSignature, cs.id))
    with pytest.raises(LockedRecord):
        db.session.flush()
    db.session.rollback()
    for sql in ("UPDATE customer_signatures SET customer_name = 'x'", "DELETE FROM customer_signatures"):
        with pytest.raises(Exception) as exc:
            db.session.execute(text(sql))
        assert "append-only" in str(exc.value)
        db.session.rollback()


# --- the printout --------------------------------------------------------------------------------

def _pdf_text(app, rec, spec, tmp_path) -> tuple[str, str]:
    """The printout's words and its list of images (poppler's pdftotext and pdfimages)."""
    with app.test_request_context():
        data = printing.record_pdf(rec, spec, "zh_CN")
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    words = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    return words, images


def test_the_printout_shows_the_customer_signature_beside_the_step(app, tmp_path):
    clerk, tech = F.user("clerk", name="王线务"), F.user("technician", name="李见证")
    rec = order(clerk)
    spec = specs.by_revision(rec.form_revision_id)
    words, _images = _pdf_text(app, rec, spec, tmp_path)
    assert "客户签名确认完工" in words  # the step waits: an empty line to sign the paper copy
    customer_sign.capture_drawn(rec, clerk, "陈建国", data_url(drawing()))
    db.session.commit()
    sign(rec, clerk)
    words, images = _pdf_text(app, rec, spec, tmp_path)
    line = next(w for w in words.splitlines() if "客户签名确认完工" in w)
    assert "陈建国" in line and re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", line)
    assert len([row for row in images.splitlines()[2:] if " image " in row or "smask" in row]) >= 1
    # A refusal prints its reason and witness.
    rec2 = order(clerk)
    customer_sign.record_refusal(rec2, clerk, "周女士", "不同意收费标准", tech.username, F.PASSWORD)
    db.session.commit()
    words, _images = _pdf_text(app, rec2, spec, tmp_path)
    assert "不同意收费标准" in words and "李见证" in words and "拒绝签名" in words
