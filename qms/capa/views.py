"""Pages of the nonconformity/CAPA procedure: the audit desk (CA-03) with its exports, issuing a
CAPA record from a nonconformity, and the panels shown on the forms' record pages."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.lookup import department_labels, names
from ..core import charts, pdf
from ..core.i18n import current_locale, tr
from ..core.timeutil import today, utcnow
from ..core.writes import web_write
from ..extensions import db
from ..records import export, policy
from ..records import spec as specs
from ..records.links import linked
from ..records.lookup import as_id
from ..records.models import IN_PROGRESS, OPEN, Record
from ..records.present import status_label
from . import desk, fishbone
from .forms import ACTION, CAPA, NC, PLANNING_STEPS
from .models import OPEN_STAGES
from .queries import actions_of, next_rounds, rounds_of
from .service import draft_round

bp = Blueprint("capa", __name__)
DESK_FILTER_KEY = "capa_desk_filter"  # the desk's last filter, per login session
EXPORT_LIMIT = {"xlsx": 100_000, "pdf": export.PDF_ROW_LIMIT}


def _choices(code: str, field: str) -> dict:
    """{value: label} of a choice field of a form, in the user's language."""
    spec = specs.get(code)
    return {v: tr(label) for v, label in spec.field_map[field].choices}


def _labels() -> dict:
    return {"source": _choices(NC, "source"), "severity": _choices(NC, "severity"),
            "cause": _choices(CAPA, "cause_category"), "department": department_labels(current_locale()),
            "stage": {k: str(v) for k, v in desk.STAGE_LABELS.items()}}


def _filters():
    labels = _labels()
    return desk.parse_filters(request.args, current_user, tuple(labels["source"]), tuple(labels["severity"])), labels


@bp.route("/capa/desk")
@login_required
def desk_view():
    """The audit desk: nonconformities with filters, ageing, Pareto charts and monthly trends. The
    desk opens on the filter used last (kept in the session); "reset" shows everything again."""
    if request.args.get("reset"):
        session.pop(DESK_FILTER_KEY, None)
        return redirect(url_for(".desk_view"))
    if not request.args and session.get(DESK_FILTER_KEY):
        return redirect(url_for(".desk_view", **session[DESK_FILTER_KEY]))
    f, labels = _filters()
    if not f.errors and session.get(DESK_FILTER_KEY) != f.query_args():
        session[DESK_FILTER_KEY] = f.query_args()  # written only when it changes: no session save per page
    now = today()
    rows, nxt = desk.page(f, request.args.get("after"), now)
    args = f.query_args()

    def link(**extra):
        merged = {**args, **extra}
        return url_for(".desk_view", **{k: v for k, v in merged.items() if v not in (None, "")})

    causes, depts = desk.paretos(f, now)
    cause_chart = charts.pareto([(labels["cause"].get(k, k), c, s) for k, c, s in causes], "pareto-causes",
                                _("Pareto of causes"), _("No data"))
    dept_chart = charts.pareto([(labels["department"].get(k, str(k)), c, s) for k, c, s in depts],
                               "pareto-departments", _("Pareto of departments"), _("No data"),
                               [link(department=k) for k, _c, _s in depts])
    ages = desk.ageing(f, now)
    months = desk.trend(f, now)
    company = policy.company_wide(current_user)
    return render_template(
        "capa/desk.html", rows=_display(rows, labels, now), next_cursor=nxt, f=f, labels=labels, link=link, args=args,
        causes=causes, depts=depts, cause_chart=cause_chart, dept_chart=dept_chart, ages=ages,
        trend=months, trend_chart=charts.grouped(months, "trend-chart", _("Opened and closed by month"),
                                                 (_("Opened"), _("Closed"))), today=now, company=company,
        overdue=_overdue_display(desk.overdue_actions(now, f.department_id), labels),
        action_spec=specs.get(ACTION), nc_spec=specs.get(NC),
    ), 422 if f.errors else 200


