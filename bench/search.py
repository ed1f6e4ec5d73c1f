"""Benchmark of the search on its index (issue #12 item 6): register searches old (LIKE) against new
(the index), and the header's search over every register, on SQLite and PostgreSQL side by side.
Prints one table (p50/p95 ms and ratios).

    .venv/bin/python bench/search.py                     # 1,000,000 records, SQLite and PostgreSQL
    .venv/bin/python bench/search.py --records 100000 --no-pg

The records (CS-INQ, CS-KEY, IT-QA, CP-PBX, INS-INTAKE) carry Chinese names drawn from common
surnames and given names, mobile and landline numbers, asset numbers and complaint phrases; their
search text is made by ``records.indexing.search_text``, as the service makes it. They are loaded
*before* the search index's migration, which then builds the index from existing rows (its time is
printed). Each request starts with the plan memory cleared (``search._plans``), so every sample
pays for choosing its plan, as a first search would. "old" is the same request with the index
switched off (``search.contains`` replaced by the plain LIKE it must agree with), in the same run.

Targets at 1M records: a rare term p95 <= 50 ms on SQLite; a common term no slower than old; the
header search p95 <= 100 ms.
"""
from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench.run import login, pct, timed, users  # noqa: E402
from bench.seed import bench_app, sample_values  # noqa: E402
from qms import seed as departments  # noqa: E402
from qms.cli.setup import MIGRATIONS  # noqa: E402
from qms.documents import loader  # noqa: E402
from qms.extensions import db  # noqa: E402
from qms.records import indexing, search  # noqa: E402
from qms.records import spec as specs  # noqa: E402

SEARCH_REVISION = "e5a1c3f7b920"
WEIGHTS = {"CS-INQ": 4, "CS-KEY": 2, "IT-QA": 15 / 10, "CP-PBX": 15 / 10, "INS-INTAKE": 1}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国玉志文辉海燕红梅金凤晓东春德胜永新淑珍"
PHRASES = ["话费异常偏高", "宽带无法上网", "客户反映信号差", "要求退还多扣费用", "套餐变更未生效", "装机预约超时",
           "营业厅服务态度", "号码被停机", "发票开具错误", "国际漫游扣费", "光猫指示灯不亮", "来电显示不正常"]
# The needles: one record each, found by these searches.
NEEDLE = {"customer_name": "蔺相如", "phone_number": "0756-7654321", "content": "完璧归赵"}
NEEDLE_ASSET = "YQ-RARE-0001"
STAMP = "%Y-%m-%d %H:%M:%S.%f"


def _person(rnd) -> str:
    return rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2, 2))))


def _phone(rnd) -> str:
    if rnd.random() < 0.6:
        return "1%d%09d" % (rnd.randint(3, 9), rnd.randrange(10**9))
    return "0756-%07d" % rnd.randrange(2_000_000, 10**7)


def values_for(spec, rnd, i: int) -> dict:
    """Plausible values for ``spec`` with people's names, numbers and phrases where it searches."""
    values = sample_values(spec, rnd, i)
    for f in spec.fields:
        if f.type == "phone":
            values[f.name] = _phone(rnd)
        elif f.name == "customer_name":
            values[f.name] = _person(rnd) if spec.code != "CP-PBX" else _person(rnd) + "商贸有限公司"
        elif f.name in ("content", "request"):
            values[f.name] = "，".join(rnd.sample(PHRASES, 2))
        elif f.name == "asset_no":
            values[f.name] = f"YQ{i:08d}"
    return values


