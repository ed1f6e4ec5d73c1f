"""Equipment maintenance agreements (设备代维协议, CP-06): the items a customer entrusts to the
company's maintenance, its scope and term.

S003 6.0 lists 《设备代维协议》 among the records; 后续服务 4.0 「引导客户提出设备代维服务申请」. The items
are customer-property register codes: each must exist and have passed its check or acceptance (the
gate, ``register.check_item``), and not be under another agreement already. Signed with the
customer → each item 代维中; the agreement stays open (its 到期终止 step) for its term, with the
reminder ``cp06-maint-end`` before it ends (forms/CP-MAINT.yaml); at the end date the scheduler's
sweep puts the items back 在用, and signing 到期终止 (or voiding the agreement) does so at once.
"""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.models import User
from ..core.i18n import current_locale, record_language
from ..core.timeutil import local, today, utcnow
from ..extensions import db
from ..records.models import CLOSED, IN_PROGRESS, VOIDED, Record
from ..records.procedures import FormRules
from ..reminders.rules import by_id
from . import register
from .models import PropertyItem

MAINT = "CP-MAINT"
SIGN, END = "sign", "end"
RULE = "cp06-maint-end"


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


def codes(values: dict) -> list[str]:
    """The register codes the agreement covers, as typed (trimmed, upper case)."""
    return ["".join(str(r.get("item_code") or "").split()).upper() for r in values.get("items") or []]


def covered(record: Record) -> list[PropertyItem]:
    """The register items the agreement names (unknown codes left out)."""
    return [i for i in (register.by_code(c) for c in codes(record.values)) if i is not None]


# -- checks -----------------------------------------------------------------------------------

def check_term(record, values, user) -> dict:
    """The agreement ends after it starts."""
    start, end = _day(values.get("start_on")), _day(values.get("end_on"))
    if start and end and end <= start:
        return {"end_on": [_("The agreement must end after it starts.")]}
    return {}


def _row_problem(code: str, seen: set, record) -> str | None:
    if code in seen:
        return _("%(code)s is listed twice.", code=code)
    refused = register.check_item({"item_code": code}, "item_code").get("item_code")
    if refused:
        return " ".join(refused)
    item = register.by_code(code)
    if item.state == register.MAINTENANCE and item.state_record_id != getattr(record, "id", None):
        return _("%(code)s is already under maintenance agreement %(number)s; end that one first.",
                 code=code, number=_number(item.state_record_id))
    return None


def _number(record_id) -> str:
    rec = db.session.get(Record, record_id) if record_id else None
    return rec.display_number if rec else "—"


def draft_items(record, values, user) -> dict:
    """Each item covered exists, passed its check or acceptance, is not lost or returned, and is
    not under another agreement; one message per bad row, on the table."""
    errors, seen = [], set()
    for n, code in enumerate(codes(values), 1):
        why = _row_problem(code, seen, record)
        seen.add(code)
        if why:
            errors.append(_("Row %(n)d: %(why)s", n=n, why=why))
    return {"items": errors} if errors else {}


# -- state ------------------------------------------------------------------------------------

def _signer(record: Record) -> User | None:
    return db.session.get(User, record.signatures[-1].user_id) if record.signatures else None


def _release(record: Record, note: str, by=None) -> int:
    """The agreement's items back in use (those it put under maintenance and still are)."""
    moved = 0
    for item in covered(record):
        if item.state == register.MAINTENANCE and item.state_record_id == record.id:
            moved += register.set_state(item, register.IN_USE, record, by, note)
    return moved


def maint_changed(record, spec, new: bool = False) -> None:
    """Signed: the items under maintenance (while the term runs). Ended or voided: back in use."""
    if record.status == IN_PROGRESS and record.current_step == END:
        end = _day(record.values.get("end_on"))
        if end is None or end < today():
            return
        with record_language():
            note = _("Maintenance agreement %(number)s until %(end)s", number=record.number, end=end.isoformat())
        for item in covered(record):
            if item.state in register.PASSED and item.state != register.MAINTENANCE:
                register.set_state(item, register.MAINTENANCE, record, _signer(record), note)
    elif record.status in (CLOSED, VOIDED):
        with record_language():
            note = _("Maintenance agreement %(number)s ended", number=record.display_number)
        _release(record, note, _signer(record))


def end_terms(now: datetime | None = None) -> int:
    """The scheduler's job (``Procedure.sweeps``): items whose agreement's end date has passed go
    back in use (the agreement stays open until someone signs its end). Returns how many moved."""
    day = today() if now is None else local(now).date()
    items = db.session.execute(select(PropertyItem).where(PropertyItem.state == register.MAINTENANCE)).scalars()
    moved = 0
    for item in list(items):
        rec = db.session.get(Record, item.state_record_id) if item.state_record_id else None
        end = _day(rec.values.get("end_on")) if rec is not None and rec.form_code == MAINT else None
        if end is not None and end < day:
            with record_language():
                note = _("Maintenance agreement %(number)s expired on %(end)s", number=rec.number, end=end.isoformat())
            moved += register.set_state(item, register.IN_USE, rec, None, note)
    return moved


# -- the record page --------------------------------------------------------------------------

def maint_panel(record, spec, user) -> dict:
    """The items covered with their state now, the days left, and when the reminder goes out."""
    locale = current_locale()
    end = _day(record.values.get("end_on"))
    rule = by_id().get(RULE)
    rows = []
    for code in codes(record.values):
        item = register.by_code(code)
        if item is None:
            rows.append({"code": code, "kind": "—", "state": _("No such customer-property item."), "ours": False})
            continue
        rows.append({"code": code, "kind": register.kind_label(item.kind, locale),
                     "state": register.state_label(item.state, locale),
                     "ours": item.state == register.MAINTENANCE and item.state_record_id == record.id})
    return {"template": "customer_property/maint/panel.html", "rows": rows, "end": end,
            "days_left": (end - today()).days if end else None,
            "lead_days": rule.lead_days if rule else (), "open": record.status == IN_PROGRESS,
            "now": utcnow()}


FORMS = {MAINT: FormRules(checks=(check_term,), draft_checks=(draft_items,), on_change=(maint_changed,),
                          panel=maint_panel)}
SWEEPS = (end_terms,)
