"""JSON API: a bearer token for a user."""
from __future__ import annotations

from qms.auth.models import ApiToken
from qms.extensions import db


def token_for(u):
    _, clear = ApiToken.issue(u, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {clear}"}
