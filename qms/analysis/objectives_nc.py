"""A missed quality objective raises a nonconformity (DA-01, CA-01 source ``objective``): from a line of
the signed monthly statistics (DA-STATS) whose objective was missed, once per line, against the
objective's department, through the CAPA procedure's published ``raise_from``."""
from __future__ import annotations

from flask_babel import gettext as _

from ..capa.service import raise_from
from ..core.errors import ValidationFailed
from ..records.links import linked
from ..records.models import DRAFT, SUPERSEDED, VOIDED, Record
from .objectives_checks import EMD, STATS

SOURCE, NC = "objective", "CA-NC"


def tag(number: str) -> str:
    """How a nonconformity's description names the objective it was raised for (kept server-side, so
    the line it came from is known: once per line)."""
    return f"【{number}】"


def raised(record: Record) -> dict[str, Record]:
    """{objective number: the live nonconformity raised from that line of ``record``}."""
    out: dict[str, Record] = {}
    for nc in linked(NC, "source_record", record.id):
        if nc.status == VOIDED:
            continue
        text = nc.values.get("description") or ""
        if text.startswith("【") and "】" in text:
            out.setdefault(text[1:text.index("】")], nc)
    return out


def may_raise(user, record: Record) -> bool:
    """企业管理部 acts on signed statistics."""
    return (record.form_code == STATS and record.status not in (DRAFT, VOIDED, SUPERSEDED)
            and user.department is not None and user.department.code == EMD)


def raise_nonconformity(record: Record, user, objective: str, severity: str, description: str) -> Record:
    """Open the nonconformity of one missed line (``objective``: its number) of statistics ``record``,
    against the objective's department. Refused with a field message: not 企业管理部 or not signed, a line
    that was not missed, a line that has raised one already, or a bad severity or description."""
    line = next((r for r in record.values.get("lines") or [] if r.get("objective") == objective), None)
    if not may_raise(user, record):
        raise ValidationFailed({"objective": [_("Only 企业管理部 raises a nonconformity from signed statistics.")]})
    if line is None or line.get("met") != "no":
        raise ValidationFailed({"objective": [_("Only a missed objective raises a nonconformity.")]})
    if objective in raised(record):
        raise ValidationFailed({"objective": [_("This line has raised its nonconformity already.")]})
    text = (description or "").strip()
    return raise_from(record, SOURCE, user, line.get("department") or "", severity,
                      f"{tag(objective)}{text}" if text else "",
                      _("Sign the statistics before raising a nonconformity from them."))
