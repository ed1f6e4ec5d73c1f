"""Benchmark of the nonconformity audit desk (CA-03): 200,000 nonconformities, 200,000 CAPA
records and 600,000 actions, in-process on SQLite. Prints one table (p50/p95 ms).

    .venv/bin/python bench/desk.py                     # 200k NC / 600k actions (seeded once into bench/out/desk-*)
    .venv/bin/python bench/desk.py --ncs 20000

Target (issue #4): a filtered desk page and the Pareto charts p95 <= 30 ms.
"""
from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import login, pct, prepared, timed  # noqa: E402
from qms.capa import desk  # noqa: E402
from qms.capa.models import OPEN_STAGES  # noqa: E402
from qms.extensions import db  # noqa: E402
from qms.records import spec as specs  # noqa: E402

TODAY = date(2026, 11, 22)
SOURCES = ["audit", "identification", "billing_test", "calibration", "complaint", "survey", "overdue_service", "other"]
CAUSES = ["people", "machine", "material", "method", "environment", "measurement"]
STAMP = "%Y-%m-%d %H:%M:%S.%f"


def seed(path: Path, ncs: int, people: list[tuple[int, str, int]], revisions: dict) -> None:
    """``ncs`` nonconformities, one CAPA each, three actions each, and the desk rows (straight SQL)."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    if con.execute("SELECT count(*) FROM capa_nc_desk").fetchone()[0] >= ncs:
        con.close()
        return
    rnd = random.Random(11)
    next_id = (con.execute("SELECT max(id) FROM records").fetchone()[0] or 0) + 1
    batch = 10_000
    for start in range(0, ncs, batch):
        recs, facets, rows = [], [], []
        for i in range(start, min(ncs, start + batch)):
            uid, _name, dept = rnd.choice(people)
            # Three years at an even rate; old ones are mostly closed, recent ones still in hand.
            age = rnd.randrange(1100)
            opened = TODAY - timedelta(days=age)
            weights = [96, 1, 0, 0, 1, 0, 2] if age > 120 else ([5, 15, 0, 80, 0, 0, 0] if age < 7 else
                                                                  [20, 50, 15, 3, 4, 5, 3])
            stage = rnd.choices(["closed", "in_capa", "verifying", "open", "reopened", "to_close", "voided"],
                                weights)[0]
            source, severity = rnd.choice(SOURCES), rnd.choices(["minor", "general", "serious"], [5, 4, 1])[0]
            cause = rnd.choice(CAUSES) if stage not in ("open", "voided") else None
            stamp = datetime.combine(opened, datetime.min.time()).strftime(STAMP)
            nc_id, capa_id = next_id, next_id + 1
            next_id += 5
            nc_status = {"closed": "closed", "voided": "voided"}.get(stage, "in_progress")
            recs.append((nc_id, "CA-NC", revisions["CA-NC"], f"BHG-{opened.year}-{i + 1:06d}", nc_status,
                         None if nc_status != "in_progress" else "close", dept, uid, stamp, None,
                         json.dumps({"source": source, "severity": severity, "found_on": opened.isoformat(),
                                     "description": f"第{i}号不合格项"}, ensure_ascii=False)))
            facets += [(nc_id, "CA-NC", "source", source), (nc_id, "CA-NC", "severity", severity),
                       (nc_id, "CA-NC", "found_on", opened.isoformat())]
            capa_status = "closed" if stage in ("closed", "to_close", "reopened") else "in_progress"
            recs.append((capa_id, "CA-CAPA", revisions["CA-CAPA"], f"JZ-{opened.year}-{i + 1:06d}", capa_status,
                         None if capa_status == "closed" else ("verify" if stage == "verifying" else "implement"),
                         dept, uid, stamp, None, json.dumps({"nonconformity": nc_id, "cause_category": cause})))
            facets += [(capa_id, "CA-CAPA", "nonconformity", str(nc_id))]
            open_actions, next_due = 0, None
            for k in range(3):
                aid = capa_id + 1 + k
                due = opened + timedelta(days=30 + 10 * k)
                done = stage != "in_capa" or rnd.random() < 0.5
                open_actions += not done
                if not done:
                    next_due = min(next_due or due, due)
                recs.append((aid, "CA-ACTION", revisions["CA-ACTION"], f"JZX-{opened.year}-{3 * i + k + 1:07d}",
                             "closed" if done else "in_progress", None if done else "implement", dept, uid, stamp,
                             due.isoformat(), json.dumps({"capa": capa_id, "owner": uid, "due_on": due.isoformat()})))
                facets += [(aid, "CA-ACTION", "capa", str(capa_id)), (aid, "CA-ACTION", "owner", str(uid)),
                           (aid, "CA-ACTION", "due_on", due.isoformat())]
            closed = opened + timedelta(days=rnd.randint(20, 120)) if stage == "closed" else None
            if closed and closed > TODAY:
                closed = TODAY
            rows.append((nc_id, f"BHG-{opened.year}-{i + 1:06d}", dept, source, severity, stage, opened.isoformat(),
                         opened.strftime("%Y-%m"), closed.isoformat() if closed else None,
                         closed.strftime("%Y-%m") if closed else None, cause, capa_id, None, 1, open_actions,
                         next_due.isoformat() if next_due else None, f"第{i}号不合格项", stamp))
        with con:
            con.executemany("INSERT INTO records (id, form_code, form_revision_id, number, year, seq, revision_no, "
                            "status, current_step, department_id, created_by_id, created_at, updated_at, due_on, data, "
                            "search_text, version) VALUES (?,?,?,?,2026,NULL,0,?,?,?,?,?,?,?,?,'',1)",
                            [(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[8], r[9], r[10]) for r in recs])
            con.executemany("INSERT INTO record_facets (record_id, form_code, field, value) VALUES (?,?,?,?)", facets)
            con.executemany("INSERT INTO capa_nc_desk (nc_id, number, department_id, source, severity, stage, "
                            "opened_on, opened_month, closed_on, closed_month, cause_category, capa_id, capa_step, "
                            "rounds, open_actions, next_due_on, summary, updated_at) "
                            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        print(f"  seeded {min(ncs, start + batch):,} / {ncs:,} nonconformities", flush=True)
    # The counts the charts read, as qms.capa.desk keeps them: one row per combination.
    with con:
        con.execute("INSERT INTO capa_nc_tally (department_id, source, severity, stage, cause_category, n) "
                    "SELECT department_id, source, severity, stage, coalesce(cause_category, ''), count(*) "
                    "FROM capa_nc_desk GROUP BY 1, 2, 3, 4, 5")
        for kind, col in (("opened", "opened_month"), ("closed", "closed_month")):
            con.execute(f"INSERT INTO capa_nc_monthly (month, kind, department_id, source, severity, n) "
                        f"SELECT {col}, '{kind}', department_id, source, severity, count(*) FROM capa_nc_desk "
                        f"WHERE {col} IS NOT NULL AND stage != 'voided' GROUP BY 1, 3, 4, 5")
    con.execute("ANALYZE")
    con.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ncs", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args()
    app, db_file, people = prepared(f"desk-{args.ncs}", QMS_FAKE_NOW="2026-11-22T10:00:00+08:00")
    t0 = time.perf_counter()
    with app.app_context():
        specs.reset_cache()
        revisions = {code: specs.get(code).revision_id for code in ("CA-NC", "CA-CAPA", "CA-ACTION")}
        db.session.remove()
        seed(db_file, args.ncs, people, revisions)
    print(f"seed/check: {time.perf_counter() - t0:.0f} s", flush=True)

    client = app.test_client()
    login(client, "benchq")
    dept_client = app.test_client()
    login(dept_client, "bench0")
    n = args.repeat
    dept = people[0][2]

    def get(c, path):
        def f():
            r = c.get(path)
            assert r.status_code == 200, (path, r.status_code)
        return f

    filt = desk.Filters(stage="in_capa", department_id=dept)

    def q(fn):
        def f():
            with app.app_context():
                fn()
                db.session.remove()
        return f

    cases = [
        # "department=" (empty) asks for everything: a bare /capa/desk opens on the last filter used.
        ("desk page, all departments (HTTP, 50 rows + charts)", get(client, "/capa/desk?department=")),
        ("desk page filtered: department + stage (HTTP)", get(client, f"/capa/desk?department={dept}&stage=in_capa")),
        ("desk page filtered: source + severity (HTTP)", get(client, "/capa/desk?source=calibration&severity=serious")),
        ("desk page filtered: open > 90 days (HTTP)", get(client, "/capa/desk?age=90%2B")),
        ("desk page filtered: overdue actions (HTTP)", get(client, "/capa/desk?overdue=1")),
        ("desk page, deep (after 2,000 rows) (HTTP)", None),
        ("desk page as a department (HTTP)", get(dept_client, "/capa/desk?department=")),
        ("Pareto of causes and departments, all (SQL)", q(lambda: desk.paretos(desk.Filters(), TODAY))),
        ("Pareto, department + stage (SQL)", q(lambda: desk.paretos(filt, TODAY))),
        ("Pareto, source + severity (SQL)", q(lambda: desk.paretos(desk.Filters(source="calibration", severity="serious"), TODAY))),
        ("Pareto, open > 90 days (SQL, from the rows)", q(lambda: desk.paretos(desk.Filters(age="90+"), TODAY))),
        ("ageing buckets, all (SQL)", q(lambda: desk.ageing(desk.Filters(stage="active"), TODAY))),
        ("monthly trend, 12 months (SQL)", q(lambda: desk.trend(desk.Filters(), TODAY))),
        ("open actions register, status filter (HTTP)", get(client, "/r/CA-ACTION/?status=in_progress")),
        ("XLSX export, serious open (HTTP)", get(client, "/capa/desk.xlsx?severity=serious&stage=active")),
    ]
    with app.app_context():
        cursor = None
        for _ in range(40):
            _rows, cursor = desk.page(desk.Filters(), cursor, TODAY)
        db.session.remove()
    cases[5] = (cases[5][0], get(client, f"/capa/desk?after={cursor}"))
    for _label, fn in cases:
        fn()  # warm
    results = []
    for label, fn in cases:
        samples = timed(fn, n if "XLSX" not in label else max(10, n // 10))
        results.append((label, pct(samples, 50), pct(samples, 95)))
    with app.app_context():
        counts = {
            "nonconformities": db.session.execute(db.text("SELECT count(*) FROM capa_nc_desk")).scalar(),
            "open": db.session.execute(db.text("SELECT count(*) FROM capa_nc_desk WHERE stage IN (%s)"
                                               % ",".join(f"'{s}'" for s in OPEN_STAGES))).scalar(),
            "actions": db.session.execute(db.text("SELECT count(*) FROM records WHERE form_code='CA-ACTION'")).scalar(),
        }
    print(f"\n{counts['nonconformities']:,} nonconformities ({counts['open']:,} open), "
          f"{counts['actions']:,} actions; SQLite, in-process, {n} runs each\n")
    print("| measure | p50 ms | p95 ms |")
    print("|---|---:|---:|")
    for label, p50, p95 in results:
        print(f"| {label} | {p50:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
