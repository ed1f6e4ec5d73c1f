"""Benchmark of the records engine (in-process, SQLite). Prints one table.

    make bench                      # 1,000,000 records (seeded once into bench/out/, then reused)
    .venv/bin/python bench/run.py --records 100000

Measures p50/p95 of: register page 1, a deep page, a filtered page, a record page, a 1-page
Chinese PDF (warm), submissions per second with 8 concurrent writers, one signature (production
scrypt parameters), and the floors: the register page's raw SQL and a bare render of its template.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

from flask import render_template
from sqlalchemy import select, text
from werkzeug.datastructures import MultiDict

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.seed import bench_app, seed  # noqa: E402
from qms.admin import service as admin_service  # noqa: E402
from qms.auth.models import Department, User  # noqa: E402
from qms.cli import initialise  # noqa: E402
from qms.extensions import db  # noqa: E402
from qms.records import register, service  # noqa: E402
from qms.records import spec as specs  # noqa: E402
from qms.records.models import Record  # noqa: E402
from qms.records.present import cell, column_label  # noqa: E402

PASSWORD = "bench-password-1"
FORM = {"received_at": "2026-11-20T09:15", "channel": "phone", "customer_name": "陈建国",
        "phone_number": "0756-2212345", "category": "billing", "severity": "general",
        "content": "话费异常偏高", "place": "电话查询台", "outcome": "dispatch", "cause": "operator",
        "handling_department": "BIL"}


def pct(samples, p):
    s = sorted(samples)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


RECORDS_SQL = ("INSERT INTO records (id, form_code, form_revision_id, number, year, seq, revision_no, status, "
               "current_step, department_id, created_by_id, created_at, updated_at, due_on, data, "
               "search_text, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
FACETS_SQL = "INSERT INTO record_facets (record_id, form_code, field, value) VALUES (?,?,?,?)"
SIGNATURES_SQL = ("INSERT INTO signatures (record_id, step, meaning, user_id, printed_name, signed_at, "
                  "content_hash) VALUES (?,?,?,?,?,?,?)")


def insert_records(con, recs: list, facets: list, sigs: list) -> None:
    """Write bulk-seeded records, their facets and signatures (the shapes the services write)."""
    con.executemany(RECORDS_SQL, recs)
    con.executemany(FACETS_SQL, facets)
    con.executemany(SIGNATURES_SQL, sigs)


def print_table(results) -> None:
    """The benchmark's table: rows of (label, samples in ms, runs)."""
    print("| measurement | runs | p50 ms | p95 ms |")
    print("|---|---:|---:|---:|")
    for label, samples, runs in results:
        print(f"| {label} | {runs} | {statistics.median(samples):.1f} | {pct(samples, 95):.1f} |")


def timed(fn, n):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def users(app):
    with app.app_context():
        have = {u.username: u for u in db.session.execute(select(User)).scalars()}
        depts = db.session.execute(select(Department).order_by(Department.id)).scalars().all()
        made = []
        for i, d in enumerate(depts):
            name = f"bench{i}"
            if name not in have:
                have[name] = admin_service.create_user(None, username=name, full_name=f"基准{i}", department_id=d.id,
                                                       role="clerk", password=PASSWORD)
            made.append(have[name])
        if "benchq" not in have:
            admin_service.create_user(None, username="benchq", full_name="质量基准", department_id=depts[3].id,
                                      role="quality_manager", password=PASSWORD)
        db.session.commit()
        return [(u.id, u.full_name, u.department_id) for u in made]


def prepared(name: str, **extra):
    """The benchmark app on ``bench/out/<name>/qms.sqlite3`` (kept for reruns), initialised, with the
    bench users: (app, db_file, people)."""
    out = ROOT / "bench" / "out" / name
    out.mkdir(parents=True, exist_ok=True)
    db_file = out / "qms.sqlite3"
    app = bench_app(out, db_file, **extra)
    with app.app_context():
        initialise()
    return app, db_file, users(app)


