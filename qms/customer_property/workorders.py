"""Installation, move and repair work orders (CP-03, IT-03; ZLAL009 顾客财产控制程序 4.0 检验过程(1),
标识和可追溯性控制程序 4.0 终端服务部): the part's declaration, merged into the package's ``PROCEDURE``.

The form is ``forms/CP-WO.yaml``; the rules it cannot declare are in :mod:`.workorders_rules` (values from
the slip, due times, checks), :mod:`.workorders_hooks` (the register, after the lineman signs) and
:mod:`.workorders_impact` (the outage waiver and the dissatisfied customer's nonconformity, through the
complaints' and the CAPA procedure's published services). The time limits and their reminders are declared
in the YAML (``lookups:``, ``reminders:``).
"""
from ..records.procedures import FormRules
from . import workorders_hooks as hooks
from . import workorders_rules as rules
from . import workorders_views as views

FORMS = {
    rules.WO: FormRules(checks=(rules.check_devices,), draft_checks=(rules.check_slip,), derive=(rules.derive,),
                        sign_checks=(rules.sign_inspection,), on_change=(hooks.work_order_changed,),
                        panel=views.panel),
}
