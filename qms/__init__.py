"""qms: quality management records for a telecom operator.

``create_app`` is a list of small ``configure_*`` steps so each concern can be read alone.
"""
from __future__ import annotations

import sqlite3

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .config import ROOT, load_config
from .extensions import babel, csrf, db, login_manager, migrate

READ_METHODS = {"GET", "HEAD", "OPTIONS"}

# The packages that plug into the records engine, each declaring one ``PROCEDURE`` (see
# ``qms/records/procedures.py`` and ARCHITECTURE.md). The only list of them.
PROCEDURES = ("qms.reminders", "qms.capa", "qms.instruments", "qms.complaints", "qms.analysis",
              "qms.customer_property", "qms.traceability")


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, _record):
    """WAL, a busy timeout and foreign keys on every SQLite connection; we emit BEGIN ourselves."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=15000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    """Writers start with BEGIN IMMEDIATE: a deferred read-then-write transaction would fail with
    'database is locked' at once instead of waiting. Page views read with a plain BEGIN."""
    if conn.dialect.name != "sqlite":
        return
    reading = has_request_context() and request.method in READ_METHODS
    conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def create_app(config: dict | None = None, procedures: tuple | None = None) -> Flask:
    """Build the web application. ``config`` overrides settings (tests); ``procedures`` replaces the
    declared packages (tests build an app with a procedure of their own)."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder="static",
                instance_path=load_config(config)["INSTANCE_PATH"])
    app.config.update(load_config(config))
    if app.config["QMS_PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)
    configure_procedures(app, procedures)
    for step in (configure_extensions, configure_i18n, configure_security, configure_blueprints,
                 configure_errors, configure_templates, configure_clock, configure_cli):
        step(app)
    return app


def configure_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (register every table with the metadata)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "qms" / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)


def configure_i18n(app: Flask) -> None:
    from .core.i18n import compile_catalogs, install_fast_gettext, select_locale

    compile_catalogs()
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(ROOT / "qms" / "translations"))
    install_fast_gettext(app)


def configure_security(app: Flask) -> None:
    from .auth import session as auth_session

    auth_session.init_app(app)


def configure_blueprints(app: Flask) -> None:
    from werkzeug.routing import IntegerConverter

    class IdConverter(IntegerConverter):
        """Database ids: positive 32-bit integers, so a huge number is a 404, not an overflow."""

        def __init__(self, url_map):
            super().__init__(url_map, min=1, max=2**31 - 1)

    app.url_map.converters["id"] = IdConverter
    from .admin.views import bp as admin_bp
    from .api.views import bp as api_bp
    from .audit.views import bp as audit_bp
    from .auth.views import bp as auth_bp
    from .documents.views import bp as docs_bp
    from .home.views import bp as home_bp
    from .records.customer_sign_views import bp as customer_sign_bp
    from .records.customers_views import bp as customers_bp
    from .records.import_views import bp as records_import_bp
    from .records.search_views import bp as search_bp
    from .records.views import bp as records_bp

    for bp in (auth_bp, home_bp, records_bp, records_import_bp, customer_sign_bp, customers_bp, search_bp, docs_bp,
               audit_bp, admin_bp, api_bp, *app.extensions["qms.procedures"].blueprints):
        app.register_blueprint(bp)
    csrf.exempt(api_bp)  # bearer tokens, no cookies: CSRF does not apply


def configure_errors(app: Flask) -> None:
    from .core.errors import init_app

    init_app(app)


def configure_templates(app: Flask) -> None:
    from .web import init_app

    init_app(app)


def configure_clock(app: Flask) -> None:
    """A fixed "now" for demonstrations and browser tests (QMS_FAKE_NOW)."""
    from datetime import datetime

    from .core import timeutil

    if app.config.get("QMS_FAKE_NOW"):
        timeutil.set_clock(datetime.fromisoformat(app.config["QMS_FAKE_NOW"]))


def configure_procedures(app: Flask, procedures: tuple | None = None) -> None:
    """Merge the declarations of the procedure packages into the app's registry: their rules,
    hooks, panels, blueprints, reminder rules and declaration keys (``qms.records.procedures``)."""
    from .records.procedures import Registry, load
    from .reminders.rules import check_procedure_rules

    registry = Registry(load(PROCEDURES) if procedures is None else tuple(procedures))
    # A package's own rules are checked here, as forms' are at load (closes_with: against the YAML).
    folders = (app.config["QMS_FORMS_DIR"], *app.config.get("QMS_EXTRA_FORMS_DIRS", ()))
    check_procedure_rules(registry.reminders, folders)
    app.extensions["qms.procedures"] = registry


def configure_cli(app: Flask) -> None:
    from .cli import register

    register(app)
