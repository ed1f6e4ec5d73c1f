"""First response, dispatch and repeat complaints on the complaint/inquiry form (CS-01, CS-02, CS-03,
CS-08, CS-12's 首次/重复; ZLAL009 后续服务和客户投诉处理程序 3.0(3), 4.0(2)/(3)/(9); 接待室工作手册 第一章).

The form (``forms/CS-INQ.yaml``) declares the paths: settled on the spot (signed by the first
responder alone), or dispatched to the handling department, which signs its handling; 企业管理部 and
the general manager for serious cases. This module adds what the declaration cannot say:

- ``derive``: the two deadlines (:mod:`.clocks`) and the repeat verdict (:mod:`.repeat`) worked out on
  every save of the reception step, so the clerk never types them;
- ``checks``: a corrected verdict needs its reason; the complex-case exception is for fee disputes;
  progress is told after the complaint was received;
- ``on_change``: the two managed reminder watches (internal reply limit, the regulator's limit).
"""
from __future__ import annotations

from datetime import UTC

from flask_babel import gettext as _

from ..core.timeutil import local, tz, utcnow
from ..records import spec as specs
from ..records.lookup import record_name
from ..records.models import DRAFT, IN_PROGRESS
from ..reminders import engine
from . import clocks, repeat

INQ = "CS-INQ"
REPLY_RULE, REGULATOR_RULE = "cs10-reply-due", "cs02-regulator-15d"
# The steps during which the customer still waits for the answer (the watches run while there).
WAITING_STEPS = ("coordinate", "gm", "handle")
# Complaint forms whose earlier records make a CS-INQ a repeat (the fee and network forms join here).
REPEAT_FORMS = repeat.FORMS  # every complaint form (repeat.FIELDS)

RULES = [
    # CS-02/CS-10: the reply limit of the category (24 h for fee disputes), kept per complaint by
    # watch() below from the derived reply_due_at. The receiving clerk, their head, 企业管理部, the GM.
    {"id": REPLY_RULE, "requirement": "CS-10", "kind": "sla", "form": INQ, "field": "reply_due_at",
     "managed": True, "remind_before_hours": 4, "daily_repeats": 3, "weekly_repeats": 2,
     "title": {"zh": "投诉查询答复期限", "en": "Complaint reply due"},
     "ladder": [{"after_hours": 0, "to": "department_head"}, {"after_hours": 24, "to": "quality_manager"},
                {"after_hours": 72, "to": "general_manager"}]},
    # The regulator's 15 calendar days: 企业管理部 is told when they run out unanswered.
    {"id": REGULATOR_RULE, "requirement": "CS-02", "kind": "sla", "form": INQ, "field": "regulator_due_at",
     "managed": True, "remind_before_hours": 48, "daily_repeats": 3, "weekly_repeats": 2,
     "title": {"zh": "管局15天答复期限", "en": "Regulator's 15-day answer limit"},
     "ladder": [{"after_hours": 0, "to": "quality_manager"}]},
]


def _spec(record):
    return specs.by_revision(record.form_revision_id) if record is not None else specs.get(INQ)


def derive(record, values: dict, user) -> dict:
    """The deadlines and the 首次/重复 verdict of a complaint being received (its draft saves; once
    submitted they are signed and stay)."""
    if record is not None and record.status != DRAFT:
        return {}
    spec = _spec(record)
    received = clocks.parse(values.get("received_at"))
    now = local(utcnow()).replace(tzinfo=None)
    days = clocks.setting(spec, "regulator_days", clocks.REGULATOR_DAYS)
    window = clocks.setting(spec, "repeat_window_days", repeat.WINDOW_DAYS)
    return {
        "reply_due_at": clocks.stored(clocks.internal_due(received, values.get("reply_limit_hours"))),
        "regulator_due_at": clocks.stored(clocks.regulator_due(received, days)),
        **repeat.verdict_values(record, values, now, INQ, window),
    }


def check(record, values: dict, user) -> dict:
    """A corrected verdict says why; only fee disputes are complex; progress told after receipt."""
    errors: dict = repeat.claim_errors(values)
    if values.get("complex_case") and values.get("category") != "billing":
        errors["complex_case"] = [_("Only a billing dispute can be marked complex.")]
    received = clocks.parse(values.get("received_at"))
    for i, row in enumerate(values.get("progress") or [], start=1):
        told = clocks.parse(row.get("told_at"))
        if received and told and told < received:
            errors.setdefault("progress", []).append(
                _("Row %(row)d: progress cannot be told before the complaint was received.", row=i))
    return errors


def _aware(moment):
    return moment.replace(tzinfo=tz()).astimezone(UTC) if moment else None


def watch(record, spec, new: bool = False) -> None:
    """Keep the complaint's two limits watched while the customer waits for the answer."""
    values = record.values
    waiting = record.status == IN_PROGRESS and record.current_step in WAITING_STEPS
    for rule_id, field in ((REPLY_RULE, "reply_due_at"), (REGULATOR_RULE, "regulator_due_at")):
        rule = engine.by_id().get(rule_id)
        if rule is None:
            continue
        engine.upsert_watch(rule, "record", record.id, "", due_at=_aware(clocks.parse(values.get(field))),
                            title=record_name(record, spec), link=f"/r/{record.form_code}/{record.id}",
                            owner_id=record.created_by_id, department_id=record.department_id,
                            active=waiting, new=new)

