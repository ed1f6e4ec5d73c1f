"""Benchmark of the objectives page (issue #15, DA-01): 40 objectives in force, each with 24 months of
signed statistics (DA-STATS, 40 lines each) and, for the entered half, 24 signed department figures;
the page draws 40 charts over 24 months. In-process Flask test client; SQLite and PostgreSQL side by
side (a throwaway cluster, tests.pg). Prints one table (p50/p95 ms and each p95 over the floor).

    .venv/bin/python bench/analysis_objectives.py            # both databases
    .venv/bin/python bench/analysis_objectives.py --no-pg    # SQLite only

Target: the objectives page with 24-month charts p95 <= 50 ms. Floor of the same run: an empty
customer search page (login, session, layout: what every page costs), and the page's own reads alone.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import login, pct, timed, users  # noqa: E402
from bench.seed import bench_app  # noqa: E402
from qms.analysis import objectives_queries, objectives_stats  # noqa: E402
from qms.auth.models import Department  # noqa: E402
from qms.cli import initialise  # noqa: E402
from qms.core import timeutil  # noqa: E402
from qms.extensions import db  # noqa: E402
from qms.records import spec as specs  # noqa: E402
from qms.records.indexing import index_values  # noqa: E402
from qms.records.models import Record  # noqa: E402

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
OBJECTIVES, MONTHS = 40, 24
INDICATORS = ("complaints", "fee_disputes_24h", "keycust_on_time", "billing_passed", "nc_closed_on_time")
DEPTS = ("CSD", "TSD", "BIL", "SWT", "OMD", "EMD", "ITN", "TDD")


def _record(code: str, number: str | None, dept: int, owner: int, values: dict, at: datetime) -> Record:
    """A closed record as the services leave it (numbered, indexed); the page reads no signature."""
    spec = specs.get(code)
    rec = Record(form_code=code, form_revision_id=spec.revision_id, number=number, year=at.year, seq=1,
                 revision_no=0, status="draft", current_step=None, department_id=dept, created_by_id=owner,
                 created_at=at, updated_at=at, values=values)
    db.session.add(rec)
    db.session.flush()
    index_values(rec, spec, values, fresh=True)
    db.session.flush()
    rec.status = "closed"  # indexed as a draft, then closed as the last signature leaves it
    return rec


def seed(owner: int) -> None:
    """40 objectives (half computed, half entered), 24 months of figures and of signed statistics."""
    if db.session.execute(db.select(Record.id).where(Record.form_code == "DA-STATS").limit(1)).first():
        return
    depts = {d.code: d.id for d in db.session.execute(db.select(Department)).scalars()}
    at = NOW.astimezone(UTC)
    months = objectives_queries.months_to("2026-11", MONTHS)
    objectives = []
    for i in range(OBJECTIVES):
        code = DEPTS[i % len(DEPTS)]
        computed = i % 2 == 0
        values = {"control_point": f"控制点{i % 7}", "name": f"质量目标{i:02d}", "target": "95.00" if i % 3 else "3.00",
                  "unit": "%" if i % 3 else "件", "direction": "at_least" if i % 3 else "at_most", "period": "month",
                  "owner": owner, "source": "computed" if computed else "entered", "scope": "department"}
        if computed:
            values["indicator"] = INDICATORS[i % len(INDICATORS)]
        objectives.append((code, _record("DA-OBJECTIVE", f"ZLMB-2026-{i + 1:03d}", depts[code], owner, values, at)))
    for m, month in enumerate(months):
        lines = []
        for i, (code, obj) in enumerate(objectives):
            v = obj.values
            actual = f"{(90 + (i * 7 + m * 3) % 10) if v['unit'] == '%' else (i + m) % 6:.2f}"
            if v["source"] == "entered":
                _record("DA-FIGURE", f"BMSJ-{month[:4]}-{m * 100 + i:04d}", depts[code], owner,
                        {"objective": obj.id, "month": month, "value": actual}, at)
            lines.append({"objective": obj.number, "name": v["name"], "department": code, "unit": v["unit"],
                          "target": v["target"], "direction": v["direction"], "actual": actual,
                          "met": objectives_stats.met(actual, v["target"], v["direction"]), "comment": None})
        _record("DA-STATS", f"ZLTJ-{month[:4]}-{m + 1:03d}", depts["EMD"], owner,
                {"month": month, "generated_at": f"{month}-28T10:00", "lines": lines}, at - timedelta(days=1))
    db.session.commit()
    # The planner's statistics, as a running database has them (autovacuum; SQLite's ANALYZE after init).
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE records")
            conn.exec_driver_sql("VACUUM ANALYZE record_facets")
    else:
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()


def measure(app, repeat: int) -> list[tuple[str, list]]:
    """(measurement, samples) on ``app``'s database, seeded first."""
    with app.app_context():
        initialise()
        db.session.commit()
    users(app)
    with app.app_context():
        owner = db.session.execute(db.text("SELECT id FROM users WHERE username = 'benchq'")).scalar()
        seed(owner)
        db.session.remove()
    client = app.test_client()
    login(client, "benchq")

    def get(path):
        def f():
            r = client.get(path)
            assert r.status_code == 200, (path, r.status_code)
        return f

    def reads():
        with app.app_context():
            months = objectives_queries.months_to("2026-12")
            objectives_queries.histories(objectives_stats.live_objectives(), months)
            objectives_queries.figure_ids(months)
            db.session.remove()

    page = client.get("/analysis/objectives?month=2026-12").get_data(as_text=True)
    assert page.count('class="chart"') >= OBJECTIVES, page.count('class="chart"')
    cases = [("floor: an empty customer search page (HTTP)", get("/customers/")),
             ("floor: the page's reads alone (objectives, 24 statistics, figure ids)", reads),
             (f"objectives page, {OBJECTIVES} objectives × {MONTHS}-month charts + Pareto (HTTP)",
              get("/analysis/objectives?month=2026-12")),
             ("the 24-month workbook (HTTP)", get("/analysis/objectives.xlsx?month=2026-12"))]
    for _label, fn in cases:
        fn()
    return [(label, timed(fn, repeat)) for label, fn in cases]


