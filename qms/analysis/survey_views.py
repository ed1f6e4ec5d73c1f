"""Pages of the satisfaction survey (DA-02, CS-09, DA-04): the campaigns, a campaign's results (items,
elements, the Pareto of dissatisfied answers, year on year), its Excel, the printable 征询函 and the
phone script, taking the results into the campaign, and raising a nonconformity for a low element.
"""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.lookup import departments_by_name
from ..core import charts, pdf
from ..core.i18n import current_locale, tr
from ..core.timeutil import utcnow
from ..core.writes import web_write
from ..extensions import db
from ..records import export, policy
from ..records import spec as specs
from ..records.models import CLOSED, IN_PROGRESS, Record
from . import survey_score as scoring
from . import survey_service as actions
from .survey_checks import results_stale

bp = Blueprint("analysis_survey", __name__)


def campaign_or_404(record_id: int) -> Record:
    """The campaign record ``record_id`` the reader may view (404 or 403 otherwise)."""
    record = db.session.get(Record, record_id)
    if record is None or record.form_code != scoring.SURVEY:
        abort(404)
    policy.require(current_user, "view", specs.by_revision(record.form_revision_id), record)
    return record


def pareto_chart(results: scoring.Results, chart_id: str = "survey-pareto"):
    """The Pareto of dissatisfied answers by element (DA-04), as inline SVG."""
    lang = "en" if current_locale() == "en" else "zh"
    return charts.pareto([(_short(label[lang]), n, share) for label, n, share in results.pareto()], chart_id,
                         _("Pareto of dissatisfied answers by element"), _("No dissatisfied answers"))


def _short(label: str) -> str:
    """An element's name as a bar's label (the chart keeps 8 characters; the elements table has them all)."""
    return label if len(label) <= 6 else label[:5] + "…"


def summary(campaign: Record, results: scoring.Results) -> dict:
    """The figures a page shows: frozen in the record once closed, else worked out now."""
    if campaign.status == CLOSED:
        v = campaign.values
        items = {r.get("item"): r.get("score") for r in v.get("item_scores") or ()}
        return {"frozen": True, "responses": v.get("responses_count"), "total": v.get("total_score"),
                "item_scores": items}
    return {"frozen": False, "responses": results.responses, "total": results.total,
            "item_scores": {i.label["zh"]: i.score for i in results.items}}


@bp.route("/analysis/survey")
@login_required
def index():
    """Every campaign with its responses and weighted total, newest year first."""
    spec = specs.get(scoring.SURVEY)
    policy.require(current_user, "view", spec)
    rows = []
    for c in scoring.campaigns():
        if policy.can(current_user, "view", spec, c):
            rows.append((c, summary(c, scoring.score(c))))
    return render_template("analysis/survey/index.html", rows=rows, may_create=policy.can(current_user, "create", spec))


@bp.route("/analysis/survey/<int:record_id>")
@login_required
def results(record_id: int):
    """A campaign's results: items, elements (with each level's count), the Pareto of dissatisfied
    answers, year on year, and the nonconformities raised for low elements."""
    campaign = campaign_or_404(record_id)
    res = scoring.score(campaign)
    spec = specs.by_revision(campaign.form_revision_id)
    may_take = campaign.status == IN_PROGRESS and policy.can(current_user, "edit", spec, campaign)
    low = actions.frozen_low(campaign) if campaign.status == CLOSED else {e.field: None for e in res.low_elements}
    return render_template("analysis/survey/results.html", campaign=campaign, res=res, fig=summary(campaign, res),
                           chart=pareto_chart(res), cmp=scoring.compare(campaign, res), low=low,
                           raised=actions.raised_for(campaign), may_raise=actions.may_raise(current_user, campaign),
                           may_take=may_take, stale=may_take and _taken(campaign) and results_stale(campaign),
                           severities=_severities(), departments=_departments(),
                           default_dept={e.field: actions.default_department(e.field) for e in res.elements})


