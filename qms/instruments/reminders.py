"""Reminders of the monitoring and measuring devices procedure (ZLAL009 21-16..21-18).

The calibration rule watches instruments (kept by qms.instruments.service); loans are watched
per usage record; each switch's monthly billing test is watched per switch.
"""

LADDER = [{"after_hours": 72, "to": "department_head"}, {"after_hours": 168, "to": "quality_manager"},
          {"after_hours": 336, "to": "general_manager"}]

RULES = [
    # Watched per instrument (qms.instruments.service keeps the watch): due = last passing
    # calibration + the instrument's interval (24 months by default).
    {"id": "ins03-calibration", "requirement": "INS-03", "kind": "due", "form": "INS-INTAKE", "field": "next_due_on",
     "managed": True, "lead_days": [60, 30, 7],
     "title": {"zh": "仪器仪表两年一次计量到期", "en": "Biennial calibration due"},
     "ladder": LADDER},
    # INS-02: the borrower, then their department head, then 技术发展部 (who keeps the loans).
    {"id": "ins02-loan-return", "requirement": "INS-02", "kind": "due", "form": "INS-USAGE", "field": "return_due_on",
     "owner_field": "borrower", "at_steps": ["return"], "lead_days": [3],
     "title": {"zh": "借用仪器到期归还", "en": "Loaned instrument due back"},
     "ladder": [{"after_hours": 24, "to": "department_head"}, {"after_hours": 72, "to": "department_head@TDD"},
                {"after_hours": 72, "to": "technician@TDD"}]},
    # INS-07, watched per switch (qms.instruments.switches keeps the watch): due at the end of the
    # first month without a test; reminded 5 days before, then 交换传输室's head, then 企业管理部.
    {"id": "ins07-switch-test", "requirement": "INS-07", "kind": "due", "form": "INS-SWITCH", "field": "in_service_on",
     "managed": True, "lead_days": [5],
     "title": {"zh": "交换机本月计费准确率未检测", "en": "Switch not tested for billing accuracy this month"},
     "ladder": [{"after_hours": 24, "to": "department_head"}, {"after_hours": 72, "to": "quality_manager"}]},
]
