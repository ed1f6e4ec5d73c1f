"""Lost, damaged or unsuitable customer property (CP-07, ISO 9001:2015 8.5.3; the manual is silent):
the report CP-LOSS names a register item by its code, says what happened and how and when the
customer was told and what they answered; the customer acknowledges it by signing. Once the report
is submitted the item is "lost, damaged or unsuitable" on the register, so the gate stops it.
A nonconformity may be raised from the report's page (:mod:`.loss_nc`, :mod:`.loss_views`).
"""
from __future__ import annotations

from flask_babel import gettext as _

from ..records.models import Record, Status
from ..records.procedures import FormRules
from . import loss_views
from . import register as reg
from .pbx_hooks import signer

LOSS = "CP-LOSS"
# An item already back with the customer cannot be lost or damaged in the company's hands.
NOT_REPORTABLE = (reg.RETURNED,)


def check_item(record: Record | None, values: dict, user) -> dict:
    """The report names an item of the register that is still in the company's care."""
    code = values.get("item_code")
    if not code:
        return {}
    item = reg.by_code(str(code))
    if item is None:
        return {"item_code": [_("No customer-property item has this code.")]}
    if item.state in NOT_REPORTABLE:
        return {"item_code": [_("%(code)s was returned to the customer.", code=item.code)]}
    return {}


def report_changed(record: Record, spec, new: bool = False) -> None:
    """A submitted report marks its item lost, damaged or unsuitable (once; the event names the report)."""
    if record.number is None or record.status not in (Status.IN_PROGRESS, Status.CLOSED):
        return
    item = reg.by_code(record.values.get("item_code"))
    if item is None or item.state == reg.UNSUITABLE:
        return
    reg.set_state(item, reg.UNSUITABLE, record, signer(record), record.values.get("what") or "")


FORMS = {LOSS: FormRules(draft_checks=(check_item,), on_change=(report_changed,), panel=loss_views.panel)}
BLUEPRINTS = (loss_views.bp,)