def _display(rows, labels: dict, now) -> list[dict]:
    """The page's rows as text, built here once: a Jinja expression per cell cost ~130 µs a row."""
    nc_href, capa_href = _detail_prefix(NC), _detail_prefix(CAPA)
    days, due, round_n = _("%(days)d days"), _("due %(date)s"), _("round %(n)d")
    out = []
    for r in rows:
        open_ = r.stage in OPEN_STAGES
        out.append({
            "number": r.number, "href": nc_href + str(r.nc_id), "opened": r.opened_on.isoformat(),
            "age": days % {"days": (now - r.opened_on).days} if open_ else "",
            "department": labels["department"].get(r.department_id, ""),
            "source": labels["source"].get(r.source, r.source), "severity": labels["severity"].get(r.severity, r.severity),
            "serious": r.severity == "serious", "stage": r.stage, "stage_label": labels["stage"].get(r.stage, r.stage),
            "round": round_n % {"n": r.rounds} if r.rounds > 1 else "",
            "capa_href": capa_href + str(r.capa_id) if r.capa_id else "",
            "cause": labels["cause"].get(r.cause_category, "—") if r.cause_category else "—",
            "open_actions": r.open_actions,
            "due": due % {"date": r.next_due_on.isoformat()} if r.next_due_on else "",
            "overdue": bool(r.next_due_on and r.next_due_on < now), "summary": r.summary[:60],
        })
    return out


def _overdue_display(actions, labels: dict) -> list[dict]:
    """The most overdue actions as text (number, link, due date, department)."""
    href, due = _detail_prefix(ACTION), _("due %(date)s")
    return [{"number": a.display_number, "href": href + str(a.id), "due": due % {"date": a.due_on.isoformat()},
             "department": labels["department"].get(a.department_id, "")} for a in actions]


def _detail_prefix(code: str) -> str:
    """``/r/<code>/`` as the router builds it (proxy prefix included), for links to many records."""
    return url_for("records.detail", code=code, record_id=1)[:-1]


def _export_rows(f, labels, limit: int):
    for r in desk.iterate(f, today(), limit):
        yield [r.number, labels["department"].get(r.department_id, ""), labels["source"].get(r.source, r.source),
               labels["severity"].get(r.severity, r.severity), labels["stage"].get(r.stage, r.stage),
               labels["cause"].get(r.cause_category, "") if r.cause_category else "", r.rounds,
               r.open_actions, r.next_due_on, r.opened_on, r.closed_on, r.summary]


def _header() -> list:
    return [_("No."), _("Department"), _("Source"), _("Severity"), _("Stage"), _("Cause category"),
            _("Rounds"), _("Open actions"), _("Next due"), _("Opened on"), _("Closed on"), _("Description")]


@bp.route("/capa/desk.<fmt>")
@login_required
def desk_export(fmt: str):
    """The filtered desk as XLSX (dates as dates) or PDF (with the Pareto of causes)."""
    if fmt not in EXPORT_LIMIT:
        abort(404)
    f, labels = _filters()
    if f.errors:
        return render_template("error.html", code=422, message="; ".join(sum(f.errors.values(), []))), 422
    rows = list(_export_rows(f, labels, EXPORT_LIMIT[fmt]))
    moment = utcnow()
    if fmt == "xlsx":
        data = export.write_xlsx(NC, _header(), rows,
                                 export.caption(_filter_words(f, labels), current_user.full_name, moment))
        mime = pdf.XLSX
    else:
        now = today()
        causes, _depts = desk.paretos(f, now)
        data = pdf.render("pdf/capa_desk.html", header=_header(), rows=rows, locale=current_locale(),
                          title=_("Nonconformity audit desk"), printed_at=moment, printed_by=current_user.full_name,
                          file_code="QP-CA · CA-NC", filters=_filter_words(f, labels),
                          cause_chart=charts.pareto([(labels["cause"].get(k, k), c, s) for k, c, s in causes],
                                                    "pdf-pareto", _("Pareto of causes"), _("No data")),
                          ages=desk.ageing(f, now))
        mime = "application/pdf"
    return pdf.file_response(data, export.file_name("CA-desk", fmt, moment), mime, inline=fmt == "pdf")


