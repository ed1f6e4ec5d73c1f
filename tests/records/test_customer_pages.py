"""The customer pages and their API twins (issue #12 item 5): find a customer by a phone number typed
any way or by name, list every record about them across forms, newest first, only those the reader
may read; a search that normalises to nothing is refused on its field (422); the record page links
to its customer; the migration backfills the records that existed.
covers: IT-07, CS-12"""
import json
from pathlib import Path

from sqlalchemy import select

from qms.extensions import db
from qms.records.customers import CustomerEntry
from tests import factories as F
from tests.support.api import token_for
from tests.support.records import sign

KEY = {"customer_name": "陈建国", "phone_number": "0756-2212345", "target_department": "TDD",
       "notified_at": "2026-11-20T10:00", "request_type": "install", "request": "专线开通"}


def _people():
    """A customer-service clerk, a clerk of another department, the quality manager."""
    return F.user("clerk", "CSD"), F.user("clerk", "TSD"), F.user("quality_manager", "EMD")


def _records(csd, tsd):
    """The same customer in three forms of CSD (one still a draft), and once in TSD."""
    inq = sign(F.record(csd, "CS-INQ", customer_name="陈建国", phone_number="0756 221 2345"), csd)
    sign(F.record(csd, "CS-KEYCUST", customer_name="陈建国", phone_number="0756-2212345", since="2026-01-05"), csd)
    key = sign(F.record(csd, "CS-KEY", **KEY), csd)  # a key customer (CS-KEYCUST: not on the customer page)
    draft = F.record(csd, "TEST-REC", customer_name="陈建国", phone_number="07562212345")
    other = sign(F.record(tsd, "TEST-REC", customer_name="陈建国", phone_number="+86 756 2212345"), tsd)
    return inq, key, draft, other


def test_a_number_typed_any_way_finds_the_customer_and_every_record_in_scope(app, client):
    csd, tsd, quality = _people()
    inq, key, draft, other = _records(csd, tsd)
    F.login(client, csd)
    for typed in ("0756 221 2345", "+86 756 2212345", "０７５６－２２１２３４５", "(0756)2212345", "2212345"):
        page = client.get("/customers/", query_string={"q": typed})
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and 'href="/customers/07562212345"' in html, typed
    page = client.get("/customers/07562212345").get_data(as_text=True)
    # Newest first, across forms; the draft is nobody's record yet; TSD's record is not CSD's to read.
    assert page.index(key.display_number) < page.index(inq.display_number)
    assert "重点客户服务记录" in page and "客户投诉查询表" in page
    assert f"/r/TEST-REC/{other.id}" not in page and f"/r/TEST-REC/{draft.id}" not in page
    assert 'id="customer-count">2<' in page


def test_a_clerk_of_another_department_sees_only_what_they_may_read(app, client):
    csd, tsd, quality = _people()
    inq, key, _draft, other = _records(csd, tsd)
    F.login(client, tsd)
    page = client.get("/customers/07562212345").get_data(as_text=True)
    assert f"/r/TEST-REC/{other.id}" in page
    assert inq.display_number not in page and key.display_number not in page
    found = client.get("/customers/", query_string={"q": "陈建"}).get_data(as_text=True)
    assert ">1<" in found  # one record in their scope
    client.post("/logout", data={"csrf_token": F.csrf(client)})
    F.login(client, quality)  # company-wide: every department's
    page = client.get("/customers/07562212345").get_data(as_text=True)
    assert all(n in page for n in (inq.display_number, key.display_number, other.display_number))


def test_a_new_complaint_shows_the_customers_earlier_records_as_the_number_is_typed_CS_12(app, client):
    csd, tsd, _q = _people()
    inq, key, draft, other = _records(csd, tsd)
    F.login(client, csd)
    form = client.get("/r/CS-INQ/new").get_data(as_text=True)
    assert 'id="customer-history" data-phone-field="f_phone_number"' in form and "customer-history.js" in form
    box = client.get("/customers/recent", query_string={"phone": "(0756) 221-2345"}).get_data(as_text=True)
    assert inq.display_number in box and key.display_number in box and ("2 in all" in box or "共 2 条" in box)
    assert f"/r/TEST-REC/{other.id}" not in box and f"/r/TEST-REC/{draft.id}" not in box
    assert box.index(key.display_number) < box.index(inq.display_number)  # newest first
    unknown = client.get("/customers/recent", query_string={"phone": "0756-9999999"})
    assert unknown.status_code == 200 and "customer-history" in unknown.get_data(as_text=True)
    assert inq.display_number not in unknown.get_data(as_text=True)
    for junk in ("", "12", "\x00", "x" * 500):  # too short to look up, or not a number: nothing, never an error
        r = client.get("/customers/recent", query_string={"phone": junk})
        assert r.status_code == 200 and "<li>" not in r.get_data(as_text=True)


