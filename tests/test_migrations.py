"""Models and migrations must not drift apart."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from qms.extensions import db


def test_models_match_migrations(app):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == [], f"run `flask db migrate`: {diff}"
