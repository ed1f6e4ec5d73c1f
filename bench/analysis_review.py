"""Benchmark of the management review pack (issue #15 item 6; DA-01..DA-04): the review PDF for a year over a
large database, on SQLite and PostgreSQL side by side. Prints one table.

    .venv/bin/python bench/analysis_review.py                 # 1M source records, 200k nonconformities, 100k calibrations
    .venv/bin/python bench/analysis_review.py --scale 0.01    # a hundredth, for a quick run
    .venv/bin/python bench/analysis_review.py --no-pg         # SQLite only
    .venv/bin/python bench/analysis_review.py --pg-scale 0.2  # PostgreSQL seeded at a fifth (its seeding is the slow part)

Target: the management review PDF for a year (2026-01..2026-12) <= 5 s. The floor, in the same run: the PDF
of a year with no records (2020), which renders every section's "no records" sentence; the ratio says what
the data costs over the rendering.

The rows are written in the shapes the services write (numbered records, their register-filter facets, a
close signature of each closed nonconformity) over 2025-01..2026-12, through SQLAlchemy Core so the same
seeding fills both databases: complaints (CS-INQ, TS-FEE, CS-NET), work orders (CP-WO), key-customer
services (CS-KEY), identification checks (IT-CHECK), billing tests (INS-BILLING), calibrations (INS-CAL),
nonconformities (CA-NC) with corrective actions (CA-CAPA), and the analysis records the pack reads (a year's
DA-STATS, the previous DA-REVIEW and its DA-ACTIONs, the year's DA-METHOD); then the indicators' counters are
made from them (``indicators_store.rebuild``), as the app keeps them when records change. SQLite is kept in
``bench/out/analysis_review/`` for reruns; PostgreSQL is a throwaway cluster (tests/pg.py).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from bench.run import PASSWORD, login, pct  # noqa: E402
from bench.seed import bench_app  # noqa: E402
from qms.admin import service as admin_service  # noqa: E402
from qms.analysis import indicators_store, review_pack  # noqa: E402
from qms.analysis.reports_period import parse_range  # noqa: E402
from qms.auth.models import Department, User  # noqa: E402
from qms.cli import initialise  # noqa: E402
from qms.core import timeutil  # noqa: E402
from qms.extensions import db  # noqa: E402
from qms.records import spec as specs  # noqa: E402
from qms.records.indexing import facet_value  # noqa: E402
from qms.records.models import Record, RecordFacet, Signature  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 20, 10, 0, tzinfo=SH)  # the bench's clock: December of the year reviewed
START = datetime(2025, 1, 1, tzinfo=SH)
DAYS = 730  # 2025-01-01 .. 2026-12-31
# form: (share of the source records, the field dated by the period, closed share)
SOURCES = {"CS-INQ": (0.40, "received_at", 0.8), "TS-FEE": (0.20, "received_at", 0.8),
           "CS-NET": (0.10, "received_at", 0.7), "CP-WO": (0.20, "issued_at", 0.8),
           "CS-KEY": (0.08, "notified_at", 0.8), "IT-CHECK": (0.02, "checked_on", 1.0)}
BATCH = 20_000


def _stamp(dt: datetime) -> datetime:
    return dt.astimezone(UTC)  # the UTC columns take aware moments


class Seeder:
    """Rows in the services' shapes, inserted in batches through SQLAlchemy Core."""

    def __init__(self, user_id: int, name: str, depts: list[int]):
        self.user_id, self.name, self.depts = user_id, name, depts
        self.next_id = (db.session.execute(select(func.max(Record.id))).scalar() or 0) + 1
        self.seq: dict = {}
        self.recs, self.facets, self.sigs = [], [], []
        self.made = 0

    def record(self, code: str, values: dict, when: datetime, status: str, rnd: random.Random,
               close_step: str | None = None) -> int:
        spec = specs.get(code)
        rid = self.next_id
        self.next_id += 1
        n = self.seq[code] = self.seq.get(code, 0) + 1
        at = _stamp(when)
        due = values.get(spec.due_field) if spec.due_field else None
        self.recs.append({"id": rid, "form_code": code, "form_revision_id": spec.revision_id,
                          "number": f"{code}-{when.year}-{n:07d}", "year": when.year, "seq": n, "revision_no": 0,
                          "status": status, "current_step": None if status == "closed" else spec.workflow[-1].name,
                          "department_id": rnd.choice(self.depts), "created_by_id": self.user_id, "created_at": at,
                          "updated_at": at, "due_on": datetime.fromisoformat(str(due)[:10]).date() if due else None,
                          "data": json.dumps(values, ensure_ascii=False, sort_keys=True), "search_text": "",
                          "version": 1})
        for name in spec.register_filters:
            f = spec.filter_fields.get(name)
            v = values.get(name)
            if f is None or v in (None, ""):
                continue
            for item in (v if isinstance(v, list) else [v]):
                self.facets.append({"record_id": rid, "form_code": code, "field": name, "value": facet_value(f, item)})
        if close_step and status == "closed":
            self.sigs.append({"record_id": rid, "step": close_step, "meaning": "confirmation", "user_id": self.user_id,
                              "printed_name": self.name, "signed_at": at + timedelta(days=rnd.randint(1, 40)),
                              "content_hash": "0" * 64})
        self.made += 1
        if len(self.recs) >= BATCH:
            self.flush()
        return rid

    def flush(self) -> None:
        for table, rows in ((Record.__table__, self.recs), (RecordFacet.__table__, self.facets),
                            (Signature.__table__, self.sigs)):
            if rows:
                db.session.execute(insert(table), rows)
        db.session.commit()
        self.recs, self.facets, self.sigs = [], [], []


