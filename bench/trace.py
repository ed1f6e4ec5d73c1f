"""Benchmark of the trace (issue #14 item 6, IT-07): a number's whole chain among 2M chain records,
in-process on SQLite. Prints one table (p50/p95 ms).

    .venv/bin/python bench/trace.py                  # 300k customers, 1M work orders, 2M chain records
    .venv/bin/python bench/trace.py --scale 0.1      # a tenth of that, for a quick run

Targets: the trace page of a number with 50 linked records p95 <= 30 ms; the trace PDF of those 50
records <= 2 s. The floor: the empty trace page (no query) in the same run.

The rows are written straight through SQLite in the shapes the services write: records (numbered,
closed, one signature each), their register and link facets, their customer index rows, and the
allocation table's row per allocation. Per customer: a business acceptance slip (IT-BIZ) and its
number allocation (IT-NUM, linked to the slip); the work orders (a stand-in form with the stage
work_order and a link to the slip, ``bench/trace_forms/BENCH-WO.yaml``: CP-WO is another part of
the issue) spread over the customers, their number typed in another format; complaints (CS-INQ) make
up the rest. The traced customer has exactly 50: its slip, allocation, 30 work orders, 18 complaints.
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
from qms.core import timeutil  # noqa: E402
from qms.extensions import db  # noqa: E402
from qms.records import spec as specs  # noqa: E402
from qms.records.customers import entry_values  # noqa: E402

STAMP = "%Y-%m-%d %H:%M:%S.%f"
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=SH)
FORMS_DIR = ROOT / "bench" / "trace_forms"
WO = "BENCH-WO"
TARGET_WO, TARGET_INQ = 30, 18  # + the slip and the allocation: 50 records on the traced number
SURNAMES = "陈李王张刘黄周吴林郑何梁谢罗"


class _Row:
    """What ``customers.entry_values`` reads of a record."""

    def __init__(self, rid, code, dept, at, values):
        self.id, self.form_code, self.department_id, self.created_at, self.values = rid, code, dept, at, values


def _phone(c: int) -> str:
    return f"0756-{2000000 + c:07d}"


class Seeder:
    """Bulk rows in the services' shapes, flushed in batches."""

    def __init__(self, con, revisions, depts, people):
        self.con, self.revisions, self.depts, self.people = con, revisions, depts, people
        self.decl = {code: specs.get(code).customer for code in revisions}
        self.next_id = (con.execute("SELECT max(id) FROM records").fetchone()[0] or 0) + 1
        self.seq: dict = {}
        self.recs, self.facets, self.sigs, self.entries, self.allocs = [], [], [], [], []

    def record(self, code, prefix, dept, when, values, facets, search) -> int:
        rid = self.next_id
        self.next_id += 1
        uid, uname, _d = self.people[0]
        n = self.seq[code] = self.seq.get(code, 0) + 1
        at = when.astimezone(UTC).replace(tzinfo=None)
        self.recs.append((rid, code, self.revisions[code], f"{prefix}-{when.year}-{n:07d}", when.year, n, 0, "closed",
                          None, dept, uid, at.strftime(STAMP), at.strftime(STAMP), None,
                          json.dumps(values, ensure_ascii=False, sort_keys=True), search, 1))
        self.facets += [(rid, code, k, str(v)) for k, v in facets.items()]
        self.sigs.append((rid, "submit", "self_check", uid, uname, at.strftime(STAMP), "0" * 64))
        row = entry_values(_Row(rid, code, dept, at, values), self.decl[code])
        row["at"] = at.strftime(STAMP)
        self.entries.append(row)
        if len(self.recs) >= 20_000:
            self.flush()
        return rid

    def flush(self):
        con = self.con
        insert_records(con, self.recs, self.facets, self.sigs)
        con.executemany("INSERT INTO customer_entries (record_id, form_code, department_id, at, phone_key, phone_rev, "
                        "name_key, account_key, pinyin_key, initials_key, phone, name) VALUES (:record_id, :form_code, "
                        ":department_id, :at, :phone_key, :phone_rev, :name_key, :account_key, :pinyin_key, "
                        ":initials_key, :phone, :name)", self.entries)
        con.executemany("INSERT INTO number_allocations (number_key, live_key, number, record_id, slip_id, "
                        "allocated_at) VALUES (?,?,?,?,?,?)", self.allocs)
        con.commit()
        for rows in (self.recs, self.facets, self.sigs, self.entries, self.allocs):
            rows.clear()


