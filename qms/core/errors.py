"""Error pages and JSON errors: every refusal is a clear message, never a bare 500."""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..extensions import db


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
        own = exc.description and not exc.description.startswith(("You don't", "The requested", "The server", "The request was"))
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
