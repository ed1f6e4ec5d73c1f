"""The indicators part of QP-DA (DA-01): the hooks that keep the counts on the source forms, and the
pages. Listed in ``qms.analysis.PARTS``."""
from __future__ import annotations

from ..records.procedures import FormRules
from . import indicators_rules, indicators_views
from .indicators_store import calibration_changed, changed

FORMS = {code: FormRules(on_change=(calibration_changed if code == "INS-CAL" else changed,))
         for code in indicators_rules.RULES}
BLUEPRINTS = (indicators_views.bp,)
# No ``RULES`` here: that name is a part's reminder rules (``from_parts``); the counted forms are
# ``indicators_rules.RULES``.