def test_a_name_finds_by_its_beginning(app, client):
    csd, tsd, _q = _people()
    sign(F.record(csd, "CS-INQ", customer_name="陈建国", phone_number="0756-2212345"), csd)
    sign(F.record(csd, "CS-INQ", customer_name="陈丽梅", phone_number="13800138000"), csd)
    sign(F.record(csd, "CS-INQ", customer_name="李四", phone_number="0756-3318888"), csd)
    F.login(client, csd)
    html = client.get("/customers/", query_string={"q": "陈"}).get_data(as_text=True)
    assert "/customers/07562212345" in html and "/customers/13800138000" in html and "3318888" not in html
    html = client.get("/customers/", query_string={"q": " 陈 建国 "}).get_data(as_text=True)
    assert "/customers/n:%E9%99%88%E5%BB%BA%E5%9B%BD" in html and "13800138000" not in html
    by_name = client.get("/customers/n:陈建国").get_data(as_text=True)
    assert "CS-INQ" in by_name or "客户投诉查询表" in by_name


def test_a_chinese_name_is_found_by_its_pinyin_or_initials(app, client):
    """Clerks type names in pinyin: chenjianguo, "Chen Jian", cjg; a surname is read as a surname
    (曾丽梅 is zeng, not ceng). A Latin name is found by its own letters, not a pinyin of them."""
    csd, _tsd, _q = _people()
    sign(F.record(csd, "CS-INQ", customer_name="陈建国", phone_number="0756-2212345"), csd)
    sign(F.record(csd, "CS-INQ", customer_name="曾丽梅", phone_number="13800138000"), csd)
    sign(F.record(csd, "CS-INQ", customer_name="Tom Lee", phone_number="0756-3318888"), csd)
    F.login(client, csd)

    def found(q):
        html = client.get("/customers/", query_string={"q": q}).get_data(as_text=True)
        return {n for n in ("07562212345", "13800138000", "07563318888") if f"/customers/{n}" in html}
    assert found("chenjianguo") == found("Chen Jian") == found("CJG") == found("cj") == {"07562212345"}
    assert found("zenglimei") == found("zlm") == {"13800138000"}
    assert found("cenglimei") == set()
    assert found("tom") == {"07563318888"} and found("tl") == set()
    api = client.get("/api/v1/customers", query_string={"q": "cjg"}, headers=token_for(csd))
    assert api.status_code == 200 and "07562212345" in api.get_data(as_text=True)


def test_a_search_that_normalises_to_nothing_says_so_on_its_field(app, client):
    F.login(client, F.user("clerk"))
    for q in ("---", "+86", "！！"):
        page = client.get("/customers/", query_string={"q": q})
        assert page.status_code == 422 and 'id="q-error"' in page.get_data(as_text=True)
    assert client.get("/customers/---").status_code == 404
    assert client.get("/customers/07562212345", query_string={"after": "garbage"}).status_code == 422


def test_the_record_page_links_to_its_customer(app, client):
    csd = F.user("clerk")
    rec = sign(F.record(csd, "CS-INQ", phone_number="+86 756 221 2345"), csd)
    draft = F.record(csd, "CS-INQ")
    F.login(client, csd)
    html = client.get(f"/r/CS-INQ/{rec.id}").get_data(as_text=True)
    assert 'id="customer-link"' in html and 'href="/customers/07562212345"' in html
    assert 'id="customer-link"' not in client.get(f"/r/CS-INQ/{draft.id}").get_data(as_text=True)


def test_the_api_finds_customers_and_pages_their_records(app, client):
    csd, tsd, _q = _people()
    made = [sign(F.record(csd, "CS-INQ", phone_number="0756-2212345"), csd) for _ in range(3)]
    sign(F.record(tsd, "TEST-REC", phone_number="0756-2212345"), tsd)
    auth = token_for(csd)
    found = client.get("/api/v1/customers", query_string={"q": "+86 756 221 2345"}, headers=auth).get_json()
    assert found["customers"][0]["key"] == "07562212345" and found["customers"][0]["records"] == 3
    first = client.get("/api/v1/customers/07562212345", query_string={"limit": 2}, headers=auth).get_json()
    assert [r["id"] for r in first["records"]] == [made[2].id, made[1].id] and first["next"]
    rest = client.get("/api/v1/customers/07562212345", query_string={"limit": 2, "after": first["next"]},
                      headers=auth).get_json()
    assert [r["id"] for r in rest["records"]] == [made[0].id] and rest["next"] is None
    assert rest["records"][0]["url"] == f"/r/CS-INQ/{made[0].id}" and rest["records"][0]["form_title"]["zh"] == "客户投诉查询表"


