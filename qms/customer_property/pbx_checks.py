"""The PBX rules a declaration cannot say (CP-02, CP-04): the 设备入网证 copy attached before the
application is submitted; no approval for formal use unless the PBX passed its inspection or a
re-inspection round; a round only after a failed inspection, never after a pass, never while an
earlier round is still open, and never dated before the inspection it follows.

Sign checks say why and when signing becomes possible (ARCHITECTURE §6.5); value checks put their
message on the field, so the page shows it beside the field and the API answers 422.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..records.lookup import record_of
from ..records.models import Attachment, Record, Status
from . import register as reg
from .pbx_hooks import FLOW, item_of
from .pbx_rounds import FAIL, PBX, inspected, last_inspected_on, passed, passed_round, rounds_of


def sign_licence_copy(record: Record, spec, step, user) -> str | None:
    """The application is submitted with a copy of the device's network-access licence attached (S003
    「需带设备入网证」)."""
    if step.name != "submit":
        return None
    has = db.session.execute(select(Attachment.id).where(Attachment.record_id == record.id).limit(1)).first()
    return None if has else _("Attach a copy of the device's network-access licence (设备入网证) before submitting "
                              "the application.")


def sign_approve(record: Record, spec, step, user) -> str | None:
    """Formal use is approved only for a PBX that passed (S003 「检验合格后,客户方可正式使用小交换机」)."""
    if step.name != "approve":
        return None
    item = item_of(record)
    if item is not None and item.state not in FLOW:
        return " ".join(reg.refusals(item))  # reported lost, damaged or unsuitable since it passed
    if passed(record):
        return None
    return _("The PBX failed its on-site inspection: formal use can be approved only after a re-inspection "
             "round (PBX re-inspection record) has passed.")


def _open_round(application: Record, record: Record | None) -> Record | None:
    mine = {record.id, record.amended_from_id} if record is not None else set()
    return next((r for r in rounds_of(application) if r.status in (Status.DRAFT, Status.IN_PROGRESS)
                 and r.id not in mine), None)


def check_round(record: Record | None, values: dict, user) -> dict:
    """A re-inspection round follows a failed, signed inspection of a PBX that has not passed since,
    with no other round open, and is dated no earlier than the inspection or round before it."""
    app = record_of(values, "application", PBX)
    if app is None:
        return {}  # an empty or unknown link is the declaration's message
    if app.status not in (Status.IN_PROGRESS, Status.CLOSED):
        return {"application": [_("This application was voided or replaced; choose the current one.")]}
    if app.values.get("inspection_result") != FAIL or not inspected(app):
        return {"application": [_("Only a PBX whose signed inspection failed is re-inspected.")]}
    done = passed_round(app)
    if done is not None and (record is None or done.id != record.id):
        return {"application": [_("This PBX already passed re-inspection %(number)s.", number=done.display_number)]}
    still = _open_round(app, record)
    if still is not None:
        return {"application": [_("Re-inspection %(number)s of this PBX is still open: sign or discard it first.",
                                  number=still.display_number)]}
    before = last_inspected_on(app, exclude=(record.id,) if record is not None else ())
    on = values.get("inspected_on")
    if before and on and str(on) < before:
        return {"inspected_on": [_("Not before the previous inspection (%(date)s).", date=before)]}
    return {}
