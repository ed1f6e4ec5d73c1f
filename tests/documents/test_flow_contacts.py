"""Per-flow contacts (issue #12 item 7; SEEDS-DIGEST §0.4g): seeded from the handbook, edited by an
admin (audited), shown on the procedure page beside the steps that name the flow; never in a template.
covers: CS-14, CS-16"""
from sqlalchemy import select

from qms.admin.contacts import FlowContact
from qms.core.audit import AuditEvent
from qms.extensions import db
from qms.seed import FLOW_CONTACTS
from tests import factories as F


def _contact(flow, person):
    return db.session.execute(select(FlowContact).where(FlowContact.flow == flow, FlowContact.person == person)).scalar()


def _step(html: str, step_id: str) -> str:
    start = html.index(f'id="step-{step_id}"')
    return html[start:html.index("</li>", start)]


def test_the_handbooks_contacts_are_seeded_once(app):
    rows = db.session.execute(select(FlowContact)).scalars().all()
    assert len(rows) == len(FLOW_CONTACTS)
    owner = _contact("TS-001", "周美芳")
    assert owner.phone == "3222100" and owner.department.code == "BIL"  # 核算班 is 核算室 (an alias)
    assert _contact("TS-004", "陈丹丹、李聪").department.code == "ACC"
    from qms import seed
    assert seed.flow_contacts() == 0  # the admins' data from then on


def test_the_procedure_page_shows_the_contacts_of_the_flows_a_step_names(app, client):
    F.login(client, F.user("clerk"))
    html = client.get("/procedures/QP-TS").get_data(as_text=True)
    pricing = _step(html, "secondary-pricing")  # "二次批价处理(TS-001,见注)"
    assert "周美芳" in pricing and "3222100" in pricing and "二次批价流程负责人" in pricing
    assert "李向民" in _step(html, "dispute-flow")  # TS-003
    special = _step(html, "special-flows")  # TS-004 .. TS-008
    assert all(p in special for p in ("陈丹丹、李聪", "3323995", "吴雅丽", "3321987", "陈丽梅", "陈志强"))
    assert "周美芳" not in _step(html, "accept")
    assert 'id="flow-contacts"' in html
    assert "周美芳" not in client.get("/procedures/QP-CA").get_data(as_text=True)


def test_an_admin_edits_a_contact_audited_and_the_page_shows_it(app, client):
    admin = F.user("admin", "AHR")
    F.login(client, admin)
    owner = _contact("TS-001", "周美芳")
    token = F.csrf(client, "/admin/contacts")
    data = {"csrf_token": token, "procedure_code": "QP-TS", "flow": "TS-001", "role_zh": "二次批价流程负责人",
            "role_en": "Secondary pricing flow owner", "person": "周美芳", "phone": "0756-3222199",
            "department_id": str(owner.department_id), "active": "y"}
    assert client.post(f"/admin/contacts/{owner.id}", data=data).status_code == 302
    row = db.session.execute(select(AuditEvent).where(AuditEvent.action == "flow_contact_updated")).scalar()
    assert row.object_id == str(owner.id) and row.changes_dict == {"phone": ["3222100", "0756-3222199"]}
    pricing = _step(client.get("/procedures/QP-TS").get_data(as_text=True), "secondary-pricing")
    assert "0756-3222199" in pricing and "3222100<" not in pricing
    # A new contact for a flow, and a retired one no longer shown.
    new = {**data, "flow": "TS-007", "role_zh": "监控室联系人", "role_en": "Monitoring contact", "person": "王五",
           "phone": "3321000", "department_id": ""}
    assert client.post("/admin/contacts", data=new).status_code == 302
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "flow_contact_created")).scalar()
    assert client.post(f"/admin/contacts/{owner.id}", data={**data, "active": ""}).status_code == 302
    html = client.get("/procedures/QP-TS").get_data(as_text=True)
    assert "王五" in _step(html, "special-flows") and "周美芳" not in _step(html, "secondary-pricing")
    assert "周美芳" in client.get("/admin/contacts").get_data(as_text=True)  # retired, still listed for the admin


def test_bad_contact_input_is_refused_on_its_field(app, client):
    admin = F.user("admin", "AHR")
    F.login(client, admin)
    token = F.csrf(client, "/admin/contacts")
    good = {"csrf_token": token, "procedure_code": "QP-TS", "flow": "TS-009", "role_zh": "联系人", "role_en": "Contact",
            "person": "王五", "phone": "", "department_id": "", "active": "y"}
    before = db.session.execute(select(FlowContact.id)).all()
    for field, value, words in [("phone", "abc", "有效的电话号码"), ("flow", "ts 1", "流程编码"),
                                ("person", "", "必填"), ("procedure_code", "QP-XX", "")]:
        resp = client.post("/admin/contacts", data={**good, field: value})
        assert resp.status_code == 422 and words in resp.get_data(as_text=True), field
    assert db.session.execute(select(FlowContact.id)).all() == before
    F.login(client, F.user("clerk"))
    assert client.get("/admin/contacts").status_code == 403