@bp.route("/analysis/survey/<int:record_id>/results", methods=["POST"])
@login_required
def take(record_id: int):
    """Take the results the responses give now into the campaign's close step."""
    campaign = campaign_or_404(record_id)
    with web_write(_("Results taken from the responses: check them and close the campaign.")):
        actions.take_results(campaign, current_user, current_locale())
    if request.form.get("next") == "record":  # taken from the campaign's own page: back there
        return redirect(url_for("records.detail", code=scoring.SURVEY, record_id=record_id))
    return redirect(url_for(".results", record_id=record_id))


@bp.route("/analysis/survey/<int:record_id>/nonconformity/<field>", methods=["POST"])
@login_required
def raise_nc(record_id: int, field: str):
    """企业管理部 raises the nonconformity for one low-scoring element (once)."""
    campaign = campaign_or_404(record_id)
    with web_write(_("Nonconformity opened.")) as w:
        nc = actions.raise_low(campaign, field, current_user, request.form.get("department", ""),
                               request.form.get("severity", ""), request.form.get("description", ""))
    if w.ok:
        return redirect(url_for("records.detail", code=nc.form_code, record_id=nc.id))
    return redirect(url_for(".results", record_id=record_id))


@bp.route("/analysis/survey/<int:record_id>.xlsx")
@login_required
def results_xlsx(record_id: int):
    """The results as a workbook: one line per item and per element, then year on year."""
    campaign = campaign_or_404(record_id)
    policy.require(current_user, "export", specs.by_revision(campaign.form_revision_id), campaign)
    res = scoring.score(campaign)
    fig = summary(campaign, res)
    levels = [str(tr(lv.label)) for lv in res.survey.scale]
    rows = [[_("Weighted total"), "", "", fig["total"], fig["responses"]] + [""] * len(levels)]
    for item in res.items:
        rows.append([tr(item.label), "", item.weight, fig["item_scores"].get(item.label["zh"], item.score), ""]
                    + [""] * len(levels))
        for e in item.elements:
            rows.append(["", f"{e.field} {tr(e.label)}", "", e.score, e.answered]
                        + [e.counts.get(v, 0) for v in res.survey.values])
    cmp = scoring.compare(campaign, res)
    if cmp is not None:
        rows.append([_("Year on year: %(year)s against %(previous)s", year=cmp.year, previous=cmp.previous_year)]
                    + [""] * (4 + len(levels)))
        for ch in [cmp.total, *cmp.items, *cmp.elements]:
            rows.append(["", tr(ch.label), ch.before, ch.now, ch.delta] + [""] * len(levels))
    now = utcnow()
    header = [_("Item"), _("Element"), _("Weight") + " (%)", _("Score"), _("Responses")] + levels
    data = export.write_xlsx(f"DA-SURVEY {campaign.values.get('year')}", header, rows,
                             caption=_("Customer survey %(year)s (%(number)s)", year=campaign.values.get("year"),
                                       number=campaign.display_number) + " · "
                             + export.caption("", current_user.full_name, now))
    return pdf.file_response(data, export.file_name(f"survey-{campaign.values.get('year')}", "xlsx", now), pdf.XLSX)


def _severities() -> list[tuple[str, str]]:
    nc = specs.get(actions.NC)
    f = nc.field_map.get("severity") if nc is not None else None
    return [(v, tr(label)) for v, label in (f.choices if f is not None else ())]


def _departments() -> list[tuple[str, str]]:
    """(code, name) of every department, by name: the nonconformity's department is chosen by code."""
    locale = current_locale()
    return sorted(((d.code, d.label(locale)) for d in set(departments_by_name().values())), key=lambda kv: kv[1])


def survey_panel(record, spec, user) -> dict:
    """The campaign page's panel: the figures, the way to its results, and taking the results while
    it waits to be closed."""
    res = scoring.score(record)
    may_take = record.status == IN_PROGRESS and policy.can(user, "edit", spec, record)
    return {"template": "analysis/survey/panel.html", "fig": summary(record, res), "res": res,
            "may_take": may_take, "stale": may_take and _taken(record) and results_stale(record)}


def _taken(record) -> bool:
    """The results were taken once (the warning that they went stale means nothing before)."""
    return record.values.get("responses_count") is not None
