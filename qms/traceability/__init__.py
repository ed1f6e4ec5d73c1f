"""Identification and traceability (ZLAL009 标识和可追溯性控制程序, IT-01..IT-07): the business acceptance
slip and number allocation that start the chain, the trace page from a phone number, a customer or any
record of the chain to every record behind it, identified objects, facilities under maintenance and
materials pending inspection.

Each part is a module of its own. A part module may define ``FORMS`` (form code → ``FormRules``),
``BLUEPRINTS``, ``RULES`` (reminder rules), ``AUDIT_ACTIONS``, ``EXTENSIONS`` and ``SWEEPS``; they
are merged into the package's one ``Procedure`` (``records.procedures.from_parts``),
so adding a part is one line in ``PARTS``.
"""
from ..records.procedures import from_parts
from . import chain, facilities, materials, objects  # facilities_models holds the IT-04 tables

# One line per part module (see the docstring).
PARTS: tuple = (
    chain,  # IT-02, IT-07: acceptance slip, number allocation, the trace page
    objects,  # IT-01
    facilities,  # IT-04
    materials,  # IT-05
)


PROCEDURE = from_parts("QP-IT", PARTS)
