"""One customer index (issue #12 item 5): the normalisers, which records are indexed and when
(from the first signature; voided ones leave; an approved amendment replaces its original), the
`customer:` declaration, and the rebuild when a declaration changes.
covers: IT-07, CS-12"""
import dataclasses

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from qms.core.errors import SpecError
from qms.extensions import db
from qms.records import customers, phones, service
from qms.records import spec as specs
from qms.records.customers import CustomerEntry, name_key
from qms.records.customers_search import parse_query
from qms.records.register import BadQuery
from tests import factories as F
from tests.support.records import fill, sign

# How people write one number: (typed, the index key). Spaces, dashes, dots, brackets (half and
# full width), "+86"/"0086" (a landline gets its trunk "0" back; a mobile does not), full-width digits,
# an extension or a second number after it.
SPELLINGS = [
    ("0756-2212345", "07562212345"),
    ("0756 221 2345", "07562212345"),
    ("07562212345", "07562212345"),
    ("(0756) 221-2345", "07562212345"),
    ("（０７５６）２２１２３４５", "07562212345"),
    ("0756.221.2345", "07562212345"),
    ("+86 756 2212345", "07562212345"),
    ("+86-0756-2212345", "07562212345"),
    ("0086 756 2212345", "07562212345"),
    ("＋８６ ７５６－２２１２３４５", "07562212345"),
    ("０７５６－２２１２３４５", "07562212345"),
    ("0756\u30002212345", "07562212345"),  # an ideographic space
    ("  0756-2212345  ", "07562212345"),
    ("0756-2212345 转 8001", "07562212345"),
    ("0756-2212345分机8001", "07562212345"),
    ("0756-2212345 ext. 8001", "07562212345"),
    ("0756-2212345 / 13800138000", "07562212345"),
    ("0756-2212345、13800138000", "07562212345"),
    ("138 0013 8000", "13800138000"),
    ("138-0013-8000", "13800138000"),
    ("+86 138 0013 8000", "13800138000"),
    ("+8613800138000", "13800138000"),
    ("008613800138000", "13800138000"),
    ("１３８００１３８０００", "13800138000"),
    ("+86 10 1234 5678", "01012345678"),
    ("2212345", "2212345"),
    ("3222100", "3222100"),
    ("---", ""),
    ("+86", ""),
    ("0086", ""),
    ("12", ""),
    ("", ""),
    (None, ""),
    ("无", ""),
]


@pytest.mark.parametrize(("typed", "key"), SPELLINGS)
def test_phone_spellings_give_one_key(typed, key):
    assert phones.key(typed) == key


@pytest.mark.parametrize(("typed", "key"), [
    ("陈建国", "陈建国"), ("  陈建国 ", "陈建国"), ("陈 建国", "陈建国"), ("陈\u3000建国", "陈建国"),
    ("Chen  Jianguo", "chen jianguo"), ("ＣＨＥＮ Ｊｉａｎｇｕｏ", "chen jianguo"), ("珠海 ABC 公司", "珠海abc公司"),
    ("ABC 有限公司", "abc有限公司"),
])
def test_names_are_folded(typed, key):
    assert name_key(typed) == key


@pytest.mark.parametrize(("q", "parsed"), [
    ("0756 221 2345", ("phone", "07562212345")), ("+86 138 0013 8000", ("phone", "13800138000")),
    ("０７５６２２１２３４５", ("phone", "07562212345")), ("陈", ("name", "陈")), (" 陈 建国 ", ("name", "陈建国")),
])
def test_a_search_is_a_phone_number_or_a_name(app, q, parsed):
    assert parse_query(q) == parsed


@pytest.mark.parametrize("q", ["", "   ", "---", "+86", "0086", "( )", "12", "！！", "x" * 101, "陈\x00", "0756\x002212345"])
def test_a_search_that_normalises_to_nothing_is_refused_on_its_field(app, q):
    with pytest.raises(BadQuery) as exc:
        parse_query(q)
    assert list(exc.value.errors) == ["q"] and exc.value.errors["q"][0]


def _entry(rec):
    return db.session.execute(select(CustomerEntry).where(CustomerEntry.record_id == rec.id)).scalar()


@pytest.mark.parametrize(("name", "keys"), [
    ("陈建国", ("chenjianguo", "cjg")), (" 陈 建国 ", ("chenjianguo", "cjg")), ("曾丽梅", ("zenglimei", "zlm")),
    ("单雄", ("shanxiong", "sx")), ("吕布", ("lvbu", "lb")), ("陈建国(经理)", ("chenjianguojingli", "cjgjl")),
    ("Tom张", ("tomzhang", "tz")), ("Tom Lee", ("", "")), ("", ("", "")), (None, ("", ""))])
