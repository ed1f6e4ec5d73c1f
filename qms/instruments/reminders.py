"""Reminders of the monitoring and measuring devices procedure (ZLAL009 21-16..21-18).

Declared now; the forms they watch arrive with the instruments issue (a rule with nothing to
watch is fine).
"""

LADDER = [{"after_hours": 72, "to": "department_head"}, {"after_hours": 168, "to": "quality_manager"},
          {"after_hours": 336, "to": "general_manager"}]

RULES = [
    {"id": "ins03-calibration", "requirement": "INS-03", "kind": "interval", "months": 24, "form": "INS-CAL",
     "field": "last_passed_on", "lead_days": [60, 30, 7],
     "title": {"zh": "仪器仪表两年一次计量到期", "en": "Biennial calibration due"},
     "ladder": LADDER},
    {"id": "ins02-loan-return", "requirement": "INS-02", "kind": "due", "form": "INS-USAGE", "field": "return_due_on",
     "lead_days": [3], "title": {"zh": "借用仪器到期归还", "en": "Loaned instrument due back"},
     "ladder": [{"after_hours": 24, "to": "department_head"}, {"after_hours": 120, "to": "quality_manager"}]},
    {"id": "ins07-billing-test", "requirement": "INS-07", "kind": "monthly", "day": 25, "remind_days_before": 5,
     "title": {"zh": "交换机计费准确率月度检测", "en": "Monthly switch billing-accuracy test"},
     "recipients": [{"role": "technician", "department": "SWT"}, {"role": "department_head", "department": "SWT"}],
     "ladder": [{"after_hours": 24, "to": "quality_manager"}]},
]
