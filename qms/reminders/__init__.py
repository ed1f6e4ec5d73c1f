"""Reminders: declared rules, watches kept in step with records, the sweep, notices and mail.

Not a procedure, but it plugs into the engine the same way: one after-change hook for every
form (a form's declared ``reminders:`` keep their watches), its pages, its audit action.
"""
from flask_babel import lazy_gettext as _l

from ..records.procedures import Procedure
from . import hooks, rules, views

PROCEDURE = Procedure(
    "reminders",
    every_change=(hooks.on_record_change,),
    blueprints=(views.bp,),
    audit_actions={"calendar_changed": _l("Working calendar changed")},
    extensions={"reminders": rules.parse_form_rules},
)
