"""Benchmark of the satisfaction survey's scoring (issue #15, DA-02): a campaign of 10,000 signed
responses scored (every element's answers counted in one SQL query, then rolled up), on SQLite and
PostgreSQL side by side. Prints one table (p50/p95 ms) with ratios to the floor.

    .venv/bin/python bench/analysis_survey.py                    # 10,000 responses, SQLite and PostgreSQL
    .venv/bin/python bench/analysis_survey.py --responses 2000 --no-pg

Target: a campaign of 10k responses scored <= 1 s. Measured: the scoring itself
(``survey_score.score``), the results page (two campaigns of 10k: this year's and last year's for
the year on year, with the Pareto), and in the same run the floor (the campaign's responses only
counted through the link facet, no JSON read) and, for comparison, the per-record way the SQL
replaces (every response loaded and its values decoded in Python).

The responses are written straight through SQLAlchemy Core in the shapes the services write: the
record (numbered, closed, its values as JSON), its link facet to the campaign and its signature. The
campaigns themselves are made through the services (created and signed).
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from bench.run import login, pct, timed, users  # noqa: E402
from bench.seed import bench_app  # noqa: E402
from qms.analysis import survey_score as scoring  # noqa: E402
from qms.auth.models import User  # noqa: E402
from qms.cli import initialise  # noqa: E402
from qms.extensions import db  # noqa: E402
from qms.records import service  # noqa: E402
from qms.records import spec as specs  # noqa: E402
from qms.records.models import Record, RecordFacet, Signature  # noqa: E402

REPEAT = 20
MIX = (5, 4, 3, 2, 1)
WEIGHTS = (0.42, 0.38, 0.13, 0.05, 0.02)


def _campaign(year: int, quality: User) -> Record:
    rec = service.create(specs.get(scoring.SURVEY), quality, MultiDict(
        {"year": year, "method": "both", "sample_size": 10000, "sampling": "分层随机抽样"}), "zh_CN")
    service.sign_verified(rec, quality, "zh_CN")
    db.session.commit()
    return rec


def _responses(campaign: Record, n: int, clerk: User, rnd: random.Random) -> None:
    """``n`` signed responses to ``campaign`` in the services' shapes, in batches."""
    revision = specs.get(scoring.RESPONSE).revision_id
    start = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    next_id = (db.session.execute(select(func.max(Record.id))).scalar() or 0) + 1
    seq0 = db.session.execute(select(func.count()).select_from(Record).where(
        Record.form_code == scoring.RESPONSE)).scalar()
    for lo in range(0, n, 2000):
        recs, facets, sigs = [], [], []
        for i in range(lo, min(n, lo + 2000)):
            rid, at = next_id + i, start + timedelta(minutes=i)
            values = {"campaign": campaign.id, "customer": f"客户{i}", "phone": f"0756-{3000000 + seq0 + i}",
                      "method": "phone", "answered_on": at.date().isoformat()}
            for e in range(1, 12):
                if e not in (3, 4) or rnd.random() > 0.3:  # installs and repairs: not every customer had one
                    values[f"e{e}"] = rnd.choices(MIX, weights=WEIGHTS)[0]
            recs.append({"id": rid, "form_code": scoring.RESPONSE, "form_revision_id": revision,
                         "number": f"DJ-2026-{seq0 + i + 1:06d}", "year": 2026, "seq": seq0 + i + 1,
                         "revision_no": 0, "status": "closed", "current_step": None,
                         "department_id": clerk.department_id, "created_by_id": clerk.id, "created_at": at,
                         "updated_at": at, "data": json.dumps(values, ensure_ascii=False, sort_keys=True),
                         "search_text": values["customer"], "version": 1})
            facets.append({"record_id": rid, "form_code": scoring.RESPONSE, "field": "campaign",
                           "value": str(campaign.id)})
            sigs.append({"record_id": rid, "step": "record", "meaning": "prepared", "user_id": clerk.id,
                         "printed_name": clerk.full_name, "signed_at": at, "content_hash": "0" * 64})
        db.session.execute(insert(Record), recs)
        db.session.execute(insert(RecordFacet), facets)
        db.session.execute(insert(Signature), sigs)
        db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(select(func.setval("records_id_seq", select(func.max(Record.id)).scalar_subquery())))
        db.session.commit()


def _seed(app, n: int) -> int:
    """Two campaigns (2025 and 2026) of ``n`` responses each, once; the 2026 campaign's id."""
    users(app)
    with app.app_context():
        have = db.session.execute(select(Record).where(Record.form_code == scoring.SURVEY)).scalars().all()
        if len(have) == 2:
            return max(have, key=lambda r: r.values["year"]).id
        quality = db.session.execute(select(User).where(User.username == "benchq")).scalar_one()
        clerk = db.session.execute(select(User).where(User.username == "bench0")).scalar_one()
        rnd = random.Random(15)
        for year in (2025, 2026):
            camp = _campaign(year, quality)
            _responses(camp, n, clerk, rnd)
        if db.engine.dialect.name == "postgresql":
            # Statistics, as autovacuum keeps them on a live server: without them the planner guesses
            # one row and joins the facets by a nested loop.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
        return camp.id


