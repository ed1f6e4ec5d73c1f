"""Customer property (ZLAL009 顾客财产控制程序, CP-01..CP-07): the register of what customers supply
and its gate, installation/move/repair work orders, PBX applications and inspections, self-built
works and maintenance agreements, and lost or damaged property.

Each part is a module of its own. A part module may define ``FORMS`` (form code → ``FormRules``),
``BLUEPRINTS``, ``RULES`` (reminder rules), ``AUDIT_ACTIONS``, ``EXTENSIONS`` and ``SWEEPS``; they
are merged into the package's one ``Procedure`` (``records.procedures.from_parts``),
so adding a part is one line in ``PARTS``.
The register (:mod:`.register`) is the service every part calls.
"""
from ..records.procedures import from_parts
from . import (  # noqa: I001  (one line per part)
    loss,
    maint,
    models,  # noqa: F401  (the register's tables, for migrations)
    pbx,
    register_views,
    workorders,
    works_part,
)

# One line per part module (see the docstring).
PARTS: tuple = (
    register_views,
    pbx,
    loss,
    works_part,
    maint,
    workorders,
)


PROCEDURE = from_parts("QP-CP", PARTS)
