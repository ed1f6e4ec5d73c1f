"""Models and migrations must not drift apart."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from qms.extensions import db


def test_models_match_migrations(app):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == [], f"run `flask db migrate`: {diff}"


def test_upgrade_keeps_existing_data(tmp_path):
    """Every migration applies to a database that already holds records (SQLite: foreign keys on)."""
    import os

    from flask_migrate import upgrade
    from sqlalchemy import text

    from qms import create_app
    from tests.conftest import PG_URL
    if PG_URL:
        import pytest
        pytest.skip("the SQLite table-rebuild hazard is what this checks")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}",
                      "INSTANCE_PATH": str(tmp_path / "i"), "SECRET_KEY": "x"})
    directory = os.path.join(os.path.dirname(__file__), "..", "qms", "migrations")
    with app.app_context():
        upgrade(directory=directory, revision="51ff99bf5209")  # the first release's schema
        db.session.execute(text("INSERT INTO departments (id, code, name_zh, name_en, active) VALUES (1, 'CSD', '客户服务部', 'CS', 1)"))
        db.session.execute(text("INSERT INTO users (id, username, full_name, department_id, role, active, password_hash, locale) "
                                "VALUES (1, 'u', 'U', 1, 'clerk', 1, 'x', 'zh_CN')"))
        db.session.execute(text("INSERT INTO form_revisions (id, code, revision, seq, content_hash, spec_json) VALUES (1, 'X', 'A', 1, 'h', '{}')"))
        db.session.execute(text("INSERT INTO records (id, form_code, form_revision_id, revision_no, status, department_id, "
                                "created_by_id, data, search_text, version) VALUES (1, 'X', 1, 0, 'draft', 1, 1, '{}', '', 1)"))
        db.session.commit()
        db.session.remove()
        upgrade(directory=directory)
        assert db.session.execute(text("SELECT count(*) FROM records")).scalar() == 1
        db.session.remove()
        db.engine.dispose()