def _filter_words(f, labels) -> str:
    parts = []
    if f.stage:
        parts.append(labels["stage"].get(f.stage, _("Open")))
    if f.department_id is not None:
        parts.append(labels["department"].get(f.department_id, ""))
    if f.source:
        parts.append(labels["source"][f.source])
    if f.severity:
        parts.append(labels["severity"][f.severity])
    if f.age:
        parts.append(str(next(a[1] for a in desk.AGES if a[0] == f.age)))
    if f.overdue:
        parts.append(_("Overdue actions"))
    return "; ".join(parts)


@bp.route("/capa/nc/<id:record_id>/issue", methods=["POST"])
@login_required
def issue(record_id: int):
    """Draft the CAPA record of a nonconformity (finding, department and period filled in), for
    企业管理部 to check and sign."""
    nc = db.session.get(Record, record_id)
    if nc is None or nc.form_code != NC:
        abort(404)
    policy.require(current_user, "create", specs.get(CAPA))
    with web_write(_("CAPA record drafted from the nonconformity. Check it, then sign to issue it.")) as w:
        capa = draft_round(nc, current_user, nc.values.get("description") or "", nc.values.get("requirement") or "",
                           locale=current_locale())
    if not w.ok:
        return redirect(url_for("records.detail", code=NC, record_id=nc.id))
    return redirect(url_for("records.edit", code=CAPA, record_id=capa.id))


# ---- panels on the record pages ----

def nc_panel(record, spec, user) -> dict:
    rounds = [r for r in rounds_of(record.id) if policy.can(user, "view", specs.by_revision(r.form_revision_id), r)]
    open_round = any(r.status in OPEN for r in rounds)
    can_issue = (record.status == IN_PROGRESS and not open_round
                 and policy.can(user, "create", specs.get(CAPA)))
    waiting = {r.id: tr(specs.by_revision(r.form_revision_id).step(r.current_step).label)
               for r in rounds if r.status == IN_PROGRESS and r.current_step}
    return {"template": "capa/panel_nc.html", "rounds": rounds, "can_issue": can_issue, "waiting": waiting}


def capa_panel(record, spec, user) -> dict:
    actions = actions_of(record.id)
    action_spec = specs.get(ACTION)
    can_add = (record.status == IN_PROGRESS and record.current_step in PLANNING_STEPS
               and policy.can(user, "create", action_spec)
               and (policy.company_wide(user) or user.department_id == record.department_id))
    nxt = next_rounds(record.id)
    owners = names(a.values.get("owner") for a in actions)
    return {"template": "capa/panel_capa.html", "actions": actions, "can_add": can_add, "next_rounds": nxt,
            "owners": owners, "fishbone": fishbone.diagram(record, current_locale())}


def check_panel(record, spec, user) -> dict:
    findings = linked(NC, "source_record", record.id)
    can_raise = record.number is not None and policy.can(user, "create", specs.get(NC))
    return {"template": "capa/panel_check.html", "findings": findings, "can_raise": can_raise}


def capa_pdf_actions(record, locale: str) -> dict:
    """The actions printed on the CAPA record, as on the paper form: kind, action, owner, due, done;
    and the cause-and-effect diagram of its root causes (DA-04), when analysed."""
    rows = []
    kinds = _choices(ACTION, "kind")
    actions = actions_of(record.id)
    owners = names(a.values.get("owner") for a in actions)
    for a in actions:
        v = a.values
        rows.append((a.display_number, kinds.get(v.get("kind"), ""), v.get("description") or "",
                     owners.get(as_id(v.get("owner")), ""), v.get("due_on") or "", v.get("done_on") or "",
                     status_label(a.status, locale)))
    return {"actions": rows, "fishbone": fishbone.diagram(record, locale)}
