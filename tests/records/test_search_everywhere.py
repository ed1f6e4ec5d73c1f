"""One search box over every register a person may read: record number, phone number typed any way,
customer, asset number, free text; grouped by form with a link to each record and to the form's
register with the same search; never a record the person may not read; the same in the API; bad
input answered on the field (422).
covers: REC-02 (issue #12 item 6)"""
import shutil

import pytest
from werkzeug.datastructures import MultiDict

from qms.extensions import db
from qms.records import search, search_all, service
from qms.records import spec as specs
from tests import factories as F
from tests.support.api import token_for
from tests.support.forms import MOCK_FORMS_DIR

SECRET = """code: TEST-SECRET
revision: A
title: {zh: 保密测试表, en: Secret test form}
procedure: QP-IT
numbering: "SC-{yyyy}-{####}"
fields:
  - {name: material, type: string, required: true, label: {zh: 物料, en: Material}}
register:
  columns: [number, material, status]
  search: [material]
permissions:
  view: [quality_manager]
  create: [quality_manager]
workflow:
  - {name: submit, label: {zh: 提交, en: Submit}, roles: [quality_manager], meaning: self_check}
"""


@pytest.fixture
def people(app, tmp_path):
    folder = tmp_path / "forms"
    shutil.copytree(MOCK_FORMS_DIR, folder)
    (folder / "TEST-SECRET.yaml").write_text(SECRET, encoding="utf-8")
    specs.sync(folder)
    db.session.commit()
    specs.reset_cache()
    search._plans.clear()
    return {"csd": F.user("clerk", "CSD"), "tdd": F.user("clerk", "TDD"), "qm": F.user("quality_manager", "EMD")}


def _codes(found):
    return {g.spec.code: [h.record.id for h in g.hits] for g in found.groups}


def _everywhere(app, user, q, per_form=5):
    with app.test_request_context("/"):
        from qms.records.search_views import search_messages
        return search_all.everywhere(user, q, search_messages(), per_form)


def test_finds_by_number_phone_customer_and_words_grouped_by_form(app, people):
    csd = people["csd"]
    chen = F.record(csd, "TEST-REC", customer_name="陈建国", phone_number="0756-2212345", content="宽带无法上网")
    service.sign(chen, csd, F.PASSWORD)
    db.session.commit()
    other = F.record(csd, "TEST-REC", customer_name="李四", phone_number="0756-3318888")
    tagged = F.record(csd, "TEST-ROUTE", request="陈建国的光猫", target_department="TDD")
    assert chen.number
    for q in (chen.number, chen.number.lower(), "0756 221 2345", "+86 756 2212345", "陈建国", "陈", "建国", "无法上网"):
        found = _everywhere(app, csd, q)
        assert chen.id in _codes(found).get("TEST-REC", []), q
        assert other.id not in _codes(found).get("TEST-REC", []), q
    both = _codes(_everywhere(app, csd, "陈建国"))
    assert both == {"TEST-REC": [chen.id], "TEST-ROUTE": [tagged.id]}
    assert _everywhere(app, csd, "不存在的词").groups == []


def test_a_few_per_form_newest_first_and_more_in_the_register(app, people, client):
    csd = people["csd"]
    made = [F.record(csd, "TEST-REC", customer_name=f"王芳{i}").id for i in range(7)]
    found = _everywhere(app, csd, "王芳", per_form=5)
    (group,) = found.groups
    assert [h.record.id for h in group.hits] == sorted(made, reverse=True)[:5] and group.more
    assert "王芳6" in group.hits[0].summary  # the register's columns, as people read them
    F.login(client, csd)
    html = client.get("/search", query_string={"q": "王芳"}).get_data(as_text=True)
    assert f"/r/TEST-REC/{made[-1]}" in html and f"/r/TEST-REC/{made[0]}" not in html
    assert "/r/TEST-REC/?q=%E7%8E%8B%E8%8A%B3" in html  # the form's register, same search
    assert "测试记录表" in html


