"""Keep reminder watches in step with records (registered on the records service)."""
from __future__ import annotations

from ..records.models import DRAFT, IN_PROGRESS
from . import engine, rules


def on_record_change(record, spec, new: bool = False) -> None:
    """Create, move or close the watches of ``record`` for every rule declared on its form."""
    form_rules = rules.for_form(spec.code)
    if not form_rules:
        return
    values = record.values
    for rule in form_rules:
        engine.upsert_watch(
            rule, "record", record.id, "",
            due_at=engine.deadline_for_record(rule, values),
            title=record.display_number,
            link=f"/r/{record.form_code}/{record.id}",
            owner_id=record.created_by_id, department_id=record.department_id,
            active=record.status in (DRAFT, IN_PROGRESS), new=new)


def install() -> None:
    """Register the hook once per process."""
    from ..records import service
    if on_record_change not in service.AFTER_CHANGE:
        service.AFTER_CHANGE.append(on_record_change)
