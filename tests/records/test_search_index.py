"""The register's search on its index finds exactly what ``search_text LIKE '%…%'`` found: a few
hundred generated terms (Chinese, digits, mixed case, punctuation with % _ \\ and quotes, phone
numbers typed with spaces and dashes; one, two, three and more characters) over a few hundred
records, under each plan the index can choose, and after records change.
covers: REC-02 (issue #12 item 6)"""
import random

import pytest
from sqlalchemy import select, text

from qms.extensions import db
from qms.records import indexing, register, search
from qms.records import spec as specs
from qms.records.models import Record
from qms.records.views import query_messages
from tests import factories as F

SURNAMES = "陈王李张刘杨黄赵吴周徐孙马朱胡郭何高林罗蔺欧阳司马"
GIVEN = "建国伟芳秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华玉志文辉海燕红梅"
WORDS = ["话费异常偏高", "宽带无法上网", "100%退费", "a_b 套餐", "c:\\path\\x", "50% OFF", "客户's 投诉",
         'say "hi"', "VIP客户", "ADSL 断线", "号码_被停机", "（全角括号）", "发票开具错误", "国际漫游", "☎ 热线",
         "O'Brien", "%_\\", "__init__", "100\\%", "Ｆｕｌｌ ｗｉｄｔｈ", "İstanbul", "ß straße"]


def _phone(rnd):
    kind = rnd.random()
    if kind < 0.4:
        return "1%d%09d" % (rnd.randint(3, 9), rnd.randrange(10**9))
    if kind < 0.7:
        return "0756-%07d" % rnd.randrange(10**7)
    if kind < 0.85:
        return "+86 756 %07d" % rnd.randrange(10**7)
    return "（０７５６）%s" % "".join(chr(0xFF10 + int(c)) for c in "%07d" % rnd.randrange(10**7))


def _values(rnd):
    name = rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.randint(0, 2)))
    if rnd.random() < 0.1:
        name = rnd.choice(["Zhang Wei", "LI Na", "McDonald 王", "o'neil"])
    content = "，".join(rnd.choice(WORDS) for _ in range(rnd.randint(1, 3)))
    return {"customer_name": name, "phone_number": _phone(rnd), "content": content}


def _make(spec, clerk, rnd, n):
    """``n`` records of TEST-REC as the service would index them (search text from indexing)."""
    made = []
    for i in range(n):
        values = _values(rnd)
        number = f"TR-2026-{i + 1:04d}" if rnd.random() < 0.7 else None
        r = Record(form_code=spec.code, form_revision_id=spec.revision_id, number=number, status="draft",
                   department_id=clerk.department_id, created_by_id=clerk.id, data="{}")
        r.values = values
        r.search_text = indexing.search_text(spec, number, values)
        db.session.add(r)
        made.append(r)
    db.session.commit()
    return made


def _queries(texts, rnd, stored_phones):
    """Terms people type: parts of stored texts (1 to 10 characters, mixed case), single characters,
    punctuation, numbers typed with spaces and dashes, and terms found nowhere."""
    out = []
    for _ in range(260):
        t = rnd.choice(texts)
        size = rnd.choice([1, 1, 2, 2, 2, 3, 3, 4, 5, 7, 10])
        start = rnd.randrange(max(1, len(t) - size + 1))
        part = t[start:start + size]
        out.append(part.upper() if rnd.random() < 0.15 else part)
    out += list(SURNAMES) + ["建国", "秀英", "蔺", "欧阳", "zz", "qx", "z", "☎", "（", "）", "，"]
    out += ["%", "_", "\\", "'", '"', "%%", "_a", "a%", "\\\\", "100%", "a_b", "\\p", "%_\\", "__", "'s",
            '"hi"', "o'", "50% off", "Vip", "ADSL", "adsl 断", "  陈  ", "0", "07", "075", "0756", "1", "13"]
    for p in rnd.sample(stored_phones, 25):
        digits = "".join(c for c in p if c.isdigit())
        out += [" ".join([digits[:4], digits[4:7], digits[7:]]), "-".join([digits[:4], digits[4:]]),
                "+86 " + digits[-7:], digits[-5:]]
    out += ["zzzz-none", "不存在的词", "13800138000", "+86 138 0013 8000", "0756 221 2345"]
    return out


