"""Departments from the handbook, and one unit under two names as one department with aliases
(issue #12 item 7; SEEDS-DIGEST §0.4f, §5 item 5): the seed, the lookups by name, the admin page.
covers: CS-10, CS-16"""
from sqlalchemy import func, select

from qms.auth.lookup import departments_by_name
from qms.auth.models import Department
from qms.core.audit import AuditEvent
from qms.extensions import db
from qms.seed import ALIASES, DEPARTMENTS
from tests import factories as F

TWO_NAMES = {"客户服务中心": "CSD", "终端部": "TSD", "运维部": "OMD", "核算班": "BIL", "交换室": "SWT"}


def test_the_handbooks_units_are_departments(app):
    codes = {d.code: d for d in db.session.execute(select(Department)).scalars()}
    for code, zh, en in DEPARTMENTS:
        assert codes[code].name_zh == zh and codes[code].name_en == en
    for unit in ("市场部", "业务监督室", "营帐中心", "数据班", "专业厅", "监控室", "无线室", "网优室", "网络部",
                 "工程管理中心", "客服中心服务管理组", "代办室", "客服1860"):
        assert Department.by_name(unit) is not None, unit


def test_a_unit_with_two_names_is_one_department(app):
    for alias, code in TWO_NAMES.items():
        assert Department.by_name(alias).code == code
        assert Department.by_code(alias).code == code  # a code, or failing that a name or an alias
        assert Department.id_of(alias) == F.dept(code).id
        # never a department of its own
        assert db.session.execute(select(func.count()).select_from(Department).where(Department.name_zh == alias)).scalar() == 0
    assert F.dept("CSD").alias_names == list(ALIASES["CSD"])
    assert Department.by_name("  终端部 ").code == "TSD" and Department.by_name("nothing") is None
    assert Department.by_code("CSD").code == "CSD" and Department.by_code(None) is None
    names = departments_by_name()
    assert names["客户服务中心"].code == "CSD" and names["客户服务部"].code == "CSD" and names["营帐部门"].code == "ACC"


def test_the_admin_edits_aliases_audited_and_sees_them(app, client):
    admin = F.user("admin", "AHR")
    F.login(client, admin)
    csd = F.dept("CSD")
    page = client.get(f"/admin/departments/{csd.id}").get_data(as_text=True)
    assert 'value="客户服务中心"' in page
    token = F.csrf(client, "/admin/departments")
    data = {"csrf_token": token, "code": "CSD", "name_zh": "客户服务部", "name_en": "Customer Service Department",
            "aliases": "客户服务中心、客服部", "active": "y"}
    assert client.post(f"/admin/departments/{csd.id}", data=data).status_code == 302
    db.session.expire_all()
    assert F.dept("CSD").alias_names == ["客户服务中心", "客服部"] and Department.by_name("客服部").code == "CSD"
    row = db.session.execute(select(AuditEvent).where(AuditEvent.action == "department_updated")
                             .order_by(AuditEvent.id.desc())).scalars().first()
    assert row.changes_dict["aliases"] == [["客户服务中心"], ["客户服务中心", "客服部"]]
    assert "客服部" in client.get("/admin/departments").get_data(as_text=True)
    # Another department's name or alias is refused on the field, nothing saved.
    for clash in ("终端服务部", "终端部", "TSD"):
        resp = client.post(f"/admin/departments/{csd.id}", data={**data, "aliases": f"客服部、{clash}"})
        assert resp.status_code == 422 and "已是一个部门的名称" in resp.get_data(as_text=True), clash
    db.session.expire_all()
    assert F.dept("CSD").alias_names == ["客户服务中心", "客服部"]
    # A new department may not take an alias as its name.
    resp = client.post("/admin/departments", data={"csrf_token": token, "code": "XYZ", "name_zh": "核算班",
                                                   "name_en": "X", "active": "y"})
    assert resp.status_code == 422


def test_the_importer_reads_a_department_choice_by_any_of_its_names(app):
    """A spreadsheet column of departments (a choice whose values are department codes) takes the
    department's name or alias as well as its code and label."""
    from qms.records import spec as specs
    from qms.records.tables import cell_value, choice_map, with_department_names
    f = specs.get("CS-KEY").field_map["target_department"]
    known = with_department_names(f, choice_map(f), departments_by_name())
    assert cell_value(f, "终端部", known) == "TSD" and cell_value(f, "运维部", known) == "OMD"
    assert cell_value(f, "TSD", known) == "TSD" and cell_value(f, "无此部门", known) == "无此部门"
    other = specs.get("CS-INQ").field_map["category"]  # not a choice of departments: unchanged
    assert with_department_names(other, choice_map(other), departments_by_name()) == choice_map(other)
