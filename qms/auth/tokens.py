"""API bearer tokens at the door: the one check every JSON endpoint uses — the engine's API and a
procedure package's own endpoints (the customer-property register) alike — and the JSON error body."""
from __future__ import annotations

from functools import wraps

from flask import g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from .models import ApiToken


def json_error(status: int, message: str, fields: dict | None = None):
    """The API's error body: ``{"error", "status", "fields"?}`` with ``status``."""
    body = {"error": message, "status": status}
    if fields:
        body["fields"] = fields
    return jsonify(body), status


def token_required(view):
    """Authenticate ``Authorization: Bearer <token>`` (the user in ``g.api_user``); 401 otherwise."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return json_error(401, _("A bearer token is required."))
        row = db.session.execute(select(ApiToken).where(
            ApiToken.token_hash == ApiToken.digest(header[7:].strip()), ApiToken.revoked_at.is_(None))).scalar()
        if row is None or not row.user.active:
            return json_error(401, _("The token is not valid."))
        g.api_user = row.user
        return view(*args, **kwargs)
    return wrapper
