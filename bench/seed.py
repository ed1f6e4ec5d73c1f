"""Bulk seeding for the benchmark: N records spread over the declared forms, with their
facets, signatures and hash-chained audit rows, written straight through SQLite for speed
(the same shapes the services write; the chain uses qms.core.audit.chain_hash)."""
from __future__ import annotations

import json
import random
import sqlite3
from datetime import UTC, datetime, timedelta

from qms.core.audit import GENESIS, chain_hash
from qms.records import spec as specs
from qms.records.models import Record


def bench_app(folder, db_file=None, **extra):
    """The app on a benchmark SQLite file (cheap password hashing for the seeded users)."""
    from qms import create_app
    db_file = db_file or folder / "qms.sqlite3"
    return create_app({"INSTANCE_PATH": str(folder), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
                       "QMS_PASSWORD_METHOD": "scrypt:1024:8:1", "SECRET_KEY": "bench", **extra})


WEIGHTS = {"CS-INQ": 4, "CS-KEY": 2, "IT-QA": 2, "CP-PBX": 2}
BATCH = 20_000


def sample_values(spec, rnd: random.Random, i: int) -> dict:
    """Plausible values for every field of ``spec``."""
    out = {}
    for f in spec.fields:
        if f.type in ("table", "record", "user") or f.compute is not None or f.derived:
            continue  # rows, links, people and worked-out values are left empty
        if f.choices:
            v = rnd.choice(f.choices)[0]
            out[f.name] = [v] if f.type == "multichoice" else v
        elif f.type == "date":
            out[f.name] = (datetime(2025, 1, 1) + timedelta(days=rnd.randrange(700))).date().isoformat()
        elif f.type == "datetime":
            out[f.name] = (datetime(2025, 1, 1) + timedelta(minutes=rnd.randrange(1_000_000))).strftime("%Y-%m-%dT%H:%M")
        elif f.type == "integer":
            out[f.name] = rnd.randint(int(f.min or 0), int(min(f.max or 1000, 1000)))
        elif f.type == "boolean":
            out[f.name] = rnd.random() < 0.5
        elif f.type == "phone":
            out[f.name] = f"0756-{2200000 + i % 800000}"
        elif f.type == "text":
            out[f.name] = f"第{i}号记录的说明：客户反映问题，已按流程处理并答复。"
        else:
            out[f.name] = f"{f.label['zh']}{i % 5000}"
    return out


def seed(db_path: str, n: int, users: list[tuple[int, str, int]], seed_value: int = 7) -> None:
    """Append records until the database holds ``n``. ``users``: (id, full name, department id)."""
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    have = con.execute("SELECT count(*) FROM records").fetchone()[0]
    if have >= n:
        con.close()
        return
    rnd = random.Random(seed_value + have)
    forms = [specs.get(code) for code in WEIGHTS]
    pool = [s for s in forms for _ in range(WEIGHTS[s.code])]
    seqs = dict(con.execute("SELECT form_code, max(seq) FROM records GROUP BY form_code").fetchall())
    next_id = (con.execute("SELECT max(id) FROM records").fetchone()[0] or 0) + 1
    next_sig = (con.execute("SELECT max(id) FROM signatures").fetchone()[0] or 0) + 1
    prev = con.execute("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1").fetchone()
    prev = prev[0] if prev else GENESIS
    start = datetime(2025, 1, 1, tzinfo=UTC)
    todo = n - have
    while todo > 0:
        recs, facets, sigs, audits = [], [], [], []
        for _ in range(min(BATCH, todo)):
            spec = rnd.choice(pool)
            rid = next_id
            next_id += 1
            values = sample_values(spec, rnd, rid)
            uid, uname, dept = rnd.choice(users)
            created = start + timedelta(seconds=rid * 30)
            r = rnd.random()
            status = "draft" if r < 0.15 else "in_progress" if r < 0.3 else "voided" if r < 0.33 else "closed"
            number = year = seq = None
            if status != "draft":
                seq = seqs.get(spec.code, 0) or 0
                seq += 1
                seqs[spec.code] = seq
                year = 2026
                number = spec.numbering.replace("{yyyy}", "2026").replace("{####}", f"{seq:04d}")
            data = json.dumps(values, ensure_ascii=False, sort_keys=True)
            search = " ".join([number or ""] + [str(values.get(k) or "") for k in spec.register_search]).lower()
            due = values.get(spec.due_field) if spec.due_field else None
            step = None if status in ("closed", "voided") else (spec.workflow[0].name if status == "draft" else
                                                                 (spec.workflow[1].name if len(spec.workflow) > 1 else None))
            stamp = created.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite storage format
            recs.append((rid, spec.code, spec.revision_id, number, year, seq, 0, status, step, dept, uid,
                         stamp, stamp, due, data, search, 1))
            for name in spec.register_filters:
                if name in spec.field_map and values.get(name) not in (None, ""):
                    facets.append((rid, spec.code, name, str(values[name])))
            at = created.replace(tzinfo=None)
            changes = json.dumps({k: [None, v] for k, v in values.items() if v not in (None, [], False)},
                                 ensure_ascii=False, sort_keys=True)
            h = chain_hash(prev, at, uid, uname, "create", "record", str(rid), f"{spec.code} #{rid}", changes, "", "")
            audits.append((stamp, uid, uname, "create", "record", str(rid), f"{spec.code} #{rid}", changes, "", "", prev, h))
            prev = h
            if status != "draft":
                content = Record(form_code=spec.code, form_revision_id=spec.revision_id, number=number,
                                 revision_no=0, data=data).content_hash()
                sigs.append((next_sig, rid, spec.workflow[0].name, spec.workflow[0].meaning, uid, uname, stamp, content))
                next_sig += 1
                ch = json.dumps({"meaning": [None, spec.workflow[0].meaning], "status": [None, status],
                                 "step": [None, spec.workflow[0].name]}, sort_keys=True)
                h = chain_hash(prev, at, uid, uname, "sign", "record", str(rid), f"{spec.code} {number}", ch, "", "")
                audits.append((stamp, uid, uname, "sign", "record", str(rid), f"{spec.code} {number}", ch, "", "", prev, h))
                prev = h
        with con:
            con.executemany("INSERT INTO records (id, form_code, form_revision_id, number, year, seq, revision_no, "
                            "status, current_step, department_id, created_by_id, created_at, updated_at, due_on, data, "
                            "search_text, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", recs)
            con.executemany("INSERT INTO record_facets (record_id, form_code, field, value) VALUES (?,?,?,?)", facets)
            con.executemany("INSERT INTO signatures (id, record_id, step, meaning, user_id, printed_name, signed_at, "
                            "content_hash) VALUES (?,?,?,?,?,?,?,?)", sigs)
            con.executemany("INSERT INTO audit_events (at, actor_id, actor_name, action, object_type, object_id, "
                            "summary, changes, reason, ip, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", audits)
        todo -= len(recs)
        print(f"  seeded {n - todo:,} / {n:,}", flush=True)
    for code, seq in seqs.items():
        con.execute("INSERT INTO number_counters (form_code, year, last_value) VALUES (?, 2026, ?) "
                    "ON CONFLICT (form_code, year) DO UPDATE SET last_value = excluded.last_value", (code, seq))
    con.commit()
    con.execute("ANALYZE")
    con.close()
