"""Pages of the month (CS-06, CS-07): the month's duties and summaries, a month's complaint figures
with their Pareto charts (each number links to the filtered register), generating and refreshing
the summary record, its Excel, its panel and printout extras, and 企业管理部 raising a nonconformity.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.lookup import department_labels
from ..auth.models import Department
from ..core import charts, pdf
from ..core.i18n import current_locale, tr
from ..core.timeutil import today, utcnow
from ..core.writes import web_write
from ..extensions import db
from ..records import export, policy
from ..records import spec as specs
from ..records.links import linked
from ..records.models import DRAFT, Record
from ..reminders import rules
from ..reminders.views import duty_context
from ..reminders.workcal import add_months
from . import month_summary as summaries
from . import sources
from .month_checks import SUMMARY, first_day
from .month_figures import DIMENSIONS, PARETO, Figures, bounds, count_month

bp = Blueprint("complaints_month", __name__)
DUTIES = ("cs06-bills", "cs06-notices", "cs06-longdistance", "cs07-summary")


def dimension_labels() -> dict:
    """The dimensions' names in the reader's language."""
    return {"form": _("Form / flow"), "category": _("Category"), "channel": _("Channel"), "grade": _("Grade"),
            "department": _("Department"), "status": _("Status"), "overdue": _("Reply date"),
            "repeat": _("First / repeat"), "cause": _("Cause")}


def _month_or_404(month: str) -> date:
    start = first_day(month)
    if start is None or len(month) != 7:
        abort(404)
    return start


def register_link(month: str, dimension: str, key: str) -> str | None:
    """The register listing the complaints behind one count (the first complaint form that records
    the dimension), or None where a register cannot filter by it (overdue, unknown values)."""
    lo, hi = bounds(month)
    last = (date.fromisoformat(hi) - timedelta(days=1)).isoformat()
    for src, _spec in sources.active():
        args = {f"{src.received}_from": lo, f"{src.received}_to": last}
        if dimension == "form":
            if key.split(":")[0] != src.form:
                continue
        elif dimension == "department":  # keyed by code: the handling-department field, else the record's own
            if src.department:
                args[src.department] = key
            else:
                dept = Department.by_code(key)
                if dept is None:
                    continue
                args["department"] = dept.id
        elif dimension == "status":
            args["status"] = key
        elif dimension in ("category", "channel", "grade", "cause", "repeat"):
            field = src.field_of(dimension)
            if not field or key == "unknown":
                continue
            args[field] = key
        else:
            return None
        return url_for("records.register_view", code=src.form, **args)
    return None


def chart_markup(fig: Figures) -> dict:
    """The Pareto charts (categories, causes) of the figures as inline SVG."""
    titles = {"category": _("Pareto of categories"), "cause": _("Pareto of causes")}
    return {dim: charts.pareto([(ln.label, ln.count, (ln.cumulative or 0) / 100) for ln in fig.of(dim)],
                               f"pareto-{dim}", titles[dim], _("No data")) for dim in PARETO}


def _page_context(month: str, fig: Figures) -> dict:
    links = {(ln.dimension, ln.key): register_link(month, ln.dimension, ln.key) for ln in fig.lines}
    return {"fig": fig, "dims": [d for d in DIMENSIONS if fig.of(d)], "dim_labels": dimension_labels(),
            "links": links, "charts": chart_markup(fig)}


@bp.route("/complaints/month")
@login_required
def index():
    """The month: the billing-month and summary duties of the last months, and each month's summary."""
    wanted = [r for r in rules.calendar() if r.id in DUTIES]
    start = today().replace(day=1)
    months = []
    for i in range(12):
        m = add_months(start, -i).strftime("%Y-%m")
        months.append((m, summaries.of_month(m)))
    return render_template("complaints/month/index.html", months=months, **duty_context(wanted, utcnow()))


@bp.route("/complaints/month/<month>")
@login_required
def month_view(month: str):
    """A month's complaint figures: frozen in its summary once signed, else counted now."""
    start = _month_or_404(month)
    spec = specs.get(SUMMARY)
    policy.require(current_user, "view", spec)
    record = summaries.of_month(month)
    if record is not None and record.status != DRAFT:
        fig = summaries.figures_of(record)
        live_total = count_month(month).total
    else:
        fig, live_total = count_month(month), None
    future = start > today().replace(day=1)
    return render_template("complaints/month/month.html", month=month, record=record, live_total=live_total,
                           future=future, may_create=policy.can(current_user, "create", spec) and not future,
                           **_page_context(month, fig))


