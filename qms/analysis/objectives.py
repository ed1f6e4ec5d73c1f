"""The quality-objectives part of data analysis (DA-01, DA-04; ZLAL009 数据分析 4.0 数据收集 1): the register
of objectives per department (DA-OBJECTIVE), the departments' monthly figures (DA-FIGURE), the monthly
statistics (DA-STATS) that close the duty ``da01-stats``, the objectives page with its charts, and a
missed objective raising a nonconformity. Declared here; the rules in ``objectives_checks`` and
``objectives_stats``, the pages in ``objectives_views``.
"""
from __future__ import annotations

from ..records.procedures import FormRules
from . import objectives_views
from .objectives_checks import FIGURE, OBJECTIVE, STATS, check_figure, check_objective
from .objectives_stats import check_stats

FORMS = {
    OBJECTIVE: FormRules(checks=(check_objective,)),
    FIGURE: FormRules(draft_checks=(check_figure,)),
    STATS: FormRules(draft_checks=(check_stats,), panel=objectives_views.stats_panel),
}
BLUEPRINTS = (objectives_views.bp,)

# The seed says only 「每月一次」 (21-19). A month's statistics can be compiled only once the month is over,
# so they do the next month's duty (offset 1: November's statistics, due 10 December — the departments'
# figures of the month's last days come in first), moved to the next working day on a holiday. QP-DA.md, 4.0 决定.
RULES = [
    {"id": "da01-stats", "requirement": "DA-01", "kind": "monthly", "day": 10, "on_holiday": "later",
     "remind_days_before": 3, "closes_with": {"form": STATS, "period_field": "month", "offset": 1},
     "title": {"zh": "每月质量目标完成情况统计（质量目标月度统计）", "en": "Monthly quality-objective statistics"},
     "recipients": [{"role": "quality_manager", "department": "EMD"}],
     "ladder": [{"after_hours": 72, "to": "general_manager"}]},
]
