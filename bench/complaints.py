"""Benchmark of the month and the complaints desk (issue #13 items 7 and 8, CS-07): complaints seeded
in bulk over three years (10,000 of them in November 2026), 100,000 customers, in-process on SQLite.
Prints one table (p50/p95 ms).

    .venv/bin/python bench/complaints.py                              # 300k complaints (seeded once into bench/out/)
    .venv/bin/python bench/complaints.py --complaints 30000 --customers 10000 --repeat 50

Targets: the month-end summary of a month of 10,000 complaints <= 1 s (page) and <= 3 s (PDF); the
complaints desk p95 <= 30 ms at 300k complaints / 100k customers.

The rows are written straight through SQLite in the shapes the services write: the CS-INQ records
(revision B: dispatched to a handling department, the reply date derived from the category's hours;
closed with their last signature, or open at the handle/review step with their reply clock's
watch), their register facets (every filter of the form) and their customer index rows. The fee
(TS-FEE) and network (CS-NET) forms are counted too but not seeded: their queries run on empty ranges.
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
from qms.complaints import desk, intake, month_summary, repeat  # noqa: E402
from qms.complaints.month_figures import count_month  # noqa: E402
from qms.core import timeutil  # noqa: E402
from qms.extensions import db  # noqa: E402
from qms.records import spec as specs  # noqa: E402
from qms.records.customers import entry_values, group_forms, relink_statement  # noqa: E402
from qms.records.models import Record  # noqa: E402

STAMP = "%Y-%m-%d %H:%M:%S.%f"
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=SH)  # the bench's clock
MONTH, MONTH_N = "2026-11", 10_000  # the summarised month and its complaints
CHANNELS = ("counter", "phone", "c180", "visit", "letter")
CATEGORIES = ("billing", "billing", "billing", "complaint", "complaint", "fault", "inquiry")
SEVERITIES = ("minor", "general", "general", "general", "major", "serious")
CAUSES = ("operator", "operator", "social", "collection", "special", "customer")
HOURS = {"fault": 48}  # CS-INQ's reply_limits: 24 hours, a fault 48
FACETS = ("channel", "category", "severity", "cause", "outcome", "handling_department", "repeat", "received_at",
          "reply_due_at")  # CS-INQ's register filters (status and department are columns)
SURNAMES = "陈李王张刘黄周吴林郑何梁谢罗"


class _Row:
    """What ``customers.entry_values`` reads of a record."""

    def __init__(self, rid, dept, at, values):
        self.id, self.form_code, self.department_id, self.created_at, self.values = rid, "CS-INQ", dept, at, values


def _moments(rnd: random.Random, n: int) -> list[datetime]:
    """Receipt times (local): ``MONTH_N`` in the summarised month, the rest spread over the three
    years before 3 December 2026."""
    start, end = datetime(2024, 1, 1, tzinfo=SH), NOW
    m0, m1 = datetime(2026, 11, 1, tzinfo=SH), datetime(2026, 12, 1, tzinfo=SH)
    out = [m0 + timedelta(seconds=rnd.randrange(int((m1 - m0).total_seconds()))) for _ in range(min(n, MONTH_N))]
    span = int((end - start).total_seconds())
    while len(out) < n:
        t = start + timedelta(seconds=rnd.randrange(span))
        if not m0 <= t < m1:
            out.append(t)
    return sorted(out)


def seed(path: Path, n: int, customers: int, people: list, revision: int) -> None:
    """``n`` CS-INQ complaints from ``customers`` customers, with facets, signatures, customer rows
    and the open ones' reply watches."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    if con.execute("SELECT count(*) FROM records WHERE form_code = 'CS-INQ'").fetchone()[0] >= n:
        con.close()
        return
    rnd = random.Random(13)
    decl = specs.get("CS-INQ").customer
    next_id = (con.execute("SELECT max(id) FROM records").fetchone()[0] or 0) + 1
    codes = dict(con.execute("SELECT id, code FROM departments").fetchall())
    phones = [f"138{i:08d}" if i % 2 else f"0756-{2000000 + i:07d}" for i in range(customers)]
    names = [rnd.choice(SURNAMES) + "先生" for _ in range(customers)]
    recs, facets, sigs, entries, watches = [], [], [], [], []
    seq: dict[int, int] = {}

    def flush():
        insert_records(con, recs, facets, sigs)
        con.executemany("INSERT INTO customer_entries (record_id, form_code, department_id, at, phone_key, phone_rev, "
                        "name_key, account_key, phone, name) VALUES (:record_id, :form_code, :department_id, :at, "
                        ":phone_key, :phone_rev, :name_key, :account_key, :phone, :name)", entries)
        con.executemany("INSERT INTO reminder_watches (rule_id, subject_type, subject_id, period, title, link, owner_id, "
                        "department_id, due_at, next_at, swept_at, active, last_stage, acked_stage, updated_at) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", watches)
        con.commit()
        for rows in (recs, facets, sigs, entries, watches):
            rows.clear()

    now_utc = NOW.astimezone(UTC).replace(tzinfo=None)
    for when in _moments(rnd, n):
        rid = next_id
        next_id += 1
        uid, uname, dept = rnd.choice(people)
        c = rnd.randrange(customers)
        category = rnd.choice(CATEGORIES)
        hours = HOURS.get(category, 24)
        due_local = when + timedelta(hours=hours)
        due = due_local.date()
        fmt = "%Y-%m-%dT%H:%M"
        values = {"received_at": when.strftime(fmt), "channel": rnd.choice(CHANNELS), "place": "营业前台",
                  "customer_name": names[c], "phone_number": phones[c], "category": category,
                  "severity": rnd.choice(SEVERITIES), "content": "话费异常偏高，要求核查", "outcome": "dispatch",
                  "cause": rnd.choice(CAUSES), "handling_department": codes.get(dept, "CSD"),
                  "reply_limit_hours": hours, "reply_due_at": due_local.strftime(fmt),
                  "regulator_due_at": (when + timedelta(days=15)).strftime("%Y-%m-%dT23:59"),
                  "repeat": "repeat" if rnd.random() < 0.15 else "first"}
        at = when.astimezone(UTC).replace(tzinfo=None)
        age = NOW - when
        # Old ones are closed (a few late), the last ten days partly open.
        open_ = age < timedelta(days=10) and rnd.random() < 0.5 or rnd.random() < 0.003
        step = rnd.choice(("handle", "review")) if open_ else None
        seq[when.year] = seq.get(when.year, 0) + 1
        recs.append((rid, "CS-INQ", revision, f"TS-{when.year}-{seq[when.year]:06d}", when.year, seq[when.year], 0,
                     "in_progress" if open_ else "closed", step, dept, uid, at.strftime(STAMP), at.strftime(STAMP),
                     due.isoformat(), json.dumps(values, ensure_ascii=False),
                     f"{names[c]} {phones[c]} 话费异常偏高".lower(), 1))
        for name in FACETS:
            facets.append((rid, "CS-INQ", name, values[name]))
        signed = at + timedelta(hours=rnd.choice((2, 5, 20, 30, 60)))
        sigs.append((rid, "review" if not open_ else "submit", "review", uid, uname, signed.strftime(STAMP), "0" * 64))
        row = entry_values(_Row(rid, dept, at, values), decl)
        row["at"] = at.strftime(STAMP)
        entries.append(row)
        if open_:
            due_at = at + timedelta(hours=hours)
            nxt = max(due_at - timedelta(hours=4), now_utc) if due_at > now_utc else now_utc + timedelta(days=1)
            watches.append((intake.REPLY_RULE, "record", rid, "", f"TS {rid}", f"/r/CS-INQ/{rid}", uid, dept,
                            due_at.strftime(STAMP), nxt.strftime(STAMP), now_utc.strftime(STAMP), 1, "", "",
                            now_utc.strftime(STAMP)))
        if len(recs) >= 20_000:
            flush()
    flush()
    con.execute(relink_statement(group_forms("complaint")))  # the chain the service keeps (prev_at)
    con.commit()
    con.execute("ANALYZE")
    con.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--complaints", type=int, default=300_000)
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=100)
    args = ap.parse_args()
    app, db_file, people = prepared(f"complaints-b-{args.complaints}")  # -b: CS-INQ revision B rows
    timeutil.set_clock(NOW.astimezone(UTC))
    t0 = time.perf_counter()
    with app.app_context():
        specs.reset_cache()
        revision = specs.get("CS-INQ").revision_id
        db.session.remove()
        seed(db_file, args.complaints, args.customers, people, revision)
    print(f"seed/check: {time.perf_counter() - t0:.0f} s", flush=True)

    quality, clerk = app.test_client(), app.test_client()
    login(quality, "benchq")
    login(clerk, "bench0")  # a 客户服务部 clerk: the desk of their department
    n = args.repeat

    def get(c, path, runs=None):
        def f():
            r = c.get(path)
            assert r.status_code == 200, (path, r.status_code)
        return f

    def in_app(fn):
        def f():
            with app.app_context():
                fn()
                db.session.remove()
        return f

    with app.app_context():
        q = db.session.execute(db.select(User).where(User.username == "benchq")).scalar()
        f_all = desk.DeskFilters()
        clerk_user = db.session.execute(db.select(User).where(User.username == "bench0")).scalar()
        if month_summary.of_month(MONTH) is None:
            csd = db.session.execute(db.select(User).where(User.department_id == clerk_user.department_id)).scalar()
            month_summary.generate(MONTH, csd, "zh_CN")
            db.session.commit()
        record_id = month_summary.of_month(MONTH).id
        total = count_month(MONTH).total
        # The customer with the most complaints, and their newest: the complaint page lists the rest.
        busiest = db.session.execute(db.text(
            "SELECT phone_key, count(*) AS n FROM customer_entries GROUP BY phone_key ORDER BY n DESC LIMIT 1")).first()
        newest = db.session.execute(db.text(
            "SELECT max(record_id) FROM customer_entries WHERE phone_key = :p"), {"p": busiest[0]}).scalar()
        busy_phone = db.session.get(Record, newest).values["phone_number"]
        db.session.remove()
    del q

    cases = [
        ("month figures, 2026-11 (SQL + counting, no HTTP)", in_app(lambda: count_month(MONTH)), n // 4 or 1),
        ("month page 2026-11, counted now (HTTP)", get(quality, f"/complaints/month/{MONTH}"), n // 4 or 1),
        ("summary record page with its figures (HTTP)", get(quality, f"/r/CS-SUMMARY/{record_id}"), n // 4 or 1),
        ("summary printout, a draft: rendered each time (PDF)", get(quality, f"/r/CS-SUMMARY/{record_id}.pdf"), 5),
        ("month figures as Excel (HTTP)", get(quality, f"/complaints/month/{MONTH}.xlsx"), 10),
        ("floor: an empty customer search page (HTTP)", get(quality, "/customers/"), n),
        ("desk: open by step and department, with past the reply date (SQL)",
         in_app(lambda: desk.open_by_step(f_all, timeutil.today())), n),
        ("desk: due within 24 hours (SQL)", in_app(lambda: desk.due_soon(f_all, timeutil.utcnow())), n),
        ("desk: repeat customers, 30 days (SQL)", in_app(lambda: desk.repeat_customers(f_all, timeutil.utcnow())), n),
        ("desk: repeat customers, 90 days (SQL)",
         in_app(lambda: desk.repeat_customers(desk.DeskFilters(days=90), timeutil.utcnow())), n),
        ("desk page, all departments (HTTP)", get(quality, "/complaints/desk"), n),
        ("desk page, 4 hours, 90 days (HTTP)", get(quality, "/complaints/desk?hours=4&days=90"), n),
        ("desk page as a department clerk (HTTP)", get(clerk, "/complaints/desk"), n),
        ("desk page as a department clerk, 90 days (HTTP)", get(clerk, "/complaints/desk?days=90"), n),
        (f"a customer's earlier complaints ({busiest[1]} in all; SQL + reading them)",
         in_app(lambda: repeat.earlier(busy_phone, repeat.FORMS, None, exclude=(newest,))), n),
        ("the complaint page with the customer's history (HTTP)", get(quality, f"/r/CS-INQ/{newest}"), n),
        ("a new complaint form: the customer's history as the number is typed (HTTP)",
         get(clerk, f"/customers/recent?phone={busy_phone}"), n),
    ]
    for _label, fn, _runs in cases:
        fn()  # warm
    results = [(label, timed(fn, runs), runs) for label, fn, runs in cases]
    with app.app_context():
        count = db.session.execute(db.text("SELECT count(*) FROM records WHERE form_code='CS-INQ'")).scalar()
        customers = db.session.execute(db.text("SELECT count(DISTINCT phone_key) FROM customer_entries")).scalar()
        opened = db.session.execute(db.text("SELECT count(*) FROM records WHERE form_code='CS-INQ' "
                                            "AND status='in_progress'")).scalar()
    print(f"\n{count:,} complaints ({opened:,} open, {total:,} in {MONTH}), {customers:,} customers; "
          "SQLite, in-process Flask test client\n")
    print_table(results)


if __name__ == "__main__":
    main()
