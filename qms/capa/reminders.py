"""Corrective and preventive actions (CA-04): overdue actions climb to 企业管理部, serious ones to the GM.
Declared now; the CAPA form arrives with the nonconformity issue."""

RULES = [
    {"id": "ca04-action-due", "requirement": "CA-04", "kind": "due", "form": "CA-CAPA", "field": "action_due_on",
     "lead_days": [7, 1], "title": {"zh": "纠正预防措施到期", "en": "Corrective action due"},
     "ladder": [{"after_hours": 24, "to": "department_head"}, {"after_hours": 72, "to": "quality_manager"},
                {"after_hours": 168, "to": "general_manager"}]},
]
