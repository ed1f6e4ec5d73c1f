"""Pages of the materials part (IT-05): goods pending inspection and goods segregated by area, the
designated segregation areas (administrators edit them), and the slip's panel (its label and the
goods issued against it)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.lookup import department_name, names
from ..core.i18n import current_locale
from ..core.timeutil import today
from ..core.writes import web_write
from ..records import links, policy
from ..records import spec as specs
from ..records.lookup import as_id
from ..records.models import CLOSED
from . import materials_areas
from .materials_query import pending_inspection, segregated_by_area

bp = Blueprint("trace_materials", __name__)
SLIP, ISSUE = "IT-QA", "IT-ISSUE"
# The label each state gives the goods (S003 「根据检验结果给予相应的标识」; the seed gives no colours).
# The style key is the permit-label colour the instruments use: green, amber, red.
LABELS = {"": ("待检", "restricted"), "accepted": ("合格", "valid"), "returned": ("退换", "stopped"),
          "scrapped": ("报废", "stopped"), "pending": ("待处理", "restricted")}


def days_since(value) -> int | None:
    """Whole days from a stored date to today (None when unreadable)."""
    try:
        return (today() - date.fromisoformat(str(value)[:10])).days
    except ValueError:
        return None


def label_of(record) -> tuple[str, str]:
    """The goods' label text and its style key: 待检 until the requesting head accepted the result,
    then the result's."""
    result = record.values.get("result") if record.current_step not in ("arrive", "inspect", "accept") else ""
    return LABELS.get(result or "", LABELS[""])


def _dept_name(code: str) -> str:
    return department_name(code, current_locale())


def _context() -> dict:
    """What the materials page shows: goods waiting, goods segregated by area, the areas."""
    groups = segregated_by_area()
    people = names([r.values.get("disposer") for _a, rows in groups for r in rows])
    return {"waiting": pending_inspection(), "groups": groups, "people": people, "days_since": days_since,
            "label_of": label_of, "dept": _dept_name, "areas": materials_areas.areas(in_use_only=False),
            "admin": policy.can(current_user, "admin"),
            "may_log": policy.can(current_user, "create", specs.get(SLIP)),
            "may_issue": policy.can(current_user, "create", specs.get(ISSUE))}


@bp.route("/traceability/materials")
@login_required
def page():
    """Goods pending inspection (oldest first) and goods segregated, by area; the areas list."""
    return render_template("traceability/materials/page.html", **_context(), errors={})

@bp.route("/traceability/materials/areas", methods=["POST"])
@login_required
def save_area():
    """Add or change a segregation area (administrators); a bad name is said next to the field."""
    if not policy.can(current_user, "admin"):
        abort(403)
    with web_write(_("Saved."), flash_refusal=False) as w:
        materials_areas.save(current_user, as_id(request.form.get("area_id")), request.form.get("name", ""),
                             request.form.get("note", ""), in_use=request.form.get("in_use") == "1")
    if w.ok:
        return redirect(url_for("trace_materials.page") + "#areas")
    return render_template("traceability/materials/page.html", **_context(), errors=w.error.errors,
                           form=request.form), 422


def slip_panel(record, spec, user) -> dict | None:
    """The goods' label now (待检, 合格, 退换, 报废, 待处理) and what was issued against the slip."""
    if not record.number:
        return None
    issues = links.linked(ISSUE, "slip", record.id, statuses=(CLOSED,))
    issued = sum(as_id(r.values.get("quantity")) or 0 for r in issues)
    accepted = record.status == CLOSED and record.values.get("result") == "accepted"
    return {"template": "traceability/materials/panel.html", "label": label_of(record), "issues": issues,
            "issued": issued, "accepted": accepted,
            "may_issue": accepted and policy.can(user, "create", specs.get(ISSUE))}
