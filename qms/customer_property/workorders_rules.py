"""What the work-order declaration (``forms/CP-WO.yaml``) cannot say (CP-03, IT-03): the values taken over
from the business acceptance slip and the due times worked out (``derive``), and the checks between the
work order, its slip, the customer-property register and its own rows.

- Issued only from a business acceptance slip (IT-BIZ) the clerk has signed (IT-02), of a business type
  that needs work on site (new line, move, repair), not from a voided or superseded one, and once per slip.
- Per device row: a registered item (KC code, through the register's gate) or a kind and model; S003
  「符合要求方能使用」: a device without its licence mark or failing its performance check is not connected.
- The clocks run from the moment the business was accepted (the slip's 受理时间): the company's limit from
  the order type (``lookups: order_limits``), and for a repair the regulator's (``regulator_repair_limits``,
  by town or countryside).
Values are stored as the forms store datetimes: local time, ``YYYY-MM-DDTHH:MM``.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _

from ..core.i18n import tr
from ..records import phones
from ..records import spec as specs
from ..records.links import LIVE, linked
from ..records.lookup import choice_text, record_of
from ..records.models import CLOSED, DRAFT, VOIDED
from . import register as reg

WO, BIZ = "CP-WO", "IT-BIZ"
TSD = "TSD"  # 终端服务部: does the work, keeps the devices it checked
ORDER_TYPES = ("install", "move", "repair")  # the slip's business types that need a work order
REPAIR = "repair"
DEVICE_KINDS = tuple(k for k in reg.KINDS if k != "works")
STORED = "%Y-%m-%dT%H:%M"


def moment(value) -> datetime | None:
    """A stored datetime value as a naive local datetime (None when empty or unreadable)."""
    try:
        return datetime.fromisoformat(str(value)[:16]) if value else None
    except ValueError:
        return None


def _hours(spec, table: str, key: str) -> int | None:
    """The ``hours`` of row ``key`` of the form's lookup ``table`` (its admin-edited figure)."""
    found = (spec.lookups or {}).get(table) if spec is not None else None
    for row in (found or {}).get("rows", ()):
        if str(row.get(found.get("key"))) == key:
            try:
                return int(row.get("hours"))
            except (TypeError, ValueError):
                return None
    return None


def clock_start(slip_values: dict, values: dict) -> datetime | None:
    """When the customer's wait began: the slip's 受理时间, else the work order's issue time."""
    return moment(slip_values.get("accepted_at")) or moment(values.get("issued_at"))


def derive(record, values: dict, user) -> dict:
    """Customer, number, address and order type from the slip; the limit and the due times (only while the
    work order is being issued; once issued they are signed and stay)."""
    if record is not None and record.status != DRAFT:
        return {}
    slip = record_of(values, "biz_slip", BIZ)
    if slip is None:
        return {}
    sv = slip.values
    kind = sv.get("business_type") if sv.get("business_type") in ORDER_TYPES else None
    spec = specs.by_revision(record.form_revision_id) if record is not None else specs.get(WO)
    start = clock_start(sv, values)
    limit = _hours(spec, "order_limits", kind) if kind else None
    regulator = _hours(spec, "regulator_repair_limits", str(values.get("area"))) if kind == REPAIR else None
    return {"order_type": kind, "customer_name": sv.get("customer_name"), "phone_number": sv.get("phone_number"),
            "address": sv.get("address"), "limit_hours": limit,
            "due_at": (start + timedelta(hours=limit)).strftime(STORED) if start and limit else None,
            "regulator_due_at": (start + timedelta(hours=regulator)).strftime(STORED) if start and regulator else None}


def check_slip(record, values: dict, user) -> dict:
    """While issuing: the slip is signed, live, of a type that needs a work order, and has no other work
    order; the work order is not issued before the business was accepted."""
    slip = record_of(values, "biz_slip", BIZ)
    if slip is None:
        return {}  # the link field itself says so
    if slip.status == VOIDED:
        return {"biz_slip": [_("This business acceptance slip was voided.")]}
    if slip.status != CLOSED:
        return {"biz_slip": [_("This business acceptance slip has not been signed by the clerk (self-check) "
                               "yet; a work order is issued only from a signed slip.")]}
    if slip.values.get("business_type") not in ORDER_TYPES:
        return {"biz_slip": [_("A slip for %(type)s needs no installation, move or repair work order.",
                               type=choice_text(slip, "business_type"))]}
    others = [r for r in linked(WO, "biz_slip", slip.id, statuses=LIVE) if record is None or r.id != record.id]
    if others:
        return {"biz_slip": [_("Work order %(number)s was already issued from this slip.",
                               number=others[0].display_number)]}
    issued, accepted = moment(values.get("issued_at")), moment(slip.values.get("accepted_at"))
    if issued and accepted and issued < accepted:
        return {"issued_at": [_("A work order cannot be issued before the business was accepted (%(at)s).",
                                at=accepted.strftime("%Y-%m-%d %H:%M"))]}
    return {}


def _row_errors(row: dict, phone_key: str | None) -> list[str]:
    """What is wrong with one device row (without its row number)."""
    out = []
    code = (row.get("item_code") or "").strip()
    if code:
        found = reg.check_item({"item_code": code}, "item_code", DEVICE_KINDS).get("item_code", [])
        out += found
        item = reg.by_code(code)
        if not found and item is not None and phone_key and item.phone_key and item.phone_key != phone_key:
            out.append(_("%(code)s is registered under another number (%(phone)s).", code=item.code,
                         phone=item.phone))
    elif not row.get("kind") or not (row.get("model") or "").strip():
        out.append(_("Give the kind and model of the device, or the code of a registered item."))
    if row.get("connected") == "yes" and (row.get("licence_mark") != "yes" or row.get("performance") != "pass"):
        out.append(_("A device without its licence mark or failing its performance check may not be connected "
                     "(only a conforming device is used)."))
    if row.get("licence_mark") == "yes" and not code and not (row.get("licence_no") or "").strip():
        out.append(_("Give the licence number shown on the licence mark."))
    return out


def check_devices(record, values: dict, user) -> dict:
    """While the lineman fills the self-check: each device row is described or names a registered item of
    this number that passed its check (the gate), only a conforming device is connected, and the work is
    not completed before the order was issued."""
    if record is None or record.current_step != "self_check":
        return {}
    key = phones.key(values.get("phone_number"))
    messages = [_("Row %(row)d: %(message)s", row=n, message=m)
                for n, row in enumerate(values.get("devices") or [], start=1) for m in _row_errors(row, key)]
    errors = {"devices": messages} if messages else {}
    done, issued = moment(values.get("completed_at")), moment(values.get("issued_at"))
    if done and issued and done < issued:  # the declaration's not_before compares days; this, the minute
        label = tr(specs.by_revision(record.form_revision_id).field_map["issued_at"].label)
        errors["completed_at"] = [_("May not be before %(label)s.", label=label)]
    return errors


def sign_inspection(record, spec, step, user) -> str | None:
    """A work order found wanting is sent back to the lineman with the reason, not signed as returned."""
    if step.name == "inspect" and record.values.get("inspection_result") == "return":
        return _("A work order to return is not signed: use Send back with the reason, so the lineman "
                 "puts it right and signs again.")
    return None
