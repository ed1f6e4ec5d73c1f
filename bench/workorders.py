"""Benchmark of the work-order register (issue #14, CP-03/IT-03): install, move and repair work orders
(CP-WO) seeded in bulk over three years, in-process on SQLite. Prints one table (p50/p95 ms).

    .venv/bin/python bench/workorders.py                        # 1M work orders (seeded once into bench/out/)
    .venv/bin/python bench/workorders.py --orders 200000 --repeat 100

Target (issue #14): the work-order register filtered by state and due date p95 <= 15 ms.

The rows are written straight through SQLite in the shapes the services write: the CP-WO records (closed,
or open at the lineman's, the customer's or the inspection step), their due day (``due_on``, from
``due_at``) and their register facets (order type, area, due and issue times, the slip link). The slips
(IT-BIZ), the register of devices and the customer index are not seeded: the register does not read them.
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
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import insert_records, login, prepared, print_table, timed  # noqa: E402
from qms.auth.models import User  # noqa: E402
from qms.core import timeutil  # noqa: E402
from qms.extensions import db  # noqa: E402
from qms.records import register  # noqa: E402
from qms.records import spec as specs  # noqa: E402

STAMP = "%Y-%m-%d %H:%M:%S.%f"
FMT = "%Y-%m-%dT%H:%M"
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=SH)  # the bench's clock
TYPES = ("install", "install", "move", "repair", "repair", "repair")
HOURS = {"install": 672, "move": 672, "repair": 48}
REGULATOR = {"urban": 48, "rural": 72}


def seed(path: Path, n: int, people: list, revision: int) -> None:
    """``n`` CP-WO work orders with their facets and signatures; the last month's partly open."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    if con.execute("SELECT count(*) FROM records WHERE form_code = 'CP-WO'").fetchone()[0] >= n:
        con.close()
        return
    rnd = random.Random(14)
    next_id = (con.execute("SELECT max(id) FROM records").fetchone()[0] or 0) + 1
    recs, facets, sigs = [], [], []
    seq: dict[int, int] = {}

    def flush():
        insert_records(con, recs, facets, sigs)
        con.commit()
        for rows in (recs, facets, sigs):
            rows.clear()

    span = 3 * 365 * 24 * 3600
    for i in range(n):
        rid = next_id
        next_id += 1
        uid, uname, dept = rnd.choice(people)
        # Evenly over three years, in issue order (ids grow with time, as they do).
        when = NOW - timedelta(seconds=span * (n - i) / n)
        kind, area = rnd.choice(TYPES), "rural" if rnd.random() < 0.3 else "urban"
        due = when + timedelta(hours=HOURS[kind])
        phone = f"0756-{2000000 + rnd.randrange(300_000):07d}"
        values = {"biz_slip": 0, "order_type": kind, "area": area, "issued_at": when.strftime(FMT),
                  "customer_name": "客户", "phone_number": phone, "address": "珠海市香洲区",
                  "limit_hours": HOURS[kind], "due_at": due.strftime(FMT)}
        if kind == "repair":
            values["regulator_due_at"] = (when + timedelta(hours=REGULATOR[area])).strftime(FMT)
        open_ = NOW - when < timedelta(days=35) and rnd.random() < 0.5 or rnd.random() < 0.002
        step = rnd.choice(("self_check", "self_check", "customer", "inspect")) if open_ else None
        at = when.astimezone(UTC).replace(tzinfo=None)
        seq[when.year] = seq.get(when.year, 0) + 1
        recs.append((rid, "CP-WO", revision, f"GD-{when.year}-{seq[when.year]:06d}", when.year, seq[when.year], 0,
                     "in_progress" if open_ else "closed", step, dept, uid, at.strftime(STAMP), at.strftime(STAMP),
                     due.date().isoformat(), json.dumps(values, ensure_ascii=False), f"客户 {phone}", 1))
        for name in ("order_type", "area", "due_at", "issued_at"):
            facets.append((rid, "CP-WO", name, values[name]))
        sigs.append((rid, "issue", "prepared", uid, uname, at.strftime(STAMP), "0" * 64))
        if len(recs) >= 20_000:
            flush()
    flush()
    con.execute("ANALYZE")
    con.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=100)
    args = ap.parse_args()
    app, db_file, people = prepared(f"workorders-{args.orders}")
    timeutil.set_clock(NOW.astimezone(UTC))
    t0 = time.perf_counter()
    with app.app_context():
        specs.reset_cache()
        revision = specs.get("CP-WO").revision_id
        db.session.remove()
        seed(db_file, args.orders, people, revision)
    print(f"seed/check: {time.perf_counter() - t0:.0f} s", flush=True)
    quality = app.test_client()
    login(quality, "benchq")
    n = args.repeat

    with app.app_context():
        benchq = db.session.execute(db.select(User).where(User.username == "benchq")).scalar_one().id

    def _rows(args):
        spec = specs.get("CP-WO")
        page = register.page(spec, db.session.get(User, benchq), args, {}, 50)
        assert page.rows, args

    def in_app(fn):
        def f():
            with app.app_context():
                fn()
                db.session.remove()
        return f

    def get(path):
        def f():
            r = quality.get(path)
            assert r.status_code == 200, (path, r.status_code)
        return f

    cases = [
        ("register, page 1 (HTTP)", get("/r/CP-WO/")),
        ("register, open (status) and due this week (HTTP)",
         get("/r/CP-WO/?status=in_progress&due_at_from=2026-11-30&due_at_to=2026-12-06")),
        ("register, open repairs due by today (HTTP)",
         get("/r/CP-WO/?status=in_progress&order_type=repair&due_at_to=2026-12-03")),
        ("register, closed, due in one month of 2025 (HTTP)",
         get("/r/CP-WO/?status=closed&due_at_from=2025-06-01&due_at_to=2025-06-30")),
        ("register, open, rural repairs (HTTP)", get("/r/CP-WO/?status=in_progress&order_type=repair&area=rural")),
        ("floor: an empty customer search page (HTTP; the machine's load shows here)", get("/customers/")),
        ("register SQL only: open and due this week, 50 rows", in_app(lambda: _rows(
            {"status": "in_progress", "due_at_from": "2026-11-30", "due_at_to": "2026-12-06"}))),
        ("register SQL only: open repairs due by today, 50 rows", in_app(lambda: _rows(
            {"status": "in_progress", "order_type": "repair", "due_at_to": "2026-12-03"}))),
    ]
    for _label, fn in cases:
        fn()  # warm
    results = [(label, timed(fn, n)) for label, fn in cases]
    with app.app_context():
        count = db.session.execute(db.text("SELECT count(*) FROM records WHERE form_code='CP-WO'")).scalar()
        opened = db.session.execute(db.text("SELECT count(*) FROM records WHERE form_code='CP-WO' "
                                            "AND status='in_progress'")).scalar()
    print(f"\n{count:,} work orders ({opened:,} open); SQLite, in-process Flask test client\n")
    print_table([(label, samples, n) for label, samples in results])


if __name__ == "__main__":
    main()
