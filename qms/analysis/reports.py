"""The reports part of data analysis (DA-01, S003 4.0(2)): the weekly and monthly reports to 市电信局
and 工业区 (DA-REPORT: the period's figures taken by the system, the month's signed objective
statistics, the bureau's figures by hand; page, PDF with the controlled-document header, Excel) and
the yearly review of the reporting workflow and methods (DA-METHOD). Duties: ``da01-monthly-report``
(closed by the month's monthly report) and ``da01-method-review`` (closed by the year's review). The
reminders engine has no weekly duty kind: a weekly report is a record without a duty.
"""
from __future__ import annotations

from dataclasses import astuple

from flask import Blueprint, abort
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core import pdf
from ..core.i18n import tr
from ..core.timeutil import utcnow
from ..extensions import db
from ..records import export, policy
from ..records import spec as specs
from ..records.models import Record
from ..records.procedures import FormRules
from . import reports_figures as figures
from .reports_checks import METHOD, REPORT, STATS, check_method, check_report

bp = Blueprint("analysis_reports", __name__)


@bp.app_template_global("met_label")
def met_label(value: str) -> str:
    """A DA-STATS line's ``met`` (yes / no / na) in words."""
    return {"yes": _("Achieved"), "no": _("Missed"), "na": _("Not applicable")}.get(value or "", value or "")


def _stats_record(record: Record) -> Record | None:
    """The DA-STATS record the report names (its newest live revision), or None."""
    number = record.values.get("stats_number")
    if not number:
        return None
    rows = db.session.execute(db.select(Record).where(Record.form_code == STATS, Record.number == number)
                              .order_by(Record.revision_no.desc())).scalars().all()
    return rows[0] if rows else None


def report_panel(record, spec, user) -> dict:
    """The record page's panel: the lines of the month's signed objective statistics and the Excel link."""
    stats = _stats_record(record)
    return {"template": "analysis/reports/panel.html", "stats": stats, "lines": figures.stats_lines(stats),
            "monthly": record.values.get("kind") == "month"}


def report_pdf_extras(record, locale: str) -> dict:
    """The statistics lines printed under the fields (plain tuples: part of the printout's cache key)."""
    stats = _stats_record(record)
    return {"stats_number": stats.display_number if stats is not None else "",
            "stats_lines": [astuple(line) for line in figures.stats_lines(stats, locale)]}


@bp.route("/analysis/reports/<int:record_id>.xlsx")
@login_required
def report_xlsx(record_id: int):
    """A report as a workbook: the period's figures, the objective lines and the bureau's figures."""
    record = db.session.get(Record, record_id)
    if record is None or record.form_code != REPORT:
        abort(404)
    spec = specs.by_revision(record.form_revision_id)
    policy.require(current_user, "view", spec, record)
    policy.require(current_user, "export", spec)
    v = record.values
    rows = [[_("Figures of the period"), _label(spec, name), v.get(name), ""] for name in figures.FIGURES
            if v.get(name) not in (None, "")]
    rows += [[_("Quality objectives"), f"{ln.name} ({ln.objective})", ln.actual,
              f"{_('Target')} {ln.target} {ln.unit} · {ln.met}"] for ln in figures.stats_lines(_stats_record(record))]
    rows += [[_("Bureau's figures"), r.get("item"), r.get("value"),
              " ".join(str(x) for x in (r.get("unit"), r.get("source")) if x)] for r in v.get("bureau") or []]
    now = utcnow()
    data = export.write_xlsx(v.get("period") or REPORT, [_("Part"), _("Item"), _("Value"), _("Note")], rows,
                             caption=f"{record.display_number} · " + export.caption("", current_user.full_name, now))
    return pdf.file_response(data, export.file_name(f"report-{v.get('period')}", "xlsx", now), pdf.XLSX)


def _label(spec, name: str) -> str:
    f = spec.field_map.get(name)
    return tr(f.label) if f is not None else name


FORMS = {
    REPORT: FormRules(draft_checks=(check_report,), derive=(figures.derive,), panel=report_panel,
                      pdf_extras=report_pdf_extras),
    METHOD: FormRules(draft_checks=(check_method,)),
}
BLUEPRINTS = (bp,)
RULES = [
    # S003 gives no day for the monthly report. The 5th of the next month: the month's figures are complete and
    # its statistics (da01-stats) signed by then; a 5th on a holiday moves to the next working day. The report
    # names the month it reports on, so ``offset: 1`` (November's report does December's duty); a weekly
    # report does no duty (``where: {kind: month}``). QP-DA 4.0, reports decisions.
    {"id": "da01-monthly-report", "requirement": "DA-01", "kind": "monthly", "day": 5, "remind_days_before": 3,
     "on_holiday": "later",
     "closes_with": {"form": REPORT, "period_field": "period", "where": {"kind": "month"}, "offset": 1},
     "title": {"zh": "上月统计月报报市电信局和工业区", "en": "Last month's report to the bureau and the zone"},
     "recipients": [{"role": "quality_manager", "department": "EMD"}, {"role": "clerk", "department": "EMD"}]},
    # 「每年」 with no date: the year just ended is reviewed by January 31st (its December report is due on
    # the 5th); the review names the year reviewed, so ``offset: 1``. QP-DA 4.0, reports decisions.
    {"id": "da01-method-review", "requirement": "DA-01", "kind": "yearly", "month": 1, "day": 31,
     "remind_days_before": 14, "on_holiday": "later",
     "closes_with": {"form": METHOD, "period_field": "year", "offset": 1},
     "title": {"zh": "上年度统计报表工作流程和统计方法检查", "en": "Review of last year's reporting and methods"},
     "recipients": [{"role": "quality_manager", "department": "EMD"}]},
]