@bp.route("/complaints/month/<month>/summary", methods=["POST"])
@login_required
def generate(month: str):
    """Make the month's summary record (a draft with the figures taken now)."""
    _month_or_404(month)
    with web_write(_("Summary drafted: check the figures, add the analysis and sign it.")) as w:
        record = summaries.generate(month, current_user, current_locale())
    if w.ok:
        return redirect(url_for("records.detail", code=SUMMARY, record_id=record.id))
    return redirect(url_for(".month_view", month=month))


@bp.route("/complaints/month/summary/<int:record_id>/refresh", methods=["POST"])
@login_required
def refresh(record_id: int):
    """Take a draft summary's figures again."""
    record = _summary(record_id)
    with web_write(_("Figures taken again.")):
        summaries.refresh(record, current_user, current_locale())
    return redirect(url_for("records.detail", code=SUMMARY, record_id=record.id))


@bp.route("/complaints/month/summary/<int:record_id>/nonconformity", methods=["POST"])
@login_required
def raise_nc(record_id: int):
    """企业管理部 opens a nonconformity from the summary (CA-01 source complaint)."""
    record = _summary(record_id)
    with web_write(_("Nonconformity opened.")) as w:
        nc = summaries.raise_nonconformity(record, current_user, request.form.get("department"),
                                           request.form.get("severity", ""), request.form.get("description", ""))
    if w.ok:
        return redirect(url_for("records.detail", code=nc.form_code, record_id=nc.id))
    return redirect(url_for("records.detail", code=SUMMARY, record_id=record.id))


@bp.route("/complaints/month/<month>.xlsx")
@login_required
def month_xlsx(month: str):
    """The month's figures as a workbook: the summary's frozen ones once signed, else counted now."""
    _month_or_404(month)
    spec = specs.get(SUMMARY)
    policy.require(current_user, "export", spec)
    record = summaries.of_month(month)
    fig = summaries.figures_of(record) if record is not None and record.status != DRAFT else count_month(month)
    labels = dimension_labels()
    rows = [[labels.get(ln.dimension, ln.dimension), ln.label, ln.count,
             ln.cumulative if ln.cumulative is not None else None] for ln in fig.lines]
    now = utcnow()
    number = record.display_number if record is not None else _("not yet summarised")
    data = export.write_xlsx(month, [_("By"), _("Item"), _("Count"), _("Cumulative share")], rows,
                             caption=_("Complaint summary %(month)s (%(number)s), %(total)d in all",
                                       month=month, number=number, total=fig.total) + " · "
                             + export.caption("", current_user.full_name, now))
    return pdf.file_response(data, export.file_name(f"complaints-{month}", "xlsx", now), pdf.XLSX)


def _summary(record_id: int) -> Record:
    record = db.session.get(Record, record_id)
    if record is None or record.form_code != SUMMARY:
        abort(404)
    policy.require(current_user, "view", specs.by_revision(record.form_revision_id), record)
    return record


def summary_panel(record, spec, user) -> dict:
    """The record page's panel: the charts and the counts as links, refresh while a draft, and
    企业管理部's nonconformity form with the ones raised from it."""
    fig = summaries.figures_of(record)
    month = record.values.get("month") or ""
    return {"template": "complaints/month/panel_summary.html", "month": month,
            "may_refresh": record.status == DRAFT and policy.can(user, "edit", spec, record),
            "may_raise": summaries.may_raise(user, record), "raised": linked("CA-NC", "source_record", record.id),
            "severities": _nc_severities(), "departments": _departments(), "record": record,
            **_page_context(month, fig)}


def summary_pdf_extras(record, locale: str) -> dict:
    """The Pareto charts printed under the counts (plain markup: part of the printout's cache key)."""
    return {"pareto_charts": [str(c) for c in chart_markup(summaries.figures_of(record)).values()]}


def _nc_severities() -> list[tuple[str, str]]:
    nc = specs.get("CA-NC")
    f = nc.field_map.get("severity") if nc is not None else None
    return [(v, tr(label)) for v, label in (f.choices if f is not None else ())]


def _departments() -> list[tuple[int, str]]:
    return sorted(department_labels(current_locale()).items(), key=lambda kv: kv[1])