def _choice(spec, name: str, rnd: random.Random):
    f = spec.field_map.get(name)
    return rnd.choice(f.choices)[0] if f is not None and f.choices else None


def _when(rnd: random.Random) -> datetime:
    return START + timedelta(minutes=rnd.randrange(DAYS * 24 * 60))


def seed(n_sources: int, n_nc: int, n_cal: int) -> None:
    """Fill the database (once: a rerun over a kept SQLite file adds nothing)."""
    if db.session.execute(select(Record.id).where(Record.form_code == "CA-NC").limit(1)).first():
        return
    rnd = random.Random(15)
    u = db.session.execute(select(User).where(User.username == "benchq")).scalar_one()
    seeder = Seeder(u.id, u.full_name, [d.id for d in db.session.execute(select(Department)).scalars()])
    for code, (share, when_field, closed) in SOURCES.items():
        spec = specs.get(code)
        for _ in range(int(n_sources * share)):
            when = _when(rnd)
            v = {when_field: when.strftime("%Y-%m-%d" if when_field.endswith("_on") else "%Y-%m-%dT%H:%M")}
            for name in ("category", "severity", "dispute_type", "order_type", "request_type", "outcome"):
                if name in spec.field_map:
                    v[name] = _choice(spec, name, rnd)
            if code == "CP-WO":
                v["due_at"] = (when + timedelta(days=rnd.choice((2, 28)))).strftime("%Y-%m-%dT%H:%M")
            seeder.record(code, v, when, "closed" if rnd.random() < closed else "in_progress", rnd)
    nc = specs.get("CA-NC")
    for _ in range(n_nc):
        when = _when(rnd)
        status = "closed" if rnd.random() < 0.7 else "in_progress"
        nid = seeder.record("CA-NC", {"found_on": when.date().isoformat(), "source": _choice(nc, "source", rnd),
                                      "severity": _choice(nc, "severity", rnd), "description": "不合格"},
                            when, status, rnd, close_step="close")
        if rnd.random() < 0.5:
            seeder.record("CA-CAPA", {"nonconformity": nid, "reply_due_on": (when + timedelta(days=15)).date().isoformat(),
                                      "effective": "yes" if status == "closed" else None}, when, status, rnd)
    for _ in range(n_cal):
        when = _when(rnd)
        seeder.record("INS-CAL", {"calibrated_on": when.date().isoformat(), "result": rnd.choice(("pass",) * 18 + (
            "restricted", "fail"))}, when, "closed", rnd)
    for i in range(max(1, n_cal // 50)):  # a switch tested each month
        when = _when(rnd)
        seeder.record("INS-BILLING", {"test_month": when.strftime("%Y-%m"), "tested_on": when.date().isoformat(),
                                      "calls_tested": 10000, "calls_correct": 10000 - (i % 3)}, when, "closed", rnd)
    _analysis(seeder, rnd)
    seeder.flush()
    t = time.perf_counter()
    indicators_store.rebuild()  # the counters the app keeps as records change, made once for the seeded rows
    db.session.commit()
    print(f"seeded {seeder.made} records; indicator counts made in {time.perf_counter() - t:.0f} s", flush=True)


def _analysis(seeder: Seeder, rnd: random.Random) -> None:
    """The records of the analysis package the pack reads: statistics, the previous review and its actions."""
    line = {"department": "CSD", "unit": "%", "target": "95", "direction": "at_least", "actual": "96", "comment": ""}
    for m in range(1, 13):
        lines = [{**line, "objective": f"MB-{k:02d}", "name": f"目标{k}", "met": rnd.choice(("yes", "yes", "no"))}
                 for k in range(1, 14)]
        seeder.record("DA-STATS", {"month": f"2026-{m:02d}", "lines": lines}, datetime(2026, m, 28, tzinfo=SH),
                      "closed", rnd)
    review = seeder.record("DA-REVIEW", {"period_from": "2025-01-01", "period_to": "2025-12-31",
                                         "held_on": "2026-01-15", "decisions": "有效", "resource_needs": "无"},
                           datetime(2026, 1, 15, tzinfo=SH), "closed", rnd)
    for k in range(1, 9):
        seeder.record("DA-ACTION", {"source": review, "row": k, "title": f"措施{k}", "owner": seeder.user_id,
                                    "due_on": f"2026-{k:02d}-28"}, datetime(2026, 1, 15, tzinfo=SH),
                      "closed" if k % 3 else "in_progress", rnd)
    seeder.record("DA-METHOD", {"year": 2026, "findings": "口径", "decision": "调整",
                                "changes": [{"indicator": "投诉件数", "change": "含转办", "reason": "口径一致"}]},
                  datetime(2026, 12, 10, tzinfo=SH), "closed", rnd)


def _user():
    if db.session.execute(select(User).where(User.username == "benchq")).first() is None:
        emd = Department.by_code("EMD")
        admin_service.create_user(None, username="benchq", full_name="质量基准", department_id=emd.id,
                                  role="quality_manager", password=PASSWORD)
        db.session.commit()


def measure(app, label: str, scale: float, runs: int) -> list:
    """Seed (when needed), then time the year's PDF, the year's pack alone and the empty year's PDF."""
    with app.app_context():
        initialise()
        _user()
        t = time.perf_counter()
        seed(int(1_000_000 * scale), int(200_000 * scale), int(100_000 * scale))
        print(f"{label}: ready in {time.perf_counter() - t:.0f} s, "
              f"{db.session.execute(select(func.count()).select_from(Record)).scalar()} records", flush=True)
        timeutil.set_clock(NOW)
        year = parse_range("2026-01", "2026-12")[0]
        pack = _timed(lambda: review_pack.build(year), runs)
    client = app.test_client()
    with app.app_context():
        timeutil.set_clock(NOW)
        login(client, "benchq")

        def pdf(first, last):
            r = client.get(f"/analysis/review.pdf?from={first}&to={last}")
            assert r.status_code == 200 and r.data.startswith(b"%PDF"), r.status_code
        full = _timed(lambda: pdf("2026-01", "2026-12"), runs)
        floor = _timed(lambda: pdf("2020-01", "2020-12"), runs)
        timeutil.set_clock(None)
    return [(f"{label}: review PDF, a year (2026)", full), (f"{label}: the pack's counts alone, a year", pack),
            (f"{label}: floor: review PDF of an empty year (2020)", floor)]


def _timed(fn, n: int) -> list[float]:
    fn()  # warm: the first request loads the declarations and fonts
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--pg-scale", type=float, default=None, help="PostgreSQL's scale (default: --scale)")
    args = ap.parse_args()
    tag = "" if args.scale == 1.0 else f"-{args.scale:g}"
    out = ROOT / "bench" / "out" / f"analysis_review{tag}"
    out.mkdir(parents=True, exist_ok=True)
    rows = measure(bench_app(out, out / "qms.sqlite3"), "SQLite", args.scale, args.runs)
    if not args.no_pg:
        from tests.pg import cluster
        with cluster() as url:
            pg_scale = args.pg_scale if args.pg_scale is not None else args.scale
            label = "PostgreSQL" if pg_scale == args.scale else f"PostgreSQL (scale {pg_scale:g})"
            rows += measure(bench_app(out, None, SQLALCHEMY_DATABASE_URI=url), label, pg_scale, args.runs)
    print("| measurement | runs | p50 ms | p95 ms | vs floor |")
    print("|---|---:|---:|---:|---:|")
    floors = {label.split(":")[0]: samples for label, samples in rows if "floor" in label}
    for label, samples in rows:
        floor = floors[label.split(":")[0]]
        ratio = pct(samples, 50) / pct(floor, 50)
        print(f"| {label} | {len(samples)} | {pct(samples, 50):.1f} | {pct(samples, 95):.1f} | {ratio:.2f}× |")
    worst = max(pct(s, 95) for label, s in rows if "PDF, a year" in label)
    print(f"target: the year's review PDF p95 <= 5000 ms: {'met' if worst <= 5000 else 'MISSED'} ({worst:.0f} ms)")


if __name__ == "__main__":
    main()
