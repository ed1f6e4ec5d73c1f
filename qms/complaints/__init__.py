"""After-sales service and complaints (ZLAL009 后续服务和客户投诉处理程序 and the reception handbook
接待室工作手册 with its flows TS-001..TS-008).

Each part of the procedure is a module of its own (intake and dispatch, fee complaints, rewards,
network complaints, key customers, the month). A part module may define ``FORMS`` (form code →
``FormRules``), ``BLUEPRINTS``, ``RULES`` (calendar and managed reminder rules), ``AUDIT_ACTIONS``
and ``EXTENSIONS``; they are merged into the package's one ``Procedure``
(``records.procedures.from_parts``), so adding a part is one line in ``PARTS``.
"""
from ..records.procedures import from_parts
from . import (  # noqa: I001  (one line per part)
    contact,
    fees,
    intake_part,
    keycust,
    month,
    network,
    reminders,
    rewards,
)

# One line per part module (see the docstring).
PARTS = (
    reminders,
    network,
    keycust,
    contact,
    rewards,
    intake_part,
    fees,
    month,
)


PROCEDURE = from_parts("QP-CS", PARTS)
