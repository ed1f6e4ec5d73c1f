"""Test fixtures: a fresh, migrated database per test (SQLite file, or PostgreSQL when
QMS_TEST_DATABASE_URL points at the throwaway cluster that tests/run_all.py starts)."""
from __future__ import annotations

import atexit
import itertools
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from qms import create_app
from qms.cli import initialise
from qms.core import timeutil
from qms.documents import loader
from qms.extensions import db
from qms.records import spec as specs
from tests.support.forms import MOCK_FORMS_DIR

PG_URL = os.environ.get("QMS_TEST_DATABASE_URL")
_counter = itertools.count()


# Migrating and loading the forms takes most of a second; it is done once per run into a template
# database, and each test starts from a copy of it (a file copy on SQLite, CREATE DATABASE ...
# TEMPLATE on PostgreSQL). The template is built by the same initialise() as `make run`.
_template: dict = {}


def _pg_admin():
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT")


def _build_template() -> str:
    """Create, migrate and load the template database once; return its URL."""
    if "url" in _template:
        return _template["url"]
    if PG_URL:
        name = f"qms_tpl_{os.getpid()}"
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    else:
        folder = tempfile.mkdtemp(prefix="qms-template-")
        atexit.register(shutil.rmtree, folder, True)
        url = f"sqlite:///{folder}/qms.sqlite3"
    app = create_app(_config(url, Path(tempfile.mkdtemp(prefix="qms-template-instance-"))))
    with app.app_context():
        initialise()
        db.session.remove()
        db.engine.dispose()  # the last connection to close folds SQLite's write-ahead log into the file
    _template["url"] = url
    if PG_URL:
        atexit.register(_drop_database, url)
    return url


def _new_database(tmp_path) -> str:
    template = make_url(_build_template())
    if not PG_URL:
        target = tmp_path / "qms.sqlite3"
        shutil.copyfile(template.database, target)
        if os.path.exists(template.database + "-wal"):
            shutil.copyfile(template.database + "-wal", str(target) + "-wal")
        return f"sqlite:///{target}"
    return _pg_database(template.database)


def _pg_database(template: str | None = None) -> str:
    """A new PostgreSQL database of the throwaway cluster (a copy of ``template`` when given)."""
    name = f"qms_t_{os.getpid()}_{next(_counter)}"
    admin = _pg_admin()
    with admin.connect() as conn:
        if template is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        elif conn.dialect.server_version_info >= (15,):
            # PostgreSQL 15 copies a template block by block through the WAL by default: ~0.5 s a
            # test here. Copying its files (fsync is off in the throwaway cluster) takes ~25 ms.
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY = FILE_COPY'))
        else:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _drop_database(url: str) -> None:
    if not PG_URL:
        return
    name = make_url(url).database
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _config(url: str, instance: Path, **extra) -> dict:
    cfg = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "test-" + uuid.uuid4().hex,
        # Same algorithm as production, cheaper parameters (stored in each hash).
        "QMS_PASSWORD_METHOD": "scrypt:1024:8:1",
        "QMS_BASE_URL": "http://127.0.0.1:5000",
        "QMS_EXTRA_FORMS_DIRS": [str(MOCK_FORMS_DIR)],
        "QMS_SEED_HOLIDAYS": False,  # an empty working calendar; tests/reminders/test_duties_calendar.py seeds
    }
    cfg.update(extra)
    return cfg


def make_app(tmp_path, procedures=None, **extra):
    """An app on a fresh database: a copy of the migrated template (or, with configuration that
    could change what is loaded, a database initialised from scratch). ``procedures`` replaces the
    declared procedure packages (a test's own ``Procedure`` objects)."""
    if extra:
        url = _scratch_database(tmp_path)
    else:
        url = _new_database(tmp_path)
    app = create_app(_config(url, tmp_path / "instance", **extra), procedures=procedures)
    specs.reset_cache()
    loader.reset_cache()
    if extra:
        with app.app_context():
            initialise()
    return app, url


def _scratch_database(tmp_path) -> str:
    return _pg_database() if PG_URL else f"sqlite:///{tmp_path / 'qms.sqlite3'}"


@pytest.fixture
def app(tmp_path, request):
    """The app on a fresh database, its context pushed. A test module may set ``PROCEDURES`` (a
    tuple of ``Procedure``) to run with procedures of its own instead of the declared packages."""
    application, url = make_app(tmp_path, procedures=getattr(request.module, "PROCEDURES", None))
    ctx = application.app_context()
    ctx.push()
    yield application
    db.session.remove()
    ctx.pop()
    with application.app_context():
        db.engine.dispose()
    timeutil.set_clock(None)
    _drop_database(url)


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context, as in production. Without this, requests
    would share the test's app context and its ``g`` (Flask-WTF caches the CSRF token there)."""

    def open(self, *args, **kwargs):
        # The test's own session must not hold SQLite's write lock while the app works.
        db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture
def backend():
    return "postgresql" if PG_URL else "sqlite"
