"""The trace page, its printout and its JSON (IT-07): ``/trace?q=``, ``/trace.pdf?q=`` and the graph
the API returns (``trace_json``, served by ``GET /api/v1/trace``); the link to the trace from a record
page and a customer page (the template global ``trace_link``)."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core import pdf
from ..core.i18n import current_locale, tr
from ..core.timeutil import utcnow
from ..records import phones
from ..records.register import BadQuery
from . import trace, trace_stages

bp = Blueprint("trace", __name__)


@bp.app_template_global("trace_link")
def trace_link(record=None, spec=None, phone: str | None = None) -> str | None:
    """The trace of a record of a form that declares a stage (by its number), or of a phone number;
    None when there is nothing to trace."""
    if record is not None:
        if not record.number or trace_stages.stage_of(spec) is None:
            return None
        return url_for("trace.page", q=record.number)
    key = phones.key(phone) if phone else ""
    return url_for("trace.page", q=key) if key else None


def _user():
    return current_user._get_current_object()  # asked once per record: not through the proxy


def _build(q):
    """(trace or None, field errors)."""
    if not (q or "").strip():
        return None, {}
    try:
        return trace.build(q, _user()), {}
    except BadQuery as exc:
        return None, exc.errors


@bp.route("/trace")
@login_required
def page():
    """The search box and the whole chain of what was asked for."""
    q = request.args.get("q", "")
    found, errors = _build(q)
    return render_template("traceability/trace/page.html", q=q, t=found, errors=errors), 422 if errors else 200


@bp.route("/trace.pdf")
@login_required
def printout():
    """The whole chain as one PDF for an auditor (never cached: what the reader may view changes)."""
    q = request.args.get("q", "")
    found, errors = _build(q)
    if found is None:
        errors = errors or {"q": [_("Enter a phone number, a customer's name or a record number.")]}
        return render_template("traceability/trace/page.html", q=q, t=None, errors=errors), 422
    data = pdf.render("traceability/trace/pdf.html", t=found, locale=current_locale(), printed_at=utcnow(),
                      reader=_user())
    return pdf.file_response(data, f"trace-{found.numbers[0] if found.numbers else 'records'}.pdf", inline=True)


def trace_json(t: trace.Trace) -> dict:
    """The trace as nodes and edges (the API's answer)."""
    loc = current_locale()
    nodes = [{"id": n.key, "type": "record", "record_id": n.record.id, "number": n.record.display_number,
              "form": n.record.form_code, "form_title": tr(n.spec.title, loc), "stage": n.stage,
              "status": n.record.status, "date": n.when, "created_at": n.record.created_at.isoformat(),
              "department": n.department,
              "signatures_valid": n.valid,
              "signatures": [{"step": s.step, "by": s.name, "at": s.at.isoformat() if s.at else None, "valid": s.valid}
                             for s in n.signatures],
              "url": url_for("records.detail", code=n.record.form_code, record_id=n.record.id)} for n in t.nodes]
    nodes += [{"id": f"p{p.item.id}", "type": "property", "code": p.item.code, "kind": p.item.kind,
               "state": p.item.state, "stage": "property", "model": p.item.model, "location": p.item.location,
               "events": [{"from": e.state_from, "to": e.state_to, "at": e.at.isoformat() if e.at else None,
                           "record_id": e.record_id} for e, _f, _t in p.events]} for p in t.items]
    return {"query": t.query, "kind": t.kind, "numbers": t.numbers, "truncated": t.truncated,
            "stages": list(trace_stages.STAGES), "nodes": nodes,
            "edges": [{"from": a, "to": b, "label": label} for a, b, label in t.edges],
            "allocations": [{"number": a.number, "record_id": a.record_id, "live": a.live_key is not None,
                             "allocated_at": a.allocated_at.isoformat() if a.allocated_at else None,
                             "released_at": a.released_at.isoformat() if a.released_at else None}
                            for a in t.allocations]}