def _per_record(campaign_id: int) -> None:
    """What the SQL replaces: every response loaded as a record and its values decoded in Python."""
    ids = select(RecordFacet.record_id).where(RecordFacet.form_code == scoring.RESPONSE,
                                              RecordFacet.field == "campaign", RecordFacet.value == str(campaign_id))
    rows = db.session.execute(select(Record).where(Record.id.in_(ids), Record.status == "closed")).scalars()
    counts: dict = {}
    for r in rows:
        for k, v in r.values.items():
            if k.startswith("e") and k[1:].isdigit():
                counts[(k, v)] = counts.get((k, v), 0) + 1
    db.session.expunge_all()


def measure(app, campaign_id: int, n: int) -> list[tuple[str, list]]:
    """(measurement, samples in ms)."""
    out = []
    with app.app_context():
        camp = db.session.get(Record, campaign_id)
        res = scoring.score(camp)
        assert res.responses == n, (res.responses, n)
        out.append((f"score a campaign of {n:,} responses", timed(lambda: scoring.score(camp), REPEAT)))
        floor_q = (select(func.count()).select_from(RecordFacet).join(Record, Record.id == RecordFacet.record_id)
                   .where(RecordFacet.form_code == scoring.RESPONSE, RecordFacet.field == "campaign",
                          RecordFacet.value == str(campaign_id), Record.status == "closed"))
        out.append(("floor: its responses counted (no values read)",
                    timed(lambda: db.session.execute(floor_q).scalar(), REPEAT)))
        out.append(("per record in Python (what the SQL replaces)", timed(lambda: _per_record(campaign_id), 5)))
        db.session.remove()
    client = app.test_client()
    with app.app_context():
        login(client, "benchq")

    def page():
        r = client.get(f"/analysis/survey/{campaign_id}")
        assert r.status_code == 200, r.status_code

    page()
    out.append(("results page (two campaigns: year on year, Pareto)", timed(page, REPEAT)))
    return out


def run(app, n: int) -> list:
    with app.app_context():
        initialise()
    return measure(app, _seed(app, n), n)


def run_pg(n: int) -> list:
    from tests.pg import cluster
    with cluster() as url:
        app = bench_app(ROOT / "bench" / "out", SQLALCHEMY_DATABASE_URI=url, QMS_SEED_HOLIDAYS=False)
        result = run(app, n)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        return result


def main():
    global REPEAT
    ap = argparse.ArgumentParser()
    ap.add_argument("--responses", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--no-pg", action="store_true")
    args = ap.parse_args()
    REPEAT = args.repeat
    out = ROOT / "bench" / "out" / f"survey-{args.responses}"
    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    lite = run(bench_app(out, out / "qms.sqlite3", QMS_SEED_HOLIDAYS=False), args.responses)
    print(f"SQLite: {time.perf_counter() - t:.0f} s", flush=True)
    pg = None
    if not args.no_pg:
        t = time.perf_counter()
        try:
            pg = run_pg(args.responses)
            print(f"PostgreSQL: {time.perf_counter() - t:.0f} s", flush=True)
        except RuntimeError as exc:  # no PostgreSQL server here (make test-system-packages installs one)
            print(f"PostgreSQL skipped: {exc}", flush=True)
    print()
    print(f"Survey scoring benchmark: two campaigns of {args.responses:,} signed responses each, in-process, "
          f"{REPEAT} runs each (per record: 5). Ratio: p95 over the floor's p95.")
    print()
    print("| measurement | SQLite p50 ms | p95 | ×floor " + ("| PostgreSQL p50 ms | p95 | ×floor |" if pg else "|"))
    print("|---" + "|---:" * (6 if pg else 3) + "|")
    floors = [pct(dict(r)["floor: its responses counted (no values read)"], 95) for r in (lite, pg) if r]
    for i, (label, samples) in enumerate(lite):
        line = f"| {label} | {statistics.median(samples):.1f} | {pct(samples, 95):.1f} | " \
               f"{pct(samples, 95) / floors[0]:.0f} "
        if pg:
            s = pg[i][1]
            line += f"| {statistics.median(s):.1f} | {pct(s, 95):.1f} | {pct(s, 95) / floors[1]:.0f} "
        print(line + "|")
    print()
    worst = max(pct(dict(r)[f"score a campaign of {args.responses:,} responses"], 95) for r in (lite, pg) if r)
    print(f"Target: scoring <= 1000 ms p95 — {'met' if worst <= 1000 else 'MISSED'} ({worst:.0f} ms worst p95).")


if __name__ == "__main__":
    main()
