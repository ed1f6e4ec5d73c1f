"""Reference data: the departments named in the procedures (with the other names the seeds use for
the same unit), the handbook's per-flow contacts (admin-editable defaults), and demo users (demo only)."""
from __future__ import annotations

from sqlalchemy import select

from .admin.contacts import FlowContact
from .auth.models import Department, DepartmentAlias, User
from .auth.roles import (
    ADMIN,
    CLERK,
    DEPARTMENT_HEAD,
    GENERAL_MANAGER,
    QUALITY_MANAGER,
    TECHNICIAN,
)
from .extensions import db

DEPARTMENTS = [
    ("CSD", "客户服务部", "Customer Service Department"),
    ("TSD", "终端服务部", "Terminal Service Department"),
    ("TDD", "技术发展部", "Technical Development Department"),
    ("EMD", "企业管理部", "Enterprise Management Department (quality office)"),
    ("OMD", "运行维护部", "Operations & Maintenance Department"),
    ("FIN", "财务部", "Finance Department"),
    ("ITN", "电脑网络部", "IT & Network Department"),
    ("AHR", "行政人事部", "Administration & HR Department"),
    ("SWT", "交换传输室", "Switching & Transmission Room"),
    ("BIL", "核算室", "Billing & Accounting Office"),
    ("C180", "180投诉中心", "180 Complaint Centre"),
    ("LDR", "公司领导", "Company leadership"),
    # The complaint handbook's units (S004; SEEDS-DIGEST §0.4f), as the flows TS-001..TS-008 name them.
    ("MKT", "市场部", "Marketing Department"),
    ("BSO", "业务监督室", "Business Supervision Office (Marketing)"),
    ("ACC", "营帐中心", "Billing & Accounts Centre"),
    ("ABM", "营帐业务管理组", "Billing Business Management Group"),
    ("ADR", "营帐数据室", "Billing Data Room"),
    ("DAT", "数据班", "Data Team"),
    ("HAL", "专业厅", "Specialist Business Hall"),
    ("GDH", "光大专业厅", "Guangda Specialist Hall"),
    ("C1860", "客服1860", "1860 Customer Service Line"),
    ("AGT", "代办室", "Agency Office (social agents)"),
    ("MON", "监控室", "Network Monitoring Room"),
    ("RAD", "无线室", "Radio Room"),
    ("NOP", "网优室", "Network Optimisation Room"),
    ("NET", "网络部", "Network Department"),
    ("ENG", "工程管理中心", "Engineering Management Centre"),
    ("PMC", "省公司监控室", "Provincial Company Monitoring Room"),
    ("SMG", "客服中心服务管理组", "Customer Service Centre Service Management Group"),
]

# The same unit under another name in the seeds (SEEDS-DIGEST §5 item 5, §0.4f): one department
# with aliases, never two. Looked up by Department.by_name / auth.lookup.departments_by_name.
ALIASES = {
    "CSD": ("客户服务中心",),  # S003 uses both
    "TSD": ("终端部",),
    "OMD": ("运维部",),
    "BIL": ("核算班",),  # S004's name for 核算室
    "SWT": ("交换室",),  # S004's 交换室, S003's 交换传输室
    "ACC": ("营帐部门",),
    "HAL": ("营业厅",),
    "C1860": ("1860",),
}

# The handbook's named contacts per flow (S004 TS-001..TS-008; SEEDS-DIGEST §0.4g): the defaults a
# fresh installation starts with; admins keep them current (/admin/contacts). (procedure, flow,
# role zh, role en, person, phone, unit as the handbook names it)
FLOW_CONTACTS = [
    ("QP-TS", "TS-001", "二次批价流程负责人", "Secondary pricing flow owner", "周美芳", "3222100", "核算班"),
    ("QP-TS", "TS-002", "核算室联系人(不退现的处理表,统一周四)",
     "Billing office contact (non-cash refund forms, Thursdays)", "黄中伟", "", "核算室"),
    ("QP-TS", "TS-003", "流程负责人", "Flow owner", "李向民", "", ""),
    ("QP-TS", "TS-004", "营帐中心联系人", "Billing centre contacts", "陈丹丹、李聪", "3323995", "营帐中心"),
    ("QP-TS", "TS-004", "重新商定处理办法", "Agreeing the handling of these complaints", "黄子彤", "", "营帐中心"),
    ("QP-TS", "TS-004", "重新商定处理办法", "Agreeing the handling of these complaints", "周开锋", "", "数据班"),
    ("QP-TS", "TS-005", "二次批价联系人", "Secondary pricing contact", "周美芳", "3222100", "核算班"),
    ("QP-TS", "TS-006", "地点不明时联系", "Contact when the site is unknown", "吴雅丽", "3321987",
     "客服中心服务管理组"),
    ("QP-TS", "TS-008", "营帐中心主要联系人", "Billing centre main contact", "陈丽梅", "3323887", "营帐中心"),
    ("QP-TS", "TS-008", "营帐中心主要联系人", "Billing centre main contact", "陈志强", "3323810", "营帐中心"),
]