def rows(n: int, people: list, forms: list, seed_value: int = 5):
    """Batches of record tuples (the ``records`` columns below) for ``n`` records of ``forms`` (the
    specs of WEIGHTS, loaded before: nothing here reads the database), needles included."""
    rnd = random.Random(seed_value)
    inq = forms[0]
    weights = [WEIGHTS[s.code] for s in forms]
    seqs = {s.code: 0 for s in forms}
    start = datetime(2025, 1, 1, tzinfo=UTC)
    batch = []
    for rid in range(1, n + 1):
        spec = rnd.choices(forms, weights)[0]
        if rid == n // 3:
            spec = inq
        values = values_for(spec, rnd, rid)
        if rid == n // 3:
            values.update(NEEDLE)
        if rid == n // 2 and spec.code == "INS-INTAKE":
            values["asset_no"] = NEEDLE_ASSET
        uid, _name, dept = rnd.choice(people)
        r = rnd.random()
        status = "draft" if r < 0.15 else "in_progress" if r < 0.3 else "voided" if r < 0.33 else "closed"
        number = seq = None
        if status != "draft":
            seqs[spec.code] += 1
            seq = seqs[spec.code]
            number = spec.numbering.replace("{yyyy}", "2026").replace("{#####}", f"{seq:05d}").replace(
                "{####}", f"{seq:04d}")
        stamp = (start + timedelta(seconds=rid * 30)).replace(tzinfo=None)
        step = None if status in ("closed", "voided") else spec.workflow[0].name
        batch.append((rid, spec.code, spec.revision_id, number, 2026 if number else None, seq, 0, status, step, dept,
                      uid, stamp, stamp, json.dumps(values, ensure_ascii=False, sort_keys=True),
                      indexing.search_text(spec, number, values), 1))
        if len(batch) == 20_000:
            yield batch
            batch = []
    if batch:
        yield batch


COLUMNS = ("id, form_code, form_revision_id, number, year, seq, revision_no, status, current_step, department_id, "
           "created_by_id, created_at, updated_at, data, search_text, version")


def load_sqlite(path: str, n: int, people: list, forms: list) -> None:
    con = sqlite3.connect(path, timeout=60)
    con.execute("PRAGMA synchronous=OFF")
    for batch in rows(n, people, forms):
        with con:
            con.executemany(f"INSERT INTO records ({COLUMNS}) VALUES ({','.join('?' * 16)})",
                            [(*b[:11], b[11].strftime(STAMP), b[12].strftime(STAMP), *b[13:]) for b in batch])
    con.execute("ANALYZE")
    con.commit()
    con.close()


def load_pg(n: int, people: list, forms: list) -> None:
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        for batch in rows(n, people, forms):
            with cur.copy(f"COPY records ({COLUMNS}) FROM STDIN") as copy:
                for b in batch:
                    copy.write_row(b)
            raw.commit()
        cur.execute("SELECT setval('records_id_seq', (SELECT max(id) FROM records))")
        raw.commit()
    finally:
        raw.close()


def prepare(app, n: int, load) -> tuple[list, float]:
    """Migrate up to the search index, load the records, then run the index's migration (timed)."""
    with app.app_context():
        before = _revision_before_search()
        have = 0
        try:
            have = db.session.execute(text("SELECT count(*) FROM records")).scalar()
        except Exception:  # a fresh database
            pass
        db.session.remove()  # release SQLite's write lock before the migration's own connection
        if have:
            upgrade(directory=str(MIGRATIONS))
            return users(app), 0.0
        upgrade(directory=str(MIGRATIONS), revision=before)
        departments.departments()
        loader.sync(app.config["QMS_PROCEDURES_DIR"])
        specs.sync(app.config["QMS_FORMS_DIR"])
        db.session.commit()
        specs.reset_cache()
        specs.all_specs()
    people = users(app)
    with app.app_context():
        forms = [specs.get(code) for code in WEIGHTS]
        db.session.remove()  # nothing holds SQLite's write lock while the loader writes
        load(people, forms)
        t = time.perf_counter()
        upgrade(directory=str(MIGRATIONS))
        took = time.perf_counter() - t
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE records")
        db.session.remove()
    return people, took


