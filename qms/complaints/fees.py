"""Fee complaints (接待室工作手册 第二章 and flows TS-001..TS-008; CS-10, CS-11, CS-13, CS-14, CS-16):
one form ``TS-FEE`` for every fee flow, the month's refund summary ``TS-REFUNDS`` and repricing summary
``TS-REPRICE`` (records that close the duties cs13-refunds and cs14-repricing). What the declarations
cannot say is here: the value checks (``fees_checks``), the Thursday batch of non-cash refunds
(``fees_hooks``), the month's summaries drawn from the disputes (``fees_month``, ``fees_views``)."""
from __future__ import annotations

from ..records.procedures import FormRules
from . import fees_checks as checks
from . import fees_hooks as hooks
from . import fees_views as views
from .fees_forms import BILLING, FEE, MONTERNET, REFUNDS, REPRICE, THURSDAY_RULE

FORMS = {
    FEE: FormRules(checks=(checks.check_money, checks.check_refund, checks.check_error, hooks.check_repeat_claim),
                   derive=(hooks.derive_repeat,), on_change=(hooks.fee_changed,), panel=views.fee_panel),
    REFUNDS: FormRules(checks=(checks.check_month_rows(REFUNDS),)),
    REPRICE: FormRules(checks=(checks.check_month_rows(REPRICE),)),
    MONTERNET: FormRules(checks=(checks.check_month_rows(MONTERNET),)),
}

BLUEPRINTS = (views.bp,)

RULES = [
    # CS-13 「不退现…即时填写本表,传真或送核算室(统一周四)」: due on the Thursday after the transfer, kept by
    # fees_hooks.fee_changed while the record waits for 核算室; then 核算室's head.
    {"id": THURSDAY_RULE, "requirement": "CS-13", "kind": "due", "form": FEE, "field": "transferred_at",
     "managed": True, "lead_days": [0],
     "title": {"zh": "不退现退减免表周四送核算室处理", "en": "Non-cash refund form to the billing office on Thursday"},
     "ladder": [{"after_hours": 24, "to": f"department_head@{BILLING}"}]},
    # CS-16 TS-006 「每月24日前汇总后上报到核算班」: the month's orphan-record register TS-MONTERNET, drafted
    # from the month's TS-006 disputes, done when the hall reports it.
    {"id": "cs16-monternet-24th", "requirement": "CS-16", "kind": "monthly", "day": 24, "remind_days_before": 2,
     "closes_with": {"form": MONTERNET, "period_field": "month", "step": "submit"},
     "title": {"zh": "每月24日前梦网无主话单汇总报核算班",
               "en": "Orphan Monternet records to the billing office by the 24th"},
     "recipients": [{"role": "clerk", "department": "HAL"}, {"role": "clerk", "department": "GDH"},
                    {"role": "clerk", "department": "CSD"}]},
]