def test_never_a_record_the_person_may_not_read(app, people):
    csd, tdd, qm = people["csd"], people["tdd"], people["qm"]
    mine = F.record(csd, "TEST-REC", customer_name="张三丰")
    theirs = F.record(tdd, "TEST-REC", customer_name="张三丰")
    secret = service.create(specs.get("TEST-SECRET"), qm, MultiDict({"material": "张三丰"}), "zh_CN")
    db.session.commit()
    assert _codes(_everywhere(app, csd, "张三丰")) == {"TEST-REC": [mine.id]}
    assert _codes(_everywhere(app, tdd, "张三丰")) == {"TEST-REC": [theirs.id]}
    assert _codes(_everywhere(app, qm, "张三丰")) == {"TEST-REC": [theirs.id, mine.id], "TEST-SECRET": [secret.id]}


def test_the_page_and_its_bad_input(app, people, client):
    F.login(client, people["csd"])
    page = client.get("/search")
    assert page.status_code == 200 and 'id="search-q"' in page.get_data(as_text=True)
    for q, message in (("   ", "请输入要搜索的内容"), ("陈" * 101, "搜索内容过长")):
        r = client.get("/search", query_string={"q": q})
        assert r.status_code == 422 and message in r.get_data(as_text=True), q
    html = client.get("/search", query_string={"q": "不存在的词"}).get_data(as_text=True)
    assert 'id="search-none"' in html
    # The header of every page carries the box (and a link on phones).
    home = client.get("/").get_data(as_text=True)
    assert 'class="header-search"' in home and 'class="search-link"' in home


def test_the_api_twin(app, people, client):
    csd = people["csd"]
    rec = F.record(csd, "TEST-REC", customer_name="赵六", phone_number="13800138000")
    headers = token_for(csd)
    r = client.get("/api/v1/search", query_string={"q": "138 0013 8000"}, headers=headers)
    assert r.status_code == 200
    body = r.get_json()
    assert body["q"] == "138 0013 8000" and body["broad"] is False
    (group,) = body["groups"]
    assert group["form"] == "TEST-REC" and group["title"]["zh"] == "测试记录表" and group["more"] is False
    assert [(x["id"], x["display_number"], x["url"]) for x in group["records"]] == [
        (rec.id, f"#{rec.id}", f"/r/TEST-REC/{rec.id}")]
    assert group["register_url"].startswith("/r/TEST-REC/?q=")
    for params, field in (({"q": ""}, "q"), ({}, "q"), ({"q": "x" * 101}, "q"), ({"q": "赵", "per_form": "0"}, "per_form"),
                          ({"q": "赵", "per_form": "abc"}, "per_form"), ({"q": "\x00"}, "q")):
        bad = client.get("/api/v1/search", query_string=params, headers=headers)
        assert bad.status_code == 422 and field in bad.get_json()["fields"], params
    assert client.get("/api/v1/search", query_string={"q": "赵"}).status_code == 401


def test_a_broad_term_is_looked_for_in_each_forms_newest_records(app, people, client, monkeypatch):
    """So common that the index cannot list its records: each form's newest records are searched, the
    page says so, and the register behind "more" searches all of it."""
    csd = people["csd"]
    old = F.record(csd, "TEST-REC", customer_name="周杰")
    newer = [F.record(csd, "TEST-REC", customer_name=f"周杰{i}").id for i in range(3)]
    monkeypatch.setattr(search, "CAP", 2)
    monkeypatch.setattr(search_all, "WIDE_ROWS", 3)
    search._plans.clear()
    found = _everywhere(app, csd, "周杰")
    assert found.broad and _codes(found) == {"TEST-REC": sorted(newer, reverse=True)}
    F.login(client, csd)
    search._plans.clear()
    html = client.get("/search", query_string={"q": "周杰"}).get_data(as_text=True)
    assert 'id="search-broad"' in html
    register = client.get("/r/TEST-REC/", query_string={"q": "周杰"}).get_data(as_text=True)
    assert f"/r/TEST-REC/{old.id}" in register
