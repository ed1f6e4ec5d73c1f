"""Benchmark of the computed indicators (issue #15, DA-01): every indicator for one month read from the counts
kept as records change, over 1M complaints and other records, 200k nonconformities and 100k calibrations, on
SQLite and PostgreSQL side by side. Prints one table (p50/p95 ms) with the floor measured in the same run.

    .venv/bin/python bench/analysis_indicators.py                      # full size (seeded once into bench/out/)
    .venv/bin/python bench/analysis_indicators.py --scale 0.02 --repeat 50 --no-pg

Target (issue #15): all indicators for one month p95 <= 200 ms.

The rows are written straight through the database in the shapes the services and the hooks write: the source
records (submitted or closed, over three years) and, per record, its contributions (``indicator_parts``, as
``indicators_rules`` makes them: a complaint adds its total, category and grade rows, a fee dispute also its
24-hour row, ...); the counters (``indicator_counts``) are then summed from the contributions in one statement,
which is what ``indicators_store.rebuild`` arrives at. The floor is ``SELECT 1`` through the same session.
"""
from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select, text  # noqa: E402

from bench.run import login, pct, timed, users  # noqa: E402
from bench.seed import bench_app  # noqa: E402
from qms.cli import initialise  # noqa: E402
from qms.extensions import db  # noqa: E402

MONTHS = [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13)]
DEPTS = ("CSD", "TSD", "TDD", "OMD", "ITN", "SWT", "BIL", "HAL", "MKT", "FIN", "DAT", "EMD")
# form: (share of the 1M, what it adds) — the 200k nonconformities and 100k calibrations come on top.
MIX = {"CS-INQ": 0.5, "TS-FEE": 0.2, "CS-NET": 0.1, "CS-KEY": 0.1, "CP-WO": 0.09, "INS-BILLING": 0.01}
CATS = {"CS-INQ": ("inquiry", "complaint", "fault", "billing"), "TS-FEE": ("tariff", "service", "usage", "roaming"),
        "CS-NET": ("roaming", "coverage", "sms", "call_quality")}
GRADES = ("minor", "general", "major", "serious")
STAMP = "%Y-%m-%d %H:%M:%S.000000"
BATCH = 50_000
PARTS_COLS = ("record_id", "indicator", "month", "department", "bucket", "numerator", "denominator", "form_code",
              "owner_department_id")
REC_COLS = ("id", "form_code", "form_revision_id", "number", "year", "seq", "revision_no", "status", "current_step",
            "department_id", "created_by_id", "created_at", "updated_at", "data", "search_text", "version")


def _parts(form: str, rid: int, rnd: random.Random, month: str, dept: str, dept_id: int) -> tuple[list, dict]:
    """The contributions of one record, as ``indicators_rules`` makes them, and its values."""
    ok = int(rnd.random() < 0.85)
    out, values = [], {}
    if form in CATS:
        cat = rnd.choice(CATS[form])
        grade = None if form == "TS-FEE" else rnd.choice(GRADES)
        values = {"received_at": f"{month}-15T09:30", "category": cat, "severity": grade, "handling_department": dept}
        out = [("complaints", month, dept, "", 1, 1), ("complaints", month, dept, f"category:{cat}", 1, 1),
               ("complaints", month, dept, f"grade:{grade or 'unknown'}", 1, 1)]
        if grade:
            out.append(("complaints_serious", month, dept, "", int(grade == "serious"), 1))
        else:
            out.append(("fee_disputes_24h", month, dept, "", ok, 1))
    else:
        key = {"CS-KEY": "keycust_on_time", "CP-WO": "workorders_in_limit", "INS-BILLING": "billing_passed",
               "CA-NC": "nc_closed_on_time", "INS-CAL": "calibration_on_time"}[form]
        out = [(key, month, dept, "", ok, 1)]
    return [(rid, *p, form, dept_id) for p in out], values


