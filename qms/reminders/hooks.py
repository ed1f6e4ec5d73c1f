"""Keep reminder watches in step with records: the one after-change hook that applies to every form
(and the calendar duties records close, ``duties``)."""
from __future__ import annotations

from ..records.lookup import record_name
from ..records.models import DRAFT, IN_PROGRESS
from ..records.spec import conditions_hold
from . import duties, engine, rules


def on_record_change(record, spec, new: bool = False) -> None:
    """Create, move or close the watches of ``record`` for every rule declared on its form; and
    the calendar duties a signed record of its form does (``duties``: a rule's ``closes_with``)."""
    duties.record_changed(record, spec, new)
    form_rules = rules.for_form(spec.code)
    if not form_rules:
        return
    values = record.values
    for rule in form_rules:
        engine.upsert_watch(
            rule, "record", record.id, "",
            due_at=engine.deadline_for_record(rule, values),
            title=record_name(record, spec),
            link=f"/r/{record.form_code}/{record.id}",
            owner_id=_owner(rule, record, values), department_id=record.department_id,
            active=_applies(rule, record, values), new=new)


def _owner(rule, record, values) -> int | None:
    """Who is reminded first: the user a declared field names (an action's owner), else the author."""
    if rule.owner_field:
        try:
            return int(values.get(rule.owner_field))
        except (TypeError, ValueError):
            return None
    return record.created_by_id


def _applies(rule, record, values) -> bool:
    """A watch runs while the record is open and meets the rule's conditions."""
    if record.status not in (DRAFT, IN_PROGRESS):
        return False
    if rule.at_steps and (record.status != IN_PROGRESS or record.current_step not in rule.at_steps):
        return False
    return conditions_hold(values, rule.when)