# DEMO ONLY: known passwords so a newcomer can log in. Never use on a real installation.
DEMO_USERS = [
    ("clerk", "王静", "CSD", CLERK, "demo-clerk-2026"),
    ("tech", "李强", "TDD", TECHNICIAN, "demo-tech-2026"),
    ("tdhead", "孙涛", "TDD", DEPARTMENT_HEAD, "demo-tdhead-2026"),
    ("swt", "周工", "SWT", TECHNICIAN, "demo-swt-2026"),
    ("swthead", "郑敏", "SWT", DEPARTMENT_HEAD, "demo-swthead-2026"),
    ("head", "张明", "CSD", DEPARTMENT_HEAD, "demo-head-2026"),
    ("quality", "陈芳", "EMD", QUALITY_MANAGER, "demo-quality-2026"),
    ("gm", "刘伟", "LDR", GENERAL_MANAGER, "demo-gm-2026"),
    ("admin", "赵磊", "AHR", ADMIN, "demo-admin-2026"),
    ("mon", "黄海", "MON", TECHNICIAN, "demo-mon-2026"),  # 监控室: network complaints (CS-15)
    ("tsd", "黄立新", "TSD", TECHNICIAN, "demo-tsd-2026"),  # 终端服务部: terminal service records (CS-05)
    # The month (CS-06): 核算室 and 电脑网络部 confirm the billing-month milestones.
    ("bil", "黄中伟", "BIL", CLERK, "demo-bil-2026"),
    ("bilhead", "周美芳", "BIL", DEPARTMENT_HEAD, "demo-bilhead-2026"),
    ("itn", "吴强", "ITN", CLERK, "demo-itn-2026"),
    ("itnhead", "郑辉", "ITN", DEPARTMENT_HEAD, "demo-itnhead-2026"),
    # Facilities and materials (IT-04, IT-05): 运行维护部's facilities, 财务部's warehouse, 终端服务部's head.
    ("omd", "何建华", "OMD", TECHNICIAN, "demo-omd-2026"),
    ("fin", "林秀英", "FIN", CLERK, "demo-fin-2026"),
    ("tsdhead", "罗志强", "TSD", DEPARTMENT_HEAD, "demo-tsdhead-2026"),
]


def departments() -> int:
    """Insert the departments that are missing, with their aliases; existing ones (maybe renamed, their
    aliases edited by an admin) stay as they are. The migration that added aliases gave them to the
    departments that existed then."""
    have = set(db.session.execute(select(Department.code)).scalars())
    taken = set(db.session.execute(select(DepartmentAlias.name)).scalars())
    added = 0
    for code, zh, en in DEPARTMENTS:
        if code not in have:
            dept = Department(code=code, name_zh=zh, name_en=en, active=True)
            dept.aliases = [DepartmentAlias(name=a) for a in ALIASES.get(code, ()) if a not in taken]
            db.session.add(dept)
            added += 1
    db.session.flush()
    return added


def flow_contacts() -> int:
    """The handbook's per-flow contacts, once: on a fresh installation (or the first ``qms init``
    after contacts came in). Afterwards they are the admins' data (contacts are retired, not deleted,
    so the table never becomes empty again)."""
    if db.session.execute(select(FlowContact.id).limit(1)).first():
        return 0
    for position, (procedure, flow, role_zh, role_en, person, phone, unit) in enumerate(FLOW_CONTACTS, 1):
        dept = Department.by_name(unit) if unit else None
        db.session.add(FlowContact(procedure_code=procedure, flow=flow, role_zh=role_zh, role_en=role_en,
                                   person=person, phone=phone or None, department_id=dept.id if dept else None,
                                   position=position, active=True))
    db.session.flush()
    return len(FLOW_CONTACTS)


def demo_users() -> list[tuple[str, str, str, str]]:
    """Create the demo users that do not exist; returns (username, name, role, password) of all."""
    depts = {d.code: d.id for d in db.session.execute(select(Department)).scalars()}
    out = []
    for username, name, dept, role, password in DEMO_USERS:
        if not db.session.execute(select(User.id).where(User.username == username)).first():
            u = User(username=username, full_name=name, department_id=depts[dept], role=role,
                     email=f"{username}@qms.local")
            u.set_password(password)
            db.session.add(u)
        out.append((username, name, role, password))
    db.session.flush()
    return out
