"""One way to run a write from a web page: commit once, or roll back and say why.

Services never commit (``qms.records.service``); the request does, here, once. A refusal
(:class:`~qms.core.errors.ServiceError`) rolls everything back and is flashed in the user's words;
a refused signature keeps its audit row (the failed attempt is evidence, 21 CFR 11), which is the
only write that survives a refusal. indico's ``RH.process`` and invenio's ``@unit_of_work`` do the
same job.
"""
from __future__ import annotations

from flask import flash, request, session

from ..extensions import db
from .errors import ServiceError, SignatureRefused


def sent_before(key: str):
    """What this form (by its ``_nonce``) made when it was sent before — a double tap, a reload —
    or None: the same form is never acted on twice."""
    nonce = request.form.get("_nonce", "")[:40]
    return session.get(key, {}).get(nonce) if nonce else None


def remember_sent(key: str, made) -> None:
    """Keep what this form made under its ``_nonce`` (the newest 20 of each kind of form)."""
    nonce = request.form.get("_nonce", "")[:40]
    if nonce:
        session[key] = dict(list(session.get(key, {}).items())[-19:] + [(nonce, made)])


def refusal_text(exc: ServiceError) -> str:
    """A refusal in one line: the field messages, or the general message when there are none."""
    return " ".join(exc.messages()) or exc.message


class web_write:  # noqa: N801  (used as a statement: ``with web_write(...) as w``)
    """``with web_write(_("Saved.")) as w: service.x(...)`` commits and flashes ``success`` when the
    block completes; on a ServiceError it rolls back, flashes the refusal and sets ``w.error``
    (the block is left, the view goes on: ``if w.ok: ...``). ``flash_refusal=False`` leaves the
    refusal to the view (a form shows it next to its fields)."""

    def __init__(self, success: str | None = None, flash_refusal: bool = True):
        self.success, self.flash_refusal = success, flash_refusal
        self.error: ServiceError | None = None

    @property
    def ok(self) -> bool:
        """The write was committed."""
        return self.error is None

    def show_on(self, form) -> None:
        """Put the refusal's field messages on ``form``'s fields of the same names (a WTForms form),
        where the page shows them next to each field."""
        for name, messages in (self.error.errors if self.error else {}).items():
            if name in form:
                form[name].errors = list(messages)

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb) -> bool:
        if exc is None:
            db.session.commit()
            if self.success:
                flash(self.success, "success")
            return False
        if not isinstance(exc, ServiceError):
            return False  # a bug: the error handler rolls back and answers 500
        if isinstance(exc, SignatureRefused):
            db.session.commit()  # keeps the failed-signature audit row; nothing else was written
        else:
            db.session.rollback()
        self.error = exc
        if self.flash_refusal:
            flash(refusal_text(exc), "error")
        return True