def test_chinese_names_get_their_pinyin_and_initials(name, keys):
    assert customers.pinyin_keys(name) == keys


def test_a_record_is_indexed_from_its_first_signature(app):
    clerk = F.user("clerk")
    rec = F.record(clerk, "TEST-REC", customer_name=" 陈 建国", phone_number="+86 756 221 2345")
    assert _entry(rec) is None  # a draft is nobody's record yet
    sign(rec, clerk)
    e = _entry(rec)
    assert (e.phone_key, e.phone_rev, e.name_key, e.form_code) == ("07562212345", "54321226570", "陈建国", "TEST-REC")
    assert (e.pinyin_key, e.initials_key) == ("chenjianguo", "cjg")
    assert (e.phone, e.name, e.department_id, e.at) == ("+86 756 221 2345", "陈 建国", rec.department_id, rec.created_at)


def test_a_voided_record_leaves_the_index(app):
    clerk, head = F.user("clerk"), F.user("department_head")
    rec = sign(F.record(clerk, "TEST-REC"), clerk)
    assert _entry(rec) is not None
    service.void(rec, head, "客户信息录入错误")
    db.session.commit()
    assert _entry(rec) is None


def test_a_record_sent_back_to_draft_stays_indexed_and_follows_its_values(app):
    clerk, other = F.user("clerk"), F.user("clerk")
    rec = sign(F.record(clerk, "TEST-REC"), clerk)
    service.send_back(rec, other, "电话号码有误", F.PASSWORD)
    db.session.commit()
    assert rec.status == "draft" and _entry(rec).phone_key == "07562212345"
    fill(rec, clerk, **{**F.REC, "phone_number": "138 0013 8000"})
    assert _entry(rec).phone_key == "13800138000"


def test_an_approved_amendment_replaces_its_original(app):
    clerk, handler = F.user("clerk"), F.user("clerk")
    head, head2 = F.user("department_head"), F.user("department_head")
    rec = sign(F.record(clerk, "TEST-REC"), clerk)
    fill(rec, handler, handling="已答复", customer_informed="y")
    sign(rec, handler)
    sign(rec, head)
    assert rec.status == "closed"
    new = service.amend(rec, head, "号码更正")
    db.session.commit()
    assert _entry(new) is None and _entry(rec) is not None  # the draft amendment is not indexed yet
    service.update(new, head, MultiDict({**F.REC, "phone_number": "13800138000"}), "zh_CN", new.version)
    sign(new, head)
    assert _entry(new).phone_key == "13800138000" and _entry(rec).phone_key == "07562212345"  # both, until approved
    fill(new, handler, handling="已答复", customer_informed="y")
    sign(new, handler)
    sign(new, head2)
    assert rec.status == "superseded" and _entry(rec) is None and _entry(new) is not None


def test_an_automatic_record_is_indexed_when_it_is_submitted(app):
    clerk = F.user("clerk")
    spec = specs.get("TEST-REC")
    rec = service.create_automatic(spec, dict(F.REC), clerk.department_id, actor=clerk, cause="test")
    db.session.commit()
    assert rec.number and _entry(rec).phone_key == "07562212345"


def _raw(**customer):
    raw = {"code": "X-CUST", "title": {"zh": "测试", "en": "Test"}, "procedure": "QP-CS",
           "fields": [{"name": "who", "type": "string", "label": {"zh": "客户", "en": "Customer"}},
                      {"name": "tel", "type": "phone", "label": {"zh": "电话", "en": "Phone"}},
                      {"name": "born", "type": "date", "label": {"zh": "日期", "en": "Date"}}],
           "workflow": [{"name": "submit", "label": {"zh": "提交", "en": "Submit"}, "roles": ["clerk"],
                         "meaning": "prepared"}]}
    if customer:
        raw["customer"] = customer.get("decl")
    return raw


