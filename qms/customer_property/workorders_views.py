"""The work order's panel on its record page (CP-03, IT-03): the devices as the register holds them (code,
state), the clocks, and the records the work order opened (the outage waiver, a nonconformity)."""
from __future__ import annotations

from ..complaints.service import outage_waiver_of
from ..core.timeutil import local, utcnow
from . import register as reg
from . import workorders_impact as impact
from .workorders_rules import moment


def panel(record, spec, user) -> dict | None:
    """What the lineman, the inspector and an auditor read beside the work order, or None before it is issued."""
    if record.number is None:
        return None
    v = record.values
    done = moment(v.get("completed_at")) if any(s.step == "self_check" for s in record.signatures) else None
    now = local(utcnow()).replace(tzinfo=None)
    clocks = []
    for field in ("due_at", "regulator_due_at"):
        due = moment(v.get(field))
        if due is not None:
            clocks.append({"field": field, "label": spec.field_map[field].label, "due": due,
                           "late": (done or now) > due, "done": done is not None})
    items = [{"code": i.code, "kind": reg.kind_label(i.kind), "model": i.model, "state": i.state,
              "state_label": reg.state_label(i.state)} for i in reg.items_of_record(record.id)]
    return {"template": "customer_property/workorders/panel.html", "clocks": clocks, "devices": items,
            "waiver": outage_waiver_of(record), "ncs": impact.raised(record)}
