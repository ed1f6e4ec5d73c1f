"""The objectives page and the statistics' record panel (DA-01, DA-04): per objective the current target,
actual and met, a chart over 24 months whose bars link to the records behind the actual (or the
department's figure), the query in words; a Pareto of missed objectives over a chosen period; the
24-month table as a workbook; generating and refreshing the month's statistics (企业管理部); raising a
nonconformity from a missed line.
"""
from __future__ import annotations

from functools import lru_cache

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.lookup import department_labels
from ..core import charts, pdf
from ..core.i18n import current_locale, tr
from ..core.timeutil import today, utcnow
from ..core.writes import web_write
from ..extensions import db
from ..records import export, policy
from ..records import spec as specs
from ..records.models import DRAFT, Record
from ..reminders.workcal import add_months
from . import indicators
from . import objectives_nc as ncs
from . import objectives_stats as stats
from .objectives_checks import FIGURE, OBJECTIVE, STATS, first_day, future_month
from .objectives_queries import figure_ids, histories, missed, months_to, signed_stats

bp = Blueprint("objectives", __name__)


def _month_arg(name: str, default: str) -> str:
    value = request.args.get(name) or default
    return value if first_day(value) is not None else default


def _links(obj: Record, values: dict, dept: str, figures: dict, prefix: str):
    """Where an objective's actual of a month comes from: the records behind a computed one (the
    indicators' page), the department's signed figure behind an entered one. URLs are built once per
    objective and completed per month (40 objectives × 24 months would be a thousand ``url_for``)."""
    if values.get("source") == "computed" and values.get("indicator") in indicators.INDICATORS:
        scope = None if values.get("scope") == "company" else dept
        pattern = indicators.behind_url(values["indicator"], "0000-00", scope)
        return lambda month: pattern.replace("/0000-00", f"/{month}", 1)
    return lambda month: f"{prefix}{rid}" if (rid := figures.get((obj.number, month))) else ""


@lru_cache(maxsize=4096)
def _chart(points: tuple, chart_id: str, title: str, empty: str, hrefs: tuple, legend: tuple):
    """An objective's chart, kept by what it draws: signed statistics never change, so the same months give
    the same markup (a new month, an amendment or another language draws a new one)."""
    return charts.trend(list(points), chart_id, title, empty, list(hrefs), legend)


def _rows(objectives: list[Record], months: list[str], signed: dict) -> list[dict]:
    """Each objective in force with its history, current line, chart and words."""
    figures = figure_ids(months)
    prefix = url_for("records.detail", code=FIGURE, record_id=0)[:-1]
    legend = (_("Target met"), _("Target missed"), _("Target"))
    labels = department_labels(current_locale())
    codes = stats.department_codes()
    rows = []
    for h in histories(objectives, months, signed):
        obj = h.record
        values, dept = obj.values, codes.get(obj.department_id, "")
        link = _links(obj, values, dept, figures, prefix)
        points, hrefs = [], []
        for m, ln in h.lines:  # the stored decimal text: the chart reads it as a number, shows it as written
            actual = (ln.get("actual") or None) if ln else None
            points.append((m, actual, (ln.get("target") or None) if ln else None, ln.get("met") if ln else "na"))
            hrefs.append(link(m) if actual is not None else "")
        ind = indicators.INDICATORS.get(values.get("indicator") or "")
        rows.append({"record": obj, "values": values, "department": labels.get(obj.department_id, dept),
                     "current": h.current,
                     "words": tr(ind.words) if ind is not None and values.get("source") == "computed" else "",
                     "chart": _chart(tuple(points), f"trend-{obj.id}", values.get("name") or "", _("No data"),
                                     tuple(hrefs), legend),
                     "current_href": link(h.current[0]) if h.current else ""})
    return rows


def _pareto(objectives: list[Record], months: list[str], signed: dict):
    items = missed(months, signed)
    total = sum(c for _n, _name, c in items) or 1
    ids = {o.number: o.id for o in objectives}
    acc, out, hrefs = 0, [], []
    for number, name, count in items:
        acc += count
        out.append((name or number, count, acc / total))
        hrefs.append(url_for("records.detail", code=OBJECTIVE, record_id=ids[number]) if number in ids else "")
    return charts.pareto(out, "pareto-missed", _("Pareto of missed objectives"), _("No objective missed"), hrefs)


@bp.route("/analysis/objectives")
@login_required
def index():
    """The objectives page (DA-01): the current month's figures, the 24-month charts, the Pareto."""
    policy.require(current_user, "view", specs.get(OBJECTIVE))
    this = today().replace(day=1).strftime("%Y-%m")
    previous = add_months(today().replace(day=1), -1).strftime("%Y-%m")
    month = _month_arg("month", previous)  # the charts end with the last month that may have its statistics
    months = months_to(month)
    to = _month_arg("to", month)
    start = _month_arg("from", add_months(first_day(to), -11).strftime("%Y-%m"))
    period = months_to_between(start, to)[-120:] or months_to(to, 12)
    spec = specs.get(STATS)
    objectives = stats.live_objectives()
    signed = signed_stats(sorted(set(months) | set(period)))
    return render_template("analysis/objectives/index.html", month=month, months=months,
                           rows=_rows(objectives, months, signed), pareto=_pareto(objectives, period, signed),
                           period_from=period[0], period_to=period[-1],
                           may_generate=policy.can(current_user, "create", spec), previous=previous,
                           this_month=this, month_record=stats.of_month(previous))


