"""Reminders: declared rules, watches kept in step with records, the sweep, notices and mail.

Not a procedure, but it plugs into the engine the same way: one after-change hook for every
form (a form's declared ``reminders:`` keep their watches), one listener of record events (a
signature sent back is told to its signer: ``notices``), its pages, its audit action.
"""
from flask_babel import lazy_gettext as _l

from ..records.procedures import Procedure
from . import hooks, notices, rules, views

PROCEDURE = Procedure(
    "reminders",
    every_change=(hooks.on_record_change,),
    record_events=(notices.on_record_event,),
    blueprints=(views.bp,),
    audit_actions={"calendar_changed": _l("Working calendar changed"),
                   "calendar_seeded": _l("Working calendar seeded with public holidays")},
    extensions={"reminders": rules.parse_form_rules},
)
