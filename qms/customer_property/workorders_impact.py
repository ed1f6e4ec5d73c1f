"""What a work order sets off in other procedures, through their published services (IT-03, CS-13, CA-01):

- a repair completed past the regulator's limit opens the outage's fee waiver (阻断时间的月租费减免) in the
  complaints' fee flow (``complaints.service.open_outage_waiver``), once per work order;
- a customer dissatisfied on the work order's evaluation opens a nonconformity (``capa.service``; source
  ``survey``, CA-NC's customer-survey source: the evaluation is the customer's opinion of the service),
  of 终端服务部, once per work order.
Texts written into the new records are in the records' language.
"""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _

from ..auth.models import Department
from ..capa.service import open_nonconformity
from ..complaints.service import open_outage_waiver, outage_waiver_of
from ..core.i18n import RECORD_LOCALE, record_language, tr
from ..core.timeutil import today
from ..records import spec as specs
from ..records.links import linked
from ..records.lookup import choice_text, record_of
from ..records.models import VOIDED, Record
from .workorders_rules import BIZ, REPAIR, TSD, clock_start, moment

NC = "CA-NC"
POOR = "dissatisfied"
HOURS_PER_MONTH = 720  # a month of rent: 30 days of line
DEFAULT_RENT = Decimal("25")


def lateness(record: Record) -> tuple[int, int, int] | None:
    """(hours past the regulator's limit, hours the line was down, the limit in hours) of a repair completed
    after its regulator's limit, else None. Started hours count as whole hours."""
    v = record.values
    if v.get("order_type") != REPAIR:
        return None
    due, done = moment(v.get("regulator_due_at")), moment(v.get("completed_at"))
    slip = record_of(v, "biz_slip", BIZ)
    start = clock_start(slip.values if slip is not None else {}, v)
    if due is None or done is None or start is None or done <= due:
        return None
    return _hours(done - due), _hours(done - start), _hours(due - start)


def _hours(delta) -> int:
    return math.ceil(delta.total_seconds() / 3600)


def monthly_rent(record: Record) -> Decimal:
    """The rent the waiver is worked out from: the work order's ``outage_waiver`` table (its revision's)."""
    spec = specs.by_revision(record.form_revision_id)
    for row in ((spec.lookups or {}).get("outage_waiver") or {}).get("rows", ()):
        if row.get("name") == "monthly_rent":
            try:
                return Decimal(str(row.get("value")))
            except ArithmeticError:
                break
    return DEFAULT_RENT


def waiver_if_late(record: Record, actor=None) -> Record | None:
    """The outage waiver of a repair completed past the regulator's limit (opened once), else None."""
    late = lateness(record)
    if late is None:
        return outage_waiver_of(record)
    over, down, limit = late
    amount = (monthly_rent(record) * down / HOURS_PER_MONTH).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return open_outage_waiver(record, over, down, amount, limit_hours=limit, actor=actor)


def raised(record: Record) -> list[Record]:
    """The nonconformities opened from this work order (voided ones left out)."""
    return [nc for nc in linked(NC, "source_record", record.id, numbered=True) if nc.status != VOIDED]


def dissatisfied_if_any(record: Record, actor=None) -> Record | None:
    """A nonconformity of 终端服务部 when the customer was dissatisfied with any evaluated item (once)."""
    v = record.values
    poor = [name for name in ("eval_attitude", "eval_time_limit") if v.get(name) == POOR]
    if not poor or raised(record):
        return None
    with record_language():
        fields = specs.by_revision(record.form_revision_id).field_map
        items = "、".join(f"{tr(fields[n].label, RECORD_LOCALE)}：{choice_text(record, n)}" for n in poor)
        text = _("Work order %(number)s (%(type)s) for %(customer)s (%(phone)s): the customer was dissatisfied "
                 "(%(items)s).", number=record.display_number, type=choice_text(record, "order_type"),
                 customer=v.get("customer_name"), phone=v.get("phone_number"), items=items)
        basis = _("Customer's evaluation on the work order (%(form)s, QP-IT 4.0 终端服务部)", form=record.form_code)
    text = "\n".join(t for t in (text, v.get("eval_comment")) if t)
    return open_nonconformity(record, "survey", Department.id_of(TSD) or record.department_id, "general",
                              text[:4000], actor=actor, requirement=basis, found_on=today())
