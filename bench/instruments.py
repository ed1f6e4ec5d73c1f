"""Benchmark of the instruments procedure (issue #5): 100,000 instruments and 1,000,000 loans,
in-process on SQLite. Prints one table (p50/p95 ms, target, met?).

    .venv/bin/python bench/instruments.py              # 100k instruments / 1M loans (seeded once into bench/out/instruments-*)
    .venv/bin/python bench/instruments.py --instruments 10000 --loans 100000

Seeded with straight SQL, in the shapes the services write: each instrument is a signed INS-INTAKE
record (facets, search text, signature) with its ``instruments`` row; calibrations are signed
INS-CAL records; each loan is an INS-USAGE record (mostly returned, some out on loan at the return
step, a few waiting to be handed out) with its facets and signatures; the usage file holds one
line per intake, calibration, loan out and return. One instrument (the first) has 1,100 loans,
so more than 2,000 lines in its usage file.

Targets (issue #5): instrument register and check-out pages p95 <= 15 ms (the foundation's page
target), the usage file of an instrument with 2,000 events <= 30 ms, a sheet of 30 labels <= 1 s.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import secrets
import sqlite3
import sys
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.run import PASSWORD, login, pct, timed, users  # noqa: E402
from bench.seed import bench_app  # noqa: E402
from qms.admin import service as admin_service  # noqa: E402
from qms.auth.models import Department, User  # noqa: E402
from qms.cli import initialise  # noqa: E402
from qms.extensions import db  # noqa: E402
from qms.instruments import events  # noqa: E402
from qms.records import register  # noqa: E402
from qms.records import spec as specs  # noqa: E402
from qms.records.models import Record  # noqa: E402
from qms.reminders.workcal import add_months  # noqa: E402

TODAY = date(2026, 11, 30)
NOW = "2026-11-30T10:00:00+08:00"
FIRST_INTAKE = date(2018, 1, 2)
STAMP = "%Y-%m-%d %H:%M:%S.%f"
INTAKE, USAGE, CAL = "INS-INTAKE", "INS-USAGE", "INS-CAL"
LOAN_DEPTS = ["TDD", "TSD", "OMD", "ITN", "SWT", "CSD"]  # the borrowing/custodian departments the forms offer
HOT_LOANS = 1_100  # loans of the first instrument: 2,200 usage-file lines for them alone
KINDS = [  # name, model, maker, range and accuracy
    ("数字万用表", "FLUKE-17B", "福禄克", "DCV 0~1000V ±0.5%"), ("光时域反射仪", "AQ7275", "横河", "1310/1550nm ±0.05dB"),
    ("兆欧表", "ZC-7", "上海第六电表厂", "0~500MΩ 10级"), ("接地电阻测试仪", "ZC-8", "上海第六电表厂", "0~100Ω ±1.5%"),
    ("光功率计", "JW3208", "嘉慧", "-70~+10dBm ±0.2dB"), ("误码仪", "HP-37717C", "惠普", "2Mbit/s"),
    ("钳形电流表", "MS2108A", "华谊", "AC 0~400A ±2%"), ("数字示波器", "TDS2012C", "泰克", "100MHz"),
    ("话路特性测试仪", "AT3600", "安泰", "300~3400Hz"), ("电缆故障测试仪", "T-C300", "天津电子", "0~8km ±1m"),
    ("稳定光源", "JW3109", "嘉慧", "1310/1550nm ±0.05dB"), ("频谱分析仪", "N9320B", "安捷伦", "9kHz~3GHz"),
]
PURPOSES = ["用户线路故障测试", "交换机房例行巡检", "光缆割接测试", "新装用户开通测试", "机房接地电阻年检",
            "基站电源检查", "中继电路误码测试", "配线架整治", "营业厅终端维修", "话务质量抽测"]


class _Content:
    """What Record.content_hash reads, without an ORM instance (millions of them): the same code
    computes the signature hash as the app."""
    canonical = Record.canonical
    content_hash = Record.content_hash

    def __init__(self, code, revision_id, number, values):
        self.form_code, self.form_revision_id, self.number, self.revision_no = code, revision_id, number, 0
        self.values = values


def stamp(d: date, hour: int = 1, minute: int = 0) -> str:
    """A naive UTC time on ``d`` (01:00 UTC = 09:00 in Beijing), as SQLAlchemy stores it."""
    return datetime(d.year, d.month, d.day, hour, minute).strftime(STAMP)


def staff(app) -> dict:
    """The bench users (bench.run's clerk per department and quality manager) plus a 技术发展部
    technician and a head for each department that borrows instruments."""
    people = users(app)
    with app.app_context():
        depts = {d.code: d.id for d in db.session.execute(select(Department)).scalars()}
        have = {u.username: u for u in db.session.execute(select(User)).scalars()}
        wanted = [("benchtech", "技术员基准", "TDD", "technician")] + \
                 [(f"benchhead-{c.lower()}", f"{c}负责人", c, "department_head") for c in LOAN_DEPTS]
        for username, name, code, role in wanted:
            if username not in have:
                have[username] = admin_service.create_user(None, username=username, full_name=name,
                                                           department_id=depts[code], role=role, password=PASSWORD)
        db.session.commit()
        by_dept = {dept: (uid, name) for uid, name, dept in people}
        out = {"depts": depts,
               "clerks": {c: (*by_dept[depts[c]], depts[c]) for c in LOAN_DEPTS},
               "tech": (have["benchtech"].id, have["benchtech"].full_name),
               "heads": {c: (have[f"benchhead-{c.lower()}"].id, have[f"benchhead-{c.lower()}"].full_name)
                         for c in LOAN_DEPTS},
               "clerk_user": next(u for u in have.values() if u.username.startswith("bench")
                                  and u.department_id == depts["CSD"] and u.role == "clerk").username}
    return out


# ---- the plan: every instrument's intake, calibrations and loans, in time order ----

def plan(n_inst: int, n_loans: int, rnd: random.Random) -> tuple[list, list]:
    """Instruments (dicts) and the records to write, as (date, order, kind, instrument, extra), sorted."""
    span = (TODAY - timedelta(days=30) - FIRST_INTAKE).days
    insts, todo = [], []
    for i in range(n_inst):
        intake_on = FIRST_INTAKE + timedelta(days=span * i // n_inst)
        cat = "public" if i == 0 else rnd.choices(["public", "dedicated", "monitoring"], [5, 4, 1])[0]
        dept = {"public": "TDD", "monitoring": "OMD"}.get(cat) or rnd.choice(LOAN_DEPTS)
        interval = 12 if i == 0 else rnd.choice([12, 12, 12, 24, 24])
        cal0 = intake_on - timedelta(days=rnd.randint(0, 60))
        neglected = i > 0 and rnd.random() < 0.03  # its last calibration was never sent: overdue now
        cals, prev = [], cal0
        while True:
            due = add_months(prev, interval)  # sent a little before it falls due, back before today
            if due > TODAY + timedelta(days=15) or (neglected and due > TODAY - timedelta(days=120)):
                break
            d = min(due - timedelta(days=rnd.randint(0, 20)), TODAY - timedelta(days=12))
            cals.append((d, "restricted" if rnd.random() < 0.01 else "pass"))
            prev = d
        kind = KINDS[i % len(KINDS)]
        inst = {"i": i, "intake_on": intake_on, "category": cat, "dept": dept, "interval": interval,
                "cal0": cal0, "cals": cals, "kind": kind, "asset_no": f"{dept}-{i + 1:06d}",
                "custodian": None if cat == "public" else dept, "loans": 0}
        insts.append(inst)
        todo.append((intake_on, 0, "I", i, None))
        for k, (d, result) in enumerate(cals):
            todo.append((d + timedelta(days=rnd.randint(1, 10)), 1, "C", i, (k, d, result)))
    # Loans: more for instruments kept longer; none overlap on one instrument (one slot each).
    hot = min(HOT_LOANS, n_loans // 4)
    insts[0]["loans"] = hot
    days = [max(1, (TODAY - x["intake_on"]).days) for x in insts]
    weights = [0.0] + [days[i] * rnd.lognormvariate(0, 0.7) for i in range(1, n_inst)]
    left = n_loans - hot
    while left > 0 and any(weights):
        for i, k in Counter(rnd.choices(range(n_inst), weights=weights, k=left)).items():
            room = max(1, days[i] // 4) - insts[i]["loans"]
            take = min(k, room)
            insts[i]["loans"] += take
            left -= take
            if insts[i]["loans"] >= max(1, days[i] // 4):
                weights[i] = 0.0
    for inst in insts:
        n = inst["loans"]
        if not n:
            continue
        start = inst["intake_on"] + timedelta(days=1)
        width = (TODAY - start).days / n
        r = rnd.random()
        last = "hot" if inst["i"] == 0 else ("on_loan" if r < 0.06 else "requested" if r < 0.07 else
                                             "faulty" if r < 0.075 else "closed")
        inst["last"] = last
        for k in range(n):
            s = start + timedelta(days=int(k * width))
            e = (start + timedelta(days=int((k + 1) * width) - 1)) if k < n - 1 else TODAY - timedelta(days=1)
            e = max(s, e)
            out = s + timedelta(days=rnd.randint(0, (e - s).days // 3))
            state = "closed" if k < n - 1 or last in ("hot", "closed") else last
            long = rnd.random() < 0.05
            if state == "on_loan":
                out = max(s, TODAY - timedelta(days=rnd.randint(1, 40)))
            elif state == "requested":
                out = TODAY
            due = out + timedelta(days=rnd.randint(60, 180) if long else rnd.randint(3, 28))
            back = None
            if state not in ("on_loan", "requested"):
                latest = min((e - out).days, (due - out).days + 5)
                back = out + timedelta(days=rnd.randint(0, max(0, latest)))
            todo.append((out, 2, "L", inst["i"], (k, out, due, back, long, state)))
    todo.sort(key=lambda t: (t[0], t[1], t[3]))
    return insts, todo


def seed(path: Path, n_inst: int, n_loans: int, people: dict, revisions: dict) -> None:
    """Write the plan with executemany in batches (PRAGMA synchronous=OFF), then ANALYZE."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-1000000")
    rnd = random.Random(5)
    t0 = time.perf_counter()
    insts, todo = plan(n_inst, n_loans, rnd)
    print(f"  planned {len(todo):,} records in {time.perf_counter() - t0:.0f} s", flush=True)
    spec_of = {code: specs.get(code) for code in (INTAKE, USAGE, CAL)}
    covers = {(code, s.name): tuple(f.name for f in spec.fields_upto(s.name))
              for code, spec in spec_of.items() for s in spec.workflow}
    all_fields = {code: [f.name for f in spec.fields if f.step is None] for code, spec in spec_of.items()}
    choice_zh = {(code, f.name): {v: lbl.get("zh", v) for v, lbl in f.choices}
                 for code, spec in spec_of.items() for f in spec.fields if f.choices}
    depts, clerks, heads = people["depts"], people["clerks"], people["heads"]
    tech, tdd_head = people["tech"], heads["TDD"]
    next_id = (con.execute("SELECT max(id) FROM records").fetchone()[0] or 0) + 1
    seqs: Counter = Counter()
    ids, loan_ids = {}, {}  # instrument index -> intake record id; open loan per instrument

    def number(code: str, pattern: str, year: int) -> tuple[str, int]:
        seqs[(code, year)] += 1
        seq = seqs[(code, year)]
        return pattern.replace("{yyyy}", str(year)).replace("{#####}", f"{seq:05d}").replace("{####}", f"{seq:04d}"), seq

    def sig(rid, code, step, user, number_, values, on, minute=0):
        c = _Content(code, revisions[code], number_, values).content_hash(covers[(code, step)])
        meaning = spec_of[code].step(step).meaning
        return (rid, step, meaning, user[0], user[1], stamp(on, 2, minute), c)

    batch, pos = 20_000, 0
    while pos < len(todo):
        recs, facets, sigs, evs = [], [], [], []
        for when, _order, kind, i, extra in todo[pos:pos + batch]:
            rid = next_id
            next_id += 1
            inst = insts[i]
            if kind == "I":
                ids[i] = rid
                name, model, maker, rng = inst["kind"]
                year = inst["intake_on"].year
                num, seq = number(INTAKE, spec_of[INTAKE].numbering, year)
                custodian = clerks[inst["custodian"]][0] if inst["custodian"] else None
                location = "技术发展部仪表室" if inst["category"] == "public" else f"{inst['dept']}机房{i % 20 + 1}号柜"
                v = {"asset_no": inst["asset_no"], "name": name, "model": model, "serial_no": f"SN{i + 1:08d}",
                     "maker": maker, "range_accuracy": rng, "category": inst["category"],
                     "custodian_department": inst["dept"], "custodian": custodian, "location": location,
                     "intake_on": inst["intake_on"].isoformat(), "calibrated_on": inst["cal0"].isoformat(),
                     "interval_months": inst["interval"], "accessories": "说明书一本、测试线一副"}
                inst["number"], inst["intake_stamp"] = num, stamp(when, 2)
                search = " ".join([num, v["asset_no"], name, model, v["serial_no"]]).lower()
                recs.append((rid, INTAKE, revisions[INTAKE], num, year, seq, "closed", None, depts["TDD"], tech[0],
                             stamp(when), stamp(when, 2), None, json.dumps(v, ensure_ascii=False, sort_keys=True),
                             search, 2))
                facets += [(rid, INTAKE, "category", v["category"]), (rid, INTAKE, "custodian_department", inst["dept"]),
                           (rid, INTAKE, "asset_no", v["asset_no"])]
                sigs.append(sig(rid, INTAKE, "register", tech, num, v, when))
                evs.append((rid, v["intake_on"], "intake", rid, INTAKE, num, custodian, location, stamp(when, 2)))
            elif kind == "C":
                k, on, result = extra
                year = when.year
                num, seq = number(CAL, spec_of[CAL].numbering, year)
                cert = f"JD{on.year}-{rnd.randint(1, 99999):05d}"
                v = {"instrument": ids[i], "batch": None, "agency": "市通信计量站",
                     "sent_on": (on - timedelta(days=rnd.randint(1, 7))).isoformat(), "returned_on": when.isoformat(),
                     "calibrated_on": on.isoformat(), "certificate_no": cert, "result": result,
                     "restriction": "仅限低量程档使用" if result == "restricted" else None, "as_found": None, "as_left": None}
                recs.append((rid, CAL, revisions[CAL], num, year, seq, "closed", None, depts["TDD"], tech[0],
                             stamp(when), stamp(when, 3), None, json.dumps(v, ensure_ascii=False, sort_keys=True),
                             " ".join([num, cert, "市通信计量站"]).lower(), 3))
                facets += [(rid, CAL, "instrument", str(ids[i])), (rid, CAL, "result", result),
                           (rid, CAL, "calibrated_on", v["calibrated_on"])]
                sigs += [sig(rid, CAL, "record", tech, num, v, when), sig(rid, CAL, "review", tdd_head, num, v, when, 30)]
                evs.append((ids[i], v["calibrated_on"], "calibration", rid, CAL, num, None,
                            f"{choice_zh[(CAL, 'result')][result]} · {cert}", stamp(when, 3)))
            else:
                k, out, due, back, long, state = extra
                dept = inst["dept"] if inst["category"] == "dedicated" and rnd.random() < 0.8 else rnd.choice(LOAN_DEPTS)
                borrower = clerks[dept]
                year = out.year
                num, seq = number(USAGE, spec_of[USAGE].numbering, year)
                purpose = PURPOSES[rnd.randrange(len(PURPOSES))]
                v = {f: None for f in all_fields[USAGE]}
                v.update({"instrument": ids[i], "loan_type": "long" if long else "short", "borrower": borrower[0],
                          "borrowing_department": dept, "checked_out_on": out.isoformat(),
                          "return_due_on": due.isoformat(), "purpose": purpose, "manual_ack": True,
                          "condition_out": "完好", "long_reason": "长期驻点维护使用" if long else None})
                steps = ["request"] + (["approve"] if long else []) + ["hand_out"]
                if state == "requested":
                    status, step, steps = "in_progress", "approve" if long else "hand_out", ["request"]
                elif state == "on_loan":
                    status, step = "in_progress", "return"
                    loan_ids[i] = (rid, borrower[0], due)
                else:
                    status, step = "closed", None
                    cond = "faulty" if state == "faulty" else "good"  # only a last loan: a faulty one stops it
                    v.update({"returned_on": back.isoformat(), "condition_in": cond, "return_note": None})
                    steps.append("return")
                    if cond != "good" and k == inst["loans"] - 1:
                        inst["condition"] = "faulty"
                users_of = {"request": borrower, "approve": heads[dept], "hand_out": tech, "return": tech}
                for m, s in enumerate(steps):
                    sigs.append(sig(rid, USAGE, s, users_of[s], num, v,
                                    back if s == "return" else out, m * 5))
                updated = back or out
                recs.append((rid, USAGE, revisions[USAGE], num, year, seq, status, step, borrower[2], borrower[0],
                             stamp(out), stamp(updated, 3), due.isoformat(),
                             json.dumps(v, ensure_ascii=False, sort_keys=True), f"{num} {purpose}".lower(),
                             1 + len(steps)))
                facets += [(rid, USAGE, "instrument", str(ids[i])), (rid, USAGE, "borrower", str(borrower[0])),
                           (rid, USAGE, "loan_type", v["loan_type"]), (rid, USAGE, "borrowing_department", dept),
                           (rid, USAGE, "return_due_on", v["return_due_on"])]
                if state != "requested":
                    evs.append((ids[i], v["checked_out_on"], "loan_out", rid, USAGE, num, borrower[0], purpose,
                                stamp(out, 2, 10)))
                if back is not None:
                    cond_text = choice_zh[(USAGE, "condition_in")][v["condition_in"]]
                    evs.append((ids[i], v["returned_on"], "loan_return", rid, USAGE, num, borrower[0], cond_text,
                                stamp(back, 3)))
        pos += batch
        with con:
            con.executemany("INSERT INTO records (id, form_code, form_revision_id, number, year, seq, revision_no, "
                            "status, current_step, department_id, created_by_id, created_at, updated_at, due_on, "
                            "data, search_text, version) VALUES (?,?,?,?,?,?,0,?,?,?,?,?,?,?,?,?,?)", recs)
            con.executemany("INSERT INTO record_facets (record_id, form_code, field, value) VALUES (?,?,?,?)", facets)
            con.executemany("INSERT INTO signatures (record_id, step, meaning, user_id, printed_name, signed_at, "
                            "content_hash) VALUES (?,?,?,?,?,?,?)", sigs)
            con.executemany("INSERT INTO instrument_events (instrument_id, occurred_on, kind, record_id, form_code, "
                            "number, person_id, summary, at) VALUES (?,?,?,?,?,?,?,?,?)", evs)
        print(f"  seeded {min(pos, len(todo)):,} / {len(todo):,} records ({time.perf_counter() - t0:.0f} s)", flush=True)
    # Each instrument's state as the hooks leave it after its last signed record.
    rows = []
    for inst in insts:
        i = inst["i"]
        last_cal, result = (inst["cals"][-1] if inst["cals"] else (inst["cal0"], "pass"))
        loan = loan_ids.get(i)
        name, model, _maker, _rng = inst["kind"]
        rows.append((ids[i], inst["asset_no"], inst["number"], name, model, inst["category"], depts[inst["dept"]],
                     clerks[inst["custodian"]][0] if inst["custodian"] else None, inst["interval"],
                     last_cal.isoformat(), add_months(last_cal, inst["interval"]).isoformat(), result,
                     "仅限低量程档使用" if result == "restricted" else "", inst.get("condition", "ok"),
                     loan[0] if loan else None, loan[1] if loan else None, loan[2].isoformat() if loan else None,
                     inst["intake_stamp"]))
    with con:
        con.executemany("INSERT INTO instruments (id, asset_no, number, name, model, category, department_id, "
                        "custodian_id, interval_months, calibrated_on, next_due_on, cal_result, restriction, "
                        "condition, loan_id, holder_id, loan_due_on, sendout_id, updated_at) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,NULL,?)", rows)
        for (code, year), seq in seqs.items():
            con.execute("INSERT INTO number_counters (form_code, year, last_value) VALUES (?, ?, ?) "
                        "ON CONFLICT (form_code, year) DO UPDATE SET last_value = max(last_value, excluded.last_value)",
                        (code, year, seq))
    print(f"  instruments written; ANALYZE ({time.perf_counter() - t0:.0f} s)", flush=True)
    con.execute("ANALYZE")
    con.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--instruments", type=int, default=100_000)
    ap.add_argument("--loans", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=100)
    args = ap.parse_args()
    out = ROOT / "bench" / "out" / f"instruments-{args.instruments}-{args.loans}"
    out.mkdir(parents=True, exist_ok=True)
    db_file, done = out / "qms.sqlite3", out / "seeded"
    if db_file.exists() and not done.exists():  # an interrupted seed: start again from nothing
        for f in out.glob("qms.sqlite3*"):
            f.unlink()
    app = bench_app(out, db_file, QMS_FAKE_NOW=NOW)
    with app.app_context():
        initialise()
    people = staff(app)
    t0 = time.perf_counter()
    if not done.exists():
        with app.app_context():
            specs.reset_cache()
            revisions = {code: specs.get(code).revision_id for code in (INTAKE, USAGE, CAL)}
            db.session.remove()  # release SQLite's write lock before the bulk loader writes
            seed(db_file, args.instruments, args.loans, people, revisions)
        done.write_text(f"{args.instruments} instruments, {args.loans} loans\n")
    print(f"seed/check: {time.perf_counter() - t0:.0f} s", flush=True)

    n = args.repeat
    tech, clerk = app.test_client(), app.test_client()
    login(tech, "benchtech")
    login(clerk, people["clerk_user"])
    with app.app_context():
        q = db.session.execute
        hot = q(select(Record.id).where(Record.form_code == INTAKE).order_by(Record.id).limit(1)).scalar()
        hot_no, hot_asset = q(db.text("SELECT number, asset_no FROM instruments WHERE id = :i"), {"i": hot}).one()
        typical = q(db.text("SELECT i.id FROM instruments i JOIN instrument_events e ON e.instrument_id = i.id "
                            "WHERE i.id > :h AND i.loan_id IS NULL AND i.condition = 'ok' GROUP BY i.id "
                            "HAVING count(*) BETWEEN 15 AND 30 ORDER BY i.id DESC LIMIT 1"), {"h": hot}).scalar()
        other_asset = q(db.text("SELECT asset_no FROM instruments ORDER BY id LIMIT 1 OFFSET :o"),
                        {"o": args.instruments // 2}).scalar()
        deep_id = q(select(Record.id).where(Record.form_code == INTAKE).order_by(Record.id.desc())
                    .limit(1).offset(min(50_000, args.instruments // 2))).scalar()
        hot_events = q(db.text("SELECT count(*) FROM instrument_events WHERE instrument_id = :i"), {"i": hot}).scalar()
        older = events.page(hot, None, 1000)[-1]  # the page after 1,000 lines (ten pages back)
        label_ids = q(db.text("SELECT id FROM instruments WHERE condition != 'voided' ORDER BY id LIMIT 30 OFFSET :o"),
                      {"o": args.instruments // 3}).scalars().all()
        clerk_row = q(select(User).where(User.username == people["clerk_user"])).scalar()
        clerk_id, clerk_dept = clerk_row.id, clerk_row.department.code
        counts = {
            "instruments": q(db.text("SELECT count(*) FROM instruments")).scalar(),
            "loans": q(db.text("SELECT count(*) FROM records WHERE form_code = 'INS-USAGE'")).scalar(),
            "calibrations": q(db.text("SELECT count(*) FROM records WHERE form_code = 'INS-CAL'")).scalar(),
            "events": q(db.text("SELECT count(*) FROM instrument_events")).scalar(),
            "facets": q(db.text("SELECT count(*) FROM record_facets")).scalar(),
            "records": q(db.text("SELECT count(*) FROM records")).scalar(),
            "on_loan": q(db.text("SELECT count(*) FROM instruments WHERE loan_id IS NOT NULL")).scalar(),
        }
        db.session.remove()
    deep = register.encode_cursor([deep_id])
    before = f"{older.occurred_on.isoformat()}.{older.id}"

    def get(c, path, code=200):
        def f():
            r = c.get(path)
            assert r.status_code == code, (path, r.status_code)
        return f

    new_loan = f"/r/{USAGE}/new?instrument={hot_no}&checked_out_on={TODAY.isoformat()}"
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', clerk.get(new_loan).get_data(as_text=True)).group(1)
    made = []

    def post_loan():
        r = clerk.post(f"/r/{USAGE}/new", data={
            "csrf_token": token, "_nonce": secrets.token_urlsafe(12), "instrument": hot_no, "loan_type": "short",
            "borrower": str(clerk_id), "borrowing_department": clerk_dept, "checked_out_on": TODAY.isoformat(),
            "return_due_on": (TODAY + timedelta(days=10)).isoformat(), "purpose": "用户线路故障测试",
            "manual_ack": "y", "condition_out": "完好"})
        assert r.status_code == 302, (r.status_code, r.get_data(as_text=True)[:500])
        made.append(r.headers["Location"])

    T_PAGE, T_FILE, T_SHEET = 15, 30, 1000
    cases = [
        ("intake register page 1 (technician)", get(tech, f"/r/{INTAKE}/"), T_PAGE),
        ("intake register page 1 (clerk, CSD)", get(clerk, f"/r/{INTAKE}/"), T_PAGE),
        ("intake register: category=public + custodian=TDD", get(tech, f"/r/{INTAKE}/?category=public&custodian_department=TDD"), T_PAGE),
        ("intake register: category=dedicated + custodian=SWT", get(tech, f"/r/{INTAKE}/?category=dedicated&custodian_department=SWT"), T_PAGE),
        (f"intake register, deep (after {min(50_000, args.instruments // 2):,} rows)", get(tech, f"/r/{INTAKE}/?after={deep}"), T_PAGE),
        ("intake register: asset no. filter (asset_no=)", get(tech, f"/r/{INTAKE}/?asset_no={other_asset}"), T_PAGE),
        ("intake register: asset no. search (q=, LIKE scan)", get(tech, f"/r/{INTAKE}/?q={other_asset}"), T_PAGE),
        ("loan register page 1 (technician: TDD's loans)", get(tech, f"/r/{USAGE}/"), T_PAGE),
        ("loan register page 1 (clerk, CSD)", get(clerk, f"/r/{USAGE}/"), T_PAGE),
        ("loan register: instrument= (technician)", get(tech, f"/r/{USAGE}/?instrument={hot}"), T_PAGE),
        ("loan register: instrument= (clerk, CSD)", get(clerk, f"/r/{USAGE}/?instrument={hot}"), T_PAGE),
        ("loan register: status=in_progress (technician)", get(tech, f"/r/{USAGE}/?status=in_progress"), T_PAGE),
        (f"instrument page, {hot_events:,} file lines (technician)", get(tech, f"/r/{INTAKE}/{hot}"), T_PAGE),
        (f"instrument page, {hot_events:,} file lines (clerk, CSD)", get(clerk, f"/r/{INTAKE}/{hot}"), T_PAGE),
        ("instrument page, typical (~20 lines) (clerk)", get(clerk, f"/r/{INTAKE}/{typical}"), T_PAGE),
        ("new-loan form, instrument by number (clerk)", get(clerk, new_loan), T_PAGE),
        ("new-loan form (technician)", get(tech, new_loan), T_PAGE),
        ("POST new loan: gate + draft saved (clerk)", post_loan, T_PAGE),
        (f"usage file, newest 100 of {hot_events:,} lines", get(tech, f"/instruments/{hot}/file"), T_FILE),
        ("usage file, older page (after 1,000 lines)", get(tech, f"/instruments/{hot}/file?before={before}"), T_FILE),
        ("usage file, newest 100 (clerk, CSD)", get(clerk, f"/instruments/{hot}/file"), T_FILE),
        ("dashboard /instruments (technician)", get(tech, "/instruments"), T_PAGE),
        ("dashboard ?show=overdue", get(tech, "/instruments?show=overdue"), T_PAGE),
        ("dashboard ?show=on_loan", get(tech, "/instruments?show=on_loan"), T_PAGE),
        ("label sheet, 30 labels (PDF)", get(tech, "/instruments/labels.pdf?ids=" + ",".join(map(str, label_ids))), T_SHEET),
    ]
    for _label, fn, _t in cases:
        fn()  # warm
    results = []
    for label, fn, target in cases:
        samples = timed(fn, max(10, n // 10) if "PDF" in label else n)
        results.append((label, pct(samples, 50), pct(samples, 95), target))
    print(f"\n{counts['instruments']:,} instruments ({counts['on_loan']:,} on loan), {counts['loans']:,} loans, "
          f"{counts['calibrations']:,} calibrations ({counts['records']:,} records, {counts['facets']:,} facets), "
          f"{counts['events']:,} usage-file lines; SQLite, in-process, {n} runs each (labels {max(10, n // 10)}); "
          f"{len(made)} draft loans created\n")
    print("| measure | p50 ms | p95 ms | target p95 ms | met |")
    print("|---|---:|---:|---:|---|")
    for label, p50, p95, target in results:
        print(f"| {label} | {p50:.1f} | {p95:.1f} | {target:,} | {'yes' if p95 <= target else '**no**'} |")


if __name__ == "__main__":
    main()
