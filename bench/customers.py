"""Benchmark of the customer index (issue #12 item 5): 100,000 customers with one to three records
each over CS-INQ, CS-KEY and CP-PBX, and one customer with 200 records, in-process on SQLite.
Prints one table (p50/p95 ms, and p95 as a multiple of the floors measured in the same run).

    .venv/bin/python bench/customers.py                       # 100k customers (seeded once into bench/out/customers-*)
    .venv/bin/python bench/customers.py --customers 5000 --repeat 50

Target: the customer page of a customer with 200 records p95 <= 30 ms with 100k customers.
"""
from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import login, pct, prepared, timed  # noqa: E402
from qms.auth.models import User  # noqa: E402
from qms.extensions import db  # noqa: E402
from qms.records import customers_search  # noqa: E402
from qms.records import spec as specs  # noqa: E402
from qms.records.customers import entry_values  # noqa: E402

STAMP = "%Y-%m-%d %H:%M:%S.%f"
FORMS = ("CS-INQ", "CS-KEY", "CP-PBX")
SURNAMES = "陈李王张刘黄周吴林郑何梁谢罗"
GIVEN = "建国丽梅志强美芳中伟丹丹子彤开锋雅丽向民小红海涛晓东文华"
BIG = "13900000000"  # the customer with 200 records
TOTAL = 200


class _Row:
    """What ``customers.entry_values`` reads of a record."""

    def __init__(self, rid, code, dept, at, values):
        self.id, self.form_code, self.department_id, self.created_at, self.values = rid, code, dept, at, values