def run_sqlite(repeat: int):
    out = ROOT / "bench" / "out" / "objectives"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    return measure(bench_app(out, out / "qms.sqlite3"), repeat)


def run_pg(repeat: int):
    from tests.pg import cluster
    out = ROOT / "bench" / "out" / "objectives-pg"
    out.mkdir(parents=True, exist_ok=True)
    with cluster() as url:
        app = bench_app(out, SQLALCHEMY_DATABASE_URI=url)
        result = measure(app, repeat)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=100)
    ap.add_argument("--no-pg", action="store_true")
    args = ap.parse_args()
    timeutil.set_clock(NOW.astimezone(UTC))
    t = time.perf_counter()
    lite = run_sqlite(args.repeat)
    print(f"SQLite: {time.perf_counter() - t:.0f} s", flush=True)
    pg = None
    if not args.no_pg:
        try:
            pg = run_pg(args.repeat)
        except RuntimeError as exc:  # no PostgreSQL server here (make test-system-packages installs one)
            print(f"PostgreSQL skipped: {exc}", flush=True)
    print(f"\nObjectives page: {OBJECTIVES} objectives, {MONTHS} months of signed statistics, "
          f"{args.repeat} requests each, in-process Flask test client\n")
    head = "| measurement | SQLite p50 | p95 | p95 ÷ floor "
    head += "| PostgreSQL p50 | p95 | p95 ÷ floor |" if pg else "|"
    print(head)
    print("|---" + "|---:" * (6 if pg else 3) + "|")
    for i, (name, samples) in enumerate(lite):
        line = f"| {name} | {statistics.median(samples):.1f} | {pct(samples, 95):.1f} | " \
               f"{pct(samples, 95) / pct(lite[0][1], 95):.1f} "
        if pg:
            s = pg[i][1]
            line += f"| {statistics.median(s):.1f} | {pct(s, 95):.1f} | {pct(s, 95) / pct(pg[0][1], 95):.1f} "
        print(line + "|")


if __name__ == "__main__":
    main()
