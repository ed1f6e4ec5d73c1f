"""Corrective and preventive actions (CA-04): overdue actions climb owner -> department head ->
企业管理部 -> general manager. The form rules (serious nonconformity straight to the GM, reply and
verification dates) are declared in ``forms/CA-NC.yaml`` and ``forms/CA-CAPA.yaml``."""
from .forms import ACTION

RULES = [
    {"id": "ca04-action-due", "requirement": "CA-04", "kind": "due", "form": ACTION, "field": "due_on",
     "owner_field": "owner", "at_steps": ["implement"], "lead_days": [7, 1],
     "title": {"zh": "纠正预防措施到期", "en": "Corrective action due"},
     "ladder": [{"after_hours": 24, "to": "department_head"}, {"after_hours": 72, "to": "quality_manager"},
                {"after_hours": 168, "to": "general_manager"}]},
]
