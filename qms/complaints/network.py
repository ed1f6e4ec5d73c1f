"""Network-quality complaints (CS-15; 接待室工作手册「网络质量投诉」): the part module merged into the
package's ``Procedure`` (``qms/complaints/__init__.py``).

Form CS-NET (网络质量投诉处理单): 营帐部门 dispatches → 监控室 confirms and replies (20 min) →
监控室 pre-processes with the category's cause checklist (2 h) → the room whose duty it is (its
own limit) or, for a remote cause, the monitoring room chasing it every 30 minutes → 营帐部门
tells the customer. Limits: ``network_table`` (admin data), clocks and chases: ``network_clock``.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..records.procedures import FormRules
from . import network_checks, network_clock, network_views
from .network_table import FORM


def network_changed(record, spec, new: bool = False) -> None:
    """After every change: copy the limits at dispatch (once), then keep the watches in step."""
    network_clock.open_case(record)
    network_clock.sync_watches(record, spec)


FORMS = {FORM: FormRules(checks=(network_checks.check_network,), on_change=(network_changed,),
                         panel=network_views.network_panel, pdf_extras=network_views.network_pdf)}
BLUEPRINTS = (network_views.bp,)
RULES = network_clock.RULES
AUDIT_ACTIONS = {
    "cs15_limit_changed": _l("Network complaint limit changed"),
    "cs15_chase_logged": _l("Remote fault chased"),
}
