"""Data analysis (ZLAL009 数据分析控制程序, 21-19..21-21): quality objectives with actuals from the
registers, weekly and monthly reports, the yearly weighted satisfaction survey, the four monthly
meetings with tracked actions, statistical techniques and the management review pack.

A package of parts, as complaints: each part module may define ``FORMS``, ``BLUEPRINTS``, ``RULES``,
``AUDIT_ACTIONS``, ``EXTENSIONS`` and ``SWEEPS`` (``records.procedures.from_parts``); two parts may add
hooks to one form. Adding a part is one line in ``PARTS``.
"""
from ..records.procedures import from_parts
from . import (  # noqa: I001  (one line per part)
    hub,
    indicators_part,
    meetings,
    objectives,
    reminders,
    reports,
    review_pack_views,
    survey,
    techniques,
)

# One line per part module (see the docstring).
PARTS = (
    reminders,
    meetings,
    survey,
    techniques,
    indicators_part,
    objectives,
    reports,
    review_pack_views,
    hub,
)


PROCEDURE = from_parts("QP-DA", PARTS)
