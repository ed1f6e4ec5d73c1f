"""Reminders of the monitoring and measuring devices procedure (ZLAL009 21-16..21-18).

The calibration rule watches instruments (:func:`watch_calibration`); loans are watched per usage
record (declared in the rule, kept by the engine); each switch's monthly billing test is watched
per switch (:func:`watch_switch`).
"""
from __future__ import annotations

from ..extensions import db
from ..records.models import CLOSED, Record
from ..reminders.engine import watch_until
from .forms import INTAKE, SWITCH, USAGE
from .models import GONE, CalResult, Instrument
from .switches import next_deadline

CALIBRATION_RULE, SWITCH_RULE = "ins03-calibration", "ins07-switch-test"
HAND_BACK_RULE = "ins02-loan-handed-back"

LADDER = [{"after_hours": 72, "to": "department_head"}, {"after_hours": 168, "to": "quality_manager"},
          {"after_hours": 336, "to": "general_manager"}]

RULES = [
    # Watched per instrument (watch_calibration below keeps the watch): due = last passing
    # calibration + the instrument's interval (24 months by default).
    {"id": CALIBRATION_RULE, "requirement": "INS-03", "kind": "due", "form": INTAKE, "field": "next_due_on",
     "managed": True, "lead_days": [60, 30, 7],
     "title": {"zh": "仪器仪表两年一次计量到期", "en": "Biennial calibration due"},
     "ladder": LADDER},
    # INS-02: the borrower, then their department head, then 技术发展部 (who keeps the loans).
    {"id": "ins02-loan-return", "requirement": "INS-02", "kind": "due", "form": USAGE, "field": "return_due_on",
     "owner_field": "borrower", "at_steps": ["return"], "lead_days": [3],
     "title": {"zh": "借用仪器到期归还", "en": "Loaned instrument due back"},
     "ladder": [{"after_hours": 24, "to": "department_head"}, {"after_hours": 72, "to": "department_head@TDD"},
                {"after_hours": 72, "to": "technician@TDD"}]},
    # INS-02, watched per loan (watch_hand_back below): the borrower handed the instrument back and
    # the keeper checks the return. Told at once, then daily; the keeping department's head after two days.
    {"id": HAND_BACK_RULE, "requirement": "INS-02", "kind": "due", "form": USAGE, "field": "returned_on",
     "managed": True, "lead_days": [],
     "title": {"zh": "借用仪器已交回,待归还验收", "en": "Loaned instrument handed back: check its return"},
     "ladder": [{"after_hours": 48, "to": "department_head"}]},
    # INS-07, watched per switch (watch_switch below keeps the watch): due at the end of the
    # first month without a test; reminded 5 days before, then 交换传输室's head, then 企业管理部.
    {"id": SWITCH_RULE, "requirement": "INS-07", "kind": "due", "form": SWITCH, "field": "in_service_on",
     "managed": True, "lead_days": [5],
     "title": {"zh": "交换机本月计费准确率未检测", "en": "Switch not tested for billing accuracy this month"},
     "ladder": [{"after_hours": 24, "to": "department_head"}, {"after_hours": 72, "to": "quality_manager"}]},
]


def watch_calibration(inst: Instrument) -> None:
    """The INS-03 reminder of one instrument: 60/30/7 days before its next due date, then overdue
    repeats and the ladder; to its custodian, or whoever registered it (public instruments)."""
    owner = inst.custodian_id
    if owner is None:
        intake = db.session.get(Record, inst.id)
        owner = intake.created_by_id if intake else None
    watch_until(CALIBRATION_RULE, "instrument", inst.id, inst.next_due_on,
                title=f"{inst.asset_no} {inst.name}"[:300], link=f"/r/{INTAKE}/{inst.id}", owner_id=owner,
                department_id=inst.department_id,
                active=inst.condition not in GONE and inst.cal_result != CalResult.FAIL)


def watch_hand_back(loan: Record, inst: Instrument, day, owner_id: int | None) -> None:
    """The keeper's reminder to check a loan's return once the borrower handed the instrument back
    (``day``); it stops when the loan is closed or voided (no ``day``). Named by the loan's number."""
    watch_until(HAND_BACK_RULE, "record", loan.id, day,
                title=f"{loan.display_number} {inst.asset_no} {inst.name}"[:300],
                link=f"/instruments/{inst.id}/return", owner_id=owner_id, department_id=inst.department_id,
                active=day is not None)


def watch_switch(switch: Record) -> None:
    """Keep the switch's monthly-test watch (INS-07): due at the end of its first untested month."""
    deadline = next_deadline(switch)
    watch_until(SWITCH_RULE, "switch", switch.id, deadline,
                title=f"{switch.values.get('name', '')} {deadline.isoformat()[:7]}"[:300],
                link=f"/r/{SWITCH}/{switch.id}", owner_id=switch.created_by_id,
                department_id=switch.department_id, active=switch.status == CLOSED)
