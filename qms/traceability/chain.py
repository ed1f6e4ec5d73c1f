"""The chain part of the traceability package (IT-02, IT-07): the business acceptance slip (IT-BIZ)
and its customer-property gate, number allocation by 交换传输室 (IT-NUM) and its allocation table,
and the trace page; what it adds to ``PROCEDURE`` (merged in ``__init__.PARTS``)."""
from ..records.lookup import display_number
from ..records.procedures import FormRules
from . import numbers, numbers_models, trace_stages, trace_views  # noqa: F401  (numbers_models: for migrations)
from .chain_checks import check_slip
from .chain_forms import BIZ, NUM


def allocation_panel(record, spec, user) -> dict:
    """The numbers a slip or an allocation record holds or held, live or freed, and by which record."""
    rows = numbers.of_slip(record.id) if record.form_code == BIZ else numbers.of_record(record.id)
    return {"template": "traceability/numbers/panel.html", "rows": rows, "number_of": display_number}


FORMS = {
    BIZ: FormRules(checks=(check_slip,), on_change=(numbers.release_cancelled,), panel=allocation_panel),
    NUM: FormRules(checks=(numbers.check,), on_change=(numbers.sync,), panel=allocation_panel),
}
BLUEPRINTS = (trace_views.bp,)
AUDIT_ACTIONS = dict(numbers.AUDIT_ACTIONS)
EXTENSIONS = {"trace": trace_stages.parse}
