"""Procedures in the app: current text, steps linked to forms, every old revision."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import login_required

from ..admin import contacts
from ..auth.lookup import departments_by_name
from ..records import spec as specs
from . import loader

bp = Blueprint("documents", __name__, url_prefix="/procedures")


def _departments() -> dict:
    """Departments by every name the procedures use for them (their Chinese name or an alias such as
    客户服务中心), to show them in either language."""
    return departments_by_name()


def _step_contacts(doc, people: list) -> dict:
    """{step id: [contact]}: the contacts of the flows a step names (its text says "TS-001")."""
    out: dict = {}
    for st in doc.meta.get("steps") or ():
        text = f"{st.get('zh', '')} {st.get('en', '')}"
        named = [c for c in people if c.flow in text]
        if named:
            out[st.get("id")] = named
    return out


@bp.route("/")
@login_required
def index():
    return render_template("documents/index.html", procedures=loader.current_all(), departments=_departments())


@bp.route("/<code>")
@bp.route("/<code>/rev/<int:seq>")
@login_required
def show(code: str, seq: int | None = None):
    """One procedure; ``seq`` picks an older loaded revision."""
    revs = loader.revisions(code)
    if not revs:
        abort(404)
    current = loader.in_force(revs)
    doc = current if seq is None else next((r for r in revs if r.seq == seq), None)
    if doc is None:
        abort(404)
    forms = {s.code: s for s in specs.all_specs()}
    people = contacts.of_procedure(doc.code)
    return render_template("documents/show.html", departments=_departments(), doc=doc, revisions=revs, forms=forms,
                           is_current=doc.seq == current.seq, upcoming=doc.seq > current.seq,
                           current=current, contacts=people, step_contacts=_step_contacts(doc, people))
