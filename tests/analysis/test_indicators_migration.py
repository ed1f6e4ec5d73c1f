"""The indicators' migration backfills the counts from the records already there, by the app's own
``rebuild`` (DA-01).
covers: DA-01"""
import json
import os

import pytest
from sqlalchemy import text

from qms.extensions import db


def test_da01_the_migration_counts_the_records_made_before_it(tmp_path):
    from flask_migrate import upgrade

    from qms import create_app
    from tests.conftest import PG_URL
    if PG_URL:
        pytest.skip("the same migration on both; SQLite is enough to check the backfill")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}",
                      "INSTANCE_PATH": str(tmp_path / "i"), "SECRET_KEY": "x"})
    directory = os.path.join(os.path.dirname(__file__), "..", "..", "qms", "migrations")
    complaint = {"received_at": "2026-11-03T09:00", "category": "billing", "severity": "serious",
                 "handling_department": "BIL"}
    with app.app_context():
        upgrade(directory=directory, revision="d7a3c5e9f182")  # the head before the indicators
        for s in ("INSERT INTO departments (id, code, name_zh, name_en, active) VALUES (1, 'CSD', '客户服务部', 'CS', 1)",
                  "INSERT INTO users (id, username, full_name, department_id, role, active, password_hash, locale) "
                  "VALUES (1, 'u', 'U', 1, 'clerk', 1, 'x', 'zh_CN')",
                  "INSERT INTO form_revisions (id, code, revision, seq, content_hash, spec_json) "
                  "VALUES (1, 'CS-INQ', 'A', 1, 'h', '{}')"):
            db.session.execute(text(s))
        for rid, status in ((1, "closed"), (2, "in_progress"), (3, "voided"), (4, "draft")):
            db.session.execute(text(
                "INSERT INTO records (id, form_code, form_revision_id, revision_no, status, department_id, created_by_id, "
                "number, data, search_text, version) VALUES (:id, 'CS-INQ', 1, 0, :status, 1, 1, :number, :data, '', 1)"),
                {"id": rid, "status": status, "number": f"TS-{rid}", "data": json.dumps(complaint, ensure_ascii=False)})
        db.session.commit()
        db.session.remove()
        upgrade(directory=directory)
        rows = db.session.execute(text("SELECT indicator, department, numerator, denominator, records FROM indicator_counts "
                                       "WHERE month = '2026-11' AND bucket = '' ORDER BY indicator")).all()
        parts = db.session.execute(text("SELECT count(DISTINCT record_id) FROM indicator_parts")).scalar()
        db.session.remove()
        db.engine.dispose()
    assert [tuple(r) for r in rows] == [("complaints", "BIL", 2, 2, 2), ("complaints_serious", "BIL", 2, 2, 2)]
    assert parts == 2  # the voided record and the draft count nowhere
