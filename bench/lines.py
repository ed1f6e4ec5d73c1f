"""Benchmark of line items (``type: table``): a register filtered on a line column, and the printout
of a record with 200 rows. In-process, SQLite. Prints one table.

    make bench                              # 1,000,000 records of a form with line items
    .venv/bin/python bench/lines.py --records 100000

The form is the engine tests' TEST-LINES (tests/records/forms/): three rows per record, the
register filters on the rows' service (``items.service``). "data" is in about one record in a
hundred (rare), "local" in nearly every record (common). Floors measured in the same run: the
filtered page's bare SQL, and a one-row record's printout.
"""
from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import login, pct, prepared, timed  # noqa: E402
from qms.auth.models import User  # noqa: E402
from qms.extensions import db  # noqa: E402
from qms.records import register, service  # noqa: E402
from qms.records import spec as specs  # noqa: E402
from qms.records.indexing import search_text  # noqa: E402

FORMS = ROOT / "tests" / "records" / "forms"
BATCH = 20_000


def rows_for(rnd: random.Random) -> list:
    out = []
    for _ in range(3):
        service_ = "data" if rnd.random() < 0.0034 else rnd.choice(("local", "local", "long"))
        q, p = rnd.randint(1, 20), rnd.choice(("0.10", "0.25", "1.50"))
        out.append({"service": service_, "quantity": q, "price": p,
                    "amount": f"{q * float(p):.2f}", "note": None})
    return out


def seed(db_file: Path, n: int, people: list, spec) -> None:
    """Append TEST-LINES records (closed, numbered) with their facets until there are ``n``."""
    con = sqlite3.connect(db_file)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    have = con.execute("SELECT count(*) FROM records WHERE form_code = 'TEST-LINES'").fetchone()[0]
    rnd = random.Random(11 + have)
    next_id = (con.execute("SELECT max(id) FROM records").fetchone()[0] or 0) + 1
    start = datetime(2025, 1, 1, tzinfo=UTC)
    todo = n - have
    while todo > 0:
        recs, facets = [], []
        for _ in range(min(BATCH, todo)):
            rid, seq = next_id, have + 1
            next_id, have = next_id + 1, have + 1
            items = rows_for(rnd)
            total = f"{sum(float(r['amount']) for r in items):.2f}"
            values = {"customer_name": f"客户{rid % 90000}", "phone_number": f"0756-{2200000 + rid % 800000}",
                      "grade": "A", "repeat": False, "items": items, "total": total, "reward": 50}
            number = f"TL-2026-{seq:06d}"
            uid, _name, dept = rnd.choice(people)
            stamp = (start + timedelta(seconds=rid * 30)).strftime("%Y-%m-%d %H:%M:%S.%f")
            recs.append((rid, spec.code, spec.revision_id, number, 2026, seq, 0, "closed", None, dept, uid, stamp,
                         stamp, None, json.dumps(values, ensure_ascii=False, sort_keys=True),
                         search_text(spec, number, values), 1))
            facets += [(rid, spec.code, "items.service", s) for s in sorted({r["service"] for r in items})]
        with con:
            con.executemany("INSERT INTO records (id, form_code, form_revision_id, number, year, seq, revision_no, "
                            "status, current_step, department_id, created_by_id, created_at, updated_at, due_on, data, "
                            "search_text, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", recs)
            con.executemany("INSERT INTO record_facets (record_id, form_code, field, value) VALUES (?,?,?,?)", facets)
        todo -= len(recs)
        print(f"  seeded {n - todo:,} / {n:,}", flush=True)
    con.execute("ANALYZE")
    con.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=100)
    args = ap.parse_args()
    app, db_file, people = prepared(f"lines-{args.records}", QMS_EXTRA_FORMS_DIRS=[str(FORMS)])
    with app.app_context():
        specs.reset_cache()
        spec = specs.get("TEST-LINES")
        db.session.remove()
        t0 = time.perf_counter()
        seed(db_file, args.records, people, spec)
        print(f"seed/check: {time.perf_counter() - t0:.0f} s", flush=True)
    client = app.test_client()
    login(client, "benchq")
    n, rows = args.repeat, []

    def get(path):
        def f():
            r = client.get(path)
            assert r.status_code == 200, (path, r.status_code)
        return f

    with app.app_context():
        quality = db.session.execute(select(User).where(User.username == "benchq")).scalar()
        # The page's own query (the facet index walked newest first, register._query), without the page.
        bare, id_col = register._query(spec, quality, {"items.service": "data"}, {}, drive=True)
        bare = bare.order_by(id_col.desc()).limit(50)

    def bare_sql():
        with app.app_context():
            db.session.execute(bare).all()
    floor = timed(bare_sql, n)
    cases = [
        ("register, no filter", get("/r/TEST-LINES/")),
        ("register, items.service = data (rare)", get("/r/TEST-LINES/?items.service=data")),
        ("register, items.service = local (common)", get("/r/TEST-LINES/?items.service=local")),
    ]
    for label, fn in cases:
        fn()  # warm
        rows.append((label, timed(fn, n)))
    # Printouts of drafts are rendered every time (signed ones once, then kept): the honest cost.
    with app.app_context():
        author = db.session.get(User, people[0][0])
        base = {"customer_name": "陈建国", "grade": "A", "divisor": "2"}
        one = service.create(spec, author, MultiDict({**base, "items-0-service": "local", "items-0-quantity": "1",
                                                      "items-0-price": "1"}), "zh_CN")
        many = MultiDict(base)
        for i in range(200):
            many.update({f"items-{i}-service": "long", f"items-{i}-quantity": str(i + 1),
                         f"items-{i}-price": "0.10", f"items-{i}-note": f"第{i + 1}条 长途话费复核"})
        big = service.create(spec, author, many, "zh_CN")
        db.session.commit()
        one_id, big_id = one.id, big.id
    pdf_one = get(f"/r/TEST-LINES/{one_id}.pdf")
    pdf_big = get(f"/r/TEST-LINES/{big_id}.pdf")
    pdf_one()
    pdf_big()
    rows.append(("printout, 1 row (floor)", timed(pdf_one, 10)))
    rows.append(("printout, 200 rows", timed(pdf_big, 10)))

    f50 = pct(floor, 50)
    print(f"\nline items, {args.records:,} records of TEST-LINES (3 rows each), SQLite, {n} runs (printouts 10)")
    print(f"{'case':45} {'p50 ms':>9} {'p95 ms':>9} {'p95 / SQL floor':>16}")
    print(f"{'floor: filtered page, bare SQL (rare)':45} {f50:9.2f} {pct(floor, 95):9.2f} {'':>16}")
    for label, samples in rows:
        print(f"{label:45} {pct(samples, 50):9.2f} {pct(samples, 95):9.2f} {pct(samples, 95) / f50:16.1f}")


if __name__ == "__main__":
    main()