def test_the_customer_declaration_is_checked_strictly(app):
    assert specs.parse(_raw(decl={"phone": "tel", "name": "who"}), "X.yaml").customer == {"phone": "tel", "name": "who"}
    assert specs.parse(_raw(), "X.yaml").customer is None
    for decl, words in [({"phone": "nope"}, "customer.phone: 'nope' is not a field"),
                        ({"name": "born"}, "customer.name: field born is a date field"),
                        ({"phone": "born"}, "phone must be a phone or string field"),
                        ({"account": "who"}, "needs at least phone or name"),
                        ({"phone": "tel", "mobile": "tel"}, "customer: unknown keys ['mobile']"),
                        ({"phone": "tel", "group": "Complaints!"}, "customer.group: 'Complaints!' must be a lower-case word"),
                        ({"name": "who", "group": "complaint"}, "chained by phone number: name the phone field too"),
                        ("tel", "customer: must be a mapping")]:
        with pytest.raises(SpecError) as exc:
            specs.parse(_raw(decl=decl), "X.yaml")
        assert str(exc.value).startswith("X.yaml: ") and words in str(exc.value), str(exc.value)


def test_the_business_forms_that_name_a_customer_declare_it(app):
    assert specs.get("CS-INQ").customer == {"phone": "phone_number", "name": "customer_name", "group": "complaint"}
    assert sorted(customers.group_forms("complaint")) == ["CS-INQ", "CS-NET", "TS-FEE"]
    assert specs.get("CS-KEY").customer == {"phone": "phone_number", "name": "customer_name"}
    assert specs.get("CP-PBX").customer == {"phone": "contact_phone", "name": "customer_name"}


def test_a_changed_declaration_rebuilds_the_forms_index(app):
    """`qms init` (customers.refresh) indexes a form again when its `customer:` declaration changes."""
    clerk = F.user("clerk")
    rec = sign(F.record(clerk, "TEST-REC"), clerk)
    db.session.execute(CustomerEntry.__table__.delete())
    assert customers.refresh() == []  # the declaration is the one the rows were built with
    row = db.session.get(customers.CustomerForm, "TEST-REC")
    row.declaration = "{}"  # as if the rows had been built without a declaration
    assert customers.refresh() == ["customer index of TEST-REC: 1 records"]
    assert _entry(rec).phone_key == "07562212345"


def test_a_form_joining_a_group_is_chained_with_its_members_on_init(app, monkeypatch):
    """`qms init` after a form declares `group: complaint`: its rows are rebuilt and chained with the
    group's other forms (prev_at: the same customer's previous complaint of any of them)."""
    clerk = F.user("clerk", "CSD")
    inq = sign(F.record(clerk, "CS-INQ", phone_number="0756-2212345"), clerk)
    other = sign(F.record(clerk, "TEST-REC", phone_number="0756 221 2345"), clerk)
    assert _entry(other).prev_at is None  # TEST-REC is in no group
    spec = specs.get("TEST-REC")
    grouped = dataclasses.replace(spec, customer={**spec.customer, "group": "complaint"})  # as if declared so
    get, every = specs.get, specs.all_specs
    monkeypatch.setattr(specs, "get", lambda code: grouped if code == "TEST-REC" else get(code))
    monkeypatch.setattr(specs, "all_specs", lambda: [grouped if s.code == "TEST-REC" else s for s in every()])
    assert customers.refresh() == ["customer index of TEST-REC: 1 records"]
    assert _entry(other).prev_at == inq.created_at and _entry(inq).prev_at is None


def test_an_account_is_indexed_folded_beside_the_phone_and_name(app):
    class Rec:
        id, form_code, department_id, created_at = 7, "X", 1, None
        values = {"tel": "０７５６-2212345", "who": "珠海 ABC 公司", "acct": " ＡＣ-001 "}
    row = customers.entry_values(Rec(), {"phone": "tel", "name": "who", "account": "acct"})
    assert (row["phone_key"], row["name_key"], row["account_key"]) == ("07562212345", "珠海abc公司", "ac-001")
    assert customers.entry_values(Rec(), {"name": "missing"}) is None  # names no customer: not indexed


def test_procedures_ask_for_the_records_about_a_customer(app):
    """records_about: what a repeat-complaint rule (CS-12) reads, newest first, any spelling."""
    clerk = F.user("clerk")
    first = sign(F.record(clerk, "TEST-REC", phone_number="0756-2212345"), clerk)
    again = sign(F.record(clerk, "CS-INQ", phone_number="+86 756 221 2345"), clerk)
    assert customers.records_about(phone="０７５６ ２２１ ２３４５") == [again.id, first.id]
    assert customers.records_about(phone="0756 2212345", form_code="TEST-REC") == [first.id]
    assert customers.records_about(name=" 陈 建国") == [again.id, first.id]
    assert customers.records_about(phone="---") == [] and customers.records_about() == []
