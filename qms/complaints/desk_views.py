"""The complaints desk page (``/complaints/desk``): the counts of :mod:`qms.complaints.desk`, each
number a link to the register (or the customer page) listing what it counts."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required

from ..auth.lookup import department_labels
from ..core.i18n import current_locale, tr
from ..core.timeutil import today, utcnow
from ..records import policy
from ..records import spec as specs
from . import desk, sources
from .fees_forms import SUMMARIES
from .rewards_sheets import REWARD

bp = Blueprint("complaints_desk", __name__)


def _register(code: str, **args) -> str:
    return url_for("records.register_view", code=code, **{k: v for k, v in args.items() if v not in (None, "")})


def may_see_desk(user) -> bool:
    """Whether ``user`` may open the desk: someone who may view a complaint form."""
    return bool(getattr(user, "is_authenticated", False)) and \
        any(policy.can(user, "view", spec) for _src, spec in sources.active())


@bp.app_context_processor
def _menu():
    """The menu's 投诉 entry (templates/base.html) for those who may see the desk."""
    return {"complaints_desk_visible": may_see_desk(current_user)}


def _parts(user) -> list[tuple[str, str]]:
    """The other complaint pages ``user`` may open, as (endpoint URL, label key) for the desk's links:
    the month, the fee complaints' month, the reward sheets, the catalogue, the network limits."""
    def may(code, action):
        spec = specs.get(code)
        return spec is not None and policy.can(user, action, spec)

    out = [(url_for("complaints_month.index"), "month")]
    if any(may(code, "create") for code in SUMMARIES):
        out.append((url_for("fees.month_page"), "fees"))
    if may(REWARD, "view"):
        out.append((url_for("rewards.sheet_page", sheet="daily"), "rewards"))
    out.append((url_for("rewards.catalogue_page"), "catalogue"))
    if policy.can(user, "admin"):
        out.append((url_for("network.limits"), "limits"))
    return out


@bp.route("/complaints/desk")
@login_required
def desk_view():
    """Open complaints by step and department, due soon, overdue, by form and flow, repeat customers."""
    active = sources.active()
    if not may_see_desk(current_user):
        abort(403)
    f = desk.parse(request.args, current_user)
    now, day = utcnow(), today()
    specs_by_code = {src.form: spec for src, spec in active}
    titles = {code: tr(spec.title) for code, spec in specs_by_code.items()}
    steps = {(code, s.name): tr(s.label) for code, spec in specs_by_code.items() for s in spec.workflow}
    depts = department_labels(current_locale())
    rows = desk.open_by_step(f, day)
    by_step = [{"form": titles.get(code, code), "step": steps.get((code, step), step or ""),
                "department": depts.get(dept, ""), "count": n,
                "href": _register(code, status="in_progress", department=dept)}
               for code, step, dept, n, _late in sorted(rows, key=lambda r: (-r[3], r[0], r[1] or ""))]
    flows = []
    for code, flow, n in desk.open_by_flow(f, rows):
        src = next(s for s, _spec in active if s.form == code)
        label = specs_by_code[code].field_map[src.flow].choice_label(flow) if src.flow and flow else None
        flows.append({"form": titles.get(code, code), "flow": tr(label) if label else "", "count": n,
                      "href": _register(code, status="in_progress", department=f.department_id,
                                        **({src.flow: flow} if src.flow and flow else {}))})
    soon_count, soon = desk.due_soon(f, now)
    yesterday = (day - timedelta(days=1)).isoformat()
    late = []
    for code, n in desk.overdue(rows):
        src = next(s for s, _spec in active if s.form == code)
        late.append({"form": titles.get(code, code), "count": n,
                     "href": _register(code, status="in_progress", department=f.department_id,
                                       **({f"{src.due}_to": yesterday} if src.due else {}))})
    repeat_count, repeats = desk.repeat_customers(f, now)
    return render_template(
        "complaints/desk/desk.html", f=f, by_step=by_step, open_total=sum(r["count"] for r in by_step),
        flows=flows, soon_count=soon_count, soon=[{"title": w.title, "href": w.link, "due": desk.local_due(w)}
                                                   for w in soon],
        late=late, late_total=sum(r["count"] for r in late), repeat_count=repeat_count,
        repeats=[{"phone": key, "count": n, "href": url_for("customers.show", key=key)} for key, n in repeats],
        hours=desk.HOURS, days=desk.DAYS, company=policy.company_wide(current_user),
        departments=sorted(depts.items(), key=lambda kv: kv[1]), parts=_parts(current_user),
    ), 422 if f.errors else 200


