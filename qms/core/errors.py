"""Refusals people can understand, and the error pages and JSON errors: never a bare 500.

The ``ServiceError`` family is what services raise (never ``abort``): a translated ``message``
and, per field, the messages shown next to it. Views and the API turn them into pages and 4xx.
"""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..extensions import db


class ServiceError(Exception):
    """Base for refusals a user can understand; ``message`` is translated."""

    status = 400

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}

    def messages(self) -> list[str]:
        """Every field message, in order (for a flash line or a refusal without a form)."""
        return [m for ms in self.errors.values() for m in ms]


class ValidationFailed(ServiceError):
    """Values that break the declaration or a procedure's rule; ``errors`` says which fields."""

    status = 422

    def __init__(self, errors: dict, form=None):
        super().__init__(_("Please correct the highlighted fields."), errors)
        self.form = form


class Conflict(ServiceError):
    """Someone else changed it meanwhile (optimistic locking)."""

    status = 409


class LockedRecord(ServiceError):
    """A signed, closed, voided or superseded record cannot be changed."""

    status = 409


class SignatureRefused(ServiceError):
    """A signature that cannot be given now (wrong password, a rule not met yet)."""

    status = 422


class SpecError(ValueError):
    """A form declaration that cannot be loaded; the message names the file and the key."""


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _message(code: int) -> str:
    return {
        400: _("The request could not be understood."),
        403: _("You are not allowed to do this."),
        404: _("Not found."),
        405: _("This action is not allowed here."),
        409: _("The record changed meanwhile."),
        413: _("The file is too large."),
        422: _("Please correct the highlighted fields."),
        429: _("Too many requests."),
    }.get(code, _("Something went wrong."))


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        db.session.rollback()
        msg = _("The form expired or was sent from elsewhere. Reload the page and try again.")
        app.logger.warning("CSRF refused: %s", exc.description)
        return render_template("error.html", code=400, message=msg), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        db.session.rollback()
        code = exc.code or 500
        # Our own descriptions (abort(422, description=...)) are shown; werkzeug's English defaults are not.
        own = exc.description and not exc.description.startswith(
            ("You don't", "The requested", "The server", "The request was"))
        msg = exc.description if code in (403, 404, 422) and own else _message(code)
        if _wants_json():
            return jsonify({"error": msg, "status": code}), code
        return render_template("error.html", code=code, message=msg), code

    @app.errorhandler(Exception)
    def unexpected(exc):
        db.session.rollback()
        app.logger.exception("unhandled error")
        if _wants_json():
            return jsonify({"error": _message(500), "status": 500}), 500
        return render_template("error.html", code=500, message=_message(500)), 500
