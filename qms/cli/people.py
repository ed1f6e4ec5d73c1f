"""``qms user create|deactivate|list`` (users are never deleted) and ``qms token create``."""
from __future__ import annotations

import click
from sqlalchemy import select

from ..admin import service
from ..auth.models import ApiToken, Department, User
from ..core import audit
from ..core.errors import ValidationFailed
from ..extensions import db


def _user(username: str) -> User | None:
    return db.session.execute(select(User).where(User.username == username.lower())).scalar()


def register(app) -> None:
    """``user`` and ``token``."""
    @app.cli.group("user")
    def user_grp():
        """Manage users (never deleted: deactivate instead)."""

    @user_grp.command("create")
    @click.argument("username")
    @click.option("--name", "full_name", required=True)
    @click.option("--department", required=True, help="department code, e.g. TDD")
    @click.option("--role", required=True)
    @click.password_option()
    def user_create(username, full_name, department, role, password):
        """Create a user in a department with a role."""
        dept = Department.by_code(department.upper())
        if dept is None:
            raise click.ClickException(f"no department {department}")
        try:
            service.create_user(None, username=username, full_name=full_name, department_id=dept.id,
                                role=role, password=password)
        except ValidationFailed as exc:
            raise click.ClickException("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())) from None
        db.session.commit()
        click.echo(f"created {username}")

    @user_grp.command("deactivate")
    @click.argument("username")
    @click.option("--reason", required=True)
    def user_deactivate(username, reason):
        """Deactivate a user (with the reason, in the audit trail)."""
        u = _user(username)
        if u is None:
            raise click.ClickException(f"no user {username}")
        service.update_user(None, u, full_name=u.full_name, department_id=u.department_id, role=u.role,
                            email=u.email, active=False, reason=reason)
        db.session.commit()
        click.echo(f"deactivated {username}")

    @user_grp.command("list")
    def user_list():
        """Every user, active or not."""
        for u in db.session.execute(select(User).order_by(User.id)).scalars():
            state = "active" if u.active else "inactive"
            click.echo(f"{u.id:>4} {u.username:<16} {u.role:<16} {state:<8} {u.full_name}")

    @app.cli.group("token")
    def token_grp():
        """API bearer tokens."""

    @token_grp.command("create")
    @click.argument("username")
    @click.option("--name", default="cli")
    def token_create(username, name):
        """Issue a token for USERNAME; it is printed once and stored only as a hash."""
        u = _user(username)
        if u is None or not u.active:
            raise click.ClickException(f"no active user {username}")
        row, clear = ApiToken.issue(u, name)
        db.session.flush()
        audit.log("token_created", actor=u, obj_type="api_token", obj_id=row.id, summary=name)
        db.session.commit()
        click.echo(clear)
