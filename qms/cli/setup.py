"""``qms init`` (migrate, departments, procedures, forms) and ``qms demo`` (DEMO ONLY users and records)."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from .. import demo, seed
from ..analysis import indicators_store
from ..complaints import catalogue as complaint_catalogue
from ..documents import loader
from ..extensions import db
from ..records import customers
from ..records import spec as specs
from ..reminders import duties, engine, holidays
from ..reminders import rules as reminder_rules

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def initialise() -> list[str]:
    """Migrate the database, seed departments and flow contacts, load procedures and forms, keep the
    customer index in step with the forms' declarations, seed the working calendar with the years of
    public holidays it has not had yet. Idempotent."""
    upgrade(directory=str(MIGRATIONS))
    out = [f"departments added: {seed.departments()}"]
    out += loader.sync(current_app.config["QMS_PROCEDURES_DIR"])
    out += specs.sync(current_app.config["QMS_FORMS_DIR"])
    for folder in current_app.config.get("QMS_EXTRA_FORMS_DIRS", ()):
        out += specs.sync(folder)
    out.append(f"flow contacts added: {seed.flow_contacts()}")
    out.append(f"complaint items added: {complaint_catalogue.seed()}")  # CS-12, once
    out += customers.refresh()  # a form whose `customer:` declaration changed is indexed again
    duties.rebuild()  # a rule that gained closes_with counts the records signed before it
    if current_app.config.get("QMS_SEED_HOLIDAYS", True):  # the tests' template starts with an empty calendar
        seeded = holidays.year_ranges(holidays.seed())
        if seeded:  # a newer package knows next year: the watches already made move off its holidays
            engine.retime_calendar_watches(reminder_rules.calendar())
        out.append(f"working calendar seeded ({holidays.SOURCE}): {seeded or 'nothing new'}")
    db.session.commit()
    return out


def safe_url() -> str:
    """The database URL with its password hidden."""
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)


def register(app) -> None:
    """``init``, ``demo`` and ``rebuild-indicators``."""
    @app.cli.command("init")
    def init_cmd():
        """Create/upgrade the database and load departments, procedures and forms."""
        for line in initialise():
            click.echo(line)
        click.echo("database ready: " + safe_url())

    @app.cli.command("demo")
    def demo_cmd():
        """Create the demo users (DEMO ONLY passwords) and a few example records."""
        users = seed.demo_users()
        made = demo.records()
        db.session.commit()
        click.echo("Demo users (DEMO ONLY - change or deactivate on a real installation):")
        for username, name, role, password in users:
            click.echo(f"  {username:<8} {password:<20} {role:<16} {name}")
        click.echo(f"demo records added: {made}")

    @app.cli.command("rebuild-indicators")
    def rebuild_indicators_cmd():
        """Count the data-analysis indicators again from every source record (after an indicator's rule
        changed, or a restore from before the counts existed); one transaction."""
        parts = indicators_store.rebuild()
        db.session.commit()
        click.echo(f"indicator contributions: {parts}")