def test_the_api_refuses_a_search_that_normalises_to_nothing(app, client):
    auth = token_for(F.user("clerk"))
    for q in ("---", "+86", "", "12"):
        resp = client.get("/api/v1/customers", query_string={"q": q}, headers=auth)
        body = resp.get_json()
        assert resp.status_code == 422 and body["fields"]["q"], q
    assert client.get("/api/v1/customers/---", headers=auth).status_code == 404
    assert client.get("/api/v1/customers/n:陈%00", headers=auth).status_code == 404
    assert client.get("/api/v1/customers/07562212345", query_string={"after": "x"}, headers=auth).status_code == 422
    assert client.get("/api/v1/customers/07562212345", query_string={"limit": "0"}, headers=auth).status_code == 422
    assert client.get("/api/v1/customers", query_string={"q": "陈"}).status_code == 401


def test_the_migration_backfills_the_records_that_existed(tmp_path):
    """Records signed before the customer index existed are in it after the upgrade (SQLite; the same
    migration runs on PostgreSQL in every test database)."""
    import pytest
    from flask_migrate import upgrade
    from sqlalchemy import text

    from qms import create_app
    from tests.conftest import PG_URL
    if PG_URL:
        pytest.skip("the backfill is plain SQL; SQLite is enough to check it step by step")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}",
                      "INSTANCE_PATH": str(tmp_path / "i"), "SECRET_KEY": "x"})
    directory = str(Path(__file__).resolve().parents[2] / "qms" / "migrations")
    spec = {"code": "CS-INQ", "customer": {"phone": "phone_number", "name": "customer_name"}}
    with app.app_context():
        upgrade(directory=directory, revision="c41a7e2b9d10")
        for s in [
            "INSERT INTO departments (id, code, name_zh, name_en, active) VALUES (1, 'CSD', '客户服务部', 'CS', 1)",
            "INSERT INTO users (id, username, full_name, department_id, role, active, password_hash, locale) "
            "VALUES (1, 'u', 'U', 1, 'clerk', 1, 'x', 'zh_CN')",
        ]:
            db.session.execute(text(s))
        db.session.execute(text("INSERT INTO form_revisions (id, code, revision, seq, content_hash, spec_json) "
                                "VALUES (1, 'CS-INQ', 'A', 1, 'h', :j)"), {"j": json.dumps(spec)})
        rows = [(1, "TS-2026-0001", "closed", "0756 221 2345", "陈建国"), (2, None, "draft", "0756-2212345", "陈建国"),
                (3, "TS-2026-0002", "voided", "0756-2212345", "陈建国"), (4, "TS-2026-0003", "in_progress", "---", "李四")]
        for rid, number, status, phone, name in rows:
            db.session.execute(text(
                "INSERT INTO records (id, form_code, form_revision_id, revision_no, status, department_id, created_by_id, "
                "number, data, search_text, version, created_at) VALUES (:id, 'CS-INQ', 1, 0, :st, 1, 1, :n, :d, '', 1, "
                "'2026-11-20 01:00:00.000000')"),
                {"id": rid, "st": status, "n": number,
                 "d": json.dumps({"phone_number": phone, "customer_name": name}, ensure_ascii=False)})
        db.session.commit()
        db.session.remove()
        upgrade(directory=directory)
        got = db.session.execute(select(CustomerEntry.record_id, CustomerEntry.phone_key, CustomerEntry.name_key)
                                 .order_by(CustomerEntry.record_id)).all()
        assert got == [(1, "07562212345", "陈建国"), (4, None, "李四")]
        at = db.session.execute(select(CustomerEntry.at).where(CustomerEntry.record_id == 1)).scalar()
        assert at.isoformat() == "2026-11-20T01:00:00+00:00"
        aliases = db.session.execute(text("SELECT name FROM department_aliases WHERE department_id = 1")).scalars().all()
        assert aliases == ["客户服务中心"]
        db.session.remove()
        db.engine.dispose()


def test_lookups_are_index_ranges_never_scans(app, backend):
    """The customer page and every search condition read an index of customer_entries (SQLite's plan;
    PostgreSQL plans a sequential scan for a table this small, so it is not asked)."""
    import pytest
    from sqlalchemy import select as sel

    from qms.records import customers_search as cs
    if backend != "sqlite":
        pytest.skip("query plans of a tiny table say nothing on PostgreSQL")
    clerk = F.user("clerk")
    sign(F.record(clerk, "CS-INQ"), clerk)
    db.session.execute(db.text("ANALYZE"))

    def plan(stmt):
        sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
        return " ".join(r[-1] for r in db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
    e = cs.CustomerEntry
    for kind, value in (("phone", "07562212345"), ("name", "陈"), ("name", "chen jian")):
        for order, cond in cs._conditions(kind, value, accounts=True):
            # The columns the search reads (customers_search.search), so no narrower covering index fits.
            text = plan(cs._scoped(sel(e.phone_key, e.name_key, e.account_key), clerk).where(cond).order_by(order).limit(500))
            assert "SCAN customer_entries" not in text and "USING INDEX ix_customer_entries" in text, text
    page = cs._scoped(sel(e.record_id), clerk).where(e.phone_key == "07562212345").order_by(e.at.desc()).limit(51)
    assert "USING INDEX ix_customer_entries_phone" in plan(page)
