"""Statistical techniques (DA-04; ZLAL009 数据分析控制程序 「排列图、鱼刺图、调查表」): the page linking the
Pareto charts of complaints and the check sheets for a chosen period, the charts themselves and their
Excel workbooks. The fishbone diagram is drawn on the CAPA record (``qms.capa.fishbone``).

A part of the analysis package: ``BLUEPRINTS``. Everyone signed in may look; outside the company-wide
roles (企业管理部, the general manager, admin) the counts are of the reader's own department's records.
"""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core import charts, pdf
from ..core.i18n import current_locale
from ..core.timeutil import utcnow
from ..records import export, policy
from . import techniques_export as xlsx
from .techniques_pareto import OWN, pareto, register_args
from .techniques_period import BY, Period, parse
from .techniques_sheets import SHEETS, tally

bp = Blueprint("analysis_techniques", __name__)


def dimension_labels() -> dict:
    """The Pareto charts' dimensions in the reader's language."""
    return {"category": _("Category"), "cause": _("Cause"), "department": _("Department"),
            "item": _("Complaint item (form / flow)")}


def by_labels() -> dict:
    """The check sheets' groupings in the reader's language."""
    return {"day": _("per day"), "week": _("per week"), "month": _("per month")}


def _scope() -> int | None:
    """The department whose records are counted: None (all) for the company-wide roles."""
    return None if policy.company_wide(current_user) else current_user.department_id


def _period_words(p: Period) -> str:
    return _("%(start)s to %(end)s", start=p.start.isoformat(), end=p.end.isoformat())


@bp.route("/analysis/techniques")
@login_required
def index():
    """The period form and the links to the Pareto charts and the check sheets."""
    p = parse(request.args, sheet=True)
    return render_template("analysis/techniques/index.html", p=p, sheets=SHEETS, by=BY, by_labels=by_labels(),
                           scoped=_scope() is not None), 422 if p.errors else 200


def _paretos(p: Period) -> list[dict]:
    out, dept, locale = [], _scope(), current_locale()
    own = _("settled where taken")
    for dim, title in dimension_labels().items():
        bars = pareto(dim, p, locale, dept)
        rows = []
        for b in bars:
            parts = []
            for part, n in b.parts.items():
                form = part.removesuffix(OWN)
                args = register_args(dim, part, b.key, p)
                label = form if part == form else f"{form} {own}"
                parts.append((label, n, url_for("records.register_view", code=form, **args) if args else ""))
            rows.append({"bar": b, "parts": parts, "href": parts[0][2] if len(parts) == 1 else ""})
        chart = charts.pareto([(b.label, b.count, b.share) for b in bars], f"pareto-{dim}", title, _("No data"),
                              [r["href"] for r in rows])
        out.append({"key": dim, "title": title, "bars": bars, "rows": rows, "chart": chart,
                    "total": sum(b.count for b in bars)})
    return out


@bp.route("/analysis/techniques/pareto")
@login_required
def pareto_view():
    """The four Pareto charts of the complaints received in the period, each bar a link to its register."""
    p = parse(request.args)
    if p.errors:
        return render_template("analysis/techniques/pareto.html", p=p, charts=[], scoped=_scope() is not None), 422
    return render_template("analysis/techniques/pareto.html", p=p, charts=_paretos(p), scoped=_scope() is not None)


def _caption(p: Period, what: str) -> str:
    return export.caption(f"{what}; {_period_words(p)}", current_user.full_name, utcnow())


def _refused(p: Period):
    return render_template("error.html", code=422, message="; ".join(sum(p.errors.values(), []))), 422


@bp.route("/analysis/techniques/pareto.xlsx")
@login_required
def pareto_xlsx():
    """The Pareto charts' data (one sheet each) with Excel's own charts."""
    p = parse(request.args)
    if p.errors:
        return _refused(p)
    locale, dept = current_locale(), _scope()
    data = xlsx.pareto_workbook([(title, pareto(dim, p, locale, dept)) for dim, title in dimension_labels().items()],
                                _caption(p, _("Pareto charts of complaints")))
    return pdf.file_response(data, export.file_name("DA-pareto", "xlsx", utcnow()), pdf.XLSX)


def _sheet_or_404(key: str):
    sheet = SHEETS.get(key)
    if sheet is None:
        abort(404)
    return sheet


@bp.route("/analysis/techniques/check-sheet/<key>")
@login_required
def sheet_view(key: str):
    """A check sheet over the period, per day, week or month: the drawn sheet and its table."""
    sheet = _sheet_or_404(key)
    p = parse(request.args, sheet=True)
    ctx = {"p": p, "sheet": sheet, "sheets": SHEETS, "by": BY, "by_labels": by_labels(), "scoped": _scope() is not None}
    if p.errors:
        return render_template("analysis/techniques/check_sheet.html", tallies=None, chart="", **ctx), 422
    t = tally(sheet, p, current_locale(), _scope())
    title = f"{sheet.title} · {by_labels()[p.by]}"
    chart = charts.check_sheet([(label, counts) for _k, label, counts in t.rows], t.columns, f"sheet-{key}", title,
                               _("Total"), _("No data"))
    return render_template("analysis/techniques/check_sheet.html", tallies=t, chart=chart, **ctx)


@bp.route("/analysis/techniques/check-sheet/<key>.xlsx")
@login_required
def sheet_xlsx(key: str):
    """The check sheet as a workbook: the grid with its totals and a stacked bar chart."""
    sheet = _sheet_or_404(key)
    p = parse(request.args, sheet=True)
    if p.errors:
        return _refused(p)
    t = tally(sheet, p, current_locale(), _scope())
    data = xlsx.sheet_workbook(str(sheet.title), t, _caption(p, f"{sheet.title} · {by_labels()[p.by]}"))
    return pdf.file_response(data, export.file_name(f"DA-{key}", "xlsx", utcnow()), pdf.XLSX)


BLUEPRINTS = (bp,)