def _ids(spec, cond):
    return set(db.session.execute(select(Record.id).where(Record.form_code == spec.code, cond)).scalars())


# The plans the index can choose (module docstring of records.search); each must agree with LIKE.
PLANS = {
    "chosen": {},
    "always candidates": {"DENSE_HITS": 10**9, "CAP": 10**9},
    "scan when listed": {"DENSE_HITS": 10**9, "CAP": 1},
    "few trigrams named": {"DENSE_HITS": 10**9, "CAP": 10**9, "TERMS_MAX": 2},
}


@pytest.fixture
def corpus(app):
    rnd = random.Random(12)
    clerk = F.user("clerk")
    spec = specs.get("TEST-REC")
    records = _make(spec, clerk, rnd, 320)
    texts = [r.search_text for r in records]
    phones = [r.values["phone_number"] for r in records]
    return spec, clerk, records, _queries(texts, rnd, phones), rnd


def _agree(spec, queries, plan, monkeypatch):
    search._plans.clear()
    for name, value in PLANS[plan].items():
        monkeypatch.setattr(search, name, value)
    checked = found = 0
    for typed in queries:
        q = typed.strip().lower()
        if not q or len(q) > 100:
            continue
        oracle = _ids(spec, register._search(spec, q, indexed=False))
        assert _ids(spec, register._search(spec, q)) == oracle, (plan, typed)
        assert _ids(spec, search.contains(None, q)) == _ids(spec, search.like(q)), (plan, typed)
        checked += 1
        found += bool(oracle)
    monkeypatch.undo()
    return checked, found


@pytest.mark.parametrize("plan", list(PLANS))
def test_indexed_search_finds_what_like_found(corpus, plan, monkeypatch):
    spec, _clerk, _records, queries, _rnd = corpus
    checked, found = _agree(spec, queries, plan, monkeypatch)
    assert checked >= 350 and 250 <= found < checked  # most terms are found, some are not


def test_the_index_follows_changes(corpus, monkeypatch):
    """Records whose search text changes (a draft edited, a number given) are found by the new text
    and no longer by the old one."""
    spec, _clerk, records, queries, rnd = corpus
    for r in rnd.sample(records, 60):
        values = _values(rnd)
        r.values = values
        r.search_text = indexing.search_text(spec, r.number or "TR-2026-9999", values)
    records[0].search_text = ""
    db.session.commit()
    for plan in ("chosen", "always candidates"):
        _agree(spec, queries, plan, monkeypatch)


def test_the_register_page_finds_by_a_short_chinese_name(corpus, client):
    spec, clerk, _records, _queries, _rnd = corpus
    rare = F.record(clerk, "TEST-REC", customer_name="蔺相如", phone_number="0756-7654321")
    F.login(client, clerk)
    for q in ("蔺", "相如", "蔺相如", "0756 765 4321"):
        html = client.get("/r/TEST-REC/", query_string={"q": q}).get_data(as_text=True)
        assert f"/r/TEST-REC/{rare.id}" in html, q
    with client.application.test_request_context("/"):
        page = register.page(spec, clerk, {"q": "蔺相"}, query_messages(), 50)
    assert [r.id for r in page.rows] == [rare.id]


def test_the_database_has_its_index(app, backend):
    """SQLite: the trigram table is filled by triggers; PostgreSQL: a pg_trgm GIN index the planner
    can use for the LIKE."""
    clerk = F.user("clerk")
    r = F.record(clerk, "TEST-REC", customer_name="欧阳修")
    if backend == "sqlite":
        n = db.session.execute(text("SELECT count(*) FROM records_fts WHERE records_fts MATCH '\"欧阳修\"'")).scalar()
        assert n == 1
        assert r.id in set(db.session.execute(search.candidates('"阳修 "')).scalars())
    else:
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(db.session.execute(text(
            "EXPLAIN SELECT id FROM records WHERE search_text LIKE '%欧阳修%'")).scalars())
        assert "ix_records_search_trgm" in plan
        db.session.rollback()
