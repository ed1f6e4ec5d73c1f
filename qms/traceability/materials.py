"""Materials pending inspection (IT-05): the part module of QP-IT for the quality acceptance slip
(IT-QA revision B) and the issue slip (IT-ISSUE).

S003 1.0 「确保只有合格产品、设备和设施才能投入使用」 and 4.0(2) 财务部:
- the warehouse keeper (财务部, ``permissions.departments``) logs the arrival; the goods are 待检 and the
  requesting department (a department code: ``department_field`` routes the inspection and the
  acceptance to it) is told at once and reminded until it inspects (``it05-goods-arrived``);
- goods not accepted are segregated in an area of the administrator's list (:mod:`.materials_areas`)
  and the person named to deal with them is told at once and reminded until the slip closes with
  their disposal (``it05-goods-segregated``);
- an issue slip names an accepted, closed acceptance slip and never more than it accepted
  (:func:`check_issue`): the web form, the API and the importer all meet it (422 on the API).
"""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..auth.models import Department
from ..core.timeutil import today
from ..extensions import db
from ..records import links
from ..records.lookup import as_id
from ..records.models import CLOSED, IN_PROGRESS, Record
from ..records.procedures import FormRules
from ..reminders.engine import notify_now, watch_until
from . import materials_views as views
from .materials_areas import areas, is_area
from .materials_query import WAITING, department_people

SLIP, ISSUE = "IT-QA", "IT-ISSUE"
ARRIVED_RULE, SEGREGATED_RULE = "it05-goods-arrived", "it05-goods-segregated"
INSPECT_DAYS = 3  # the seed is silent: reminded when not inspected within 3 days of arrival
DISPOSE_DAYS = 14  # the seed is silent: reminded when segregated goods wait 14 days for disposal


def check_slip(record, values, user) -> dict:
    """While the slip waits for its segregation, the area named is one of the designated areas in use."""
    if record is None or record.current_step != "segregate" or not values.get("segregation_area"):
        return {}
    if is_area(values.get("segregation_area")):
        return {}
    return {"segregation_area": [_("Choose one of the designated segregation areas: %(areas)s.",
                                   areas="、".join(a.name for a in areas()) or "—")]}


def issued_before(slip_id: int, except_id: int | None) -> int:
    """The quantity already issued against a slip by signed issue slips (other than ``except_id``)."""
    total = 0
    for rec in links.linked(ISSUE, "slip", slip_id, statuses=(CLOSED,)):
        if rec.id != except_id:
            total += as_id(rec.values.get("quantity")) or 0
    return total


def check_issue(record, values, user) -> dict:
    """Only goods of an accepted (合格), closed quality acceptance slip are issued, never more than the
    slip accepted: a slip pending inspection, returned, scrapped or pending decision is refused."""
    slip = db.session.get(Record, as_id(values.get("slip"))) if as_id(values.get("slip")) else None
    if slip is None:
        return {}
    if slip.form_code != SLIP:
        return {"slip": [_("Name a quality acceptance slip (质量认可单).")]}
    if slip.status != CLOSED or slip.values.get("result") != "accepted":
        return {"slip": [_("%(number)s has not been accepted (合格): goods pending inspection, for return, scrapped "
                           "or pending a decision are not issued.", number=slip.display_number)]}
    left = (as_id(slip.values.get("quantity")) or 0) - issued_before(slip.id, getattr(record, "id", None))
    quantity = as_id(values.get("quantity")) or 0
    if quantity > left:
        return {"quantity": [_("Only %(left)d left to issue on %(number)s.", left=max(left, 0),
                               number=slip.display_number)]}
    return {}


def _day(value) -> date:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return today()


def slip_changed(record, spec, new: bool = False) -> None:
    """Keep the slip's two reminders and tell people at once: the requesting department when the
    arrival is signed, the person named when the goods are segregated."""
    v = record.values
    waiting = record.status == IN_PROGRESS and record.current_step in WAITING
    dept = Department.by_code(v.get("requesting_department") or "")
    people = department_people(dept.id) if dept else []
    title = f"{record.display_number} {v.get('material', '')} × {v.get('quantity', '')}"[:300]
    link = f"/r/{SLIP}/{record.id}"
    watch_until(ARRIVED_RULE, "record", record.id, _day(v.get("arrived_on")) + timedelta(days=INSPECT_DAYS) if waiting
                else None, title=title, link=link, owner_id=people[0] if people else None,
                department_id=dept.id if dept else None, active=waiting)
    if waiting and record.current_step == "inspect":
        notify_now(ARRIVED_RULE, "record", record.id, people)
    disposing = record.status == IN_PROGRESS and record.current_step == "dispose"
    disposer = as_id(v.get("disposer"))
    watch_until(SEGREGATED_RULE, "record", record.id,
                _day(v.get("segregated_on")) + timedelta(days=DISPOSE_DAYS) if disposing else None,
                title=f"{title} · {v.get('segregation_area', '')}"[:300], link=link, owner_id=disposer,
                department_id=record.department_id, active=disposing)
    if disposing:
        notify_now(SEGREGATED_RULE, "record", record.id, [disposer, people[0] if people else None])


FORMS = {
    SLIP: FormRules(checks=(check_slip,), on_change=(slip_changed,), panel=views.slip_panel),
    ISSUE: FormRules(checks=(check_issue,)),
}
BLUEPRINTS = (views.bp,)
RULES = (
    # IT-05: the requesting department inspects goods pending inspection (the seed gives no limit: 3 days).
    {"id": ARRIVED_RULE, "requirement": "IT-05", "kind": "due", "form": SLIP, "field": "arrived_on",
     "managed": True, "lead_days": [],
     "title": {"zh": "到货物资待检验(待检)", "en": "Goods arrived: inspect them (pending inspection)"},
     "ladder": [{"after_hours": 48, "to": "department_head"}]},
    # IT-05: segregated goods are disposed of by the person told (the seed gives no limit: 14 days).
    {"id": SEGREGATED_RULE, "requirement": "IT-05", "kind": "due", "form": SLIP, "field": "segregated_on",
     "managed": True, "lead_days": [],
     "title": {"zh": "隔离物资待处理(退换/报废/待处理)", "en": "Segregated goods waiting to be disposed of"},
     "ladder": [{"after_hours": 72, "to": "department_head@FIN"}]},
)
AUDIT_ACTIONS = {"segregation_area_changed": _l("Segregation area changed")}
