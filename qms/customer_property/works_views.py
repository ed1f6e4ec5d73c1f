"""Pages of the self-built works (CP-05): the agreement's panel (the works on the register, the two
required documents with their upload buttons, the rounds, opening the next round with the default
checklist, whether service may be opened), the round's panel, and the rectification letter (PDF)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from ..core import pdf
from ..core.i18n import current_locale
from ..core.timeutil import local, utcnow
from ..core.writes import web_write
from ..records import policy, service
from ..records import spec as specs
from ..records.lookup import record_of
from ..records.models import IN_PROGRESS
from ..records.views import load_record
from . import register, works

bp = Blueprint("customer_property_works", __name__)


def _item_view(item) -> dict | None:
    if item is None:
        return None
    return {"code": item.code, "state": item.state, "label": register.state_label(item.state, current_locale()),
            "refusals": register.refusals(item)}


def agreement_panel(record, spec, user) -> dict:
    """The agreement page's panel."""
    round_spec = specs.get(works.ROUND)
    why_not = works.round_refusal(record) if record.status == IN_PROGRESS else None
    return {"template": "customer_property/works/panel.html", "item": _item_view(works.works_item(record)),
            "documents": works.documents(record), "labels": {k: works.document_label(k) for k in works.DOCUMENTS},
            "can_attach": policy.can(user, "attach", spec, record),
            "rounds": [r for r in works.rounds_of(record.id)
                       if policy.can(user, "view", specs.by_revision(r.form_revision_id), r)],
            "may_open_round": record.status == IN_PROGRESS and why_not is None,
            "can_open_round": round_spec is not None and policy.can(user, "create", round_spec),
            "why_not": why_not, "ready": works.letter_ready}


def round_panel(record, spec, user) -> dict:
    """The round page's panel: its agreement, the other rounds, the letter of a failed round."""
    agreement = record_of(record.values, "agreement", works.WORKS)
    return {"template": "customer_property/works/round_panel.html", "agreement": agreement,
            "item": _item_view(works.works_item(agreement)),
            "rounds": [r for r in works.rounds_of(agreement.id) if r.id != record.id] if agreement else [],
            "letter": works.letter_ready(record), "letter_number": works.letter_number(record),
            "ready": works.letter_ready}


@bp.route("/customer-property/works/<int:record_id>/documents/<kind>", methods=["POST"])
@login_required
def upload_document(record_id: int, kind: str):
    """One of the two required documents, attached under its name (设计文件-… / 测试报告-…)."""
    if kind not in works.DOCUMENTS:
        abort(404)
    record, spec = load_record(works.WORKS, record_id)
    f = request.files.get("file")
    if f is None or not f.filename:
        flash(_("Choose a file to upload."), "error")
    else:
        with web_write(_("File attached.")):
            service.attach(record, current_user._get_current_object(), f.stream,
                           f"{works.DOCUMENTS[kind]}-{f.filename}")
    return redirect(url_for("records.detail", code=works.WORKS, record_id=record_id) + "#works-panel")


@bp.route("/customer-property/works/<int:record_id>/rounds", methods=["POST"])
@login_required
def open_round(record_id: int):
    """A new acceptance round of the agreement, as a draft holding the default checklist."""
    agreement, _spec = load_record(works.WORKS, record_id)
    spec = specs.get(works.ROUND)
    policy.require(current_user, "create", spec)
    data = MultiDict({"agreement": agreement.number or f"#{agreement.id}",
                      "accepted_on": local(utcnow()).date().isoformat()})
    for n, row in enumerate(works.default_checklist()):
        data[f"items-{n}-item"], data[f"items-{n}-standard"] = row["item"], row["standard"]
    with web_write(_("Acceptance round opened: judge each item, then sign.")) as w:
        rec = service.create(spec, current_user._get_current_object(), data, current_locale())
    if w.ok:
        return redirect(url_for("records.edit", code=works.ROUND, record_id=rec.id))
    return redirect(url_for("records.detail", code=works.WORKS, record_id=record_id) + "#works-panel")


@bp.route("/customer-property/works/rounds/<int:record_id>/letter.pdf")
@login_required
def rectification_letter(record_id: int):
    """The rectification letter of a failed round (S003 「若验收不合格,向客户致函要求整改」)."""
    record, _spec = load_record(works.ROUND, record_id)
    if not works.letter_ready(record):
        abort(404)
    data = pdf.cached(f"works-letter-{record.id}-{record.version}",
                      lambda: pdf.render("customer_property/works/letter.html", letter=works.letter(record),
                                         locale="zh_CN"))
    return pdf.file_response(data, f"rectification-{works.letter_number(record)}.pdf", inline=True)
