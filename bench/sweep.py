"""Benchmark of the reminder sweep: N watched items, 1% due. Prints a table.

    .venv/bin/python bench/sweep.py                 # 1,000,000 and 10,000,000 watches, 10,000 due
    .venv/bin/python bench/sweep.py --items 100000

The sweep reads "active and next_at <= now" in next_at order from an index, so its cost should
follow the number of due items, not the number watched.
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.seed import bench_app  # noqa: E402
from qms.cli import initialise  # noqa: E402
from qms.extensions import db  # noqa: E402
from qms.reminders import engine, rules  # noqa: E402

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
STAMP = "%Y-%m-%d %H:%M:%S.%f"


def build(path: Path, items: int, due: int, owner: int) -> None:
    """A database with ``items`` active watches of one rule, ``due`` of them due at NOW."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    have = con.execute("SELECT count(*) FROM reminder_watches").fetchone()[0]
    if have >= items:
        con.close()
        return
    rule = rules.by_id()["cs04-key-customer"]
    far = (NOW + timedelta(days=400)).replace(tzinfo=None)
    near_due = datetime(2026, 11, 25, 15, 59, 59)  # local 23:59:59 on the 25th: overdue on the 26th
    swept = (NOW - timedelta(days=1)).replace(tzinfo=None)
    step = max(1, items // due)
    batch = []
    for i in range(have + 1, items + 1):
        is_due = i % step == 0 and i // step <= due
        due_at = near_due if is_due else far
        next_at = (NOW - timedelta(minutes=5)).replace(tzinfo=None) if is_due else far - timedelta(days=1)
        batch.append((rule.id, "record", i, "", f"ZD-2026-{i:07d}", f"/r/CS-KEY/{i}", owner, 1,
                      due_at.strftime(STAMP), next_at.strftime(STAMP), swept.strftime(STAMP), 1, "", "",
                      swept.strftime(STAMP)))
        if len(batch) == 100_000:
            _flush(con, batch)
            batch = []
            print(f"  {i:,} watches", flush=True)
    _flush(con, batch)
    con.execute("ANALYZE")
    con.close()


def _flush(con, rows):
    with con:
        con.executemany(
            "INSERT INTO reminder_watches (rule_id, subject_type, subject_id, period, title, link, owner_id, "
            "department_id, due_at, next_at, swept_at, active, last_stage, acked_stage, updated_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)


def run(items: int, due: int) -> float:
    out = ROOT / "bench" / "out" / f"sweep-{items}"
    out.mkdir(parents=True, exist_ok=True)
    path = out / "qms.sqlite3"
    app = bench_app(out, path)
    with app.app_context():
        initialise()
        from qms.auth.models import User
        owner = db.session.execute(db.select(User.id).limit(1)).scalar()
        if owner is None:
            from qms.admin.service import create_user
            owner = create_user(None, username="owner", full_name="责任人", department_id=1, role="clerk",
                                password="bench-password").id
            db.session.commit()
        db.session.remove()
    with app.app_context():
        rules.all_rules()  # load the declarations, then let go of the database for the bulk loader
        db.session.remove()
        build(path, items, due, owner)
    # Each timing runs on a copy so the sweep sees the same due set every time.
    times = []
    for _ in range(3):
        copy = out / "run.sqlite3"
        src, dst = sqlite3.connect(path), sqlite3.connect(copy)
        src.backup(dst)
        src.close()
        dst.close()
        run_app = bench_app(out, copy)
        with run_app.app_context():
            table = rules.by_id()
            t = time.perf_counter()
            stats = engine.sweep(table, now=NOW)
            times.append(time.perf_counter() - t)
            assert stats["watches"] == due, stats
        for suffix in ("", "-wal", "-shm"):
            Path(str(copy) + suffix).unlink(missing_ok=True)
    return min(times), stats


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, nargs="*", default=[1_000_000, 10_000_000])
    ap.add_argument("--due", type=int, default=10_000)
    args = ap.parse_args()
    rows = []
    for n in args.items:
        best, stats = run(n, args.due)
        rows.append((n, best, stats))
    print()
    print("| watched items | due | sweep (best of 3) | notices created |")
    print("|---:|---:|---:|---:|")
    for n, best, stats in rows:
        print(f"| {n:,} | {args.due:,} | {best:.2f} s | {stats['notices']:,} |")
    if len(rows) > 1:
        print(f"\nratio {rows[-1][0] // rows[0][0]}x items: {rows[-1][1] / rows[0][1]:.2f}x time")


if __name__ == "__main__":
    main()
