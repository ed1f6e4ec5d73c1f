"""Notices of record events: something happened to a record that one person must hear of now,
not on a schedule (no rule, no watch). Today one event: a signature sent back (``send_back``),
told to the person whose signature it was, in their inbox and by mail through the outbox.

The engine announces events through ``Procedure.record_events`` (``records.service.send_back``);
this package is one listener. A notice names the record by its number, never ``#id``.
"""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..auth.models import User
from ..core.i18n import language, tr
from ..core.timeutil import utcnow
from ..extensions import db
from . import outbox
from .models import Notification

# {event: what the inbox line says}; also the notice's ``rule_id`` (it belongs to no rule).
EVENT_TITLES = {"send_back": _l("Sent back to you")}
RETURNED = "returned"  # the stage of a send-back notice


def event_title(event: str, locale: str) -> str | None:
    """The inbox words for a record event in ``locale``, or None when ``event`` is not one."""
    if event not in EVENT_TITLES:
        return None
    with language(locale):
        return str(EVENT_TITLES[event])


def on_record_event(record, spec, event: str, detail: dict) -> None:
    """The ``record_events`` hook: a returned signature is told to its signer (not to whoever
    returned their own)."""
    if event != "send_back":
        return
    sig, by = detail["signature"], detail["by"]
    if sig.user_id == by.id:
        return
    recipient = db.session.get(User, sig.user_id)
    if recipient is None or not recipient.active:
        return
    step = detail["step"]
    link = f"/r/{record.form_code}/{record.id}"
    body = _body(recipient, spec, step, by, detail["reason"])
    n = Notification(watch_id=None, rule_id=event, stage=RETURNED, period=str(sig.id), recipient_id=recipient.id,
                     escalation=False, title=record.display_number[:300], body=body, link=link,
                     created_at=utcnow())
    db.session.add(n)
    db.session.flush()
    if recipient.email:
        with language(recipient.locale):
            subject = _("[QMS] Sent back to you: %(number)s %(form)s", number=record.display_number,
                        form=tr(spec.title, recipient.locale))
            text = _("%(name)s,\n\n%(body)s\n\nOpen: %(url)s\n", name=recipient.full_name, body=body,
                     url=current_app.config["QMS_BASE_URL"].rstrip("/") + link)
        outbox.queue(f"notice:{n.id}", recipient, subject, text)


def _body(recipient, spec, step, by, reason: str) -> str:
    """The details of a send-back notice in the recipient's language: which step, who, why."""
    with language(recipient.locale):
        return _("%(step)s was sent back by %(who)s: %(reason)s", step=tr(step.label, recipient.locale),
                 who=by.full_name, reason=reason)
