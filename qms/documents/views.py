"""Procedures in the app: current text, steps linked to forms, every old revision."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import login_required
from sqlalchemy import select

from ..auth.models import Department
from ..extensions import db
from ..records import spec as specs
from . import loader

bp = Blueprint("documents", __name__, url_prefix="/procedures")


def _departments() -> dict:
    """Departments by their Chinese name (the procedures' own words), to show them in either language."""

    return {d.name_zh: d for d in db.session.execute(select(Department)).scalars()}


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
    return render_template("documents/show.html", departments=_departments(), doc=doc, revisions=revs, forms=forms,
                           is_current=doc.seq == current.seq, upcoming=doc.seq > current.seq,
                           current=current)
