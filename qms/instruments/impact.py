"""What a failure of an instrument or a switch affects, written into the nonconformity it opens
(INS-03, INS-07) through the CAPA procedure's published service. Texts are written in the records'
language, whoever signed; the actor is whoever signed the causing record last."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from ..auth.lookup import names
from ..capa.service import open_nonconformity
from ..core.i18n import record_language
from ..records.links import linked
from ..records.lookup import as_id
from ..records.models import VOIDED, Record
from . import state
from .forms import BILLING, USE_DATES
from .models import Instrument
from .switches import accuracy, switch_name, threshold


def uses_since(instrument_id: int, since: date | None) -> list[Record]:
    """Loans of the instrument and tests done with it since ``since`` (every one when None), oldest first."""
    rows = sorted((r for code in USE_DATES for r in linked(code, "instrument", instrument_id, numbered=True)
                   if r.status != VOIDED), key=lambda r: r.id)
    return [r for r in rows if since is None or (r.values.get(USE_DATES[r.form_code]) or "") >= since.isoformat()]


def failed_calibration(inst: Instrument, cal: Record, since: date | None) -> Record:
    """A failed calibration opens a nonconformity listing every use since the last pass (INS-03)."""
    with record_language():
        description = _impact_text(inst, cal, since)
        basis = _("A passing calibration before use (permit to use, %(form)s)", form="QP-INS")
    nc = open_nonconformity(cal, "calibration", inst.department_id, "general", description,
                            requirement=basis, found_on=date.fromisoformat(cal.values["calibrated_on"]))
    state.nonconformity_opened(inst, nc, cal.values["calibrated_on"], description.split("\n")[0])
    return nc


def _impact_text(inst: Instrument, cal: Record, since: date | None) -> str:
    """What failed, and every loan since the last passing calibration (who, when, what for)."""
    v = cal.values
    lines = [_("Instrument %(name)s (asset no. %(asset)s, %(number)s) failed calibration on %(date)s, "
               "certificate %(cert)s. It is quarantined.", name=inst.name, asset=inst.asset_no, number=inst.number,
               date=v["calibrated_on"], cert=v.get("certificate_no") or "—"),
             _("Uses since the last passing calibration (%(date)s):", date=since.isoformat() if since else "—")]
    uses = uses_since(inst.id, since)
    people = names(r.values.get("borrower") for r in uses)
    for r in uses:
        u = r.values
        if r.form_code == BILLING:
            lines.append(f"- {r.display_number} {u.get('tested_on')}: {switch_name(u)} {u.get('test_month')}")
            continue
        back = u.get("returned_on") or u.get("return_due_on")
        lines.append(f"- {r.display_number} {people.get(as_id(u.get('borrower')), '')} "
                     f"{u.get('checked_out_on')} ~ {back}: {u.get('purpose') or ''}")
    if not uses:
        lines.append(_("(none recorded)"))
    return "\n".join(lines)[:4000]


def billing_below_threshold(record: Record, spec) -> Record | None:
    """INS-07: an accuracy below the switch type's threshold is reported to 企业管理部 for tracing."""
    v = record.values
    acc, limit = accuracy(v), threshold(spec, v)
    if acc is None or limit is None or acc >= limit:
        return None
    with record_language():
        text = _("Billing accuracy of %(switch)s in %(month)s: %(acc).4f%% (%(correct)s of %(tested)s calls), "
                 "below the required %(limit)s%%.", switch=switch_name(v), month=v["test_month"], acc=acc,
                 correct=v["calls_correct"], tested=v["calls_tested"], limit=limit)
        basis = _("Billing accuracy at least %(limit)s%% (%(form)s, revision %(rev)s)", limit=limit,
                  form=spec.code, rev=spec.revision)
    if v.get("findings"):
        text += "\n" + v["findings"]
    return open_nonconformity(record, "billing_test", record.department_id, "general", text[:4000],
                              requirement=basis, found_on=date.fromisoformat(v["tested_on"]))
