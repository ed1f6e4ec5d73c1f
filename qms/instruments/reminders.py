"""Reminders of the monitoring and measuring devices procedure (ZLAL009 21-16..21-18).

The calibration rule watches instruments (kept by qms.instruments.service); loans are watched
per usage record; the monthly billing test is a calendar duty.
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
    {"id": "ins07-billing-test", "requirement": "INS-07", "kind": "monthly", "day": 25, "remind_days_before": 5,
     "title": {"zh": "交换机计费准确率月度检测", "en": "Monthly switch billing-accuracy test"},
     "recipients": [{"role": "technician", "department": "SWT"}, {"role": "department_head", "department": "SWT"}],
     "ladder": [{"after_hours": 24, "to": "quality_manager"}]},
]
