"""After-change hook of the work order (CP-03, IT-03): what the signatures set off. Idempotent: it runs
after every change of the record and looks at which steps are signed.

- The lineman's self-check signed: each device row is put on the customer-property register (a new item
  per described row, ``source_key`` ``device-<n>``; a row naming a KC code moves that item) as *in use*
  when connected after passing both checks, *accepted* when it passed but is not connected, *rejected*
  (not to be connected) when its licence mark is absent or its performance failed. A repair completed
  past the regulator's limit opens its outage waiver (:mod:`.workorders_impact`).
- The customer's step signed: a dissatisfied evaluation opens a nonconformity.
"""
from __future__ import annotations

from ..auth.models import Department, User
from ..extensions import db
from ..records.models import CLOSED, IN_PROGRESS
from . import register as reg
from . import workorders_impact as impact
from .workorders_rules import TSD


def device_state(row: dict) -> str:
    """The register state a checked device row leaves its item in (S003 「符合要求方能使用」)."""
    if row.get("licence_mark") != "yes" or row.get("performance") != "pass":
        return reg.REJECTED
    return reg.IN_USE if row.get("connected") == "yes" else reg.ACCEPTED


def _signer(record, step: str):
    """The person who signed ``step`` (live signature), or None while it is not signed."""
    sig = next((s for s in record.signatures if s.step == step), None)
    return db.session.get(User, sig.user_id) if sig is not None else None


def register_devices(record, by) -> list:
    """Put each device row of ``record`` on the register (or move the item it names) once; the items, in row
    order. A row already registered by this record is left alone: the item's later moves are other records'."""
    v = record.values
    mine = {item.source_key: item for item in reg.items_of_record(record.id)}
    out = []
    for n, row in enumerate(v.get("devices") or [], start=1):
        state = device_state(row)
        code = (row.get("item_code") or "").strip()
        if code:
            item = reg.by_code(code)
            if item is not None:
                if not any(e.record_id == record.id for e in reg.events(item)):
                    reg.set_state(item, state, record, by, note=record.display_number)
                out.append(item)
            continue
        if f"device-{n}" in mine:  # registered when the lineman signed; later moves belong to later records
            out.append(mine[f"device-{n}"])
            continue
        out.append(reg.register(record, kind=row.get("kind"), state=state, source_key=f"device-{n}",
                                customer_name=v.get("customer_name") or "", phone=v.get("phone_number") or "",
                                model=row.get("model") or "", licence_no=row.get("licence_no") or "",
                                location=v.get("address") or "", by=by, department_id=Department.id_of(TSD),
                                note=record.display_number))
    return out


def work_order_changed(record, spec, new: bool = False) -> None:
    """Register the checked devices and open the outage waiver once the lineman has signed; raise the
    nonconformity of a dissatisfied customer once the customer's step is signed."""
    if record.status not in (IN_PROGRESS, CLOSED):
        return
    lineman = _signer(record, "self_check")
    if lineman is None:
        return
    register_devices(record, lineman)
    impact.waiver_if_late(record, actor=lineman)
    if _signer(record, "customer") is not None:
        impact.dissatisfied_if_any(record, actor=_signer(record, "customer"))
