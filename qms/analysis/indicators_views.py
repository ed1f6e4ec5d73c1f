"""Pages of the computed indicators (DA-01): a month's indicators with a department filter, each number
linking to the records behind it (keyset-paged, in the reader's scope as the registers apply it), and
the month's indicators as an Excel workbook."""
from __future__ import annotations

import re

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from ..auth.models import Department
from ..core import pdf
from ..core.i18n import current_locale, tr
from ..core.timeutil import today, utcnow
from ..extensions import db
from ..records import export, policy
from ..records import spec as specs
from ..records.models import Record
from .indicators import INDICATORS, behind_url, month_values, period_of
from .indicators_models import IndicatorPart

bp = Blueprint("indicators", __name__)
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
PAGE = 50


def _month(raw: str | None) -> str:
    """A YYYY-MM month from the request (404 when malformed); the current month when absent."""
    if not raw:
        return today().strftime("%Y-%m")
    if not MONTH.match(raw):
        abort(404)
    return raw


def dept_names(locale: str) -> dict[str, str]:
    """{department code: name in ``locale``} (a dozen rows)."""
    return {d.code: d.label(locale) for d in db.session.execute(select(Department)).scalars()}


def _department(raw: str | None) -> str | None:
    """A department code from the request, or None for the whole company (404 when unknown)."""
    if not raw:
        return None
    if raw not in dept_names(current_locale()):
        abort(404)
    return raw


def _rows(month: str, department: str | None) -> list[dict]:
    values = month_values(month, department)
    loc = current_locale()
    return [{"key": k, "label": tr(ind.label, loc), "unit": tr(ind.unit, loc), "words": tr(ind.words, loc),
             "period": period_of(k, month), "value": values[k], "direction": ind.direction,
             "url": behind_url(k, month, department)} for k, ind in INDICATORS.items()]


@bp.route("/analysis/indicators")
@login_required
def page():
    """Every computed indicator for the chosen month (and department)."""
    month, department = _month(request.args.get("month")), _department(request.args.get("department"))
    return render_template("analysis/indicators/page.html", month=month, department=department,
                           departments=sorted(dept_names(current_locale()).items()),
                           rows=_rows(month, department))


@bp.route("/analysis/indicators.xlsx")
@login_required
def workbook():
    """The month's indicators as a workbook: value, numerator, denominator and the rule in words."""
    month, department = _month(request.args.get("month")), _department(request.args.get("department"))
    rows = [[r["label"], r["period"], float(r["value"].value) if r["value"].value is not None else None, r["unit"],
             r["value"].numerator, r["value"].denominator, r["words"]] for r in _rows(month, department)]
    now = utcnow()
    scope = dept_names(current_locale()).get(department) if department else _("Whole company")
    data = export.write_xlsx(month, [_("Indicator"), _("Period"), _("Value"), _("Unit"), _("Numerator"),
                                     _("Denominator"), _("How it is counted")], rows,
                             caption=_("Quality indicators %(month)s, %(scope)s", month=month, scope=scope)
                             + " · " + export.caption("", current_user.full_name, now))
    return pdf.file_response(data, export.file_name(f"indicators-{month}", "xlsx", now), pdf.XLSX)


def _scoped(stmt, user):
    """``stmt`` over IndicatorPart limited to the reader's scope, as a register applies it: the forms
    the reader may view, and outside company-wide roles their own department's records (or a form
    visible to all)."""
    viewable = [s for s in specs.all_specs() if policy.can(user, "view", s)]
    stmt = stmt.where(IndicatorPart.form_code.in_([s.code for s in viewable]))
    if not policy.company_wide(user):
        everyone = [s.code for s in viewable if s.visible_to_all]
        stmt = stmt.where(or_(IndicatorPart.owner_department_id == user.department_id,
                              IndicatorPart.form_code.in_(everyone)))
    return stmt


@bp.route("/analysis/indicators/<key>/<month>")
@login_required
def behind(key: str, month: str):
    """The records behind an indicator's number for a month, 50 a page by record id."""
    ind = INDICATORS.get(key)
    if ind is None or not MONTH.match(month):
        abort(404)
    department = _department(request.args.get("department"))
    after = request.args.get("after", type=int) or 0
    p = IndicatorPart
    stmt = select(p.record_id, p.numerator, p.department).where(
        p.indicator == key, p.month == period_of(key, month), p.bucket == "", p.record_id > after)
    if not ind.counts_all:
        stmt = stmt.where(p.numerator > 0)
    if department:
        stmt = stmt.where(p.department == department)
    # The page of contributions first, then its records by id: joined in one statement, PostgreSQL merges the
    # records' whole primary key up to the month's ids instead of looking up 50.
    page_rows = db.session.execute(_scoped(stmt, current_user).order_by(p.record_id).limit(PAGE + 1)).all()
    more = len(page_rows) > PAGE
    page_rows = page_rows[:PAGE]
    recs = {r.id: r for r in db.session.execute(select(Record).where(
        Record.id.in_([r[0] for r in page_rows]))).scalars()} if page_rows else {}
    rows = [(rid, num, dept, recs[rid]) for rid, num, dept in page_rows if rid in recs]
    loc = current_locale()
    titles = {s.code: tr(s.title, loc) for s in specs.all_specs()}
    value = month_values(month, department)[key]
    return render_template("analysis/indicators/behind.html", ind=ind, key=key, month=month, department=department,
                           label=tr(ind.label, loc), words=tr(ind.words, loc), unit=tr(ind.unit, loc), value=value,
                           rows=rows, titles=titles, depts=dept_names(loc),
                           next_after=page_rows[-1][0] if more else None)
