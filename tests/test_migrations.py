"""Models and migrations must not drift apart."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from qms.extensions import db
from qms.records.search import index_objects


def test_models_match_migrations(app):
    with db.engine.connect() as conn:
        # The search index is the migration's, not a model's (records.search.index_objects).
        context = MigrationContext.configure(conn, opts={"include_name": lambda n, t, p: not index_objects(n or "")})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"run `flask db migrate`: {diff}"


def _old_sqlite(tmp_path, why_sqlite_only: str):
    """An app on an empty SQLite file to migrate step by step, and the migrations folder."""
    import os

    from qms import create_app
    from tests.conftest import PG_URL
    if PG_URL:
        import pytest
        pytest.skip(why_sqlite_only)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}",
                      "INSTANCE_PATH": str(tmp_path / "i"), "SECRET_KEY": "x"})
    return app, os.path.join(os.path.dirname(__file__), "..", "qms", "migrations")


def test_upgrade_keeps_existing_data(tmp_path):
    """Every migration applies to a database that already holds records (SQLite: foreign keys on)."""
    from flask_migrate import upgrade
    from sqlalchemy import text
    app, directory = _old_sqlite(tmp_path, "the SQLite table-rebuild hazard is what this checks")
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


def test_usage_file_is_backfilled_for_instruments_registered_before_it(tmp_path):
    """covers: INS-05 — an instrument registered before the usage-file table gets its history."""
    import json

    from flask_migrate import upgrade
    from sqlalchemy import text
    app, directory = _old_sqlite(tmp_path, "same migration on both; SQLite is enough to check the backfill")
    intake = {"asset_no": "OLD-1", "intake_on": "2025-01-06", "location": "仪表室", "custodian": None}
    usage = {"instrument": 1, "checked_out_on": "2026-03-01", "purpose": "线路测试", "borrower": 1,
             "returned_on": "2026-03-05", "condition_in": "good"}
    with app.app_context():
        upgrade(directory=directory, revision="a94f6a172b8e")  # the instruments state, no usage file yet
        sql = [
            "INSERT INTO departments (id, code, name_zh, name_en, active) VALUES (1, 'TDD', '技术发展部', 'TD', 1)",
            "INSERT INTO users (id, username, full_name, department_id, role, active, password_hash, locale) "
            "VALUES (1, 'u', 'U', 1, 'technician', 1, 'x', 'zh_CN')",
            "INSERT INTO form_revisions (id, code, revision, seq, content_hash, spec_json) VALUES (1, 'X', 'A', 1, 'h', '{}')",
        ]
        for s in sql:
            db.session.execute(text(s))
        for rid, code, number, data in ((1, "INS-INTAKE", "YQ-2025-0001", intake), (2, "INS-USAGE", "JY-2026-00001", usage)):
            db.session.execute(text(
                "INSERT INTO records (id, form_code, form_revision_id, revision_no, status, department_id, created_by_id, "
                "number, data, search_text, version) VALUES (:id, :code, 1, 0, 'closed', 1, 1, :number, :data, '', 1)"),
                {"id": rid, "code": code, "number": number, "data": json.dumps(data, ensure_ascii=False)})
        db.session.execute(text(
            "INSERT INTO instruments (id, asset_no, number, name, model, category, department_id, interval_months, "
            "cal_result, restriction, condition) VALUES (1, 'OLD-1', 'YQ-2025-0001', '万用表', '', 'public', 1, 24, 'pass', '', 'ok')"))
        db.session.commit()
        db.session.remove()
        upgrade(directory=directory)
        rows = db.session.execute(text("SELECT kind, occurred_on, number, summary FROM instrument_events "
                                       "WHERE instrument_id = 1 ORDER BY occurred_on, id")).all()
        db.session.remove()
        db.engine.dispose()
    assert [(r[0], str(r[1]), r[2]) for r in rows] == [
        ("intake", "2025-01-06", "YQ-2025-0001"), ("loan_out", "2026-03-01", "JY-2026-00001"),
        ("loan_return", "2026-03-05", "JY-2026-00001")]
    assert rows[2][3] == "完好"
