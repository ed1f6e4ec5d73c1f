"""Gapless unique numbers per form and year, also under concurrent submissions.
covers: REC-02"""
import threading

from sqlalchemy import select

from qms.core.numbering import format_number
from qms.extensions import db
from qms.records import service
from qms.records.models import Record
from tests import factories as F


def test_format_number():
    assert format_number("JL-{yyyy}-{####}", "X", 2026, 7) == "JL-2026-0007"
    assert format_number("{code}/{yy}/{###}", "CS-INQ", 2026, 12) == "CS-INQ/26/012"


def test_concurrent_submissions_get_gapless_unique_numbers(app):
    clerk = F.user("clerk")
    ids = [F.record(clerk, "TEST-REC").id for _ in range(24)]
    clerk_id = clerk.id
    db.session.remove()
    errors = []

    def submit(chunk):
        with app.app_context():
            try:
                for rid in chunk:
                    rec = db.session.get(Record, rid)
                    from qms.auth.models import User
                    user = db.session.get(User, clerk_id)
                    service.sign(rec, user, F.PASSWORD)
                    db.session.commit()
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(repr(exc))
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit, args=(ids[i::6],)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    seqs = sorted(db.session.execute(select(Record.seq).where(Record.id.in_(ids))).scalars())
    assert seqs == list(range(1, 25))
    numbers = db.session.execute(select(Record.number).where(Record.id.in_(ids))).scalars().all()
    assert len(set(numbers)) == 24


def test_rolled_back_submission_gives_its_number_back(app):
    clerk = F.user("clerk")
    a, b = F.record(clerk, "TEST-REC"), F.record(clerk, "TEST-REC")
    service.sign(a, clerk, F.PASSWORD)
    db.session.rollback()
    service.sign(b, clerk, F.PASSWORD)
    db.session.commit()
    assert b.seq == 1