def login(client, username):
    import re
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    r = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302, "login failed"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args()
    app, db_file, people = prepared(str(args.records))
    t0 = time.perf_counter()
    with app.app_context():
        specs.reset_cache()
        specs.all_specs()
        db.session.remove()  # release SQLite's write lock before the bulk loader writes
        seed(str(db_file), args.records, people)
    print(f"seed/check: {time.perf_counter() - t0:.0f} s", flush=True)

    rows = []
    client = app.test_client()
    login(client, "benchq")
    n = args.repeat
    with app.app_context():
        total = db.session.execute(text("SELECT max(id) FROM records")).scalar()
        inq = db.session.execute(select(Record.id).where(Record.form_code == "CS-INQ").order_by(Record.id.desc())
                                 .limit(1).offset(200_000 if total > 500_000 else total // 5)).scalar()
        sample_id = db.session.execute(select(Record.id).where(Record.form_code == "CS-INQ",
                                                               Record.status == "closed").limit(1)).scalar()
        draft_id = db.session.execute(select(Record.id).where(Record.form_code == "CS-INQ",
                                                              Record.status == "draft").limit(1)).scalar()
    deep_cursor = register.encode_cursor([inq])

    def get(path):
        def f():
            r = client.get(path)
            assert r.status_code == 200, (path, r.status_code)
        return f

    get("/r/CS-INQ/")()
    rows.append(("register page 1 (50 rows)", timed(get("/r/CS-INQ/"), n)))
    rows.append(("deep page (after 200,000 rows)", timed(get(f"/r/CS-INQ/?after={deep_cursor}"), n)))
    rows.append(("filtered page (category + status)", timed(get("/r/CS-INQ/?category=fault&status=closed"), n)))
    rows.append(("filtered page (date range)", timed(get("/r/CS-INQ/?received_at_from=2026-01-01&received_at_to=2026-03-31"), n)))
    rows.append(("record page", timed(get(f"/r/CS-INQ/{sample_id}"), n)))
    rows.append(("search, common term (q=0756)", timed(get("/r/CS-INQ/?q=0756"), n)))
    rows.append(("search, rare term (no match: full scan)", timed(get("/r/CS-INQ/?q=zzzz-none"), max(10, n // 20))))
    clerk = app.test_client()
    login(clerk, "bench0")

    def clerk_page():
        assert clerk.get("/r/CS-INQ/").status_code == 200
    rows.append(("register page 1 as a department clerk", timed(clerk_page, n)))
    get(f"/r/CS-INQ/{draft_id}.pdf")()
    rows.append(("1-page CJK PDF (warm, not cached)", timed(get(f"/r/CS-INQ/{draft_id}.pdf"), max(20, n // 10))))
    rows.append(("signed-record PDF (cached)", timed(get(f"/r/CS-INQ/{sample_id}.pdf"), n)))

    # Floors: the register's SQL alone, and a bare render of its template with the same rows.
    with app.test_request_context("/r/CS-INQ/"):
        from flask_login import login_user
        q = db.session.execute(select(User).where(User.username == "benchq")).scalar()
        spec = specs.get("CS-INQ")
        stmt = register.build_query(spec, q, {}, {}).order_by(Record.id.desc()).limit(51)
        compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
        sql = str(compiled)
        conn = db.session.connection()
        rows.append(("floor: register SQL only", timed(lambda: conn.exec_driver_sql(sql).fetchall(), n)))
        login_user(q)
        page = register.page(spec, q, {}, {}, 50)
        cells = [(r, [cell(spec, r, c) for c in spec.register_columns]) for r in page.rows]
        cols = [(c, column_label(spec, c)) for c in spec.register_columns]
        rows.append(("floor: bare template render", timed(lambda: render_template(
            "records/register.html", spec=spec, page=page, rows=cells, errors={}, columns=cols, departments=[]), n)))
        db.session.rollback()

    # Submissions per second: 8 writer threads, each record with its audit row and chain link.
    per_thread, writers = 60, 8
    errors = []

    def writer(uid):
        with app.app_context():
            user = db.session.get(User, uid)
            spec = specs.get("CS-INQ")
            for _ in range(per_thread):
                try:
                    service.create(spec, user, MultiDict(FORM), "zh_CN")
                    db.session.commit()
                except Exception as exc:  # counted and printed; a locked database shows here
                    errors.append(repr(exc)[:120])
                    db.session.rollback()
            db.session.remove()

    threads = [threading.Thread(target=writer, args=(people[i % len(people)][0],)) for i in range(writers)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t
    rate = per_thread * writers / elapsed

    # One signature with the production password hash parameters.
    with app.app_context():
        app.config["QMS_PASSWORD_METHOD"] = "scrypt:32768:8:1"
        u = db.session.get(User, people[0][0])
        u.set_password(PASSWORD)
        db.session.commit()
        sig_times = []
        for _ in range(10):
            rec = service.create(specs.get("CS-INQ"), u, MultiDict(FORM), "zh_CN")
            db.session.commit()
            t = time.perf_counter()
            service.sign(rec, u, PASSWORD)
            db.session.commit()
            sig_times.append((time.perf_counter() - t) * 1000)
        count = db.session.execute(text("SELECT max(id) FROM records")).scalar()

    print()
    print(f"Benchmark: {count:,} records (SQLite, in-process Flask test client, {n} requests each)")
    print()
    print("| measurement | p50 ms | p95 ms |")
    print("|---|---:|---:|")
    for name, samples in rows:
        print(f"| {name} | {statistics.median(samples):.1f} | {pct(samples, 95):.1f} |")
    print(f"| one signature (scrypt N=32768, r=8, p=1) | {statistics.median(sig_times):.1f} | {pct(sig_times, 95):.1f} |")
    print()
    print(f"submissions: {rate:.0f}/s with {writers} concurrent writers ({per_thread * writers} records, "
          f"{len(errors)} errors{': ' + errors[0] if errors else ''})")


if __name__ == "__main__":
    main()