def seed(path: Path, customers: int, work_orders: int, chain: int, people, revisions, target: int) -> None:
    """``customers`` slips and allocations, ``work_orders`` work orders, complaints up to ``chain`` records."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    if con.execute("SELECT count(*) FROM records WHERE form_code = 'IT-BIZ'").fetchone()[0] >= customers:
        con.close()
        return
    rnd = random.Random(14)
    depts = dict(con.execute("SELECT code, id FROM departments").fetchall())
    s = Seeder(con, revisions, depts, people)
    start = datetime(2024, 1, 1, tzinfo=SH)
    span = int((NOW - start).total_seconds()) - 86400 * 60

    def moment(base=None, days=60):
        base = base or start + timedelta(seconds=rnd.randrange(span))
        return base + timedelta(seconds=rnd.randrange(86400 * days))

    names = [rnd.choice(SURNAMES) + f"{c % 997}号公司" for c in range(customers)]
    slips, when_of = [], []
    for c in range(customers):
        when = moment()
        v = {"accepted_at": when.strftime("%Y-%m-%dT%H:%M"), "customer_name": names[c], "phone_number": _phone(c),
             "address": "珠海市香洲区", "business_type": "install", "request": "新装电话"}
        slip = s.record("IT-BIZ", "YS", depts["CSD"], when, v, {"business_type": "install",
                        "accepted_at": v["accepted_at"]}, f"{names[c]} {_phone(c)} {_phone(c).replace('-', '')}")
        slips.append(slip)
        when_of.append(when)
        at = when + timedelta(days=1)
        num = {"record": slip, "customer_name": names[c], "number": _phone(c), "exchange": "香洲端局",
               "port": f"{c % 16}框{c % 12}槽", "allocated_on": at.date().isoformat()}
        rid = s.record("IT-NUM", "FH", depts["SWT"], at, num, {"record": slip, "allocated_on": num["allocated_on"]},
                       f"{names[c]} {_phone(c)}")
        key = "0756" + f"{2000000 + c:07d}"
        s.allocs.append((key, key, _phone(c), rid, slip, at.astimezone(UTC).replace(tzinfo=None).strftime(STAMP)))
    others = [c for c in range(customers) if c != target]

    def work_order(c):
        when = moment(when_of[c] + timedelta(days=2), 300)
        typed = "(0756) " + f"{2000000 + c:07d}"  # the same number typed otherwise
        v = {"slip": slips[c], "done_on": when.date().isoformat(), "customer_name": names[c], "phone_number": typed}
        s.record(WO, "BW", depts["TSD"], when, v, {"slip": slips[c], "done_on": v["done_on"]}, f"{names[c]} {typed}")

    def complaint(c):
        when = moment(when_of[c] + timedelta(days=3), 300)
        v = {"received_at": when.strftime("%Y-%m-%dT%H:%M"), "channel": "phone", "customer_name": names[c],
             "phone_number": "+86 756 " + f"{2000000 + c:07d}", "category": "fault", "severity": "general",
             "content": "电话杂音", "place": "营业前台", "outcome": "dispatch", "cause": "operator",
             "handling_department": "TSD", "repeat": "first"}
        s.record("CS-INQ", "TS", depts["CSD"], when, v, {k: v[k] for k in ("channel", "category", "severity", "cause",
                 "outcome", "handling_department", "repeat", "received_at")}, f"{names[c]} {v['phone_number']}")

    for _ in range(TARGET_WO):
        work_order(target)
    for _ in range(work_orders - TARGET_WO):
        work_order(rnd.choice(others))
    for _ in range(TARGET_INQ):
        complaint(target)
    for _ in range(max(0, chain - 2 * customers - work_orders - TARGET_INQ)):
        complaint(rnd.choice(others))
    s.flush()
    con.execute("ANALYZE")
    con.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0, help="1.0: 300k customers, 1M work orders, 2M chain records")
    ap.add_argument("--repeat", type=int, default=100)
    args = ap.parse_args()
    customers, work_orders, chain = (int(300_000 * args.scale), int(1_000_000 * args.scale),
                                     int(2_000_000 * args.scale))
    app, db_file, people = prepared(f"trace-{chain}", QMS_EXTRA_FORMS_DIRS=[str(FORMS_DIR)])
    timeutil.set_clock(NOW.astimezone(UTC))
    target = customers // 2
    t0 = time.perf_counter()
    with app.app_context():
        specs.reset_cache()
        revisions = {code: specs.get(code).revision_id for code in ("IT-BIZ", "IT-NUM", WO, "CS-INQ")}
        db.session.remove()
        seed(db_file, customers, work_orders, chain, people, revisions, target)
    print(f"seed/check: {time.perf_counter() - t0:.0f} s", flush=True)

    quality = app.test_client()
    login(quality, "benchq")  # company-wide: every record of the chain is shown
    number = "0756 " + f"{2000000 + target:07d}"

    def get(path):
        def f():
            r = quality.get(path)
            assert r.status_code == 200, (path, r.status_code)
        return f

    page = quality.get("/trace", query_string={"q": number}).get_data(as_text=True)
    shown = page.count('class="trace-node"')
    assert shown == 50, shown
    with app.app_context():
        slip_no = db.session.execute(db.text(
            "SELECT r.number FROM records r JOIN customer_entries e ON e.record_id = r.id "
            "WHERE e.phone_key = :k AND r.form_code = 'IT-BIZ'"), {"k": "0756" + f"{2000000 + target:07d}"}).scalar()
        db.session.remove()
    n = args.repeat
    cases = [
        ("floor: the empty trace page (HTTP)", get("/trace"), n),
        ("trace page of a number with 50 linked records (HTTP)", get(f"/trace?q={number}"), n),
        ("trace page from the slip's record number (HTTP)", get(f"/trace?q={slip_no}"), n),
        ("trace PDF of the 50 records (HTTP)", get(f"/trace.pdf?q={number}"), 10),
    ]
    for _label, fn, _runs in cases:
        fn()  # warm
    results = [(label, timed(fn, runs), runs) for label, fn, runs in cases]
    with app.app_context():
        count = db.session.execute(db.text("SELECT count(*) FROM records")).scalar()
        wos = db.session.execute(db.text(f"SELECT count(*) FROM records WHERE form_code = '{WO}'")).scalar()
        cust = db.session.execute(db.text("SELECT count(*) FROM records WHERE form_code = 'IT-BIZ'")).scalar()
    print(f"\n{count:,} records ({wos:,} work orders, {cust:,} customers with a slip and an allocation); "
          f"the traced number has {shown} records; SQLite, in-process Flask test client\n")
    print_table(results)


if __name__ == "__main__":
    main()
