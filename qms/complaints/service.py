"""The complaints procedure's published services, for other procedures (ARCHITECTURE §3: a procedure
calls another only through its ``service.py``).

- :func:`open_outage_waiver` (CS-13, IT-03): a repair finished past the regulator's limit owes the
  customer the monthly rent of the time the line was down (阻断时间的月租费减免). The repair work order
  (customer property, ``CP-WO``) opens the fee record for it here, a TS-FEE dispute in 客户服务部's queue,
  linked to the work order through its ``source_record`` field; one per work order.
"""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _

from ..auth.models import Department
from ..core.i18n import record_language
from ..core.timeutil import local, utcnow
from ..records import service
from ..records import spec as specs
from ..records.links import linked
from ..records.models import Record
from .fees_forms import FEE

WAIVER_DEPARTMENT = "CSD"  # 客户服务部 verifies and grants the waiver (TS-002)


def outage_waiver_of(work_order: Record) -> Record | None:
    """The fee record opened for ``work_order``'s outage (voided ones too: a waiver refused stays refused)."""
    found = linked(FEE, "source_record", work_order.id)
    return found[0] if found else None


def open_outage_waiver(work_order: Record, hours_over: int, outage_hours: int, amount: Decimal, *,
                       limit_hours: int, actor=None) -> Record:
    """Open (once) the fee-waiver record of a repair finished ``hours_over`` hours past the regulator's
    ``limit_hours``: a TS-FEE service dispute of the work order's customer and number, the disputed amount
    the rent of the ``outage_hours`` the line was down (``amount``, yuan, worked out by the caller from its
    own table), dispatched to 客户服务部, which verifies it and grants the waiver in the fee flow.

    Returns the record already opened for this work order when there is one. ``actor``: whose act caused
    it (default: whoever signed the work order last). Raises ValidationFailed on values TS-FEE refuses."""
    found = outage_waiver_of(work_order)
    if found is not None:
        return found
    v = work_order.values
    with record_language():
        content = _("Repair work order %(number)s was completed %(over)d hour(s) past the regulator's repair limit "
                    "of %(limit)d hours; the line was down %(outage)d hour(s). The monthly rent of the outage is "
                    "waived (阻断时间的月租费减免): at most %(amount)s yuan. Opened automatically; verify and "
                    "grant it as a waiver.", number=work_order.display_number, over=hours_over, limit=limit_hours,
                    outage=outage_hours, amount=amount)
    values = {"received_at": local(utcnow()).strftime("%Y-%m-%dT%H:%M"), "channel": "counter",
              "customer_name": v.get("customer_name"), "phone_number": v.get("phone_number"), "flow": "ts003",
              "dispute_type": "service", "disputed_amount": str(amount), "content": content,
              "handling_department": WAIVER_DEPARTMENT, "source_record": work_order.id}
    return service.create_automatic(specs.get(FEE), values, Department.id_of(WAIVER_DEPARTMENT),
                                    cause_record=work_order, actor=actor)
