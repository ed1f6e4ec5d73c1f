"""Audit trail: every change logged, append-only in the database, hash-chained.
covers: REC-02"""
import json

import pytest
from sqlalchemy import select, text

import qms
from qms.core.audit import AuditEvent, verify_chain
from qms.extensions import db
from qms.records import service
from tests import factories as F


def _events(obj_id):
    return db.session.execute(select(AuditEvent).where(AuditEvent.object_type == "record",
                                                       AuditEvent.object_id == str(obj_id))
                              .order_by(AuditEvent.id)).scalars().all()


def test_every_change_is_audited_with_old_and_new_values(app):
    from werkzeug.datastructures import MultiDict
    clerk, head = F.user("clerk"), F.user("department_head")
    rec = F.record(clerk, "TEST-REC")
    service.update(rec, clerk, MultiDict({**F.REC, "customer_name": "新名字"}), "zh_CN", rec.version)
    service.sign(rec, clerk, F.PASSWORD)
    db.session.commit()
    service.void(rec, head, "录入错误")
    db.session.commit()
    evs = _events(rec.id)
    assert [e.action for e in evs] == ["create", "update", "sign", "void"]
    upd = evs[1].changes_dict
    assert upd == {"customer_name": ["陈建国", "新名字"]}
    assert evs[3].reason == "录入错误" and evs[3].actor_id == head.id
    assert all(e.at.tzinfo is not None for e in evs)


def test_audit_rows_cannot_be_updated_or_deleted(app):
    F.user("clerk")
    ev_id = db.session.execute(select(AuditEvent.id).limit(1)).scalar()
    for sql in ("UPDATE audit_events SET reason = 'x' WHERE id = :i", "DELETE FROM audit_events WHERE id = :i"):
        with pytest.raises(Exception) as exc:
            db.session.execute(text(sql), {"i": ev_id})
        assert "append-only" in str(exc.value)
        db.session.rollback()


def test_signatures_cannot_be_altered(app):
    clerk = F.user("clerk")
    rec = F.record(clerk, "TEST-REC")
    service.sign(rec, clerk, F.PASSWORD)
    db.session.commit()
    with pytest.raises(Exception) as exc:
        db.session.execute(text("UPDATE signatures SET printed_name = 'x'"))
    assert "append-only" in str(exc.value)
    db.session.rollback()


def _disable_guard(backend):
    if backend == "sqlite":
        db.session.execute(text("DROP TRIGGER audit_events_no_update"))
    else:
        db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))


def test_chain_verifies_and_names_the_first_altered_row(app, backend):
    clerk = F.user("clerk")
    for _ in range(3):
        F.record(clerk, "TEST-REC")
    checked, bad, _why = verify_chain()
    assert bad is None and checked >= 4
    target = db.session.execute(select(AuditEvent).order_by(AuditEvent.id).offset(2).limit(1)).scalar_one()
    # An attacker with database access disables the guard and rewrites history.
    _disable_guard(backend)
    db.session.execute(text("UPDATE audit_events SET reason = 'rewritten' WHERE id = :i"), {"i": target.id})
    db.session.commit()
    db.session.expire_all()
    _, bad, why = verify_chain()
    assert bad is not None and bad.id == target.id and "altered" in why
    runner = app.test_cli_runner()
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 1 and f"row id {target.id}" in result.output


def test_chain_links_each_row_to_the_previous(app):
    clerk = F.user("clerk")
    F.record(clerk, "TEST-REC")
    rows = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
    for prev, cur in zip(rows, rows[1:], strict=False):
        assert cur.prev_hash == prev.hash
        assert cur.hash == cur.compute_hash()
    assert json.loads(rows[-1].changes)


def test_every_logged_action_has_a_label_in_both_languages(app):
    """Each action the code logs (``audit.log("...")``) shows in people's words on the record page,
    the home page and the audit trail's filter; a new action without a label fails here."""
    import re
    from pathlib import Path

    from flask_babel import force_locale

    from qms.web import action_label, audit_actions
    root = Path(qms.__file__).parent
    logged = {m for p in root.rglob("*.py") for m in re.findall(r'(?:audit\.log|_audit)\(\s*"([a-z_]+)"', p.read_text())}
    assert {"create", "sign", "calendar_changed", "user_updated"} <= logged  # the scan found them
    labels = audit_actions()
    assert sorted(logged - set(labels)) == []
    for code in logged:
        with force_locale("en"):
            assert action_label(code) != code
        with force_locale("zh_Hans_CN"):
            assert re.search(r"[\u4e00-\u9fff]", action_label(code)), code