def months_to_between(start: str, end: str) -> list[str]:
    """The months from ``start`` to ``end`` inclusive ('2026-01'..'2026-11'); empty when reversed."""
    a, b = first_day(start), first_day(end)
    if a is None or b is None or a > b:
        return []
    n = (b.year - a.year) * 12 + b.month - a.month + 1
    return months_to(end, n)


@bp.route("/analysis/objectives/stats", methods=["POST"])
@login_required
def generate():
    """企业管理部 generates a month's statistics (a draft with its lines taken now)."""
    month = (request.form.get("month") or "").strip()
    with web_write(_("Statistics drafted: check the lines, add comments and sign.")) as w:
        record = stats.generate(month, current_user, current_locale())
    if w.ok:
        return redirect(url_for("records.detail", code=STATS, record_id=record.id))
    return redirect(url_for(".index"))


def _stats(record_id: int) -> Record:
    record = db.session.get(Record, record_id)
    if record is None or record.form_code != STATS:
        abort(404)
    policy.require(current_user, "view", specs.by_revision(record.form_revision_id), record)
    return record


@bp.route("/analysis/objectives/stats/<int:record_id>/refresh", methods=["POST"])
@login_required
def refresh(record_id: int):
    """Take a draft's lines again (comments kept)."""
    record = _stats(record_id)
    with web_write(_("Lines taken again.")):
        stats.refresh(record, current_user, current_locale())
    return redirect(url_for("records.detail", code=STATS, record_id=record.id))


@bp.route("/analysis/objectives/stats/<int:record_id>/nonconformity", methods=["POST"])
@login_required
def raise_nc(record_id: int):
    """企业管理部 raises the nonconformity of one missed line (CA-01 source objective)."""
    record = _stats(record_id)
    policy.require(current_user, "create", specs.get(ncs.NC))
    f = request.form
    with web_write(_("Nonconformity raised.")) as w:
        nc = ncs.raise_nonconformity(record, current_user._get_current_object(), f.get("objective", ""),
                                     f.get("severity", ""), f.get("description", ""))
    if w.ok:
        return redirect(url_for("records.detail", code=ncs.NC, record_id=nc.id))
    return redirect(url_for("records.detail", code=STATS, record_id=record.id) + "#objectives-panel")


@bp.route("/analysis/objectives.xlsx")
@login_required
def xlsx():
    """The 24-month table of actuals as a workbook (the signed statistics)."""
    policy.require(current_user, "export", specs.get(STATS))
    month = _month_arg("month", add_months(today().replace(day=1), -1).strftime("%Y-%m"))
    months = months_to(month)
    labels = department_labels(current_locale())
    header = [_("Objective no."), _("Department"), _("Objective"), _("Unit"), _("Target"), _("Direction"), *months]
    rows = []
    for h in histories(stats.live_objectives(), months):
        v = h.record.values
        rows.append([h.record.number, labels.get(h.record.department_id, ""),
                     v.get("name"), v.get("unit"), stats.decimal_or_none(v.get("target")),
                     _("At least") if v.get("direction") == "at_least" else _("At most"),
                     *[stats.decimal_or_none(ln.get("actual")) if ln else None for _m, ln in h.lines]])
    now = utcnow()
    data = export.write_xlsx(month, header, rows, caption=_("Quality objectives, actuals by month to %(month)s",
                                                            month=month) + " · "
                             + export.caption("", current_user.full_name, now))
    return pdf.file_response(data, export.file_name(f"objectives-{month}", "xlsx", now), pdf.XLSX)


def stats_panel(record, spec, user) -> dict:
    """The statistics' record panel: take the lines again while a draft; each missed line with the
    nonconformity raised from it, or 企业管理部's form to raise it."""
    lines = record.values.get("lines") or []
    return {"template": "analysis/objectives/panel_stats.html", "record": record,
            "may_refresh": record.status == DRAFT and policy.can(user, "edit", spec, record),
            "missed": [ln for ln in lines if ln.get("met") == "no"], "raised": ncs.raised(record),
            "may_raise": ncs.may_raise(user, record) and policy.can(user, "create", specs.get(ncs.NC)),
            "severities": _severities(), "future": future_month(record.values.get("month")),
            "counts": {k: sum(1 for ln in lines if ln.get("met") == k) for k in (stats.YES, stats.NO, stats.NA)}}


def _severities() -> list[tuple[str, str]]:
    nc = specs.get(ncs.NC)
    f = nc.field_map.get("severity") if nc is not None else None
    return [(v, tr(label)) for v, label in (f.choices if f is not None else ())]