def rows(n: int, people: list, revisions: dict, depts: dict):
    """Batches of (records, parts): ``n`` complaints and records, n/5 nonconformities, n/10 calibrations."""
    rnd = random.Random(15)
    plan = [f for f, share in MIX.items() for _ in range(int(share * 100))]
    forms = [*(plan[i % len(plan)] for i in range(n)), *("CA-NC",) * (n // 5), *("INS-CAL",) * (n // 10)]
    rnd.shuffle(forms)
    recs, parts = [], []
    for i, form in enumerate(forms, 1):
        month = MONTHS[min(len(MONTHS) - 1, int(len(MONTHS) * i / len(forms)))]  # ids grow with time
        dept = rnd.choice(DEPTS)
        uid, _name, dept_id = people[i % len(people)]
        got, values = _parts(form, i, rnd, month, dept, depts[dept])
        parts.extend(got)
        stamp = f"{month}-15 01:30:00.000000"
        recs.append((i, form, revisions[form], f"B-{i}", int(month[:4]), i, 0, "closed", None, dept_id, uid, stamp,
                     stamp, json.dumps(values, ensure_ascii=False), "", 1))
        if len(recs) >= BATCH:
            yield recs, parts
            recs, parts = [], []
    if recs:
        yield recs, parts


COUNTS_SQL = ("INSERT INTO indicator_counts (indicator, month, department, bucket, numerator, denominator, records) "
              "SELECT indicator, month, department, bucket, sum(numerator), sum(denominator), count(*) "
              "FROM indicator_parts GROUP BY indicator, month, department, bucket")


def _lookups():
    revisions = dict(db.session.execute(text("SELECT code, max(id) FROM form_revisions GROUP BY code")).all())
    depts = dict(db.session.execute(text("SELECT code, id FROM departments")).all())
    return revisions, depts


def load_sqlite(path: Path, n: int, people: list, revisions: dict, depts: dict) -> None:
    con = sqlite3.connect(path, timeout=60)
    con.execute("PRAGMA synchronous=OFF")
    for recs, parts in rows(n, people, revisions, depts):
        with con:
            con.executemany(f"INSERT INTO records ({', '.join(REC_COLS)}) VALUES ({','.join('?' * 16)})", recs)
            con.executemany(f"INSERT INTO indicator_parts ({', '.join(PARTS_COLS)}) VALUES ({','.join('?' * 9)})",
                            parts)
    with con:
        con.execute(COUNTS_SQL)
    con.execute("ANALYZE")
    con.commit()
    con.close()


def load_pg(n: int, people: list, revisions: dict, depts: dict) -> None:
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        for recs, parts in rows(n, people, revisions, depts):
            with cur.copy(f"COPY records ({', '.join(REC_COLS)}) FROM STDIN") as copy:
                for r in recs:
                    copy.write_row(r)
            with cur.copy(f"COPY indicator_parts ({', '.join(PARTS_COLS)}) FROM STDIN") as copy:
                for p in parts:
                    copy.write_row(p)
            raw.commit()
        cur.execute(COUNTS_SQL)
        cur.execute("SELECT setval('records_id_seq', (SELECT max(id) FROM records))")
        cur.execute("SELECT setval('indicator_parts_id_seq', (SELECT max(id) FROM indicator_parts))")
        raw.commit()
    finally:
        raw.close()


def prepare(app, n: int, load) -> float:
    """Initialise, seed once (a rerun on the same SQLite file keeps it); returns the seeding seconds."""
    from qms.records import spec as specs
    with app.app_context():
        specs.reset_cache()  # the SQLite run's form revisions are not this database's
        initialise()
        have = db.session.execute(text("SELECT count(*) FROM indicator_parts")).scalar()
        revisions, depts = _lookups()
        db.session.remove()  # the bench users are made in a session of their own
        people = users(app)
        if have:
            return 0.0
        db.session.remove()  # nothing holds SQLite's write lock while the loader writes
        t = time.perf_counter()
        load(people, revisions, depts)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        return time.perf_counter() - t


def measure(app, repeat: int) -> list[tuple[str, list]]:
    """(measurement, samples ms)."""
    from qms.analysis import indicators, indicators_store
    from qms.records.models import Record
    client = app.test_client()
    login(client, "benchq")
    rnd = random.Random(7)
    out = []
    with app.app_context():
        out.append(("floor: SELECT 1", timed(lambda: db.session.execute(select(1)).scalar(), repeat)))
        out.append(("all indicators, one month", timed(lambda: indicators.month_values(rnd.choice(MONTHS)), repeat)))
        out.append(("all indicators, one month, one department",
                    timed(lambda: indicators.month_values(rnd.choice(MONTHS), rnd.choice(DEPTS)), repeat)))
        out.append(("one indicator over 24 months (a chart)",
                    timed(lambda: indicators.series(rnd.choice(list(indicators.INDICATORS)), MONTHS[-24:]), repeat)))
        out.append(("complaints by category, one month",
                    timed(lambda: indicators.breakdown("complaints", rnd.choice(MONTHS), "category"), repeat)))
        ids = [r for (r,) in db.session.execute(text(
            "SELECT id FROM records WHERE form_code = 'CS-INQ' ORDER BY id DESC LIMIT 200")).all()]

        def hook():  # a record regraded: its contributions replaced and the counters moved, then rolled back
            rec = db.session.get(Record, rnd.choice(ids))
            values = rec.values
            values["severity"] = "serious" if values.get("severity") != "serious" else "minor"
            # The record as it would be after the change (a signed record's row is not rewritten here).
            changed = SimpleNamespace(id=rec.id, form_code=rec.form_code, status=rec.status, values=values,
                                      department_id=rec.department_id, signatures=[],
                                      form_revision_id=rec.form_revision_id)
            indicators_store.refresh(changed)
            db.session.rollback()
        out.append(("a record changes: its contributions and counters kept", timed(hook, repeat)))
    out.append(("page /analysis/indicators (one month)",
                timed(lambda: client.get(f"/analysis/indicators?month={rnd.choice(MONTHS)}"), repeat)))
    out.append(("page of the records behind a number",
                timed(lambda: client.get(f"/analysis/indicators/complaints/{rnd.choice(MONTHS)}"), repeat)))
    return out


def run_sqlite(n: int, repeat: int) -> tuple[list, float]:
    out = ROOT / "bench" / "out" / f"indicators-{n}"
    out.mkdir(parents=True, exist_ok=True)
    db_file = out / "qms.sqlite3"
    app = bench_app(out, db_file)
    took = prepare(app, n, lambda people, revs, depts: load_sqlite(db_file, n, people, revs, depts))
    return measure(app, repeat), took


def run_pg(n: int, repeat: int) -> tuple[list, float]:
    from tests.pg import cluster
    with cluster() as url:
        out = ROOT / "bench" / "out" / "indicators-pg"
        out.mkdir(parents=True, exist_ok=True)
        app = bench_app(out, SQLALCHEMY_DATABASE_URI=url)
        took = prepare(app, n, lambda people, revs, depts: load_pg(n, people, revs, depts))
        result = measure(app, repeat)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        return result, took


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0, help="1.0: 1M complaints and records, 200k NC, 100k cal")
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = ap.parse_args()
    n = int(1_000_000 * args.scale)
    t = time.perf_counter()
    lite = None
    if not args.no_sqlite:
        lite, lite_took = run_sqlite(n, args.repeat)
        print(f"SQLite: {time.perf_counter() - t:.0f} s (seeding {lite_took:.0f} s)", flush=True)
    pg = None
    if not args.no_pg:
        t = time.perf_counter()
        try:
            pg, pg_took = run_pg(n, args.repeat)
            print(f"PostgreSQL: {time.perf_counter() - t:.0f} s (seeding {pg_took:.0f} s)", flush=True)
        except RuntimeError as exc:  # no PostgreSQL server here (make test-system-packages installs one)
            print(f"PostgreSQL skipped: {exc}", flush=True)
    print()
    print(f"Indicators benchmark: {n:,} complaints and records + {n // 5:,} nonconformities + {n // 10:,} "
          f"calibrations over {len(MONTHS)} months, in-process, {args.repeat} runs each; target: all indicators for "
          f"one month p95 <= 200 ms")
    print()

    def cols(samples, floor):
        p95 = pct(samples, 95)
        return f"{statistics.median(samples):.2f} | {p95:.2f} | {p95 / pct(floor, 95):.0f}× "

    runs = [(label, got) for label, got in (("SQLite", lite), ("PostgreSQL", pg)) if got]
    print("| measurement " + "".join(f"| {label} p50 ms | p95 ms | p95 / floor " for label, _ in runs) + "|")
    print("|---" + "|---:" * (3 * len(runs)) + "|")
    for i, (name, _) in enumerate(runs[0][1]):
        print(f"| {name} " + "".join(f"| {cols(got[i][1], got[0][1])}" for _, got in runs) + "|")


if __name__ == "__main__":
    main()