def _revision_before_search() -> str:
    from alembic.script import ScriptDirectory
    from flask import current_app
    config = current_app.extensions["migrate"].migrate.get_config(str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_revision(SEARCH_REVISION).down_revision


def measure(app, n: int) -> list[tuple[str, list, list | None]]:
    """(measurement, new samples, old samples or None)."""
    client = app.test_client()
    login(client, "benchq")
    with app.app_context():
        number = db.session.execute(text("SELECT number FROM records WHERE form_code = 'CS-INQ' AND number "
                                         "IS NOT NULL ORDER BY id LIMIT 1 OFFSET 1000")).scalar()

    def get(path):
        def f():
            search._plans.clear()
            r = client.get(path)
            assert r.status_code == 200, (path, r.status_code)
        return f

    def old(fn):
        def f():
            saved = search.contains
            search.contains = lambda form_code, term: search.like(term)
            try:
                fn()
            finally:
                search.contains = saved
        return f

    out = []
    register = [("rare name (3 chars)", "蔺相如"), ("rare 2 chars", "相如"), ("rare 1 char", "蔺"),
                ("rare words", "完璧归赵"), ("rare phone typed with spaces", "0756 765 4321"),
                ("no match", "zzzz-none"), ("common term", "0756"), ("common words", "话费"),
                ("common surname (1 char)", "陈")]
    for label, q in register:
        fn = get(f"/r/CS-INQ/?q={q}")
        fn()
        new = timed(fn, REPEAT)
        before = timed(old(fn), max(10, REPEAT // 3))
        out.append((f"register: {label} (q={q})", new, before))
    out.append(("register page 1, no search (floor)", timed(get("/r/CS-INQ/"), REPEAT), None))
    header = [("record number", number), ("phone typed with spaces", "0756 765 4321"), ("customer name", "蔺相如"),
              ("asset number", NEEDLE_ASSET), ("common words", "话费异常"), ("common surname", "陈")]
    for label, q in header:
        fn = get(f"/search?q={q}")
        fn()
        out.append((f"header search: {label} (q={q})", timed(fn, REPEAT), None))
    return out


REPEAT = 50


def run_sqlite(n: int) -> tuple[list, float, str]:
    out = ROOT / "bench" / "out" / f"search-{n}"
    out.mkdir(parents=True, exist_ok=True)
    db_file = out / "qms.sqlite3"
    app = bench_app(out, db_file)
    _people, took = prepare(app, n, lambda people, forms: load_sqlite(str(db_file), n, people, forms))
    return measure(app, n), took, f"{db_file.stat().st_size / 1e6:.0f} MB"


def run_pg(n: int) -> tuple[list, float, str]:
    from tests.pg import cluster
    with cluster() as url:
        app = bench_app(ROOT / "bench" / "out", SQLALCHEMY_DATABASE_URI=url)
        _people, took = prepare(app, n, lambda people, forms: load_pg(n, people, forms))
        with app.app_context():
            size = db.session.execute(text("SELECT pg_size_pretty(pg_relation_size('ix_records_search_trgm'))")).scalar()
            result = measure(app, n)
            db.session.remove()
            db.engine.dispose()
        return result, took, f"GIN index {size}"


def main():
    global REPEAT
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--no-pg", action="store_true")
    args = ap.parse_args()
    REPEAT = args.repeat
    t = time.perf_counter()
    lite, lite_took, lite_size = run_sqlite(args.records)
    print(f"SQLite: {time.perf_counter() - t:.0f} s (index migration {lite_took:.1f} s, file {lite_size})", flush=True)
    pg = pg_took = pg_size = None
    if not args.no_pg:
        t = time.perf_counter()
        try:
            pg, pg_took, pg_size = run_pg(args.records)
            print(f"PostgreSQL: {time.perf_counter() - t:.0f} s (index migration {pg_took:.1f} s, {pg_size})",
                  flush=True)
        except RuntimeError as exc:  # no PostgreSQL server here (make test-system-packages installs one)
            print(f"PostgreSQL skipped: {exc}", flush=True)

    def cols(samples, before):
        p50, p95 = statistics.median(samples), pct(samples, 95)
        if before is None:
            return f"{p50:.1f} | {p95:.1f} | | | "
        b50, b95 = statistics.median(before), pct(before, 95)
        return f"{p50:.1f} | {p95:.1f} | {b50:.1f} | {b95:.1f} | {p95 / b95:.2f} "

    print()
    print(f"Search benchmark: {args.records:,} records, in-process Flask test client, {REPEAT} requests each "
          f"(old: {max(10, REPEAT // 3)}), plan memory cleared before each request")
    print()
    head = "| measurement | SQLite p50 | p95 | old p50 | old p95 | new/old p95 "
    head += "| PostgreSQL p50 | p95 | old p50 | old p95 | new/old p95 |" if pg else "|"
    print(head)
    print("|---" + "|---:" * (10 if pg else 5) + "|")
    for i, (name, samples, before) in enumerate(lite):
        line = f"| {name} | {cols(samples, before)}"
        if pg:
            line += f"| {cols(pg[i][1], pg[i][2])}"
        print(line + "|")


if __name__ == "__main__":
    main()