def seed(path: Path, n: int, people: list, revisions: dict) -> None:
    """``n`` customers (a phone number and a name each) with 1-3 records, and the big customer's 200
    records: records and index rows written straight through SQLite (the rows ``customers.keep`` writes)."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    if con.execute("SELECT count(*) FROM customer_entries").fetchone()[0] >= n:
        con.close()
        return
    rnd = random.Random(12)
    decl = {code: specs.get(code).customer for code in FORMS}
    next_id = (con.execute("SELECT max(id) FROM records").fetchone()[0] or 0) + 1
    seq = {code: 0 for code in FORMS}
    start = datetime(2024, 1, 1)
    recs, entries = [], []

    def add(phone: str, name: str, when: datetime):
        nonlocal next_id
        code = rnd.choice(FORMS)
        uid, _name, dept = rnd.choice(people)
        field = decl[code]
        values = {field["phone"]: phone, field["name"]: name}
        seq[code] += 1
        at = when.replace(tzinfo=None)
        recs.append((next_id, code, revisions[code], f"{code}-{seq[code]:07d}", at.year, seq[code], 0, "closed", None,
                     dept, uid, at.strftime(STAMP), at.strftime(STAMP),
                     json.dumps(values, ensure_ascii=False), f"{name} {phone}".lower(), 1))
        row = entry_values(_Row(next_id, code, dept, at, values), field)
        row["at"] = at.strftime(STAMP)
        entries.append(row)
        next_id += 1

    def flush():
        con.executemany("INSERT INTO records (id, form_code, form_revision_id, number, year, seq, revision_no, status, "
                        "current_step, department_id, created_by_id, created_at, updated_at, data, search_text, "
                        "version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", recs)
        con.executemany("INSERT INTO customer_entries (record_id, form_code, department_id, at, phone_key, phone_rev, "
                        "name_key, account_key, pinyin_key, initials_key, phone, name) VALUES (:record_id, :form_code, "
                        ":department_id, :at, :phone_key, :phone_rev, :name_key, :account_key, :pinyin_key, "
                        ":initials_key, :phone, :name)", entries)
        con.commit()
        recs.clear()
        entries.clear()

    for i in range(n):
        phone = f"138{i:08d}" if i % 2 else f"0756-{2000000 + i:07d}"
        name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN)
        for _ in range(rnd.randint(1, 3)):
            add(phone, name, start + timedelta(minutes=rnd.randrange(1_000_000)))
        if len(recs) > 20_000:
            flush()
    for k in range(TOTAL):
        add(BIG[:3] + " " + BIG[3:7] + " " + BIG[7:], "陈建国", start + timedelta(days=3 * k))
    flush()
    con.execute("ANALYZE")
    con.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args()
    app, db_file, people = prepared(f"customers-{args.customers}")
    t0 = time.perf_counter()
    with app.app_context():
        specs.reset_cache()
        revisions = {code: specs.get(code).revision_id for code in FORMS}
        db.session.remove()
        seed(db_file, args.customers, people, revisions)
    print(f"seed/check: {time.perf_counter() - t0:.0f} s", flush=True)

    quality = app.test_client()
    login(quality, "benchq")
    clerk = app.test_client()
    login(clerk, "bench0")
    n = args.repeat

    def get(c, path):
        def f():
            r = c.get(path)
            assert r.status_code == 200, (path, r.status_code)
        return f

    with app.app_context():
        q = db.session.execute(db.select(User).where(User.username == "benchq")).scalar()
        cursor = customers_search.customer_page(BIG, q, None, 50)
        for _ in range(2):
            cursor = customers_search.customer_page(BIG, q, cursor.next_cursor, 50)
        last = cursor.next_cursor
        stmt = customers_search._scoped(
            db.select(customers_search.CustomerEntry.record_id), q).where(
            customers_search.CustomerEntry.phone_key == BIG).order_by(
            customers_search.CustomerEntry.at.desc()).limit(51)
        sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
        db.session.remove()

    def floor_sql():
        with app.app_context():
            db.session.connection().exec_driver_sql(sql).fetchall()
            db.session.remove()

    cases = [
        ("floor: the customer page's index read (SQL only)", floor_sql),
        ("floor: an empty search page (HTTP)", get(quality, "/customers/")),
        ("customer page, 200 records, first 50 (HTTP, company-wide)", get(quality, f"/customers/{BIG}")),
        ("customer page, 200 records, last page (HTTP)", get(quality, f"/customers/{BIG}?after={last}")),
        ("customer page as a department clerk (HTTP)", get(clerk, f"/customers/{BIG}")),
        ("API: customer's records, limit 200 (HTTP)", None),
        ("search by phone typed with spaces (HTTP)", get(quality, "/customers/?q=139%200000%200000")),
        ("search by +86 and full-width digits (HTTP)", get(quality, "/customers/?q=%2B86%20%EF%BC%91%EF%BC%93%EF%BC%99"
                                                              "00000000")),
        ("search by the last 8 digits (HTTP)", get(quality, "/customers/?q=00000001")),
        ("search by a common surname: 陈 (HTTP, 20 customers)", get(quality, "/customers/?q=%E9%99%88")),
        ("search by a full name (HTTP)", get(quality, "/customers/?q=%E9%99%88%E5%BB%BA%E5%9B%BD")),
        ("search by a name in pinyin: chenjianguo (HTTP)", get(quality, "/customers/?q=chenjianguo")),
        ("search by a name's initials: cjg (HTTP)", get(quality, "/customers/?q=cjg")),
    ]
    with app.app_context():
        from qms.auth.models import ApiToken
        u = db.session.execute(db.select(User).where(User.username == "benchq")).scalar()
        _row, token = ApiToken.issue(u, "bench")
        db.session.commit()
    api = app.test_client()

    def api_page():
        r = api.get(f"/api/v1/customers/{BIG}?limit=200", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and len(r.get_json()["records"]) == TOTAL
    cases[5] = (cases[5][0], api_page)
    for _label, fn in cases:
        fn()  # warm
    results = [(label, timed(fn, n)) for label, fn in cases]
    floor_sql_p95, floor_http_p95 = pct(results[0][1], 95), pct(results[1][1], 95)
    with app.app_context():
        count = db.session.execute(db.text("SELECT count(*) FROM customer_entries")).scalar()
        distinct = db.session.execute(db.text("SELECT count(DISTINCT phone_key) FROM customer_entries")).scalar()
    print(f"\n{distinct:,} customers, {count:,} indexed records; SQLite, in-process Flask test client, {n} runs each\n")
    print("| measurement | p50 ms | p95 ms | p95 ÷ SQL floor | p95 ÷ HTTP floor |")
    print("|---|---:|---:|---:|---:|")
    for label, samples in results:
        p95 = pct(samples, 95)
        print(f"| {label} | {statistics.median(samples):.1f} | {p95:.1f} | {p95 / floor_sql_p95:.1f} | "
              f"{p95 / floor_http_p95:.1f} |")


if __name__ == "__main__":
    main()
